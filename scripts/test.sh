#!/usr/bin/env bash
# Runs every check the project has, on a fresh machine as on a developer's:
#   1. installs missing tools (Terraform 1.15.5, PostgreSQL 17, the dummy
#      security label provider, gpg, OpenSSH's server and microsocks for
#      the tunnel tests) into the per-user tool cache
#      (scripts/install-tools.sh cache-dir), and as root the Debian packages
#      they need;
#   2. cargo fmt --check and cargo clippy with warnings as errors;
#   3. unit and protocol tests, a bounded fuzz run of the value decoders, the
#      docs check (committed docs must match the generator) and the checks of
#      the scripts; the acceptance tests show there as ignored;
#   4. the acceptance suite (real terraform, real PostgreSQL started by the
#      tests; `TF_ACC=1 ... -- --include-ignored`) with Terraform 1.15.5 for
#      each PostgreSQL major in PG_MAJORS (default "15 17"), and with
#      Terraform 1.11.4, when installed, for the first of them
#      (FULL_MATRIX=1: every Terraform with every major);
#   5. the Citus suite (tests/acceptance/citus.rs: a coordinator and two
#      workers), once, with Terraform 1.15.5, when the Citus source is
#      available (scripts/install-tools.sh citus builds it);
#   6. the demo.
#
# A part this machine cannot run (install-tools.sh exits 3: not root, no
# apt-get, no Citus source; or no Terraform 1.11) is skipped with one line
# saying what, why and what to run, its tests are left out with cargo's
# --skip (they count as "filtered out"), and the final summary lists every
# skipped part: a green run never hides one.
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

# Parts skipped on this machine, one line each: what, why, what to run.
SKIPPED=()
skip() {
    SKIPPED+=("$1")
    step "skipping $1"
}

# install_optional VAR ARG...: sets VAR to what `scripts/install-tools.sh
# ARG...` prints; when that part cannot be provided here (exit 3), sets it
# to "" and records the part as skipped, with install-tools' line.
install_optional() {
    local var="$1" out rc=0
    shift
    out="$(scripts/install-tools.sh "$@")" || rc=$?
    case "$rc" in
        0) printf -v "$var" '%s' "$out" ;;
        3)
            printf -v "$var" '%s' ""
            skip "${out:-scripts/install-tools.sh $*: skipped}"
            ;;
        *)
            echo "scripts/install-tools.sh $* failed ($rc)" >&2
            exit 1
            ;;
    esac
}

step "installing tools"
TF_PINNED="$(scripts/install-tools.sh terraform)"
declare -A PG_BIN_OF=()
for major in ${PG_MAJORS:-15 17}; do
    PG_BIN_OF[$major]="$(scripts/install-tools.sh pg "$major")"
done

# Filters for cargo's test runner (after `--`), for every acceptance run.
# The Citus tests run once, in their own step below.
ACC_SKIPS=(--skip citus::)

# The "dummy" security label provider for the postgresql_security_label
# tests named security_label::dummy_provider_*. It is built for one
# PostgreSQL major; runs on the others leave those tests out.
install_optional DUMMY_SECLABEL dummy-seclabel
export DUMMY_SECLABEL
SECLABEL_MAJOR=""
if [[ -n "$DUMMY_SECLABEL" ]]; then
    # install-tools.sh writes "dummy_seclabel for PostgreSQL 15.20, ..." there.
    SECLABEL_MAJOR="$(sed -n 's/^dummy_seclabel for PostgreSQL \([0-9]*\)\..*/\1/p' \
        "$(dirname "$DUMMY_SECLABEL")/.installed")"
fi

# gpg signs the release in the release tests.
install_optional GPG gpg
[[ -n "$GPG" ]] || ACC_SKIPS+=(--skip release::)

# The tunnel tests start Debian's OpenSSH server and microsocks on loopback
# ports (tests/acceptance/reach.rs); without one, its tests are left out.
install_optional SSHD sshd
install_optional MICROSOCKS microsocks
export SSHD MICROSOCKS
[[ -n "$SSHD" ]] || ACC_SKIPS+=(--skip reach::ssh_)
[[ -n "$MICROSOCKS" ]] || ACC_SKIPS+=(--skip reach::socks_)
[[ -n "$SSHD" && -n "$MICROSOCKS" ]] || ACC_SKIPS+=(--skip reach::both_)

# The AWS IAM login tests check tokens with botocore under PAM, which needs
# a PAM service in /etc/pam.d: root only (tests/acceptance/cloud_iam.rs).
if [[ "$(id -u)" == 0 ]]; then
    install_optional AWS_TOKEN_VERIFIER_PYTHON botocore
