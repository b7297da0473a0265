variable "extra_values" {
  description = "Extra values files per release, applied after the module's own (values/<release>.yaml). Keys: ingress_nginx, kube_prometheus_stack, jaeger, otel_collector, strimzi, kafka, mongodb, redis."
  type        = map(list(string))
  default     = {}

  validation {
    condition = alltrue([for k in keys(var.extra_values) : contains(
      ["ingress_nginx", "kube_prometheus_stack", "jaeger", "otel_collector", "strimzi", "kafka", "mongodb", "redis"], k
    )])
    error_message = "extra_values: keys must be releases of this module (see releases.yaml)."
  }
}

variable "enabled" {
  description = "Releases to install (all by default). A cluster that already runs one of them (a managed Prometheus, Kafka or database) leaves it out."
  type        = set(string)
  default     = ["ingress_nginx", "kube_prometheus_stack", "jaeger", "otel_collector", "strimzi", "kafka", "mongodb", "redis"]
}

variable "grafana_admin_password" {
  description = "Password of Grafana's `admin` user. Null: the chart's default (development only)."
  type        = string
  default     = null
  sensitive   = true
}

variable "mongodb_auth" {
  description = <<-EOT
    MongoDB credentials: the root password, and one user per service with its database and password. Null: no
    authentication (local development, as the platform chart's default MONGO_URL expects).
  EOT
  type = object({
    root_password = string
    users = map(object({
      database = string
      password = string
    }))
  })
  default   = null
  sensitive = true
}

variable "redis_password" {
  description = "Redis password. Null: no authentication (local development, as the platform chart's default REDIS_URL expects)."
  type        = string
  default     = null
  sensitive   = true
}

variable "timeout_seconds" {
  description = "Time allowed for each release's install or upgrade."
  type        = number
  default     = 900
}
