# Everything ledger_app can do in database "ledger", and how it gets each privilege.
data "postgresql_effective_access" "ledger_app" {
  role     = "ledger_app"
  database = "ledger"
}

# Tables ledger_app can read, with the membership that gives it SELECT.
output "readable_tables" {
  value = {
    for p in data.postgresql_effective_access.ledger_app.privileges :
    p.object => join(" → ", p.via) if p.object_type == "table" && p.privilege == "SELECT"
  }
}

# Fail the plan if ledger_app can ever change books.audit_log.
check "audit_log_is_append_only" {
  assert {
    condition = length([
      for p in data.postgresql_effective_access.ledger_app.privileges : p
      if p.object == "books.audit_log" && contains(["UPDATE", "DELETE", "TRUNCATE"], p.privilege)
    ]) == 0
    error_message = "ledger_app can change books.audit_log."
  }
}
