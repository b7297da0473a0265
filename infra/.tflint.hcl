# tflint's bundled terraform ruleset, every rule (no plugin download): typed and documented variables and outputs,
# the standard module structure, pinned required_providers, no unused declarations, naming conventions.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
