terraform {
  # terraform_data is built in (OpenTofu >= 1.6, Terraform >= 1.4): the module needs no provider, so the offline
  # provider mirror stays small. The `kind` CLI does the work, as a user with Docker runs it.
  required_version = ">= 1.6.0"
}
