# Read and write permission sets on a list of schemas, in the style of PUM
# (opengisch/pum): a read role, a write role that inherits it, optional
# database-specific (suffixed) roles with generic roles on top, grants on the
# existing objects, default privileges for the objects created later, and
# login roles.

locals {
  suffixed   = var.database_suffix != ""
  read_name  = "${var.read_role}${var.database_suffix}"
  write_name = "${var.write_role}${var.database_suffix}"
  generic    = local.suffixed && var.manage_generic_roles
  schemas    = toset(var.schemas)
}

resource "postgresql_role" "read" {
  name = local.read_name
}

resource "postgresql_role" "write" {
  name  = local.write_name
  roles = [postgresql_role.read.name]
}

# The generic roles are members of the suffixed ones, so they hold the
# privileges of every database they are linked to.
resource "postgresql_role" "generic_read" {
  count = local.generic ? 1 : 0
  name  = var.read_role
  roles = concat([postgresql_role.read.name], var.generic_role_memberships.read)
}

resource "postgresql_role" "generic_write" {
  count = local.generic ? 1 : 0
  name  = var.write_role
  roles = concat([postgresql_role.write.name], var.generic_role_memberships.write)
}

resource "postgresql_grant" "connect" {
  role        = postgresql_role.read.name
  database    = var.database
  object_type = "database"
  privileges  = ["CONNECT"]
}

resource "postgresql_grant" "read_schema" {
  for_each    = local.schemas
  role        = postgresql_role.read.name
  database    = var.database
  schema      = each.value
  object_type = "schema"
  privileges  = ["USAGE"]
}

# objects left unset: every table, including tables created later by roles
# other than var.owner (those show up as a change on the next plan).
resource "postgresql_grant" "read_tables" {
  for_each    = local.schemas
  role        = postgresql_role.read.name
  database    = var.database
  schema      = each.value
  object_type = "table"
  privileges  = ["SELECT"]
}

resource "postgresql_grant" "read_sequences" {
  for_each    = local.schemas
  role        = postgresql_role.read.name
  database    = var.database
  schema      = each.value
  object_type = "sequence"
  privileges  = ["USAGE", "SELECT"]
}

resource "postgresql_grant" "write_tables" {
  for_each    = local.schemas
  role        = postgresql_role.write.name
  database    = var.database
  schema      = each.value
  object_type = "table"
  privileges  = ["INSERT", "UPDATE", "DELETE"]
}

resource "postgresql_default_privileges" "read_tables" {
  for_each    = local.schemas
  role        = postgresql_role.read.name
  database    = var.database
  owner       = var.owner
  schema      = each.value
  object_type = "table"
  privileges  = ["SELECT"]
}

resource "postgresql_default_privileges" "read_sequences" {
  for_each    = local.schemas
  role        = postgresql_role.read.name
  database    = var.database
  owner       = var.owner
  schema      = each.value
  object_type = "sequence"
  privileges  = ["USAGE", "SELECT"]
}

resource "postgresql_default_privileges" "write_tables" {
  for_each    = local.schemas
  role        = postgresql_role.write.name
  database    = var.database
  owner       = var.owner
  schema      = each.value
  object_type = "table"
  privileges  = ["INSERT", "UPDATE", "DELETE"]
}

resource "postgresql_role" "login" {
  for_each = var.login_roles
  name     = each.key
  login    = true
  password = var.login_passwords[each.key]
  roles    = [each.value.write ? postgresql_role.write.name : postgresql_role.read.name]
}
