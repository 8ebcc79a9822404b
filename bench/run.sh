#!/usr/bin/env bash
# Benchmark: wall time of apply, plan, plan -refresh=false and destroy for
# N roles and N grants through this provider, next to N `terraform_data`
# and N `noop_thing` (a no-op resource served by this project's own plugin
# and protocol layers: the protocol floor), plus the provider's peak RSS and
# its start-to-handshake time. Not part of the test command; see
# bench/README.md.
#
#   bench/run.sh [N ...]          # default: 500
#
# Environment: TERRAFORM (default: TF_ACC_TERRAFORM_PATH, else terraform on
# PATH), PG_BIN (default: Debian's PostgreSQL 15), PARALLELISM (default 10),
# BENCH_KEEP=1 keeps the work directory.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(500)
parallelism=${PARALLELISM:-10}
terraform=${TERRAFORM:-${TF_ACC_TERRAFORM_PATH:-$(command -v terraform || true)}}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$terraform" ] || { echo "no terraform: set TERRAFORM" >&2; exit 1; }
[ -x "$pg_bin/initdb" ] || { echo "no initdb in $pg_bin: set PG_BIN" >&2; exit 1; }

work=$(mktemp -d /tmp/pgwarden-bench-XXXXXX)
chmod 755 "$work"
# Runs the server programs as an unprivileged user when we are root.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
    as_pg "$pg_bin/pg_ctl" -D "$work/pgdata" -m immediate stop >/dev/null 2>&1 || true
    [ "${BENCH_KEEP:-}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

echo "building release binaries..." >&2
(cd "$repo" && cargo build -q --release --bin terraform-provider-postgresql --example noop-provider)
release="$repo/target/release"

# Each provider directory holds a wrapper that records the real binary's
# peak RSS (KiB) in rss.log; dev_overrides points Terraform at it.
mkdir -p "$work/providers"
wrap() { # name binary
    cat >"$work/providers/terraform-provider-$1" <<EOF
#!/bin/sh
exec /usr/bin/time -a -o "$work/rss-$1.log" -f %M "$2" "\$@"
EOF
    chmod +x "$work/providers/terraform-provider-$1"
}
wrap postgresql "$release/terraform-provider-postgresql"
wrap noop "$release/examples/noop-provider"
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "pgwarden/postgresql" = "$work/providers"
    "pgwarden/noop"       = "$work/providers"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

# A cluster of its own: trust authentication on loopback, default settings.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/pgdata"
[ "$(id -u)" = 0 ] && chown postgres "$work/pgdata"
as_pg "$pg_bin/initdb" -D "$work/pgdata" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pgdata" -l "$work/pgdata/server.log" -w \
    -o "-p $port -k $work/pgdata -c listen_addresses=127.0.0.1" start >/dev/null
psql=("$pg_bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
[ -x "$pg_bin/psql" ] || psql=(psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)

header() { # provider source
    cat <<EOF
terraform {
  required_providers {
    postgresql = { source = "pgwarden/postgresql" }
    noop       = { source = "pgwarden/noop" }
  }
}
provider "postgresql" {
  host     = "127.0.0.1"
  port     = $port
  database = "postgres"
  username = "postgres"
  password = "unused"
  sslmode  = "disable"
}
EOF
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Runs apply, plan, plan -refresh=false and destroy of `body` with `n`
# instances in a fresh directory; prints the four times.
run_case() { # label n body
    local dir="$work/run-$1-$2" t0 t1 out=()
    mkdir -p "$dir"
    { header; printf '%s\n' "$3"; } >"$dir/main.tf"
    for cmd in "apply -auto-approve" "plan" "plan -refresh=false" "destroy -auto-approve"; do
        t0=$(now)
        # shellcheck disable=SC2086
        (cd "$dir" && "$terraform" $cmd -input=false -no-color -parallelism="$parallelism" \
            >"$dir/last.log" 2>&1) || { echo "terraform $cmd failed for $1 N=$2:" >&2; tail -30 "$dir/last.log" >&2; exit 1; }
        t1=$(now)
        out+=("$(elapsed "$t0" "$t1")")
    done
    echo "${out[*]}"
}

# The largest peak RSS (MiB) the wrapper recorded for `name` since the last call.
peak_rss() {
    local log="$work/rss-$1.log"
    [ -f "$log" ] || { echo "-"; return; }
    awk '/^[0-9]+$/ { if ($1 > m) m = $1 } END { printf "%.1f", m / 1024 }' "$log"
    rm -f "$log"
}

# Median start-to-handshake (ms) of the release binary over 21 starts:
# from exec to the go-plugin handshake line on stdout.
handshake_ms() {
    local bin=$1 samples=() t0 t1 line pid
    for _ in $(seq 21); do
        t0=$(date +%s%N)
        coproc HS { TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
            PLUGIN_PROTOCOL_VERSIONS=6 PLUGIN_UNIX_SOCKET_DIR="$work" exec "$bin" 2>/dev/null; }
        pid=$HS_PID
        read -r line <&"${HS[0]}"
        t1=$(date +%s%N)
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        [ -n "$line" ] || { echo "no handshake from $bin" >&2; exit 1; }
        samples+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "terraform $("$terraform" version | head -1 | awk '{print $2}'), PostgreSQL $("${psql[@]}" -Atc 'SHOW server_version'), -parallelism=$parallelism, $(nproc) cores"
echo "start-to-handshake (median of 21): postgresql $(handshake_ms "$release/terraform-provider-postgresql") ms, noop $(handshake_ms "$release/examples/noop-provider") ms"
echo
printf '%-7s %-6s %-20s %8s %8s %8s %8s %9s\n' N kind provider apply plan plan-nr destroy "rss MiB"
for n in "${ns[@]}"; do
    # Objects the grants need: a reader role and N tables.
    "${psql[@]}" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench CASCADE; DROP ROLE IF EXISTS bench_reader;
        CREATE ROLE bench_reader; CREATE SCHEMA bench;
        DO \$\$ BEGIN FOR i IN 0..$n - 1 LOOP EXECUTE format('CREATE TABLE bench.%I (id int)', 't' || i); END LOOP; END \$\$;" >/dev/null

    declare -A t=()
    t[data]=$(run_case data "$n" "resource \"terraform_data\" \"r\" {
  count = $n
  input = \"bench_role_\${count.index}\"
}")
    rss_data="-"
    t[noop]=$(run_case noop "$n" "resource \"noop_thing\" \"r\" {
  count = $n
  name  = \"bench_role_\${count.index}\"
}")
    t[nooprole]=$(run_case nooprole "$n" "resource \"noop_role\" \"r\" {
  count = $n
  name  = \"bench_role_\${count.index}\"
}")
    t[noopgrant]=$(run_case noopgrant "$n" "resource \"noop_grant\" \"g\" {
  count       = $n
  role        = \"bench_reader\"
  database    = \"postgres\"
  schema      = \"bench\"
  object_type = \"table\"
  objects     = [\"t\${count.index}\"]
  privileges  = [\"SELECT\"]
}")
    rss_noop=$(peak_rss noop)
    t[roles]=$(run_case roles "$n" "resource \"postgresql_role\" \"r\" {
  count = $n
  name  = \"bench_role_\${count.index}\"
}")
    rss_roles=$(peak_rss postgresql)
    t[grants]=$(run_case grants "$n" "resource \"postgresql_grant\" \"g\" {
  count       = $n
  role        = \"bench_reader\"
  database    = \"postgres\"
  schema      = \"bench\"
  object_type = \"table\"
  objects     = [\"t\${count.index}\"]
  privileges  = [\"SELECT\"]
}")
    rss_grants=$(peak_rss postgresql)

    row() { # kind provider times rss
        # shellcheck disable=SC2086
        printf '%-7s %-6s %-20s %8s %8s %8s %8s %9s\n' "$n" "$1" "$2" $3 "$4"
    }
    row "-" terraform_data "${t[data]}" "$rss_data"
    row "-" noop_thing "${t[noop]}" "$rss_noop"
    row "-" noop_role "${t[nooprole]}" "$rss_noop"
    row "-" noop_grant "${t[noopgrant]}" "$rss_noop"
    row roles postgresql "${t[roles]}" "$rss_roles"
    row grants postgresql "${t[grants]}" "$rss_grants"
    read -r da dp dn dd <<<"${t[data]}"
    for kind in roles grants; do
        # The floor with the same schema.
        if [ "$kind" = roles ]; then floor=nooprole; else floor=noopgrant; fi
        read -r na np nn nd <<<"${t[$floor]}"
        read -r a p r d <<<"${t[$kind]}"
        printf '%-7s %-6s %-20s %8s %8s %8s %8s\n' "$n" "$kind" "× terraform_data" \
            "$(ratio "$a" "$da")" "$(ratio "$p" "$dp")" "$(ratio "$r" "$dn")" "$(ratio "$d" "$dd")"
        printf '%-7s %-6s %-20s %8s %8s %8s %8s\n' "$n" "$kind" "× floor ($floor)" \
            "$(ratio "$a" "$na")" "$(ratio "$p" "$np")" "$(ratio "$r" "$nn")" "$(ratio "$d" "$nd")"
    done
    unset t
    echo
done
