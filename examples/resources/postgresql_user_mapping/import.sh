# database.user_name.server_name
terraform import postgresql_user_mapping.analyst 'app.analyst.warehouse'

# A mapping in the provider's database: user_name.server_name (public for
# the PUBLIC mapping).
terraform import postgresql_user_mapping.analyst 'analyst.warehouse'
