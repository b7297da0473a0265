# Root module of the apply check (infra/check.sh runs it against the local control plane; its working data
# goes under .local/infra-check, its state file here, removed after the destroy): the platform module with a secret from a sensitive variable, as live/staging passes them.
module "platform" {
  source = "../../modules/platform"

  secrets = {
    order = {
      MONGO_URL = "mongodb://order:${var.order_mongo_password}@mongodb.platform.svc:27017/orders"
    }
  }
  timeout_seconds = 300
}
