# ID: <role>/<database>/<schema>/<owner>/<object_type>; schema empty for
# database-wide defaults. Inside a name write % as %25, / as %2F and , as %2C.
terraform import postgresql_default_privileges.reader_tables 'reader/shop/app/migrator/table'
terraform import postgresql_default_privileges.writer_sequences 'writer/shop//migrator/sequence'
