terraform {
  required_version = ">= 1.6.0"

  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = ">= 1.3.2, < 3.0.0"
    }
  }

  # Remote state, configured at init time (partial configuration) so no bucket or credential is written here:
  #   tofu init -backend-config=staging.s3.tfbackend     (see backend.tfbackend.example)
  # The state holds the generated Secrets' values: keep the bucket private and encrypted.
  backend "s3" {}
}

# An existing cluster, reached through a kubeconfig context (an operator's or CI's).
provider "helm" {
  kubernetes {
    config_path    = var.kubeconfig_path
    config_context = var.kube_context
  }
}
