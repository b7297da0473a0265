variable "cluster_name" {
  description = "Name of the kind cluster (context kind-<name>). skaffold deploys to the current context."
  type        = string
  default     = "platform"
}

variable "kubeconfig_path" {
  description = "Kubeconfig kind writes the context to (and skaffold reads)."
  type        = string
  default     = "~/.kube/config"
}

variable "node_image" {
  description = "kindest/node image pinning the Kubernetes version. Null: kind's default."
  type        = string
  default     = null
}

variable "enabled_addons" {
  description = "Addons to install (see infra/modules/cluster-addons/releases.yaml). Drop the heavy ones on a small laptop."
  type        = set(string)
  default     = ["ingress_nginx", "kube_prometheus_stack", "jaeger", "otel_collector", "strimzi", "kafka", "mongodb", "redis"]
}
