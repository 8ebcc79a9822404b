# A logical slot for a consumer that decodes the changes of the provider's
# database with pgoutput (a subscription created with create_slot = false,
# or a change-data-capture tool). Needs wal_level = logical.
resource "postgresql_replication_slot" "cdc" {
  name   = "cdc"
  plugin = "pgoutput"
}
