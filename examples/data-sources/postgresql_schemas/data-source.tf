# Every schema of the database except the system ones.
data "postgresql_schemas" "all" {
  database = "postgres"
}

# Schemas whose name starts with "tenant_" (in LIKE, "_" matches any one
# character, so it is escaped; HCL needs the backslash doubled), except
# the archived ones.
data "postgresql_schemas" "tenants" {
  database              = "postgres"
  like_any_patterns     = ["tenant\\_%"]
  not_like_all_patterns = ["%\\_archived"]
}

# `schemas` is a set, so it can drive for_each directly.
output "tenant_schemas" {
  value = data.postgresql_schemas.tenants.schemas
}
