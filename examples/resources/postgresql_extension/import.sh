# database.extension
terraform import postgresql_extension.pg_trgm 'app.pg_trgm'

# An extension in the provider's database: its name alone.
terraform import postgresql_extension.pg_trgm 'pg_trgm'
