# A group role that owns privileges, and a login role that inherits them.
resource "postgresql_role" "readers" {
  name = "readers"
}

resource "postgresql_role" "app" {
  name              = "app"
  login             = true
  connection_limit  = 20
  roles             = [postgresql_role.readers.name]
  search_path       = ["app", "public"]
  statement_timeout = 30000

  # Any other parameter, set with ALTER ROLE ... SET. Keys removed later are
  # RESET; database_parameters does the same for one database.
  parameters = {
    work_mem       = "64MB"
    "myapp.tenant" = "none"
  }

  # Write-only (Terraform 1.11+): never stored in plan or state. The provider
  # sends only a SCRAM-SHA-256 verifier to the server.
  password_wo         = var.app_password
  password_wo_version = "1"
}

variable "app_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
