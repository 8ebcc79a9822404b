# A plain function; its body is exactly what goes between the dollar quotes.
resource "postgresql_function" "increment" {
  name = "increment"
  arg {
    name = "i"
    type = "integer"
  }
  returns  = "integer"
  language = "plpgsql"
  body     = <<-EOF
    BEGIN
        RETURN i + 1;
    END;
  EOF
}

# A SQL function with a default argument and an OUT argument (the result
# type follows from it), safe to run in parallel.
resource "postgresql_function" "add" {
  name     = "add"
  language = "sql"
  arg {
    name    = "a"
    type    = "integer"
    default = "1"
  }
  arg {
    name = "total"
    type = "integer"
    mode = "OUT"
  }
  volatility = "IMMUTABLE"
  parallel   = "SAFE"
  body       = "SELECT a + 1"
}

# A SECURITY DEFINER function runs with its owner's privileges. PostgreSQL
# lets every role execute a new function, so take EXECUTE away from PUBLIC
# (the plan warns until that is done).
resource "postgresql_function" "row_count" {
  name             = "row_count"
  returns          = "bigint"
  language         = "sql"
  security_definer = true
  body             = "SELECT count(*) FROM pg_catalog.pg_class"
}

resource "postgresql_grant" "row_count_not_public" {
  database    = "postgres"
  role        = "public"
  schema      = "public"
  object_type = "function"
  objects     = ["${postgresql_function.row_count.name}()"]
  privileges  = []
}
