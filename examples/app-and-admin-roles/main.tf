# An application login role, an administrative login role with elevated
# attributes, and a membership making the administrator a member of the
# application role (with ADMIN OPTION, so it can grant that role onward).

terraform {
  required_providers {
    postgresql = {
      source = "pgwarden/postgresql"
    }
  }
}

variable "host" {
  description = "PostgreSQL server host name or address."
  type        = string
  default     = "localhost"
}

variable "port" {
  description = "PostgreSQL server port."
  type        = number
  default     = 5432
}

variable "username" {
  description = "Role the provider connects as; it must be a superuser to create a superuser role."
  type        = string
  default     = "postgres"
}

variable "password" {
  description = "Password of var.username."
  type        = string
  sensitive   = true
}

variable "database" {
  description = "Database the provider connects to."
  type        = string
  default     = "postgres"
}

variable "sslmode" {
  description = "TLS mode: disable, prefer, require, verify-ca or verify-full."
  type        = string
  default     = "prefer"
}

variable "name_prefix" {
  description = "Prefix for the role names, to keep several copies apart on one server."
  type        = string
  default     = ""
}

variable "app_password" {
  description = "Login password of the application role."
  type        = string
  sensitive   = true
}

variable "admin_password" {
  description = "Login password of the administrative role."
  type        = string
  sensitive   = true
}

provider "postgresql" {
  host     = var.host
  port     = var.port
  username = var.username
  password = var.password
  database = var.database
  sslmode  = var.sslmode
}

# The application connects as this role; it has no elevated attributes.
resource "postgresql_role" "app_service_role" {
  name     = "${var.name_prefix}app_service_role"
  login    = true
  password = var.app_password
}

# Operators connect as this role.
resource "postgresql_role" "admin_service_role" {
  name                      = "${var.name_prefix}admin_service_role"
  login                     = true
  password                  = var.admin_password
  superuser                 = true
  create_database           = true
  create_role               = true
  replication               = true
  bypass_row_level_security = true
}

# GRANT app_service_role TO admin_service_role WITH ADMIN OPTION
resource "postgresql_grant_role" "admin_in_app" {
  role              = postgresql_role.admin_service_role.name
  grant_role        = postgresql_role.app_service_role.name
  with_admin_option = true
}

output "membership_id" {
  description = "ID of the membership, usable with terraform import."
  value       = postgresql_grant_role.admin_in_app.id
}

output "granted_by" {
  description = "Grantor PostgreSQL recorded for the membership."
  value       = postgresql_grant_role.admin_in_app.granted_by
}
