# A kind cluster for `skaffold dev`, created and deleted with the kind CLI (Docker required). The control-plane
# node carries the label `ingress-ready=true` and maps the ingress ports, as kind's ingress guide does, so the
# cluster-addons module's ingress controller can bind there.

locals {
  kubeconfig_path = pathexpand(var.kubeconfig_path)
  config = templatefile("${path.module}/kind-config.yaml.tftpl", {
    name          = var.name
    workers       = var.workers
    ingress_ports = var.ingress_ports
  })
}

resource "terraform_data" "cluster" {
  # A change of any of these recreates the cluster.
  triggers_replace = [var.name, var.node_image, local.config]

  # Destroy-time provisioners may only read `self`: everything they need is kept in `input`.
  input = {
    name       = var.name
    kubeconfig = local.kubeconfig_path
    kind       = var.kind_binary
  }

  provisioner "local-exec" {
    command     = "printf '%s' \"$KIND_CONFIG\" | \"$KIND\" create cluster --name \"$NAME\" --kubeconfig \"$KUBECONFIG_PATH\" --wait 5m --config - $${NODE_IMAGE:+--image \"$NODE_IMAGE\"}"
    interpreter = ["/bin/sh", "-c"]
    environment = {
      KIND            = var.kind_binary
      NAME            = var.name
      KUBECONFIG_PATH = local.kubeconfig_path
      KIND_CONFIG     = local.config
      NODE_IMAGE      = var.node_image == null ? "" : var.node_image
    }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "\"$KIND\" delete cluster --name \"$NAME\" --kubeconfig \"$KUBECONFIG_PATH\""
    interpreter = ["/bin/sh", "-c"]
    environment = {
      KIND            = self.input.kind
      NAME            = self.input.name
      KUBECONFIG_PATH = self.input.kubeconfig
    }
  }
}
