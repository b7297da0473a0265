# The addresses the releases create, in the form the platform chart's values take (global.platform.*,
# observability.*). live/<env> passes them to the platform module; infra/test/contract.mjs checks them against
# the chart's own defaults.

locals {
  svc = { for key, r in local.releases : key => "${r.namespace}.svc" }
  endpoints = {
    kafka_brokers   = "kafka.${local.svc.kafka}:9092"
    mongodb_address = "mongodb://${local.releases.mongodb.name}.${local.svc.mongodb}:27017"
    redis_url       = "redis://${local.releases.redis.name}-master.${local.svc.redis}:6379"
    otel_endpoint   = "http://otel-collector.${local.svc.otel_collector}:4318"
    prometheus_url  = "http://prometheus-operated.${local.svc.kube_prometheus_stack}:9090"
    grafana_url     = "http://grafana.${local.svc.kube_prometheus_stack}"
    jaeger_url      = "http://${local.releases.jaeger.name}-query.${local.svc.jaeger}:16686"
  }
}

output "endpoints" {
  description = "In-cluster addresses of the infrastructure, keyed like the platform chart's values: kafka_brokers, mongodb_address, redis_url, otel_endpoint, prometheus_url, grafana_url, jaeger_url."
  value       = local.endpoints
}

output "prometheus_release_label" {
  description = "Value of the `release` label Prometheus selects ServiceMonitors and PrometheusRules by."
  value       = local.releases.kube_prometheus_stack.name
}

output "releases" {
  description = "Namespace, chart and version of every installed release, by release name."
  value = {
    for r in concat(values(helm_release.operator), values(helm_release.addon)) :
    r.name => { namespace = r.namespace, chart = r.chart, version = r.version }
  }
}
