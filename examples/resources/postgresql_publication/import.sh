# database.publication
terraform import postgresql_publication.orders 'app.orders'

# A publication in the provider's database: its name alone.
terraform import postgresql_publication.orders 'orders'
