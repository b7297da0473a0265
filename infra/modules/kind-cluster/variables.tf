variable "name" {
  description = "Name of the kind cluster; its kubeconfig context is kind-<name>."
  type        = string
  default     = "platform"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.name))
    error_message = "name: lower-case letters, digits and dashes (a DNS label)."
  }
}

variable "node_image" {
  description = "kindest/node image (pins the Kubernetes version). Null: the default of the installed kind."
  type        = string
  default     = null
}

variable "kubeconfig_path" {
  description = "Kubeconfig file kind writes the cluster's context to."
  type        = string
  default     = "~/.kube/config"
}

variable "workers" {
  description = "Number of worker nodes besides the control-plane node."
  type        = number
  default     = 0

  validation {
    condition     = var.workers >= 0 && var.workers <= 5
    error_message = "workers: between 0 and 5."
  }
}

variable "ingress_ports" {
  description = "Host ports mapped to the ingress controller on the control-plane node (http, https). Null: no mapping."
  type = object({
    http  = number
    https = number
  })
  default = {
    http  = 8080
    https = 8443
  }
}

variable "kind_binary" {
  description = "The kind command (a path, or a name on PATH)."
  type        = string
  default     = "kind"
}