else
    AWS_TOKEN_VERIFIER_PYTHON=""
    skip "AWS IAM login tests: they write a PAM service to /etc/pam.d, which needs root; run scripts/test.sh as root"
fi
export AWS_TOKEN_VERIFIER_PYTHON
[[ -n "$AWS_TOKEN_VERIFIER_PYTHON" ]] || ACC_SKIPS+=(--skip cloud_iam::aws_)

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
    if ((${#TFS[@]} == 0)); then
        skip "Terraform 1.11 combination: no Terraform 1.11.x on PATH or at /usr/local/bin/terraform; to include it: TF_BINARIES=\"<terraform 1.11.4> $TF_PINNED\" scripts/test.sh"
    fi
    TFS+=("$TF_PINNED")
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "unit and protocol tests"
# The acceptance tests are #[ignore]d: here they count as ignored.
cargo test --locked --no-fail-fast

# Each combination is a full acceptance run. The pinned Terraform runs with
# every PostgreSQL major; an older Terraform (what changes there is the
# protocol, not the SQL) with the first major only, unless FULL_MATRIX=1 asks
# for every pair. Tests share nothing between runs, and a failing
# combination does not stop the others.
failed=()
first_major="$(printf '%s\n' "${!PG_BIN_OF[@]}" | sort -n | head -n 1)"
for major in $(printf '%s\n' "${!PG_BIN_OF[@]}" | sort -n); do
    skips=("${ACC_SKIPS[@]}")
    if [[ "$major" != "$SECLABEL_MAJOR" ]]; then
        skips+=(--skip security_label::dummy_provider_)
        # Without a module at all, install-tools' line already says why.
        [[ -z "$SECLABEL_MAJOR" ]] \
            || skip "security label tests with the dummy provider on PostgreSQL $major: the module is built for PostgreSQL $SECLABEL_MAJOR (Debian's headers) only; they run on $SECLABEL_MAJOR"
    fi
    for tf in "${TFS[@]}"; do
        if [[ "$tf" != "$TF_PINNED" && "$major" != "$first_major" && "${FULL_MATRIX:-0}" != 1 ]]; then
            continue
        fi
        version="$("$tf" version | sed -n 1p)"
        step "acceptance tests: PostgreSQL $major, $version"
        if ! env -u CITUS_PG_BIN TF_ACC=1 PG_BIN="${PG_BIN_OF[$major]}" TF_ACC_TERRAFORM_PATH="$tf" \
            cargo test --locked --no-fail-fast --test acceptance -- \
            --include-ignored "${skips[@]}" --test-threads="${ACC_THREADS:-4}"; then
            failed+=("PostgreSQL $major with $version")
        fi
    done
done

# Citus: what it tests is how the coordinator propagates the provider's
# statements to the workers, which does not depend on the Terraform version.
step "acceptance tests: Citus (coordinator + 2 workers), $("$TF_PINNED" version | sed -n 1p)"
citus_rc=0
CITUS_BIN="$(scripts/install-tools.sh citus)" || citus_rc=$?
if ((citus_rc == 3)); then
    skip "${CITUS_BIN:-Citus suite: skipped}"
elif ((citus_rc != 0)); then
    failed+=("Citus build (scripts/install-tools.sh citus exited $citus_rc)")
elif ! TF_ACC=1 CITUS_PG_BIN="$CITUS_BIN" TF_ACC_TERRAFORM_PATH="$TF_PINNED" \
    cargo test --locked --no-fail-fast --test acceptance citus:: -- \
    --include-ignored --test-threads="${ACC_THREADS:-4}"; then
    failed+=("Citus suite")
fi
step "the demo (scripts/demo.sh) runs from start to finish"
if ! scripts/demo.sh >/tmp/pgwarden-demo-test.log 2>&1; then
    cat /tmp/pgwarden-demo-test.log >&2
    failed+=("scripts/demo.sh")
fi
rm -f /tmp/pgwarden-demo-test.log

# The summary: failures, then every part this machine skipped.
if ((${#failed[@]})); then
    verdict="failures in: ${failed[*]}"
else
    verdict="all checks passed"
fi
if ((${#SKIPPED[@]})); then
    verdict+="; skipped on this machine:"
fi
step "$verdict"
for line in "${SKIPPED[@]}"; do
    echo "    - $line" >&2
done
if ((${#failed[@]})); then
    exit 1
fi
