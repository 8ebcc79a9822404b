# Ordinary and partitioned tables of the public schema.
data "postgresql_tables" "public" {
  database    = "postgres"
  schemas     = ["public"]
  table_types = ["BASE TABLE"]
}

# Tables of the public schema whose name ends in "_audit", by regular
# expression.
data "postgresql_tables" "audit" {
  database      = "postgres"
  schemas       = ["public"]
  regex_pattern = "_audit$"
}

output "public_tables" {
  value = [for t in data.postgresql_tables.public.tables : "${t.schema_name}.${t.object_name}"]
}
