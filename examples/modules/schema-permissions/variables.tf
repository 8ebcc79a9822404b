variable "database" {
  description = "Database holding the schemas."
  type        = string
}

variable "schemas" {
  description = "Schemas the read and write roles get access to."
  type        = list(string)
}

variable "read_role" {
  description = "Name of the read role (USAGE on the schemas, SELECT on tables, USAGE and SELECT on sequences)."
  type        = string
}

variable "write_role" {
  description = "Name of the write role: a member of the read role, plus INSERT, UPDATE and DELETE on tables."
  type        = string
}

variable "database_suffix" {
  description = <<-EOT
    Optional suffix for database-specific roles, e.g. "_lausanne". When set,
    the roles that receive the privileges are "<read_role><suffix>" and
    "<write_role><suffix>", and the generic "<read_role>" and "<write_role>"
    are made members of them (so the generic roles can use every database).
  EOT
  type        = string
  default     = ""
}

variable "manage_generic_roles" {
  description = <<-EOT
    Whether this instance creates the generic roles when database_suffix is
    set. Roles are cluster-wide: when several instances share one server, let
    exactly one create them and pass the other instances' suffixed roles in
    generic_role_memberships.
  EOT
  type        = bool
  default     = true
}

variable "generic_role_memberships" {
  description = "Further suffixed roles (from other instances of this module) the generic roles become members of."
  type = object({
    read  = list(string)
    write = list(string)
  })
  default = { read = [], write = [] }
}

variable "owner" {
  description = "Role that creates the tables and sequences later (e.g. the migration user); its future objects get the privileges through default privileges."
  type        = string
}

variable "login_roles" {
  description = "Login roles to create, by name: a member of the write role when write is true, else of the read role."
  type = map(object({
    write = optional(bool, false)
  }))
  default = {}
}

variable "login_passwords" {
  description = "Passwords of the login roles, by name (sent to the server as SCRAM-SHA-256 verifiers, stored in state as sensitive values)."
  type        = map(string)
  default     = {}
  sensitive   = true
}
