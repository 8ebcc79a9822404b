variable "warehouse_password" {
  type      = string
  sensitive = true
}

resource "postgresql_extension" "postgres_fdw" {
  name = "postgres_fdw"
}

resource "postgresql_server" "warehouse" {
  server_name = "warehouse"
  fdw_name    = postgresql_extension.postgres_fdw.name
  options = {
    host   = "warehouse.internal"
    dbname = "sales"
  }
}

resource "postgresql_role" "analyst" {
  name  = "analyst"
  login = true
}

# The role "analyst" connects to the warehouse as the remote user
# "reporting". The password is write-only (Terraform 1.11+): it is never
# stored in plan or state, and is sent again when options_wo_version
# changes.
resource "postgresql_user_mapping" "analyst" {
  server_name = postgresql_server.warehouse.server_name
  user_name   = postgresql_role.analyst.name
  options = {
    user = "reporting"
  }
  options_wo = {
    password = var.warehouse_password
  }
  options_wo_version = "1"
}

# Without write-only attributes the password sits in state (as a sensitive
# value), as in the reference provider. PUBLIC's mapping is used by every
# role without one of its own, so it carries no password here (with one,
# the plan warns: PGW302).
resource "postgresql_user_mapping" "everyone" {
  server_name = postgresql_server.warehouse.server_name
  user_name   = "public"
  options = {
    user = "guest"
  }
}
