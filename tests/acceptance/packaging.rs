//! Installation as users install providers: `terraform init` from a
//! filesystem mirror built by `scripts/package.sh` (what `make install` and
//! `make release` run), recorded in the lock file, then a real apply.
//! Plain workspace commands: steps run the provider Cargo built through
//! dev overrides, which is what these tests must not do.

use std::path::Path;
use std::process::Command;

use crate::acc;
use crate::support::{exists, hcl, unique_name, Workspace};

fn package(args: &[&str]) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(repo.join("scripts/package.sh"))
        .args(args)
        .env("PROFILE", "dev")
        .output()
        .expect("run scripts/package.sh");
    assert!(
        out.status.success(),
        "package.sh {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs init + apply + destroy through a CLI config that uses only `mirror`.
fn init_and_apply_from(mirror: &Path, acc: &crate::Acc) {
    let ws = Workspace::new();
    let cli = ws.path().join("mirror.tfrc");
    std::fs::write(
        &cli,
        format!(
            r#"provider_installation {{
  filesystem_mirror {{
    path    = "{}"
    include = ["registry.terraform.io/pgwarden/postgresql"]
  }}
}}
"#,
            mirror.display()
        ),
    )
    .unwrap();
    ws.env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap());
    let role = unique_name("mirror");
    ws.write_config(&format!(
        "{}\nresource \"postgresql_role\" \"r\" {{ name = {} }}\n",
        acc.cluster.provider_block(),
        hcl(&role)
    ));
    let init = ws.run_ok(&["init", "-input=false", "-no-color"]);
    assert!(
        !init.combined().contains("dev_overrides"),
        "init must not use dev overrides:\n{}",
        init.combined()
    );
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).expect("lock file");
    assert!(
        lock.contains("registry.terraform.io/pgwarden/postgresql") && lock.contains("h1:"),
        "{lock}"
    );
    let apply = ws.apply();
    assert!(!apply.combined().contains("Provider development overrides"));
    ws.assert_no_changes();
    let admin = acc.admin();
    assert!(acc.block(exists(
        &admin,
        "SELECT 1 FROM pg_roles WHERE rolname = $1",
        &[&role]
    )));
    ws.destroy();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn install_into_filesystem_mirror_then_init() {
    let Some(acc) = acc() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    package(&["install", mirror.to_str().unwrap()]);
    init_and_apply_from(&mirror, &acc);
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn release_zip_serves_as_packed_mirror() {
    let Some(acc) = acc() else { return };
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    package(&["release", dist.to_str().unwrap()]);
    let version = env!("CARGO_PKG_VERSION");
    let manifest = std::fs::read_to_string(dist.join(format!(
        "terraform-provider-postgresql_{version}_manifest.json"
    )))
    .unwrap();
    assert!(manifest.contains("\"6.0\""), "{manifest}");
    let sums = std::fs::read_to_string(dist.join(format!(
        "terraform-provider-postgresql_{version}_SHA256SUMS"
    )))
    .unwrap();
    assert_eq!(sums.lines().count(), 2, "{sums}");
    // Packed layout: HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip
    let mirror = dir.path().join("packed");
    let target = mirror.join("registry.terraform.io/pgwarden/postgresql");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(&dist).unwrap().flatten() {
        let name = entry.file_name().into_string().unwrap();
        if name.ends_with(".zip") {
            std::fs::copy(entry.path(), target.join(&name)).unwrap();
        }
    }
    init_and_apply_from(&mirror, &acc);
}
