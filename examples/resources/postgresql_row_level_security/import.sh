# Table in the provider's database: schema.table
terraform import postgresql_row_level_security.items 'public.items'

# In another database: database.schema.table
terraform import postgresql_row_level_security.items 'shop.public.items'
