# Who holds pg_monitor (read access to every monitoring view and function),
# and with which options.
data "postgresql_role_members" "monitoring" {
  role = "pg_monitor"
}

output "monitoring_members" {
  value = [for m in data.postgresql_role_members.monitoring.members : m.member]
}

# Members that may grant the role on to others.
output "monitoring_admins" {
  value = [for m in data.postgresql_role_members.monitoring.members : m.member if m.admin_option]
}
