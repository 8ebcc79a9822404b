#!/usr/bin/env bash
# The README's first command: build the provider, start a throwaway
# PostgreSQL, apply an example with real Terraform, show what it did, prove
# the plan is empty, destroy, and stop the server. Leaves nothing behind
# outside target/ and .tools/.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

WORK="$(mktemp -d /tmp/pgwarden-demo.XXXXXX)"
# The server runs as an unprivileged user when we are root: it must reach its data dir.
chmod 755 "$WORK"
cat >"$WORK/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "pgwarden/postgresql" = "$REPO/target/debug"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cleanup() {
    pg_stop
    rm -rf "$WORK"
}
trap cleanup EXIT

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
PSQL="$PG_BIN/psql"
[[ -x "$PSQL" ]] || PSQL="$(command -v psql || true)"
echo "terraform: $("$TERRAFORM" version | head -1)"
echo "postgres:  $("$PG_BIN/postgres" --version)"

say "Starting a throwaway PostgreSQL on 127.0.0.1"
pg_start "$PG_BIN" "$WORK/pg" || { echo "PostgreSQL failed to start:" >&2; cat "$WORK"/pg/*.log >&2; exit 1; }
echo "listening on port $PG_PORT (data in $WORK/pg)"

cp -r examples/quickstart "$WORK/tf"
export TF_VAR_port="$PG_PORT" TF_VAR_password="$PG_PASSWORD"
tf() { (cd "$WORK/tf" && "$TERRAFORM" "$@" -no-color 2>&1 | grep -v -e 'Provider development overrides' -e 'dev_overrides' -e 'pgwarden/postgresql in ' -e '^ - ' -e 'The behavior may therefore' -e 'versions and checksums' -e 'may have unexpected' -e 'applying changes may cause' -e '^[│╵╷]' ); }

say "terraform apply"
tf apply -auto-approve -input=false

say "What PostgreSQL now holds"
if [[ -n "$PSQL" ]]; then
    PGPASSWORD="$PG_PASSWORD" "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -P pager=off -c \
        "SELECT r.rolname AS role, r.rolcanlogin AS login, r.rolcreatedb AS createdb,
                r.rolconnlimit AS conn_limit, r.rolvaliduntil AS valid_until,
                ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE m.member = r.oid) AS member_of,
                r.rolconfig AS settings
           FROM pg_roles r WHERE r.rolname LIKE 'quickstart%' ORDER BY 1" \
        -c "SELECT rolname, left(rolpassword, 14) || '...' AS stored_password FROM pg_authid WHERE rolname = 'quickstart_app'"
fi

say "terraform plan (expecting no changes)"
set +e
(cd "$WORK/tf" && "$TERRAFORM" plan -detailed-exitcode -input=false -no-color >"$WORK/plan.txt" 2>&1)
code=$?
set -e
grep -E 'No changes|Plan:' "$WORK/plan.txt" || true
if [[ $code != 0 ]]; then
    echo "unexpected: plan exit code $code" >&2
    cat "$WORK/plan.txt" >&2
    exit 1
fi
echo "plan -detailed-exitcode returned 0: state and server agree"

say "terraform destroy"
tf destroy -auto-approve -input=false

say "Stopping PostgreSQL and cleaning up"
pg_stop
echo "done: nothing left running"
