//! Release artifacts as the Terraform and OpenTofu registries take them:
//! `scripts/package.sh release` signed with a throwaway GnuPG key, then
//! * the files, names and SHA256SUMS format the registries parse;
//! * `sha256sum -c` and `gpg --verify` on them;
//! * Terraform itself installing the provider from a registry served on
//!   127.0.0.1 with those files, checking the checksums and the signature
//!   the way it does for registry.terraform.io, and refusing the install
//!   when the signature comes from another key.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::acc;
use crate::support::{hcl, unique_name, Workspace};

const NAME: &str = "terraform-provider-postgresql";
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// A registry host name of our own; Terraform is told its services, so it
/// never looks it up.
const HOST: &str = "registry.pgwarden.test";

/// A throwaway GnuPG home with one RSA signing key.
struct Gpg {
    home: tempfile::TempDir,
    fingerprint: String,
}

impl Gpg {
    fn new(user: &str) -> Gpg {
        let home = tempfile::tempdir().unwrap();
        let gpg = Gpg {
            home,
            fingerprint: String::new(),
        };
        // RSA: the Terraform Registry refuses other key types.
        gpg.run(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            &format!("{user} <release-test@example.invalid>"),
            "rsa2048",
            "sign",
            "never",
        ]);
        let listing = gpg.run(&["--with-colons", "--list-secret-keys"]);
        let fingerprint = listing
            .lines()
            .find_map(|l| {
                l.strip_prefix("fpr:")
                    .map(|r| r.trim_matches(':').to_string())
            })
            .expect("a fingerprint");
        Gpg { fingerprint, ..gpg }
    }

    fn command(&self) -> Command {
        let mut c = Command::new("gpg");
        c.arg("--batch").env("GNUPGHOME", self.home.path());
        c
    }

    /// Runs gpg; fails the test, saying what to do, when there is none.
    fn output(&self, args: &[&OsStr]) -> std::process::Output {
        self.command().args(args).output().unwrap_or_else(|e| {
            panic!(
                "run gpg: {e}; install it (as root: scripts/install-tools.sh gpg), or leave \
                 these tests out with --skip release::"
            )
        })
    }

    fn run(&self, args: &[&str]) -> String {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = self.output(&args);
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn verifies(&self, sig: &Path, file: &Path) -> bool {
        self.output(&[OsStr::new("--verify"), sig.as_os_str(), file.as_os_str()])
            .status
            .success()
    }

    fn armored_public_key(&self) -> String {
        self.run(&["--armor", "--export", &self.fingerprint])
    }

    /// The long key ID: the fingerprint's last 16 hex digits.
    fn key_id(&self) -> &str {
        &self.fingerprint[self.fingerprint.len() - 16..]
    }
}

/// Runs `scripts/package.sh release` into a new directory, signed by `gpg`.
fn release(gpg: &Gpg) -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    let out = Command::new(repo.join("scripts/package.sh"))
        .args(["release", dist.to_str().unwrap()])
        .env("PROFILE", "dev")
        .env("GNUPGHOME", gpg.home.path())
        .env("GPG_FINGERPRINT", &gpg.fingerprint)
        .output()
        .expect("run scripts/package.sh");
    assert!(
        out.status.success(),
        "package.sh release failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, dist)
}

fn file_name(kind: &str) -> String {
    format!("{NAME}_{VERSION}_{kind}")
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn release_is_checksummed_and_signed() {
    if !crate::enabled() {
        return;
    }
    let gpg = Gpg::new("pgwarden release test");
    let (_dir, dist) = release(&gpg);
    let sums_path = dist.join(file_name("SHA256SUMS"));
    let sig_path = dist.join(file_name("SHA256SUMS.sig"));
    let sums = std::fs::read_to_string(&sums_path).unwrap();

    // One line per zip and the manifest: `<64 hex>  <bare name>`, no blank
    // lines, no binary-mode `*`.
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").expect(line);
        assert!(
            hash.len() == 64
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{line}"
        );
        assert!(!name.contains(['/', '*', ' ']), "{line}");
        listed.push(name.to_string());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".zip") || n.ends_with("_manifest.json"))
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
    assert!(listed.contains(&file_name("linux_amd64.zip")), "{listed:?}");

    let check = Command::new("sha256sum")
        .args(["--strict", "-c", &file_name("SHA256SUMS")])
        .current_dir(&dist)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // A binary OpenPGP packet, not ASCII armor: Terraform reads raw packets.
    let sig = std::fs::read(&sig_path).unwrap();
    assert!(
        sig.first().is_some_and(|b| b & 0x80 != 0),
        "signature is armored"
    );
    assert!(gpg.verifies(&sig_path, &sums_path));
    let tampered = dist.join("tampered");
    std::fs::write(&tampered, format!("{sums}{}  extra.zip\n", "0".repeat(64))).unwrap();
    assert!(!gpg.verifies(&sig_path, &tampered));

    // The zip holds the executable at its top level, with its mode bits.
    // Python reads it (package.sh needs Python anyway; unzip may be absent).
    let listing = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\n\
             for i in zipfile.ZipFile(sys.argv[1]).infolist():\n    \
             print(oct(i.external_attr >> 16), i.filename)",
        ])
        .arg(dist.join(file_name("linux_amd64.zip")))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert_eq!(
        listing.trim(),
        format!("0o100755 {NAME}_v{VERSION}"),
        "{listing}"
    );
}

