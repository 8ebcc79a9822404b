# Login roles whose names start with "app_". In a LIKE pattern "_" matches any
# character, so it is escaped with a backslash, which HCL needs doubled.
data "postgresql_roles" "apps" {
  name_pattern = "app\\_%"
  login        = true
}

# Every role except PostgreSQL's predefined pg_* roles.
data "postgresql_roles" "all" {}

output "app_logins" {
  value = [for r in data.postgresql_roles.apps.roles : r.name]
}

output "superusers" {
  value = [for r in data.postgresql_roles.all.roles : r.name if r.superuser]
}

# Roles whose password expires, with the date (RFC 3339, UTC).
output "expiring_passwords" {
  value = { for r in data.postgresql_roles.all.roles : r.name => r.valid_until if r.valid_until != "infinity" }
}
