# Trigram indexes for fuzzy text search, in the provider's database; the
# version is whatever the server installs by default, and an update made
# later outside Terraform is not a change.
resource "postgresql_extension" "pg_trgm" {
  name = "pg_trgm"
}

# A pinned version in a given schema; changing `version` updates the
# extension in place (ALTER EXTENSION ... UPDATE TO).
resource "postgresql_extension" "pgcrypto" {
  name    = "pgcrypto"
  schema  = "public"
  version = "1.3"
}
