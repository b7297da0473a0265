# Local environment: a kind cluster with the infrastructure `skaffold dev -p dev` expects (docs/delivery.md).
# skaffold then builds the images, loads them into kind and installs charts/platform as release `platform` in
# namespace `platform`, with the chart's default values, which name exactly what the addons below create
# (no credentials on MongoDB and Redis, Grafana as `grafana` in `monitoring`, Jaeger as `jaeger-query`).

module "kind_cluster" {
  source = "../../modules/kind-cluster"

  name            = var.cluster_name
  kubeconfig_path = var.kubeconfig_path
  node_image      = var.node_image
}

module "cluster_addons" {
  source = "../../modules/cluster-addons"

  enabled = var.enabled_addons
  # Small footprint for a laptop: one replica, no persistence, ingress bound to the kind node's host ports.
  extra_values = {
    for key in ["ingress_nginx", "kube_prometheus_stack", "mongodb", "redis"] :
    key => ["${path.module}/values/${replace(key, "_", "-")}.yaml"]
  }

  depends_on = [module.kind_cluster]
}
