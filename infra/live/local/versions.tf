terraform {
  required_version = ">= 1.6.0"

  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = ">= 1.3.2, < 3.0.0"
    }
  }

  # Local state (terraform.tfstate in this folder, git-ignored): the cluster lives and dies on this machine.
}

# The addons go into the kind cluster created below. The provider reads the kubeconfig only when a release is
# planned or applied, so the cluster can be created in the same apply.
provider "helm" {
  kubernetes {
    config_path    = module.kind_cluster.kubeconfig_path
    config_context = module.kind_cluster.context
  }
}
