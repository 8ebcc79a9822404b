# The import ID is the exact database name (case-sensitive; quote it for the shell).
terraform import postgresql_database.app 'app'
