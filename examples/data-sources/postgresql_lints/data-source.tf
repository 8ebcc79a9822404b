resource "postgresql_row_level_security" "orders" {
  table  = "orders"
  forced = true
}

resource "postgresql_policy" "orders_tenant" {
  table = postgresql_row_level_security.orders.table
  name  = "tenant_isolation"
  using = "tenant_id = (select current_setting('app.tenant_id')::int)"
}

# Whether the tables have both their policies and their row-level security
# is only known once every resource is applied: read the findings after
# them (depends_on), and warn about each one.
data "postgresql_lints" "public" {
  schema     = "public"
  tables     = ["orders"]
  depends_on = [postgresql_row_level_security.orders, postgresql_policy.orders_tenant]
}

check "row_level_security" {
  assert {
    condition = length(data.postgresql_lints.public.findings) == 0
    error_message = join("\n", [
      for f in data.postgresql_lints.public.findings : "${f.code} ${f.object}: ${f.message}"
    ])
  }
}
