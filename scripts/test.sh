#!/usr/bin/env bash
# Runs every check the project has, on a fresh machine as on a developer's:
#   1. installs missing tools (Terraform 1.15.5, PostgreSQL 17, the dummy
#      security label provider) into the per-user tool cache
#      (scripts/install-tools.sh cache-dir);
#   2. cargo fmt --check and cargo clippy with warnings as errors;
#   3. unit and in-process protocol tests, a bounded fuzz run of the value
#      decoders, and the docs check (committed docs must match the generator);
#   4. the acceptance suite (real terraform, real PostgreSQL started by the
#      tests) with Terraform 1.15.5 for each PostgreSQL major in PG_MAJORS
#      (default "15 17"), and with Terraform 1.11.4, when installed, for the
#      first of them (FULL_MATRIX=1: every Terraform with every major);
#   5. the Citus suite (tests/acceptance/citus.rs: a coordinator and two
#      workers), once, with Terraform 1.15.5, when the Citus source is
#      available (scripts/install-tools.sh citus builds it; else skipped).
#
# Only cargo's own test runner is used, so a machine with nothing but rustup
# runs it; each acceptance run is one test process sharing one PostgreSQL
# cluster.
#
# Environment: PG_MAJORS="15 17" to choose servers; TF_BINARIES to give
# terraform paths explicitly (space-separated); ACC_THREADS for how many
# acceptance tests run at once (default 4); FULL_MATRIX=1 for every
# Terraform/PostgreSQL pair.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

step() { printf '\n==> %s\n' "$*" >&2; }

step "installing tools"
TF_PINNED="$(scripts/install-tools.sh terraform)"
declare -A PG_BIN_OF=()
for major in ${PG_MAJORS:-15 17}; do
    PG_BIN_OF[$major]="$(scripts/install-tools.sh pg "$major")"
done

# The "dummy" security label provider for the postgresql_security_label
# tests (they skip themselves without it, or on another PostgreSQL major).
seclabel_rc=0
DUMMY_SECLABEL="$(scripts/install-tools.sh dummy-seclabel)" || seclabel_rc=$?
if ((seclabel_rc == 3)); then
    DUMMY_SECLABEL=""
    step "security label tests will skip: the dummy provider cannot be built here"
elif ((seclabel_rc != 0)); then
    echo "scripts/install-tools.sh dummy-seclabel failed ($seclabel_rc)" >&2
    exit 1
fi
export DUMMY_SECLABEL

if [[ -n "${TF_BINARIES:-}" ]]; then
    read -r -a TFS <<<"$TF_BINARIES"
else
    TFS=()
    # Terraform 1.11.4 is the oldest release with write-only attributes; test
    # it when the machine has it, and the pinned 1.15.5 always.
    for candidate in "$(command -v terraform || true)" /usr/local/bin/terraform; do
        if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" version 2>/dev/null | sed -n 1p | grep 'v1\.11\.' >/dev/null; then
            TFS+=("$candidate")
            break
        fi
    done
    TFS+=("$TF_PINNED")
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "unit and protocol tests"
# The acceptance binary runs too, and skips itself without TF_ACC.
cargo test --locked --no-fail-fast

# Each combination is a full acceptance run. The pinned Terraform runs with
# every PostgreSQL major; an older Terraform (what changes there is the
# protocol, not the SQL) with the first major only, unless FULL_MATRIX=1 asks
# for every pair. Tests share nothing between runs, and a failing
# combination does not stop the others.
failed=()
first_major="$(printf '%s\n' "${!PG_BIN_OF[@]}" | sort -n | head -n 1)"
for major in $(printf '%s\n' "${!PG_BIN_OF[@]}" | sort -n); do
    for tf in "${TFS[@]}"; do
        if [[ "$tf" != "$TF_PINNED" && "$major" != "$first_major" && "${FULL_MATRIX:-0}" != 1 ]]; then
            continue
        fi
        version="$("$tf" version | sed -n 1p)"
        step "acceptance tests: PostgreSQL $major, $version"
        # Without CITUS_PG_BIN the Citus tests skip themselves: they run
        # once, below, not once per combination.
        if ! env -u CITUS_PG_BIN TF_ACC=1 PG_BIN="${PG_BIN_OF[$major]}" TF_ACC_TERRAFORM_PATH="$tf" \
            cargo test --locked --no-fail-fast --test acceptance -- \
            --test-threads="${ACC_THREADS:-4}"; then
            failed+=("PostgreSQL $major with $version")
        fi
    done
done

# Citus: what it tests is how the coordinator propagates the provider's
# statements to the workers, which does not depend on the Terraform version.
# install-tools.sh exits 3 when there is no Citus source to build.
step "acceptance tests: Citus (coordinator + 2 workers), $("$TF_PINNED" version | sed -n 1p)"
citus_rc=0
CITUS_BIN="$(scripts/install-tools.sh citus)" || citus_rc=$?
if ((citus_rc == 3)); then
    step "Citus suite skipped: no Citus source (see the install-tools message above)"
elif ((citus_rc != 0)); then
    failed+=("Citus build (scripts/install-tools.sh citus exited $citus_rc)")
elif ! TF_ACC=1 CITUS_PG_BIN="$CITUS_BIN" TF_ACC_TERRAFORM_PATH="$TF_PINNED" \
    cargo test --locked --no-fail-fast --test acceptance citus -- \
    --test-threads="${ACC_THREADS:-4}"; then
    failed+=("Citus suite")
fi
step "the demo (scripts/demo.sh) runs from start to finish"
if ! scripts/demo.sh >/tmp/pgwarden-demo-test.log 2>&1; then
    cat /tmp/pgwarden-demo-test.log >&2
    failed+=("scripts/demo.sh")
fi
rm -f /tmp/pgwarden-demo-test.log
if ((${#failed[@]})); then
    step "failures in: ${failed[*]}"
    exit 1
fi
step "all checks passed"
