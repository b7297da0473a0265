# Values for evaluating live/staging in the contract check (infra/check.sh); nothing here is a real credential.
kube_context          = "contract-check"
mongodb_root_password = "root-pw"
mongodb_passwords = {
  user      = "user-pw"
  product   = "product-pw"
  order     = "order-pw"
  inventory = "inventory/pw@"
}
redis_password         = "redis pw"
grafana_admin_password = "grafana-pw"
jwt_private_key        = "-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----\n"
admin_email            = "admin@example.com"
admin_password         = "admin-pw"
