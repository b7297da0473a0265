variable "kubeconfig" {
  description = "Kubeconfig of the local control plane."
  type        = string
}

variable "kube_context" {
  description = "Its context."
  type        = string
}

variable "order_mongo_password" {
  description = "A password with the characters helm's --set syntax would otherwise split or eat."
  type        = string
  default     = "s3cret,with\\comma"
  sensitive   = true
}

variable "jwt_private_key" {
  description = "The user service's signing key (PKCS8 PEM); infra/check.sh generates one with openssl."
  type        = string
  sensitive   = true
}
