variable "release_name" {
  description = "Helm release name. The charts' in-cluster URLs (http://<release>-user, ...) and skaffold.yaml assume `platform`."
  type        = string
  default     = "platform"
}

variable "namespace" {
  description = "Namespace of the release. The addons' NetworkPolicies and the chart's defaults assume `platform`."
  type        = string
  default     = "platform"
}

variable "create_namespace" {
  description = "Create the namespace when it does not exist (false when the cluster-addons module or an administrator owns it)."
  type        = bool
  default     = true
}

variable "chart_path" {
  description = "Path of the platform umbrella chart (its dependencies built: `helm dependency build charts/platform`). Empty: the chart of this repository."
  type        = string
  default     = ""
}

variable "values_files" {
  description = "Values files applied on top of the chart's values.yaml, in order (e.g. charts/platform/values-staging.yaml, then an environment's own file)."
  type        = list(string)
  default     = []
}

variable "values" {
  description = "Extra values as YAML documents, applied after values_files (e.g. yamlencode({...}) built by the caller). Never secrets: use `secrets`."
  type        = list(string)
  default     = []
}

variable "image_tag" {
  description = "Image tag of every deployable (a git sha or version built by CI). Null: the chart's appVersion."
  type        = string
  default     = null
}

variable "image_registry" {
  description = "Registry and path the images are pulled from, e.g. registry.example.com/platform (images are <registry>/platform-<name>). Null: the values files decide."
  type        = string
  default     = null
}

variable "secrets" {
  description = <<-EOT
    Secret environment per deployable (user, product, order, inventory, gateway), e.g. { user = { MONGO_URL = "...", JWT_PRIVATE_KEY = "..." } }.
    A deployable listed here gets a Secret owned by the release (the chart's `secrets`) instead of the out-of-band
    `existingSecret` the staging values name. The values end up in the state: encrypt it (OpenTofu state encryption) or keep it in a protected backend.
  EOT
  type        = map(map(string))
  default     = {}
  sensitive   = true

  validation {
    condition     = alltrue([for app in keys(var.secrets) : contains(["user", "product", "order", "inventory", "gateway"], app)])
    error_message = "secrets: keys must be deployables of the platform chart: user, product, order, inventory, gateway."
  }
}

variable "wait" {
  description = "Wait until every Deployment is ready (the migration hook Jobs are always waited for)."
  type        = bool
  default     = true
}

variable "atomic" {
  description = "Roll back (or uninstall, on first install) when the install or upgrade fails."
  type        = bool
  default     = false
}

variable "timeout_seconds" {
  description = "Time allowed for each Kubernetes operation of an install or upgrade (hooks included)."
  type        = number
  default     = 600
}
