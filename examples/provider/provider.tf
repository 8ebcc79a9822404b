# Connection settings fall back to the libpq environment variables
# (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, ...) and to
# ~/.pgpass, so most of these can be left out.
provider "postgresql" {
  host            = "db.example.internal"
  port            = 5432
  database        = "postgres"
  username        = "terraform"
  sslmode         = "verify-full"
  sslrootcert     = "/etc/ssl/certs/internal-ca.pem"
  connect_timeout = 15
  max_connections = 8
  lock_timeout    = 5000
}

# A client certificate instead of a password, given inline (from a secret
# store or file()) rather than as file paths.
provider "postgresql" {
  alias    = "cert"
  host     = "db.example.internal"
  username = "terraform"
  sslmode  = "verify-full"
  clientcert {
    cert      = var.client_cert_pem
    key       = var.client_key_pem
    sslinline = true
  }
  # With sslinline, sslrootcert may be PEM text too.
  sslrootcert = var.ca_pem
}
