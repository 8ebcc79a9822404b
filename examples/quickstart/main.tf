# Quickstart: a read-only group, an application login role that inherits it,
# and an administrator role. Used by scripts/demo.sh.
terraform {
  required_providers {
    postgresql = {
      source = "pgwarden/postgresql"
    }
  }
}

variable "host" {
  type    = string
  default = "127.0.0.1"
}
variable "port" {
  type    = number
  default = 5432
}
variable "username" {
  type    = string
  default = "postgres"
}
variable "password" {
  type      = string
  sensitive = true
  default   = null
}
variable "app_password" {
  type      = string
  sensitive = true
  default   = "change-me-app"
}

provider "postgresql" {
  host     = var.host
  port     = var.port
  username = var.username
  password = var.password
  sslmode  = "disable"
}

resource "postgresql_role" "readers" {
  name = "quickstart_readers"
}

resource "postgresql_role" "app" {
  name             = "quickstart_app"
  login            = true
  password         = var.app_password
  connection_limit = 10
  roles            = [postgresql_role.readers.name]
  search_path      = ["app", "public"]
}

resource "postgresql_role" "admin" {
  name            = "quickstart_admin"
  login           = true
  create_database = true
  create_role     = true
  valid_until     = "2030-01-01 00:00:00+00"
}

output "roles" {
  value = [for r in [postgresql_role.readers, postgresql_role.app, postgresql_role.admin] : r.name]
}