/// The registry protocol's two JSON documents and the release files, over
/// plain HTTP on 127.0.0.1; answers until the test process ends.
fn serve_registry(dist: &Path, public_key: String, key_id: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let dist = dist.to_path_buf();
    let files = Arc::new((dist, public_key, key_id, base.clone()));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            std::thread::spawn(move || {
                let (dist, public_key, key_id, base) = &*files;
                let mut reader = BufReader::new(&stream);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                // Skip the headers.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let zip = file_name("linux_amd64.zip");
                let (status, body): (&str, Vec<u8>) = if path
                    == "/v1/providers/pgwarden/postgresql/versions"
                {
                    let doc = serde_json::json!({"versions": [{
                        "version": VERSION,
                        "protocols": ["6.0"],
                        "platforms": [{"os": "linux", "arch": "amd64"}],
                    }]});
                    ("200 OK", doc.to_string().into_bytes())
                } else if path
                    == format!("/v1/providers/pgwarden/postgresql/{VERSION}/download/linux/amd64")
                {
                    let sums = std::fs::read_to_string(dist.join(file_name("SHA256SUMS"))).unwrap();
                    let shasum = sums
                        .lines()
                        .find(|l| l.ends_with(&zip))
                        .and_then(|l| l.split_whitespace().next())
                        .unwrap_or_default()
                        .to_string();
                    let doc = serde_json::json!({
                        "protocols": ["6.0"],
                        "os": "linux",
                        "arch": "amd64",
                        "filename": zip,
                        "download_url": format!("{base}/files/{zip}"),
                        "shasums_url": format!("{base}/files/{}", file_name("SHA256SUMS")),
                        "shasums_signature_url":
                            format!("{base}/files/{}", file_name("SHA256SUMS.sig")),
                        "shasum": shasum,
                        "signing_keys": {"gpg_public_keys": [{
                            "key_id": key_id,
                            "ascii_armor": public_key,
                        }]},
                    });
                    ("200 OK", doc.to_string().into_bytes())
                } else if let Some(name) = path.strip_prefix("/files/") {
                    match std::fs::read(dist.join(name)) {
                        Ok(b) => ("200 OK", b),
                        Err(_) => ("404 Not Found", Vec::new()),
                    }
                } else {
                    ("404 Not Found", Vec::new())
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    base
}

/// A workspace whose Terraform knows only our registry.
fn registry_workspace(base: &str, config: &str) -> Workspace {
    let ws = Workspace::new();
    let cli = ws.path().join("registry.tfrc");
    std::fs::write(
        &cli,
        format!(
            "host {} {{\n  services = {{\n    \"providers.v1\" = {}\n  }}\n}}\n",
            hcl(HOST),
            hcl(&format!("{base}/v1/providers/"))
        ),
    )
    .unwrap();
    ws.env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap());
    ws.write_config_raw(&format!(
        "terraform {{\n  required_providers {{\n    postgresql = {{ source = \"{HOST}/pgwarden/postgresql\" }}\n  }}\n}}\n{config}"
    ));
    ws
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn terraform_installs_the_signed_release_from_a_registry() {
    let Some(acc) = acc() else { return };
    let gpg = Gpg::new("pgwarden release test");
    let (_dir, dist) = release(&gpg);

    let base = serve_registry(&dist, gpg.armored_public_key(), gpg.key_id().to_string());
    let role = unique_name("registry");
    let ws = registry_workspace(
        &base,
        &format!(
            "{}\nresource \"postgresql_role\" \"r\" {{\n  name = {}\n}}\n",
            acc.cluster.provider_block(),
            hcl(&role)
        ),
    );
    let init = ws.run_ok(&["init", "-input=false", "-no-color"]);
    let text = init.combined();
    assert!(
        text.contains("self-signed") && text.contains(gpg.key_id()),
        "init did not check the signature:\n{text}"
    );
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains("zh:") && lock.contains("h1:"), "{lock}");
    let apply = ws.apply();
    assert!(!apply.combined().contains("Provider development overrides"));
    ws.assert_no_changes();
    ws.destroy();

    // The same files vouched for by another key: Terraform refuses them.
    let other = Gpg::new("someone else");
    let base = serve_registry(
        &dist,
        other.armored_public_key(),
        other.key_id().to_string(),
    );
    let ws = registry_workspace(&base, "");
    let init = ws.run(&["init", "-input=false", "-no-color"]);
    assert!(!init.success(), "init accepted a foreign signature");
    assert!(
        init.combined().to_lowercase().contains("signature"),
        "{}",
        init.combined()
    );
}
