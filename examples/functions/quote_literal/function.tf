# A policy expression comparing with a value that may contain quotes.
resource "postgresql_policy" "tenant" {
  name   = "tenant_rows"
  schema = "app"
  table  = "orders"
  using  = "tenant = ${provider::postgresql::quote_literal(var.tenant)}"
}

variable "tenant" {
  type    = string
  default = "O'Brien & Co"
}
