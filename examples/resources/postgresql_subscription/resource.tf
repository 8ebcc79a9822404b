# On the subscriber: copy the tables of publication "orders" from the
# publisher, then apply their changes as they happen. Changing the
# publications or the connection string later happens in place, without
# copying the data again.
resource "postgresql_subscription" "orders" {
  name         = "orders"
  publications = ["orders"]

  # Write-only (Terraform 1.11+): the connection string, password included,
  # is never stored in plan or state. Change the version to send a new one.
  conninfo_wo         = "host=publisher.example.com dbname=app user=replicator password=${var.replicator_password}"
  conninfo_wo_version = "1"
}

variable "replicator_password" {
  type      = string
  sensitive = true
}
