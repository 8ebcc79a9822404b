# A server reached through postgres_fdw, in the provider's database. The
# options say where the remote database is; credentials go in
# postgresql_user_mapping.
resource "postgresql_extension" "postgres_fdw" {
  name = "postgres_fdw"
}

resource "postgresql_server" "warehouse" {
  server_name = "warehouse"
  fdw_name    = postgresql_extension.postgres_fdw.name
  options = {
    host   = "warehouse.internal"
    port   = "5432"
    dbname = "sales"
  }
}

# A server in another database, owned by a role of its own; changing the
# options or the owner alters the server in place.
resource "postgresql_server" "archive" {
  database     = "reporting"
  server_name  = "archive"
  fdw_name     = "postgres_fdw"
  server_owner = "reporting_owner"
  options = {
    host   = "archive.internal"
    dbname = "archive"
  }
  drop_cascade = true
}
