# A job works as a short-lived member of "example_readers": the login exists
# for this run only, and neither its name nor its password reaches the state.
variable "host" { type = string }
variable "port" { type = number }
variable "username" { type = string }
variable "password" {
  type      = string
  sensitive = true
}

provider "postgresql" {
  host     = var.host
  port     = var.port
  username = var.username
  password = var.password
  sslmode  = "disable"
}

resource "postgresql_role" "readers" {
  name = "example_readers"
}

ephemeral "postgresql_temporary_role" "job" {
  member_of = [postgresql_role.readers.name]
  ttl       = "15m"
  # reassign_to     = "example_owner" # who gets what the job creates
  # cleanup_expired = true            # drop roles a dead run left behind
}

# A second provider block that logs in as the temporary role.
provider "postgresql" {
  alias    = "job"
  host     = var.host
  port     = var.port
  username = ephemeral.postgresql_temporary_role.job.name
  password = ephemeral.postgresql_temporary_role.job.password
  sslmode  = "disable"
}

# Read as the temporary role.
data "postgresql_schemas" "visible" {
  provider = postgresql.job
  database = "postgres"
}
