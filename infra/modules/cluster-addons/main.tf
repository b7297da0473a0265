# The infrastructure the platform chart expects (docs/delivery.md, "The infrastructure the platform expects"):
# ingress controller, Prometheus stack with Grafana, OpenTelemetry collector and Jaeger, Strimzi with a KRaft Kafka
# cluster, MongoDB and Redis. Chart pins and namespaces are in releases.yaml, values in values/*.yaml; callers add
# per-environment values files (extra_values) and the credentials (sensitive variables).

locals {
  releases = yamldecode(file("${path.module}/releases.yaml"))

  # Operators bring the CRDs other releases create objects of (ServiceMonitors, Kafka): they are installed first.
  operators = ["kube_prometheus_stack", "strimzi"]

  # values/<release name>.yaml, then the caller's files for that release.
  values = {
    for key, r in local.releases : key => concat(
      [file("${path.module}/values/${r.name}.yaml")],
      [for f in lookup(var.extra_values, key, []) : file(f)],
    )
  }

  # Whether credentials were given is not itself a secret (for_each cannot take sensitive values).
  mongodb_auth  = nonsensitive(var.mongodb_auth != null)
  redis_auth    = nonsensitive(var.redis_password != null)
  grafana_auth  = nonsensitive(var.grafana_admin_password != null)
  mongodb_users = local.mongodb_auth ? nonsensitive(sort(keys(var.mongodb_auth.users))) : []

  # `--set` values per release. The Bitnami MongoDB chart creates one user per index of the parallel lists
  # auth.usernames / auth.databases / auth.passwords.
  sets = {
    mongodb = merge(
      { "auth.enabled" = tostring(local.mongodb_auth) },
      { for i, user in local.mongodb_users : "auth.usernames[${i}]" => user },
      { for i, user in local.mongodb_users : "auth.databases[${i}]" => nonsensitive(var.mongodb_auth.users[user].database) },
    )
    redis = { "auth.enabled" = tostring(local.redis_auth) }
  }
  # Secret `--set` values. The names are not secret, and for_each iterates over them; the values stay sensitive.
  secret_names = {
    kube_prometheus_stack = local.grafana_auth ? ["grafana.adminPassword"] : []
    mongodb = local.mongodb_auth ? concat(
      ["auth.rootPassword"], [for i, _ in local.mongodb_users : "auth.passwords[${i}]"]
    ) : []
    redis = local.redis_auth ? ["auth.password"] : []
  }
  secret_values = {
    kube_prometheus_stack = local.grafana_auth ? { "grafana.adminPassword" = var.grafana_admin_password } : {}
    mongodb = local.mongodb_auth ? merge(
      { "auth.rootPassword" = var.mongodb_auth.root_password },
      { for i, user in local.mongodb_users : "auth.passwords[${i}]" => var.mongodb_auth.users[user].password },
    ) : {}
    redis = local.redis_auth ? { "auth.password" = var.redis_password } : {}
  }
}

resource "helm_release" "operator" {
  for_each = { for key in local.operators : key => local.releases[key] if contains(var.enabled, key) }

  name             = each.value.name
  namespace        = each.value.namespace
  create_namespace = true
  repository       = each.value.repository
  chart            = each.value.chart
  version          = each.value.version
  values           = local.values[each.key]
  timeout          = var.timeout_seconds

  dynamic "set_sensitive" {
    for_each = lookup(local.secret_names, each.key, [])
    content {
      name  = set_sensitive.value
      value = local.secret_values[each.key][set_sensitive.value]
      type  = "string"
    }
  }
}

resource "helm_release" "addon" {
  for_each = {
    for key, r in local.releases : key => r if contains(var.enabled, key) && !contains(local.operators, key)
  }

  name             = each.value.name
  namespace        = each.value.namespace
  create_namespace = true
  # A release without a repository is a chart of this module (charts/kafka-cluster).
  repository = each.value.repository == "" ? null : each.value.repository
  chart      = each.value.repository == "" ? "${path.module}/${each.value.chart}" : each.value.chart
  version    = each.value.version
  values     = local.values[each.key]
  timeout    = var.timeout_seconds
  # Custom resources (the Kafka cluster) are ready when their operator says so, not when Helm sees them.
  wait = each.key != "kafka"

  dynamic "set" {
    for_each = lookup(local.sets, each.key, {})
    content {
      name  = set.key
      value = set.value
    }
  }

  dynamic "set_sensitive" {
    for_each = lookup(local.secret_names, each.key, [])
    content {
      name  = set_sensitive.value
      value = local.secret_values[each.key][set_sensitive.value]
      type  = "string"
    }
  }

  depends_on = [helm_release.operator]
}
