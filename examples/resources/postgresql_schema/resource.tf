# A schema owned by the application's role, in the application's database.
resource "postgresql_role" "app" {
  name  = "app"
  login = true
}

resource "postgresql_database" "app" {
  name  = "app"
  owner = postgresql_role.app.name
}

resource "postgresql_schema" "app" {
  name     = "app"
  database = postgresql_database.app.name
  owner    = postgresql_role.app.name
}

# Privileges on the schema: postgresql_grant (the schema's deprecated
# `policy` blocks still work, and warn).
resource "postgresql_role" "reader" {
  name = "reader"
}

resource "postgresql_grant" "reader_usage" {
  database    = postgresql_database.app.name
  schema      = postgresql_schema.app.name
  role        = postgresql_role.reader.name
  object_type = "schema"
  privileges  = ["USAGE"]
}
