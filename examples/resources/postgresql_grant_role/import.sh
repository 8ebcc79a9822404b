# The ID is a JSON array of the member (role) and the granted role
# (grant_role), exactly as PostgreSQL spells them. Quote it for the shell;
# escape a double quote or backslash inside a name as in JSON (\" and \\).
terraform import postgresql_grant_role.app_user_readers '["app_user","readers"]'
