# Enable row-level security on an existing table, and apply it to the
# table's owner too (FORCE); superusers and BYPASSRLS roles still bypass it.
resource "postgresql_row_level_security" "items" {
  schema  = "public"
  table   = "items"
  enabled = true
  forced  = true
}
