# Policy in the provider's database: schema.table.policy
terraform import postgresql_policy.items_tenant_isolation 'public.items.tenant_isolation'

# In another database: database.schema.table.policy
terraform import postgresql_policy.items_tenant_isolation 'shop.public.items.tenant_isolation'

# A name containing "." or '"' goes in double quotes, with '"' doubled (as in
# SQL); other names are taken exactly as written, upper case included.
terraform import postgresql_policy.odd '"my.schema".Items."say ""hi"""'
