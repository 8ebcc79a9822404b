# label_provider.object_type.object_name
terraform import postgresql_security_label.app_entra_id 'pgaadauth.role.app'
