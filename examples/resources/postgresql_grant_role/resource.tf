# Members of "readers" use its privileges; "app_user" may also grant it to others.
resource "postgresql_role" "readers" {
  name = "readers"
}

resource "postgresql_role" "app_user" {
  name  = "app_user"
  login = true
}

resource "postgresql_grant_role" "app_user_readers" {
  role              = postgresql_role.app_user.name # the member
  grant_role        = postgresql_role.readers.name  # the role granted
  with_admin_option = true

  # On PostgreSQL 16 and later you can also choose whether the membership
  # passes privileges on (inherit_option) and allows SET ROLE (set_option);
  # unset, they take the server's defaults (inherit: the member's INHERIT
  # attribute, set: true), which the resource then shows:
  #
  # inherit_option = true
  # set_option     = false
}
