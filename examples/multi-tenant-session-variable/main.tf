# Multi-tenant isolation with a session variable: one application login
# role, every query filtered by row-level security on the tenant the
# application puts in `app.current_tenant_id`.
#
# Roles and RLS are managed here; the tables come from bootstrap.sql (see
# README.md for the three steps).

terraform {
  required_providers {
    postgresql = {
      source = "pgwarden/postgresql"
    }
  }
}

variable "host" {
  description = "PostgreSQL server host."
  type        = string
  default     = "127.0.0.1"
}

variable "port" {
  description = "PostgreSQL server port."
  type        = number
  default     = 5432
}

variable "username" {
  description = "Role Terraform connects as. It creates roles and must own the tables (a superuser does)."
  type        = string
  default     = "postgres"
}

variable "password" {
  description = "Password of `username`."
  type        = string
  sensitive   = true
}

variable "database" {
  description = "Database holding the tables."
  type        = string
  default     = "postgres"
}

variable "sslmode" {
  description = "TLS mode (disable, prefer, require, verify-ca, verify-full)."
  type        = string
  default     = "prefer"
}

variable "name_prefix" {
  description = "Prefix of every role and of the schema, so several copies can share a server."
  type        = string
  default     = "mt_"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]*$", var.name_prefix))
    error_message = "Use lower-case letters, digits and underscores, starting with a letter."
  }
}

variable "app_password" {
  description = "Password of the application login role."
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

  # Policies and RLS switches take an ACCESS EXCLUSIVE lock on the table:
  # fail after 5 s instead of queueing behind a long transaction.
  lock_timeout = 5000
}

locals {
  schema = "${var.name_prefix}app"

  # The tenant the application selected for this session or transaction.
  # After RESET the setting is '' rather than NULL; nullif() makes that "no
  # tenant" (no rows) instead of an invalid-uuid error.
  current_tenant = "nullif(current_setting('app.current_tenant_id', true), '')::uuid"
}

# Owns the schema and the tables (the "admin" of the data). NOLOGIN: schema
# changes run as it through SET ROLE.
resource "postgresql_role" "owner" {
  name = "${var.name_prefix}owner"
}

# What the application logs in as. It does not own the tables, so
# row-level security always applies to it.
#
# depends_on: dropped before the owner. Dropping a role runs REASSIGN OWNED
# and DROP OWNED, which rewrite the tables' catalog rows (owner, privileges)
# without locking them; two such drops at once can fail with "tuple
# concurrently updated", so they go one after the other.
resource "postgresql_role" "app" {
  name     = "${var.name_prefix}app_user"
  login    = true
  password = var.app_password

  depends_on = [postgresql_role.owner]
}

# FORCE as well, so even the owner is subject to the policies: nothing but
# superusers and BYPASSRLS roles sees across tenants.
#
# depends_on: destroyed before the roles, whose DROP OWNED rewrites the same
# catalog rows (see postgresql_role.app).
resource "postgresql_row_level_security" "tenants" {
  schema = local.schema
  table  = "tenants"
  forced = true

  depends_on = [postgresql_role.owner, postgresql_role.app]
}

resource "postgresql_row_level_security" "items" {
  schema = local.schema
  table  = "items"
  forced = true

  depends_on = [postgresql_role.owner, postgresql_role.app]
}

resource "postgresql_policy" "tenants" {
  schema = local.schema
  table  = "tenants"
  name   = "tenant_isolation"
  roles  = [postgresql_role.app.name]
  using  = "id = ${local.current_tenant}"
}

# FOR ALL: reads see only the current tenant's rows, and writes may only
# create or change rows of the current tenant.
resource "postgresql_policy" "items" {
  schema     = local.schema
  table      = "items"
  name       = "tenant_isolation"
  roles      = [postgresql_role.app.name]
  using      = "tenant_id = ${local.current_tenant}"
  with_check = "tenant_id = ${local.current_tenant}"
}

output "schema" {
  description = "Schema holding the tables."
  value       = local.schema
}

output "bootstrap_command" {
  description = "Creates the tables once the roles exist (add your connection options)."
  value       = "psql -v ON_ERROR_STOP=1 -v schema=${local.schema} -v owner=${postgresql_role.owner.name} -v app=${postgresql_role.app.name} -f bootstrap.sql"
}
