output "endpoints" {
  description = "In-cluster addresses of the infrastructure."
  value       = module.cluster_addons.endpoints
}

output "releases" {
  description = "The infrastructure's Helm releases."
  value       = module.cluster_addons.releases
}

output "platform_services" {
  description = "In-cluster URLs of the platform's deployables (empty when deploy_platform is false)."
  value       = var.deploy_platform ? module.platform[0].service_urls : {}
}
