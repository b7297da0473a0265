output "release_name" {
  description = "Name of the Helm release."
  value       = helm_release.platform.name
}

output "namespace" {
  description = "Namespace of the release."
  value       = helm_release.platform.namespace
}

output "chart_version" {
  description = "Version of the platform chart that was installed."
  value       = helm_release.platform.version
}

output "service_urls" {
  description = "In-cluster URLs of the deployables (the gateway is the public entry point)."
  value       = { for app in local.deployables : app => "http://${var.release_name}-${app}.${var.namespace}.svc" }
}
