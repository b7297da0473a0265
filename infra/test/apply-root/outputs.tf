output "release" {
  description = "The release the check asserts on."
  value       = "${module.platform.namespace}/${module.platform.release_name} ${module.platform.chart_version}"
}
