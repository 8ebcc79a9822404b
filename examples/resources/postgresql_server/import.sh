# database.server_name
terraform import postgresql_server.archive 'reporting.archive'

# A server in the provider's database: its name alone.
terraform import postgresql_server.warehouse 'warehouse'
