# database.schema.name(input argument types), the types as in the arg blocks.
terraform import postgresql_function.increment 'app.public.increment(integer)'

# A function in the provider's database: schema.name(types).
terraform import postgresql_function.increment 'public.increment(integer)'
