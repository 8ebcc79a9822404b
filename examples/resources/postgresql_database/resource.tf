# A database owned by the application's role. Encoding, locale and template
# are fixed when the database is created; the rest changes in place.
resource "postgresql_role" "app" {
  name  = "app"
  login = true
}

resource "postgresql_database" "app" {
  name             = "app"
  owner            = postgresql_role.app.name
  template         = "template0"
  encoding         = "UTF8"
  lc_collate       = "C"
  lc_ctype         = "C"
  connection_limit = 50
}
