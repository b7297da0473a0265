terraform {
  required_version = ">= 1.6.0"

  required_providers {
    # The 1.3 and 2.x series share the syntax used here (set/set_sensitive blocks, kubernetes block); 3.x does not.
    # 1.3.2 is the newest release the offline mirror can build from the Go module proxy (infra/README.md).
    helm = {
      source  = "hashicorp/helm"
      version = ">= 1.3.2, < 3.0.0"
    }
  }
}
