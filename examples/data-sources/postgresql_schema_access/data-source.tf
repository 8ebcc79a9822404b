# Who can read or write the public schema of the provider's database,
# compared with the roles the configuration means to have access.
data "postgresql_schema_access" "public" {
  schemas = ["public"]
}

locals {
  expected_writers = ["app_owner"]

  unexpected_writers = [
    for a in data.postgresql_schema_access.public.access : "${a.schema}: ${a.role}"
    if a.can_write && !a.is_superuser && !contains(local.expected_writers, a.role)
  ]
}

output "public_readers" {
  value = [for a in data.postgresql_schema_access.public.access : a.role if a.can_read]
}

# A failed check is reported as a warning on every plan and apply.
check "no_unexpected_writers" {
  assert {
    condition     = length(local.unexpected_writers) == 0
    error_message = "Roles can write without a grant in this configuration: ${join(", ", local.unexpected_writers)}"
  }
}
