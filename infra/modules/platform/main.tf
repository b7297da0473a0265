# The platform umbrella chart (charts/platform) as one Helm release. No provider configuration here: the root
# module (live/<env>) configures the helm provider for its cluster.

locals {
  deployables = ["user", "product", "order", "inventory", "gateway"]
  chart_path  = var.chart_path != "" ? var.chart_path : abspath("${path.module}/../../../charts/platform")

  # Plain (non-secret) overrides built from the variables; nulls are left out so the values files decide.
  image_values = merge(
    var.image_tag == null ? {} : { for app in local.deployables : "${app}.image.tag" => var.image_tag },
    var.image_registry == null ? {} : { for app in local.deployables : "${app}.image.repository" => "${var.image_registry}/platform-${app}" },
  )

  # Secret entries as `--set` paths. Helm's --set syntax splits on commas and reads backslashes as escapes:
  # escape both so a password or a PEM key arrives unchanged.
  secret_values = nonsensitive(toset(flatten([
    for app, env in var.secrets : [for key in keys(env) : "${app}/${key}"]
  ])))
  apps_with_secrets = nonsensitive(toset(keys(var.secrets)))
}

resource "helm_release" "platform" {
  name             = var.release_name
  namespace        = var.namespace
  create_namespace = var.create_namespace
  chart            = local.chart_path

  values = concat([for f in var.values_files : file(f)], var.values)

  wait            = var.wait
  atomic          = var.atomic
  cleanup_on_fail = var.atomic
  timeout         = var.timeout_seconds
  max_history     = 10

  dynamic "set" {
    for_each = local.image_values
    content {
      name  = set.key
      value = set.value
    }
  }

  # A deployable with secrets from Terraform no longer reads the out-of-band Secret.
  dynamic "set" {
    for_each = local.apps_with_secrets
    content {
      name  = "${set.value}.existingSecret"
      value = ""
    }
  }

  dynamic "set_sensitive" {
    for_each = local.secret_values
    content {
      name  = "${split("/", set_sensitive.value)[0]}.secrets.${split("/", set_sensitive.value)[1]}"
      value = replace(replace(var.secrets[split("/", set_sensitive.value)[0]][split("/", set_sensitive.value)[1]], "\\", "\\\\"), ",", "\\,")
      type  = "string"
    }
  }
}
