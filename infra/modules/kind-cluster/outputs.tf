output "name" {
  description = "Name of the kind cluster."
  value       = terraform_data.cluster.output.name
}

output "kubeconfig_path" {
  description = "Kubeconfig file holding the cluster's context (known only once the cluster exists, so providers configured from it wait for it)."
  value       = terraform_data.cluster.output.kubeconfig
}

output "context" {
  description = "Kubeconfig context of the cluster (kind-<name>), the one skaffold deploys to."
  value       = "kind-${terraform_data.cluster.output.name}"
}
