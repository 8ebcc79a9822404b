# A slot for a standby server, so that the primary keeps the WAL it has not
# received yet.
resource "postgresql_physical_replication_slot" "standby" {
  name = "standby_1"
}
