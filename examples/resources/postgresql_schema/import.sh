# database.schema
terraform import postgresql_schema.app 'app.app'

# A schema in the provider's database: its name alone.
terraform import postgresql_schema.app 'app'

# A name containing "." or '"' goes in double quotes, with '"' doubled.
terraform import postgresql_schema.odd 'app."my.schema"'
