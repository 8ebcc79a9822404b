# database.slot: the database the slot decodes, then its name.
terraform import postgresql_replication_slot.cdc 'app.cdc'
