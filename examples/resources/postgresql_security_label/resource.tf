# On Azure Database for PostgreSQL, the pgaadauth label provider ties a role
# to a Microsoft Entra ID identity (here a managed identity's object ID).
resource "postgresql_role" "app" {
  name  = "app"
  login = true
}

resource "postgresql_security_label" "app_entra_id" {
  object_type    = "role"
  object_name    = postgresql_role.app.name
  label_provider = "pgaadauth"
  label          = "aadauth,oid=00000000-0000-0000-0000-000000000000,type=service"
}
