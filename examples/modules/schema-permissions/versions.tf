terraform {
  required_version = ">= 1.5"
  required_providers {
    postgresql = {
      source = "pgwarden/postgresql"
    }
  }
}
