# Read access to every table of schema "app" in database "shop", including
# tables created later: a new table without SELECT shows as a change and the
# next apply grants it. Tables owned by "reader" are skipped.
resource "postgresql_grant" "reader_tables" {
  role        = "reader"
  database    = "shop"
  schema      = "app"
  object_type = "table"
  privileges  = ["SELECT"]
}

resource "postgresql_grant" "reader_schema" {
  role        = "reader"
  database    = "shop"
  schema      = "app"
  object_type = "schema"
  privileges  = ["USAGE"]
}

# Some tables only; changing privileges later grants and revokes only the
# difference, so the kept privileges are never missing.
resource "postgresql_grant" "writer_orders" {
  role        = "writer"
  database    = "shop"
  schema      = "app"
  object_type = "table"
  objects     = ["orders", "order_lines"]
  privileges  = ["SELECT", "INSERT", "UPDATE"]
}

# One overload of a function, by its argument types.
resource "postgresql_grant" "api_function" {
  role        = "public"
  database    = "shop"
  schema      = "app"
  object_type = "function"
  objects     = ["place_order(integer, text)"]
  privileges  = ["EXECUTE"]
}

# Column privileges: exactly one table in objects.
resource "postgresql_grant" "support_columns" {
  role        = "support"
  database    = "shop"
  schema      = "app"
  object_type = "column"
  objects     = ["customers"]
  columns     = ["id", "email"]
  privileges  = ["SELECT"]
}

resource "postgresql_grant" "connect" {
  role        = "reader"
  database    = "shop"
  object_type = "database"
  privileges  = ["CONNECT", "TEMPORARY"]
}
