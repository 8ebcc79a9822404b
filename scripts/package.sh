#!/usr/bin/env bash
# Packages the provider the way users install providers.
#
#   scripts/package.sh install [MIRROR_DIR]   build and place the binary in a
#       filesystem mirror: MIRROR_DIR/registry.terraform.io/pgwarden/postgresql/
#       <version>/<os>_<arch>/terraform-provider-postgresql_v<version>
#       (default MIRROR_DIR: target/mirror)
#   scripts/package.sh release [DIST_DIR]     build the registry artifacts:
#       terraform-provider-postgresql_<version>_<os>_<arch>.zip per platform,
#       ..._manifest.json, ..._SHA256SUMS listing every zip of the version
#       and the manifest, and, when GPG_FINGERPRINT names a signing key,
#       ..._SHA256SUMS.sig, a binary detached signature (default DIST_DIR:
#       target/dist)
#
# PROFILE=release (default) or PROFILE=dev selects the cargo profile; tests
# use dev to reuse the test build.
#
# RUST_TARGETS (release only) lists cargo target triples to build besides
# the host, e.g. "aarch64-unknown-linux-gnu"; each needs its standard
# library and linker installed (CARGO and the usual CARGO_TARGET_<T>_LINKER
# variables are honoured). Zips already in DIST_DIR for the same version,
# built on other machines, are kept and listed in SHA256SUMS too.
#
# Signing uses gpg with GPG_FINGERPRINT (and GNUPGHOME when set); both
# registries want an RSA key for Terraform's sake, and a binary (not
# armored) signature.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

NAME="terraform-provider-postgresql"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
PROFILE="${PROFILE:-release}"
case "$(uname -s)" in
    Linux) os=linux ;; Darwin) os=darwin ;; *) os="$(uname -s | tr 'A-Z' 'a-z')" ;;
esac
case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;;
esac
PLATFORM="${os}_${arch}"

CARGO="${CARGO:-cargo}"

# build [TRIPLE]: builds for the host or a cargo target; sets BINARY.
build() {
    # Cargo builds into CARGO_TARGET_DIR when it is set (shared target
    # directories), else into target/.
    local target_args=() dir="${CARGO_TARGET_DIR:-target}"
    if [[ -n "${1:-}" ]]; then
        target_args=(--target "$1")
        dir="$dir/$1"
    fi
    if [[ "$PROFILE" == release ]]; then
        "$CARGO" build --release --locked --bin "$NAME" "${target_args[@]}" >&2
        BINARY="$dir/release/$NAME"
    else
        "$CARGO" build --locked --bin "$NAME" "${target_args[@]}" >&2
        BINARY="$dir/debug/$NAME"
    fi
}

# platform_of TRIPLE: the registry's os_arch for a cargo target triple.
platform_of() {
    local arch os
    case "$1" in
        x86_64-*) arch=amd64 ;; aarch64-*) arch=arm64 ;; i686-*) arch=386 ;; arm*) arch=arm ;;
        *) echo "package.sh: no registry arch for $1" >&2; exit 2 ;;
    esac
    case "$1" in
        *-linux-*) os=linux ;; *-apple-darwin) os=darwin ;; *-windows-*) os=windows ;;
        *-freebsd) os=freebsd ;;
        *) echo "package.sh: no registry os for $1" >&2; exit 2 ;;
    esac
    echo "${os}_${arch}"
}

# package_zip BINARY PLATFORM DIST: the registry zip of one platform, the
# executable at the top level with its mode bits, as Terraform unpacks it.
package_zip() {
    local binary="$1" platform="$2" dist="$3" exe="${NAME}_v$VERSION"
    [[ "$platform" == windows_* ]] && exe="$exe.exe"
    local zip="$dist/${NAME}_${VERSION}_${platform}.zip"
    rm -f "$zip"
    python3 - "$binary" "$exe" "$zip" <<'PY'
import sys, zipfile
src, name, dst = sys.argv[1:4]
info = zipfile.ZipInfo(name)  # fixed 1980 timestamp: reproducible zips
info.create_system = 3  # Unix, so the mode below is honoured
info.external_attr = 0o100755 << 16  # regular file, rwxr-xr-x
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read())
PY
    echo "$zip"
}

case "${1:-}" in
    install)
        mirror="${2:-$REPO/target/mirror}"
        build
        dest="$mirror/registry.terraform.io/pgwarden/postgresql/$VERSION/$PLATFORM"
        mkdir -p "$dest"
        install -m 0755 "$BINARY" "$dest/${NAME}_v$VERSION"
        echo "installed $dest/${NAME}_v$VERSION" >&2
        cat >&2 <<MSG
Add this to your Terraform CLI configuration (~/.terraformrc or TF_CLI_CONFIG_FILE):

provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/pgwarden/postgresql"]
  }
  direct {
    exclude = ["registry.terraform.io/pgwarden/postgresql"]
  }
}
MSG
        echo "$mirror"
        ;;
    release)
        dist="${2:-$REPO/target/dist}"
        mkdir -p "$dist"
        build
        package_zip "$BINARY" "$PLATFORM" "$dist" >/dev/null
        for triple in ${RUST_TARGETS:-}; do
            build "$triple"
            package_zip "$BINARY" "$(platform_of "$triple")" "$dist" >/dev/null
        done
        manifest="${NAME}_${VERSION}_manifest.json"
        sums="${NAME}_${VERSION}_SHA256SUMS"
        cp terraform-registry-manifest.json "$dist/$manifest"
        # Text mode, bare names, sorted: the format both registries parse.
        (
            cd "$dist"
            rm -f "$sums" "$sums.sig"
            LC_ALL=C ls -1 "${NAME}_${VERSION}"_*.zip "$manifest" | LC_ALL=C sort | xargs sha256sum >"$sums"
        )
        if [[ -n "${GPG_FINGERPRINT:-}" ]]; then
            gpg --batch --yes --local-user "$GPG_FINGERPRINT" \
                --output "$dist/$sums.sig" --detach-sign "$dist/$sums"
        else
            echo "package.sh: GPG_FINGERPRINT not set, $sums is not signed" >&2
        fi
        echo "release artifacts in $dist:" >&2
        ls -1 "$dist" >&2
        echo "$dist"
        ;;
    *)
        echo "usage: $0 install [MIRROR_DIR] | release [DIST_DIR]" >&2
        exit 2
        ;;
esac
