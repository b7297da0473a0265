# Root module of the apply check (infra/check.sh runs it against the local control plane; its working data
# goes under .local/infra-check, its state file here, removed after the destroy): the platform module with a secret from a sensitive variable, as live/staging passes them.
module "platform" {
  source = "../../modules/platform"

  # As in staging: the signing key comes from a variable (the check asserts it arrives unchanged), not from the
  # chart's development key generator.
  values = [yamlencode({ devSigningKey = { enabled = false } })]
  secrets = {
    user = {
      JWT_PRIVATE_KEY = var.jwt_private_key
    }
    order = {
      MONGO_URL = "mongodb://order:${var.order_mongo_password}@mongodb.platform.svc:27017/orders"
    }
  }
  timeout_seconds = 300
}
