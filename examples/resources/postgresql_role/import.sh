# The import ID is the exact role name (case-sensitive; quote it for the shell).
terraform import postgresql_role.app 'app'
