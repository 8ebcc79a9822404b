# Multi-tenant isolation with one database role per tenant: each tenant
# logs in as its own role (tenant1, tenant2, ...) and a policy compares the
# row's tenant with the role name. An admin role sees and writes everything.
#
# Roles and RLS are managed here; the table comes from bootstrap.sql (see
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
  description = "Role Terraform connects as. It creates roles and must own the table (a superuser does)."
  type        = string
  default     = "postgres"
}

variable "password" {
  description = "Password of `username`."
  type        = string
  sensitive   = true
}

variable "database" {
  description = "Database holding the table."
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
  default     = "rpt_"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]*$", var.name_prefix))
    error_message = "Use lower-case letters, digits and underscores, starting with a letter."
  }
}

variable "tenant_ids" {
  description = "Tenants to create a login role for: tenant N logs in as <prefix>tenantN."
  type        = set(number)
  default     = [1, 2]
}

variable "tenant_password" {
  description = "Password of every tenant role (use one per tenant in real life)."
  type        = string
  sensitive   = true
}

variable "admin_password" {
  description = "Password of the admin login role."
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
}

# Owns the schema and the table. NOLOGIN: schema changes run as it through
# SET ROLE.
resource "postgresql_role" "owner" {
  name = "${var.name_prefix}owner"
}

# The administrator logs in as itself and acts with the owner's privileges.
# Because row-level security is forced below, being (a member of) the owner
# no longer bypasses it; the admin_all policy lets it see every row instead.
resource "postgresql_role" "admin" {
  name     = "${var.name_prefix}admin"
  login    = true
  password = var.admin_password
  roles    = [postgresql_role.owner.name]
}

# Holds the table privileges every tenant needs (granted by bootstrap.sql).
#
# depends_on: dropped before the owner. Dropping a role runs REASSIGN OWNED
# and DROP OWNED, which rewrite the table's catalog row (owner, privileges)
# without locking it; two such drops at once can fail with "tuple
# concurrently updated", so they go one after the other.
resource "postgresql_role" "tenants" {
  name = "${var.name_prefix}tenants"

  depends_on = [postgresql_role.owner]
}

resource "postgresql_role" "tenant" {
  for_each = toset([for id in var.tenant_ids : tostring(id)])

  name     = "${var.name_prefix}tenant${each.value}"
  login    = true
  password = var.tenant_password
  roles    = [postgresql_role.tenants.name]
}

# depends_on: destroyed before the roles, whose DROP OWNED rewrites the same
# catalog row (see postgresql_role.tenants).
resource "postgresql_row_level_security" "events" {
  schema = local.schema
  table  = "events"
  forced = true

  depends_on = [postgresql_role.owner, postgresql_role.tenants]
}

resource "postgresql_policy" "admin_all" {
  schema     = local.schema
  table      = "events"
  name       = "admin_all"
  roles      = [postgresql_role.admin.name]
  using      = "true"
  with_check = "true"
}

# For every role (PUBLIC): a row belongs to the role named after its
# tenant_id. Without with_check, the same condition checks new rows, so a
# tenant cannot write rows for another tenant either.
resource "postgresql_policy" "tenant_rows" {
  schema = local.schema
  table  = "events"
  name   = "user_mod"
  using  = "current_user = '${var.name_prefix}tenant' || tenant_id::text"
}

output "schema" {
  description = "Schema holding the table."
  value       = local.schema
}

output "bootstrap_command" {
  description = "Creates the table once the roles exist (add your connection options)."
  value       = "psql -v ON_ERROR_STOP=1 -v schema=${local.schema} -v owner=${postgresql_role.owner.name} -v tenants=${postgresql_role.tenants.name} -f bootstrap.sql"
}
