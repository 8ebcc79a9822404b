# ID: <role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]]
# List items are separated by ",". Inside a name write % as %25, / as %2F and
# , as %2C. Leave schema empty for database-level types; omit objects for
# "every object of the type in the schema".
terraform import postgresql_grant.reader_tables 'reader/shop/app/table'
terraform import postgresql_grant.writer_orders 'writer/shop/app/table/order_lines,orders'
terraform import postgresql_grant.api_function 'public/shop/app/function/place_order(integer, text)'
terraform import postgresql_grant.support_columns 'support/shop/app/column/customers/email,id'
terraform import postgresql_grant.connect 'reader/shop//database'
