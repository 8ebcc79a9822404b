# SQL for a tool that runs statements by hand, with names quoted only where
# PostgreSQL needs it: "Tenant A".orders, but app.orders.
output "grant_sql" {
  value = "GRANT SELECT ON ${provider::postgresql::quote_ident(var.schema)}.orders TO ${provider::postgresql::quote_ident(var.role)};"
}

variable "schema" {
  type    = string
  default = "Tenant A"
}

variable "role" {
  type    = string
  default = "app"
}
