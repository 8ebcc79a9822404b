# Tables that "migrator" creates in schema "app" later are readable by
# "reader" right away, without another apply.
resource "postgresql_default_privileges" "reader_tables" {
  role        = "reader"
  database    = "shop"
  owner       = "migrator"
  schema      = "app"
  object_type = "table"
  privileges  = ["SELECT"]
}

# Database-wide (no schema): sequences created by "migrator" anywhere in "shop".
resource "postgresql_default_privileges" "writer_sequences" {
  role        = "writer"
  database    = "shop"
  owner       = "migrator"
  object_type = "sequence"
  privileges  = ["USAGE", "SELECT"]
}
