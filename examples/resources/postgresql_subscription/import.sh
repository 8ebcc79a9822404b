# database.subscription
terraform import postgresql_subscription.orders 'app.orders'

# A subscription in the provider's database: its name alone.
terraform import postgresql_subscription.orders 'orders'
