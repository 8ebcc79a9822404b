# Revoking LOGIN leaves open sessions connected: end them in the same apply.
variable "app_can_log_in" {
  type    = bool
  default = true
}

locals {
  app = "example_app"
}

resource "postgresql_role" "app" {
  name  = local.app
  login = var.app_can_log_in

  lifecycle {
    action_trigger {
      events    = [after_update]
      condition = !var.app_can_log_in
      actions   = [action.postgresql_terminate_sessions.app]
    }
  }
}

action "postgresql_terminate_sessions" "app" {
  config {
    role = local.app
    # database        = "app"  # only the sessions in one database
    # include_members = true   # also the sessions of its members
  }
}

# Or on demand: terraform apply -invoke=action.postgresql_terminate_sessions.app
