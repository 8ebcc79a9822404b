# Schema permission sets for two databases of one server, each with its own
# database-specific roles (suffixes _lausanne and _zurich) and generic roles on
# top, plus one login user per database. access.tf reads back who can do what.
terraform {
  required_providers {
    postgresql = {
      source = "pgwarden/postgresql"
    }
  }
}

variable "host" {
  type    = string
  default = "127.0.0.1"
}
variable "port" {
  type    = number
  default = 5432
}
variable "username" {
  type    = string
  default = "postgres"
}
variable "password" {
  type      = string
  sensitive = true
  default   = null
}
variable "database" {
  description = "Database the provider connects to; the grants go to the two databases below."
  type        = string
  default     = "postgres"
}

variable "lausanne_database" {
  type    = string
  default = "lausanne"
}
variable "zurich_database" {
  type    = string
  default = "zurich"
}
variable "schemas" {
  description = "Schemas of both databases to grant on."
  type        = list(string)
  default     = ["data"]
}
variable "owner" {
  description = "Role that creates the tables (migrations); it must exist."
  type        = string
  default     = "migrator"
}
variable "read_role" {
  type    = string
  default = "viewer"
}
variable "write_role" {
  type    = string
  default = "editor"
}
variable "reader_user" {
  description = "Login user that reads Lausanne's data."
  type        = string
  default     = "alice"
}
variable "writer_user" {
  description = "Login user that writes Zurich's data."
  type        = string
  default     = "bob"
}
variable "reader_password" {
  type      = string
  sensitive = true
}
variable "writer_password" {
  type      = string
  sensitive = true
}

provider "postgresql" {
  host     = var.host
  port     = var.port
  username = var.username
  password = var.password
  database = var.database
  sslmode  = "disable"
}

# Zurich leaves the generic roles to Lausanne...
module "zurich" {
  source               = "../modules/schema-permissions"
  database             = var.zurich_database
  schemas              = var.schemas
  read_role            = var.read_role
  write_role           = var.write_role
  database_suffix      = "_zurich"
  manage_generic_roles = false
  owner                = var.owner
  login_roles          = { (var.writer_user) = { write = true } }
  login_passwords      = { (var.writer_user) = var.writer_password }
}

# ...which creates them as members of both databases' roles.
module "lausanne" {
  source          = "../modules/schema-permissions"
  database        = var.lausanne_database
  schemas         = var.schemas
  read_role       = var.read_role
  write_role      = var.write_role
  database_suffix = "_lausanne"
  owner           = var.owner
  generic_role_memberships = {
    read  = [module.zurich.read_role]
    write = [module.zurich.write_role]
  }
  login_roles     = { (var.reader_user) = {} }
  login_passwords = { (var.reader_user) = var.reader_password }
}

output "roles" {
  value = {
    lausanne = { read = module.lausanne.read_role, write = module.lausanne.write_role }
    zurich   = { read = module.zurich.read_role, write = module.zurich.write_role }
    generic  = module.lausanne.generic_roles
  }
}
