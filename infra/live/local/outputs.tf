output "kube_context" {
  description = "Kubeconfig context of the cluster: `kubectl config use-context` it before `skaffold dev -p dev`."
  value       = module.kind_cluster.context
}

output "endpoints" {
  description = "In-cluster addresses of the infrastructure (what charts/platform/values.yaml names)."
  value       = module.cluster_addons.endpoints
}

output "next" {
  description = "What to run next."
  value       = "kubectl config use-context ${module.kind_cluster.context} && skaffold dev -p dev"
}
