# Tenant isolation keyed on a session setting the application sets per
# transaction (SET LOCAL app.current_tenant_id = '...'). nullif() turns the
# empty string left by RESET into NULL, so an unset tenant sees no rows
# instead of raising "invalid input syntax for type uuid".
resource "postgresql_policy" "items_tenant_isolation" {
  schema     = "public"
  table      = "items"
  name       = "tenant_isolation"
  roles      = [postgresql_role.app.name]
  using      = "tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid"
  with_check = "tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid"
}

# A restrictive policy narrows every permissive one: archived rows are never
# visible, whatever else allows them.
resource "postgresql_policy" "items_hide_archived" {
  table      = "items"
  name       = "hide_archived"
  command    = "SELECT"
  permissive = false
  using      = "NOT archived"
}

# Policies only take effect once row-level security is enabled on the table.
resource "postgresql_row_level_security" "items" {
  table = "items"
}

resource "postgresql_role" "app" {
  name  = "app"
  login = true
}
