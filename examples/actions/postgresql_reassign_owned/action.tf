# Retire a role: hand what it owns to another role in every database, drop
# its privileges, then remove the postgresql_role (its DROP ROLE succeeds).
resource "postgresql_role" "leaving" {
  name = "example_leaving"
}

resource "postgresql_role" "team" {
  name = "example_team"
}

action "postgresql_reassign_owned" "leaving" {
  config {
    role       = postgresql_role.leaving.name
    new_owner  = postgresql_role.team.name
    drop_owned = true
    # databases = ["app", "reporting"]  # every database that accepts connections when unset
  }
}

# terraform apply -invoke=action.postgresql_reassign_owned.leaving
