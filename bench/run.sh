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
# BENCH_CASES="noop_grant postgresql_grant" runs only those cases (default:
# all), so that repeated runs of one comparison take minutes, not a quarter
# hour. BENCH_RUNS=3 runs each case three times and adds the median of the
# three same-schema ratios.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(500)
parallelism=${PARALLELISM:-10}
runs=${BENCH_RUNS:-1}
cases=${BENCH_CASES:-terraform_data noop_thing noop_role noop_grant postgresql_role postgresql_grant}
wanted() { [[ " $cases " == *" $1 "* ]]; }
terraform=${TERRAFORM:-${TF_ACC_TERRAFORM_PATH:-$(command -v terraform || true)}}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$terraform" ] || { echo "no terraform: set TERRAFORM" >&2; exit 1; }
[ -x "$pg_bin/initdb" ] || { echo "no initdb in $pg_bin: set PG_BIN" >&2; exit 1; }
# The providers' CPU and peak RSS come from GNU time (Debian's `time`), which
# a minimal machine may lack: installed here as root, asked for otherwise.
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >&2 \
            || { echo "cannot install Debian's time (GNU time)" >&2; exit 1; }
    else
        echo "no /usr/bin/time: run as root: apt-get install -y time" >&2
        exit 1
    fi
fi

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

# Each provider directory holds a wrapper that records, per process, the
# real binary's peak RSS (KiB) and CPU seconds (user, system) in proc.log;
# dev_overrides points Terraform at it.
mkdir -p "$work/providers"
wrap() { # name binary
    cat >"$work/providers/terraform-provider-$1" <<EOF
#!/bin/sh
exec /usr/bin/time -a -o "$work/proc.log" -f "%M %U %S" "$2" "\$@"
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

# A cluster of its own: trust authentication on loopback, default settings
# but for a lock table large enough to create (and drop) thousands of the
# grants' tables in one transaction.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/pgdata"
[ "$(id -u)" = 0 ] && chown postgres "$work/pgdata"
as_pg "$pg_bin/initdb" -D "$work/pgdata" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pgdata" -l "$work/pgdata/server.log" -w \
    -o "-p $port -k $work/pgdata -c listen_addresses=127.0.0.1 -c max_locks_per_transaction=1024" start >/dev/null
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

# Lets the server finish, untimed, the upkeep the last command's writes
# left it (vacuum and statistics of the catalogs thousands of GRANTs or
# CREATE ROLEs rewrote, dirty pages to write out), so that it does not
# land in the next command's time on these two cores: autovacuum would
# otherwise run during the plan after an apply. Every case settles alike,
# the floors included.
settle() {
    "${psql[@]}" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
}

# Runs apply, plan, plan -refresh=false and destroy of `body` with `n`
# instances in a fresh directory; prints the four wall times, then the
# provider processes' CPU seconds for each, then their peak RSS (MiB).
run_case() { # label n body
    local dir="$work/run-$1-$2" t0 t1 out=() cpu=() rss=0
    mkdir -p "$dir"
    { header; printf '%s\n' "$3"; } >"$dir/main.tf"
    for cmd in "apply -auto-approve" "plan" "plan -refresh=false" "destroy -auto-approve"; do
        settle
        : >"$work/proc.log"
        t0=$(now)
        # shellcheck disable=SC2086
        (cd "$dir" && "$terraform" $cmd -input=false -no-color -parallelism="$parallelism" \
            >"$dir/last.log" 2>&1) || { echo "terraform $cmd failed for $1 N=$2:" >&2; tail -30 "$dir/last.log" >&2; exit 1; }
        t1=$(now)
        out+=("$(elapsed "$t0" "$t1")")
        cpu+=("$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { c += $2 + $3 } END { printf "%.2f", c }' "$work/proc.log")")
        rss=$(awk -v m="$rss" 'NF == 3 && $1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { print m }' "$work/proc.log")
    done
    echo "${out[*]} ${cpu[*]} $(awk -v k="$rss" 'BEGIN { if (k > 0) printf "%.1f", k / 1024; else print "-" }')"
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
echo "wall seconds (provider CPU seconds, user+system, all its processes); peak RSS of one provider process"
printf '%-6s %-16s %13s %13s %13s %13s %8s\n' N resource apply plan "plan -r=false" destroy "rss MiB"
declare -A all=() # "N resource" -> median times, for the scaling summary
order=(terraform_data noop_thing noop_role noop_grant postgresql_role postgresql_grant)
floor_of() { case $1 in postgresql_role) echo noop_role ;; postgresql_grant) echo noop_grant ;; esac; }

# The median of the numbers on stdin (the lower middle one for an even
# count).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }

