# Who can read and write each schema, as the server sees it (role
# memberships included). Kept apart from main.tf so that main.tf works with
# providers that lack the data source. Both depend on both modules: the
# generic roles of one module are members of the other's suffixed roles.
data "postgresql_schema_access" "lausanne" {
  database   = var.lausanne_database
  schemas    = var.schemas
  depends_on = [module.lausanne, module.zurich]
}

data "postgresql_schema_access" "zurich" {
  database   = var.zurich_database
  schemas    = var.schemas
  depends_on = [module.lausanne, module.zurich]
}

output "access" {
  description = "Per database: one entry per schema and role with can_read, can_write, is_login and is_superuser."
  value = {
    lausanne = data.postgresql_schema_access.lausanne.access
    zurich   = data.postgresql_schema_access.zurich.access
  }
}
