# Who holds pg_read_all_data (SELECT on every table of every database), and
# with which options.
data "postgresql_role_members" "read_all_data" {
  role = "pg_read_all_data"
}

output "read_all_data_members" {
  value = [for m in data.postgresql_role_members.read_all_data.members : m.member]
}

# Members that may grant the role on to others.
output "read_all_data_admins" {
  value = [for m in data.postgresql_role_members.read_all_data.members : m.member if m.admin_option]
}
