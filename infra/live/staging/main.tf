# Staging: an existing cluster (by kubeconfig and context) gets the infrastructure with production-like values
# (replicas, persistence, resources, credentials), then the platform release with charts/platform/values-staging.yaml
# and Secrets built from the same credentials, so the two cannot drift.

locals {
  # Each service's database (the path of MONGO_URL in charts/platform/values.yaml).
  databases = {
    user      = "users"
    product   = "products"
    order     = "orders"
    inventory = "inventory"
  }
  endpoints = module.cluster_addons.endpoints
  # mongodb://mongodb.platform.svc:27017 -> mongodb://<user>:<password>@mongodb.platform.svc:27017/<db>
  mongodb_host = trimprefix(local.endpoints.mongodb_address, "mongodb://")
  redis_host   = trimprefix(local.endpoints.redis_url, "redis://")

  mongo_urls = {
    for app, db in local.databases :
    app => "mongodb://${app}:${urlencode(var.mongodb_passwords[app])}@${local.mongodb_host}/${db}"
  }
  redis_url = "redis://:${urlencode(var.redis_password)}@${local.redis_host}"

  # The keys of the out-of-band Secrets docs/delivery.md lists, now owned by the release.
  secrets = merge(
    { for app in keys(local.databases) : app => { MONGO_URL = local.mongo_urls[app], REDIS_URL = local.redis_url } },
    {
      user = {
        MONGO_URL       = local.mongo_urls.user
        REDIS_URL       = local.redis_url
        JWT_PRIVATE_KEY = var.jwt_private_key
        ADMIN_EMAIL     = var.admin_email
        ADMIN_PASSWORD  = var.admin_password
      }
      gateway = { REDIS_URL = local.redis_url }
    },
  )
}

module "cluster_addons" {
  source = "../../modules/cluster-addons"

  extra_values = {
    for key in ["ingress_nginx", "kube_prometheus_stack", "kafka", "mongodb", "redis"] :
    key => ["${path.module}/values/${replace(key, "_", "-")}.yaml"]
  }
  grafana_admin_password = var.grafana_admin_password
  redis_password         = var.redis_password
  mongodb_auth = {
    root_password = var.mongodb_root_password
    users = {
      for app, db in local.databases : app => { database = db, password = var.mongodb_passwords[app] }
    }
  }
}

module "platform" {
  source = "../../modules/platform"
  count  = var.deploy_platform ? 1 : 0

  values_files   = ["${path.module}/../../../charts/platform/values-staging.yaml"]
  image_tag      = var.image_tag
  image_registry = var.image_registry
  secrets        = local.secrets
  # The addons' outputs, so a renamed release cannot leave the platform pointing at nothing.
  values = [yamlencode({
    global = {
      platform = {
        kafka   = { brokers = local.endpoints.kafka_brokers }
        mongodb = { address = local.endpoints.mongodb_address }
        redis   = { url = local.endpoints.redis_url }
        otel    = { endpoint = local.endpoints.otel_endpoint }
      }
    }
    observability = {
      prometheus = { url = local.endpoints.prometheus_url }
      grafana    = { url = local.endpoints.grafana_url }
      jaeger     = { url = local.endpoints.jaeger_url }
    }
  })]
  atomic          = true
  timeout_seconds = 900

  depends_on = [module.cluster_addons]
}
