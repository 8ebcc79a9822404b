#!/usr/bin/env bash
# Packages the provider the way users install providers.
#
#   scripts/package.sh install [MIRROR_DIR]   build and place the binary in a
#       filesystem mirror: MIRROR_DIR/registry.terraform.io/pgwarden/postgresql/
#       <version>/<os>_<arch>/terraform-provider-postgresql_v<version>
#       (default MIRROR_DIR: target/mirror)
#   scripts/package.sh release [DIST_DIR]     build the registry artifacts:
#       terraform-provider-postgresql_<version>_<os>_<arch>.zip,
#       ..._SHA256SUMS and ..._manifest.json (default DIST_DIR: target/dist)
#
# PROFILE=release (default) or PROFILE=dev selects the cargo profile; tests
# use dev to reuse the test build.
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

build() {
    if [[ "$PROFILE" == release ]]; then
        cargo build --release --locked --bin "$NAME" >&2
        BINARY="target/release/$NAME"
    else
        cargo build --locked --bin "$NAME" >&2
        BINARY="target/debug/$NAME"
    fi
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
        build
        mkdir -p "$dist"
        stage="$(mktemp -d)"
        trap 'rm -rf "$stage"' EXIT
        install -m 0755 "$BINARY" "$stage/${NAME}_v$VERSION"
        zip="${NAME}_${VERSION}_${PLATFORM}.zip"
        manifest="${NAME}_${VERSION}_manifest.json"
        rm -f "$dist/$zip"
        python3 - "$stage/${NAME}_v$VERSION" "$dist/$zip" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo(os.path.basename(src))
info.external_attr = 0o755 << 16  # keep the executable bit for terraform init
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read())
PY
        cp terraform-registry-manifest.json "$dist/$manifest"
        (cd "$dist" && sha256sum "$zip" "$manifest" >"${NAME}_${VERSION}_SHA256SUMS")
        echo "release artifacts in $dist:" >&2
        ls -1 "$dist" >&2
        echo "$dist"
        ;;
    *)
        echo "usage: $0 install [MIRROR_DIR] | release [DIST_DIR]" >&2
        exit 2
        ;;
esac