for n in "${ns[@]}"; do
    # Objects the grants need: a reader role and N tables.
    "${psql[@]}" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench CASCADE; DROP ROLE IF EXISTS bench_reader;
        CREATE ROLE bench_reader; CREATE SCHEMA bench;
        DO \$\$ BEGIN FOR i IN 0..$n - 1 LOOP EXECUTE format('CREATE TABLE bench.%I (id int)', 't' || i); END LOOP; END \$\$;" >/dev/null

    body() { # resource
        case $1 in
        terraform_data)
            printf 'resource "terraform_data" "r" {\n  count = %s\n  input = "bench_role_${count.index}"\n}\n' "$n" ;;
        *_grant)
            printf 'resource "%s" "g" {\n  count       = %s\n  role        = "bench_reader"\n  database    = "postgres"\n  schema      = "bench"\n  object_type = "table"\n  objects     = ["t${count.index}"]\n  privileges  = ["SELECT"]\n}\n' "$1" "$n" ;;
        *)
            printf 'resource "%s" "r" {\n  count = %s\n  name  = "bench_role_${count.index}"\n}\n' "$1" "$n" ;;
        esac
    }
    # "resource run" -> run_case output. Runs are interleaved (every case
    # once, then every case again), so that a resource and its floor are
    # measured close together in time and a disturbance hits one run of
    # both rather than every run of one.
    declare -A t=()
    # Each row is printed as soon as its case is done: a long run shows
    # its progress, and an interrupted one keeps what it measured.
    row() { # resource times
        local a p q d ca cp cq cd rss
        read -r a p q d ca cp cq cd rss <<<"$2"
        [ "$1" = terraform_data ] && { ca=-; cp=-; cq=-; cd=-; rss=-; }
        printf '%-6s %-16s %13s %13s %13s %13s %8s\n' "$n" "$1" \
            "$a ($ca)" "$p ($cp)" "$q ($cq)" "$d ($cd)" "$rss"
    }
    for run in $(seq "$runs"); do
        for r in "${order[@]}"; do
            wanted "$r" || continue
            t["$r $run"]=$(run_case "$r-$run" "$n" "$(body "$r")")
            row "$r" "${t["$r $run"]}"
        done
    done

    ratios() { # label resource other-run-times...: the four ratios
        local label=$1 r=$2 a p q d fa fp fq fd
        read -r a p q d _ <<<"$3"
        read -r fa fp fq fd _ <<<"$4"
        printf '%-6s %-16s %13s %13s %13s %13s   × %s\n' "$n" "$r" \
            "$(ratio "$a" "$fa")" "$(ratio "$p" "$fp")" "$(ratio "$q" "$fq")" "$(ratio "$d" "$fd")" "$label"
    }
    for r in postgresql_role postgresql_grant; do
        wanted "$r" || continue
        floor=$(floor_of "$r")
        for run in $(seq "$runs"); do
            [ "$runs" = 1 ] && tag="" || tag=" (run $run)"
            wanted terraform_data && ratios "terraform_data$tag" "$r" "${t["$r $run"]}" "${t["terraform_data $run"]}"
            wanted noop_thing && ratios "noop_thing (2-attribute floor)$tag" "$r" "${t["$r $run"]}" "${t["noop_thing $run"]}"
            wanted "$floor" && ratios "$floor (same-schema floor)$tag" "$r" "${t["$r $run"]}" "${t["$floor $run"]}"
        done
        # The median of the runs' same-schema ratios, column by column:
        # the figure the targets in bench/README.md are stated in.
        if [ "$runs" -gt 1 ] && wanted "$floor"; then
            cols=()
            for c in 1 2 3 4; do
                cols+=("$(for run in $(seq "$runs"); do
                    ratio "$(cut -d' ' -f$c <<<"${t["$r $run"]}")" "$(cut -d' ' -f$c <<<"${t["$floor $run"]}")"
                    echo
                done | median)")
            done
            printf '%-6s %-16s %13s %13s %13s %13s   × %s (same-schema floor), median of %s runs\n' \
                "$n" "$r" "${cols[@]}" "$floor" "$runs"
        fi
    done
    # The scaling summary compares each case's median times.
    for r in "${order[@]}"; do
        wanted "$r" || continue
        med=()
        for c in 1 2 3 4; do
            med+=("$(for run in $(seq "$runs"); do cut -d' ' -f$c <<<"${t["$r $run"]}"; done | median)")
        done
        all["$n $r"]="${med[*]}"
    done
    unset t
    echo
done

# How the cost grows from the first N to the last: the factor, and the
# exponent k in time ~ N^k (1 is linear, 2 quadratic).
if [ ${#ns[@]} -ge 2 ]; then
    first=${ns[0]} last=${ns[-1]}
    echo "scaling from N=$first to N=$last (×$(ratio "$last" "$first")): time factor, and k in time ~ N^k"
    printf '%-16s %15s %15s %15s %15s\n' resource apply plan "plan -r=false" destroy
    for r in $cases; do
        read -r a1 p1 q1 d1 _ <<<"${all["$first $r"]}"
        read -r a2 p2 q2 d2 _ <<<"${all["$last $r"]}"
        cell() { awk -v a="$1" -v b="$2" -v n1="$first" -v n2="$last" \
            'BEGIN { if (a > 0 && b > 0) printf "%.1f× k=%.2f", b / a, log(b / a) / log(n2 / n1); else print "-" }'; }
        printf '%-16s %15s %15s %15s %15s\n' "$r" "$(cell "$a1" "$a2")" "$(cell "$p1" "$p2")" \
            "$(cell "$q1" "$q2")" "$(cell "$d1" "$d2")"
    done
fi
