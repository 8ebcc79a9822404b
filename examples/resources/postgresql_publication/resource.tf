# The changes of two tables, for subscribers on other servers. Tables are
# added and dropped in place; the server needs wal_level = logical for
# anything to be sent.
resource "postgresql_publication" "orders" {
  name          = "orders"
  tables        = ["public.orders", "public.order_lines"]
  publish_param = ["insert", "update", "delete"]
}

# Every table of a schema, including tables created there later
# (PostgreSQL 15 and later; needs a superuser).
resource "postgresql_publication" "catalog" {
  name    = "catalog"
  schemas = ["public"]
}
