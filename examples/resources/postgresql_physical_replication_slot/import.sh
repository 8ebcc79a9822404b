# The slot's name.
terraform import postgresql_physical_replication_slot.standby 'standby_1'
