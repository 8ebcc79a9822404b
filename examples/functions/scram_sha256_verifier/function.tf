# The password never reaches state, only a verifier: useful where write-only
# attributes are not (Pulumi keeps them in state, encrypted). The salt must
# stay the same from run to run, or the verifier changes; the random_bytes
# resource of hashicorp/random is a good source for it.
resource "postgresql_role" "app" {
  name     = "app"
  login    = true
  password = provider::postgresql::scram_sha256_verifier(var.app_password, var.password_salt, 4096)
}

variable "app_password" {
  type      = string
  sensitive = true
}

variable "password_salt" {
  description = "16 random bytes, base64-encoded (openssl rand -base64 16)."
  type        = string
  default     = "3q2+7w0AESIzRFVmd4iZqg=="
}
