variable "kubeconfig_path" {
  description = "Kubeconfig file with access to the staging cluster."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "Context of the staging cluster in that kubeconfig."
  type        = string
}

variable "deploy_platform" {
  description = "Install or upgrade the platform release too. False: only the infrastructure (the first apply, or when CI deploys the platform with helm or skaffold)."
  type        = bool
  default     = true
}

variable "image_tag" {
  description = "Image tag of the deployables (the git sha CI built and pushed). Null: the chart's appVersion."
  type        = string
  default     = null
}

variable "image_registry" {
  description = "Registry path of the images (<registry>/platform-<name>). Null: the one in charts/platform/values-staging.yaml."
  type        = string
  default     = null
}

variable "mongodb_root_password" {
  description = "Password of MongoDB's root user."
  type        = string
  sensitive   = true
}

variable "mongodb_passwords" {
  description = "Password of each service's MongoDB user (keys: user, product, order, inventory)."
  type        = map(string)
  sensitive   = true

  validation {
    condition     = length(setsubtract(["user", "product", "order", "inventory"], keys(var.mongodb_passwords))) == 0
    error_message = "mongodb_passwords: one password for each of user, product, order and inventory."
  }
}

variable "redis_password" {
  description = "Redis password (shared by every deployable)."
  type        = string
  sensitive   = true
}

variable "grafana_admin_password" {
  description = "Password of Grafana's admin user."
  type        = string
  sensitive   = true
}

variable "jwt_private_key" {
  description = "The user service's Ed25519 signing key, PKCS8 PEM (`openssl genpkey -algorithm ed25519`). Keep JWT_KEY_ID in step."
  type        = string
  sensitive   = true
}

variable "admin_email" {
  description = "E-mail of the first admin the user service creates."
  type        = string
}

variable "admin_password" {
  description = "Password of the first admin."
  type        = string
  sensitive   = true
}
