output "read_role" {
  description = "The role holding the read privileges in this database (suffixed when database_suffix is set)."
  value       = postgresql_role.read.name
}

output "write_role" {
  description = "The role holding the write privileges in this database (suffixed when database_suffix is set)."
  value       = postgresql_role.write.name
}

output "generic_roles" {
  description = "The generic read and write roles, when this instance manages them."
  value = local.generic ? {
    read  = postgresql_role.generic_read[0].name
    write = postgresql_role.generic_write[0].name
  } : null
}

output "login_roles" {
  description = "Login roles created, with the permission set each belongs to."
  value = {
    for name, r in postgresql_role.login : name => one(r.roles)
  }
}
