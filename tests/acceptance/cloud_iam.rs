//! Cloud IAM logins, tested up to the network call against stand-ins on
//! 127.0.0.1 (`support::http_stub`): the clouds cannot be reached from
//! here.
//!
//! AWS (`aws_*`): the token must be accepted by a PostgreSQL that checks it
//! for real: PAM's `pam_exec` runs `tests/support/rds_token_verifier.py`,
//! which recomputes the SigV4 signature with botocore from the same secret.
//! That needs Debian's PostgreSQL 15 (built with PAM), root (to write
//! `/etc/pam.d`) and `AWS_TOKEN_VERIFIER_PYTHON` (a python with botocore,
//! from `scripts/install-tools.sh botocore`); `scripts/test.sh` leaves these
//! tests out with `--skip cloud_iam::aws_` where it cannot provide them.
//!
//! Azure and Google Cloud: the token their local endpoints hand out is the
//! password of a role on the shared cluster, so a login proves it arrived.
//! No test sends anything to a cloud's real address: every chain is pointed
//! at a stand-in or has its metadata lookup switched off.

use std::path::{Path, PathBuf};

use rand::distr::{Alphanumeric, SampleString};

use crate::support::http_stub::{HttpStub, Request, Response};
use crate::support::{flat, hcl, ident, literal, says, unique_name, Step, TestCase, Workspace};
use crate::{acc, acc_own_cluster, Acc};

const DEBIAN_PG15: &str = "/usr/lib/postgresql/15/bin";
const VERIFIER_ENV: &str = "AWS_TOKEN_VERIFIER_PYTHON";

fn role(key: &str, name: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n}}\n",
        hcl(name)
    )
}

fn random(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

/// An hour from now, as the clouds write expiry times.
fn in_an_hour() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A provider block logging in as `username` with `extra` lines.
fn provider(acc: &Acc, username: &str, extra: &str) -> String {
    format!(
        "provider \"postgresql\" {{\n  host = \"127.0.0.1\"\n  port = {}\n  database = \"postgres\"\n  username = {}\n  connect_timeout = 20\n{extra}}}\n",
        acc.cluster.port(),
        hcl(username)
    )
}

// ----------------------------------------------------------------- AWS --

/// The PAM service the AWS cluster checks tokens with, removed on drop.
struct PamService {
    file: PathBuf,
}

impl Drop for PamService {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

/// A cluster of Debian's PostgreSQL 15 on which `iam_login` logs in
/// through PAM, the verifier's directory, and the PAM service.
struct AwsRig {
    acc: Acc,
    dir: tempfile::TempDir,
    _pam: PamService,
}

impl Drop for AwsRig {
    fn drop(&mut self) {
        // What the verifier refused, for whoever reads a failure.
        for file in ["verifier.log", "pam_exec.log"] {
            if let Ok(log) = std::fs::read_to_string(self.dir.path().join(file)) {
                eprintln!("--- {file} ---\n{log}");
            }
        }
        let server: Vec<String> = self
            .acc
            .cluster
            .log_contents()
            .lines()
            .filter(|l| !l.contains("statement:"))
            .map(str::to_owned)
            .collect();
        let tail = &server[server.len().saturating_sub(12)..];
        eprintln!("--- the server's log, last lines ---\n{}", tail.join("\n"));
    }
}

impl AwsRig {
    /// What the verifier refused so far.
    fn refusals(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("verifier.log")).unwrap_or_default()
    }

    /// Records which secret each access key has, for the verifier.
    fn secrets(&self, pairs: &[(&str, &str)]) {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect();
        std::fs::write(
            self.dir.path().join("secrets.json"),
            serde_json::Value::Object(map).to_string(),
        )
        .unwrap();
    }

    fn provider(&self, extra: &str) -> String {
        provider(
            &self.acc,
            "iam_login",
            &format!("  aws_rds_iam_auth = true\n  aws_rds_iam_region = \"eu-west-1\"\n{extra}"),
        )
    }
}

fn aws_acc() -> Option<AwsRig> {
    crate::enabled();
    let python = std::env::var(VERIFIER_ENV).unwrap_or_else(|_| {
        panic!(
            "{VERIFIER_ENV} is not set: set it to the output of `scripts/install-tools.sh \
             botocore` (scripts/test.sh does), or leave these tests out with --skip \
             cloud_iam::aws_"
        )
    });
    // SAFETY: geteuid cannot fail.
    assert!(
        unsafe { libc::geteuid() } == 0,
        "the AWS IAM tests write a PAM service to /etc/pam.d and need root; leave them out \
         with --skip cloud_iam::aws_"
    );
    assert!(
        Path::new(DEBIAN_PG15).join("postgres").is_file(),
        "the AWS IAM tests need Debian's PostgreSQL 15 (built with PAM) in {DEBIAN_PG15}"
    );
    // PAM looks services up in lower case.
    let name = format!("pgwarden-rds-{}-{}", std::process::id(), random(6)).to_lowercase();
    let acc = acc_own_cluster(crate::support::ClusterOptions {
        bin_dir: Some(DEBIAN_PG15.into()),
        hba: vec![format!(
            "host all iam_login 127.0.0.1/32 pam pamservice={name}"
        )],
        ..Default::default()
    })?;
    let dir = tempfile::Builder::new()
        .prefix("pgwarden-rds-")
        .tempdir_in("/tmp")
        .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The verifier runs as the server's user and notes its refusals here.
    let log = dir.path().join("verifier.log");
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o666)).unwrap();
    let pam_log = dir.path().join("pam_exec.log");
    std::fs::write(&pam_log, "").unwrap();
    std::fs::set_permissions(&pam_log, std::fs::Permissions::from_mode(0o666)).unwrap();
    let verifier = dir.path().join("rds_token_verifier.py");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/rds_token_verifier.py"),
        &verifier,
    )
    .unwrap();
    let file = PathBuf::from("/etc/pam.d").join(&name);
    std::fs::write(
        &file,
        format!(
            "auth required pam_exec.so expose_authtok quiet log={} {python} {} {} 127.0.0.1:{}\n\
             account required pam_permit.so\n",
            pam_log.display(),
            verifier.display(),
            dir.path().join("secrets.json").display(),
            acc.cluster.port()
        ),
    )
    .unwrap();
    acc.sql("CREATE ROLE iam_login LOGIN SUPERUSER");
    Some(AwsRig {
        acc,
        dir,
        _pam: PamService { file },
    })
}

/// The stand-in for the EC2 metadata service (IMDSv2) and STS.
fn aws_stub() -> HttpStub {
    let expires = in_an_hour();
    HttpStub::start(move |r: &Request| {
        let path = r.target.split('?').next().unwrap_or_default();
        match (r.method.as_str(), path) {
            ("PUT", "/latest/api/token") => Response::text("imds-session")
                .with_header("X-aws-ec2-metadata-token-ttl-seconds", "21600"),
            ("GET", "/latest/meta-data/iam/security-credentials/")
            | ("GET", "/latest/meta-data/iam/security-credentials-extended/") => {
                Response::text("db-role")
            }
            ("GET", "/latest/meta-data/iam/security-credentials/db-role")
            | ("GET", "/latest/meta-data/iam/security-credentials-extended/db-role") => {
                Response::json(format!(
                    r#"{{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDSEXAMPLE","SecretAccessKey":"imds-secret","Token":"imds-session-token","Expiration":"{expires}"}}"#
                ))
            }
            ("POST", "/") if r.body.contains("Action=AssumeRole") => Response::xml(format!(
                r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:terraform</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/db/terraform</Arn></AssumedRoleUser><Credentials><AccessKeyId>ASIASTSEXAMPLE</AccessKeyId><SecretAccessKey>sts-secret</SecretAccessKey><SessionToken>sts-session-token</SessionToken><Expiration>{expires}</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>"#
            )),
            _ => Response::not_found(),
        }
    })
}

/// Environment that keeps the SDK's chain to what a step gives it: no
/// files of the developer's, metadata at the stand-in.
fn aws_env(ws: &Workspace, stub: &HttpStub, dir: &Path) {
    let none = dir.join("none").display().to_string();
    ws.env("AWS_CONFIG_FILE", &none);
    ws.env("AWS_SHARED_CREDENTIALS_FILE", &none);
    ws.env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &stub.url());
    ws.env("AWS_ENDPOINT_URL_STS", &stub.url());
}

/// RDS IAM tokens signed from each link of the SDK's chain are accepted by
/// a server that recomputes their signature: environment variables, a
/// shared credentials file's profile, the EC2 metadata service, and a role
/// assumed through STS.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, root and AWS_TOKEN_VERIFIER_PYTHON (scripts/test.sh runs it)"]
fn aws_rds_tokens_from_the_chain_are_verified() {
    let Some(rig) = aws_acc() else {
        return;
    };
    rig.secrets(&[
        ("AKIAENVEXAMPLE", "env-secret"),
        ("AKIAPROFILEEXAMPLE", "profile-secret"),
        ("ASIAIMDSEXAMPLE", "imds-secret"),
        ("ASIASTSEXAMPLE", "sts-secret"),
    ]);
    let stub = aws_stub();
    let dir = rig.dir.path().to_path_buf();
    let exists = |name: &str| {
        rig.acc.block(crate::support::exists(
            &rig.acc.admin(),
            "SELECT 1 FROM pg_roles WHERE rolname = $1",
            &[&name],
        ))
    };

    let from_env = unique_name("aws_env");
    TestCase::new(rig.provider(""))
        .step(
            Step::apply(role("r", &from_env))
                .before(|ws| {
                    aws_env(ws, &stub, &dir);
                    ws.env("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE");
                    ws.env("AWS_SECRET_ACCESS_KEY", "env-secret");
                })
                .check(|_, _| assert!(exists(&from_env))),
        )
        .run();

    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = AKIAPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    let from_profile = unique_name("aws_profile");
    TestCase::new(rig.provider("  aws_rds_iam_profile = \"ci\"\n"))
        .step(
            Step::apply(role("r", &from_profile))
                .before(|ws| {
                    aws_env(ws, &stub, &dir);
                    ws.env(
                        "AWS_SHARED_CREDENTIALS_FILE",
                        &credentials.display().to_string(),
                    );
                })
                .check(|_, _| assert!(exists(&from_profile))),
        )
        .run();

    let from_imds = unique_name("aws_imds");
    TestCase::new(rig.provider(""))
        .step(
            Step::apply(role("r", &from_imds))
                .before(|ws| aws_env(ws, &stub, &dir))
                .check(|_, _| assert!(exists(&from_imds))),
        )
        .run();
    assert!(
        stub.requests()
            .iter()
            .any(|r| r.method == "PUT" && r.target == "/latest/api/token"),
        "the metadata service was not asked (IMDSv2)"
    );

    let assumed = unique_name("aws_sts");
    TestCase::new(
        rig.provider("  aws_rds_iam_provider_role_arn = \"arn:aws:iam::123456789012:role/db\"\n"),
    )
    .step(
        Step::apply(role("r", &assumed))
            .before(|ws| {
                aws_env(ws, &stub, &dir);
                ws.env("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE");
                ws.env("AWS_SECRET_ACCESS_KEY", "env-secret");
            })
            .check(|_, _| assert!(exists(&assumed))),
    )
    .run();
    let sts = stub
        .requests()
        .into_iter()
        .find(|r| r.body.contains("Action=AssumeRole"))
        .expect("STS was asked to assume the role");
    assert!(
        sts.body
            .contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdb"),
        "{}",
        sts.body
    );
    assert!(
        sts.header("authorization")
            .is_some_and(|a| a.contains("Credential=AKIAENVEXAMPLE/")),
        "STS was not called with the environment's key: {sts:?}"
    );
}

/// A wrong secret signs a token the server refuses: one error. No
/// credentials at all: one error naming the cloud and the cause.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, root and AWS_TOKEN_VERIFIER_PYTHON (scripts/test.sh runs it)"]
fn aws_wrong_or_missing_credentials_are_one_error() {
    let Some(rig) = aws_acc() else {
        return;
    };
    rig.secrets(&[("AKIAENVEXAMPLE", "env-secret")]);
    let stub = aws_stub();
    let dir = rig.dir.path().to_path_buf();
    let two = role("a", &unique_name("aws_bad")) + &role("b", &unique_name("aws_bad"));
    TestCase::new(rig.provider(""))
        .step(
            Step::fails(two.clone(), "Cannot Connect To PostgreSQL")
                .before(|ws| {
                    aws_env(ws, &stub, &dir);
                    ws.env("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE");
                    ws.env("AWS_SECRET_ACCESS_KEY", "not-the-secret");
                })
                .check(|_, out| {
                    let text = flat(&out.combined());
                    assert_eq!(
                        text.matches("Cannot Connect To PostgreSQL").count(),
                        1,
                        "{text}"
                    );
                    assert!(text.contains("PAM authentication failed"), "{text}");
                    assert!(!text.contains("not-the-secret"), "{text}");
                }),
        )
        .run();
    assert!(
        rig.refusals().contains("signature mismatch"),
        "the verifier did not refuse the signature:\n{}",
        rig.refusals()
    );

    TestCase::new(rig.provider(""))
        .step(
            Step::fails(two, "Cannot Get An AWS IAM Token")
                .before(|ws| {
                    aws_env(ws, &stub, &dir);
                    ws.env("AWS_EC2_METADATA_DISABLED", "true");
                })
                .check(|_, out| {
                    let text = flat(&out.combined());
                    assert_eq!(
                        text.matches("Cannot Get An AWS IAM Token").count(),
                        1,
                        "{text}"
                    );
                    assert!(text.contains("no AWS credentials found"), "{text}");
                }),
        )
        .run();
}

// --------------------------------------------------- Azure and Google --

/// A login role on the shared cluster whose password is `token`.
fn token_role(acc: &Acc, prefix: &str, token: &str) -> String {
    let name = unique_name(prefix);
    acc.sql(&format!(
        "CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}",
        ident(&name),
        literal(token)
    ));
    name
}

/// Azure's managed identity (App Service's endpoint, `IDENTITY_ENDPOINT`)
/// hands out the token that logs in; with the endpoint failing and no
/// other credential, the error names Azure and what each credential said.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn azure_managed_identity_token_is_the_password() {
    let Some(acc) = acc() else { return };
    let token = format!("azure-{}", random(40));
    let login = token_role(&acc, "azure_login", &token);
    let answer = token.clone();
    let stub = HttpStub::start(move |r: &Request| {
        if r.header("x-identity-header") != Some("id-header") {
            return Response {
                status: 400,
                content_type: "application/json",
                body: r#"{"error":"invalid_request"}"#.into(),
                headers: Vec::new(),
            };
        }
        let expires = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600)
            .to_string();
        Response::json(format!(
            r#"{{"access_token":"{answer}","expires_on":"{expires}","resource":"https://ossrdbms-aad.database.windows.net","token_type":"Bearer"}}"#
        ))
    });
    let endpoint = format!("{}/msi/token", stub.url());
    let name = unique_name("azure_role");
    TestCase::new(provider(&acc, &login, "  azure_identity_auth = true\n"))
        .step(
            Step::apply(role("r", &name))
                .before(|ws| {
                    ws.env("IDENTITY_ENDPOINT", &endpoint);
                    ws.env("IDENTITY_HEADER", "id-header");
                })
                .check(|_, _| {
                    let asked = stub.requests();
                    assert!(
                        asked.iter().any(|r| r
                            .target
                            .contains("resource=https%3A%2F%2Fossrdbms-aad.database.windows.net")),
                        "{asked:?}"
                    );
                }),
        )
        .run();

    TestCase::new(provider(&acc, &login, "  azure_identity_auth = true\n"))
        .step(
            Step::fails(role("r", &name), "Cannot Get An Azure IAM Token")
                .before(|ws| {
                    ws.env("IDENTITY_ENDPOINT", &endpoint);
                    ws.env("IDENTITY_HEADER", "wrong-header");
                })
                .check(says("no Azure credential gave a token"))
                .check(says("managed identity:")),
        )
        .run();
}

/// Google: the metadata server's token (`GCE_METADATA_HOST`) logs in, and
/// with `gcp_iam_impersonate_service_account`, the token the IAM
/// credentials API gives for that account in exchange for it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn gcp_metadata_and_impersonated_tokens_are_the_password() {
    let Some(acc) = acc() else { return };
    let own = format!("gcp-own-{}", random(30));
    let impersonated = format!("gcp-sa-{}", random(30));
    let own_login = token_role(&acc, "gcp_login", &own);
    let sa_login = token_role(&acc, "gcp_sa", &impersonated);
    let (own2, sa2) = (own.clone(), impersonated.clone());
    let expires = in_an_hour();
    let stub = HttpStub::start(move |r: &Request| {
        let path = r.target.split('?').next().unwrap_or_default();
        match (r.method.as_str(), path) {
            ("GET", "/computeMetadata/v1/instance/service-accounts/default/token")
                if r.header("metadata-flavor") == Some("Google") =>
            {
                Response::json(format!(
                    r#"{{"access_token":"{own2}","expires_in":3599,"token_type":"Bearer"}}"#
                ))
            }
            (
                "POST",
                "/v1/projects/-/serviceAccounts/db@proj.iam.gserviceaccount.com:generateAccessToken",
            ) if r.header("authorization") == Some(&format!("Bearer {own2}")) => {
                Response::json(format!(
                    r#"{{"accessToken":"{sa2}","expireTime":"{expires}"}}"#
                ))
            }
            _ => Response::not_found(),
        }
    });
    let host = stub.host_port();
    let url = stub.url();
    let set_env = |ws: &Workspace| {
        ws.env("GCE_METADATA_HOST", &host);
        ws.env("GOOGLE_IAM_CREDENTIALS_ENDPOINT", &url);
    };
    TestCase::new(provider(&acc, &own_login, "  gcp_iam_auth = true\n"))
        .step(Step::apply(role("r", &unique_name("gcp_own"))).before(set_env))
        .run();
    TestCase::new(provider(
        &acc,
        &sa_login,
        "  gcp_iam_impersonate_service_account = \"db@proj.iam.gserviceaccount.com\"\n",
    ))
    .step(Step::apply(role("r", &unique_name("gcp_sa"))).before(set_env))
    .run();
    let asked = stub.requests();
    let token_request = asked
        .iter()
        .find(|r| r.method == "POST")
        .expect("the IAM credentials API was asked");
    assert!(
        token_request.body.contains("sqlservice.login"),
        "{}",
        token_request.body
    );
}

/// An IAM login with `sslmode = "disable"` is refused at plan time, and
/// `scheme = "gcppostgres"` is refused with the direct configuration.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn iam_logins_need_tls_and_gcppostgres_says_what_to_do_instead() {
    let Some(acc) = acc() else { return };
    TestCase::new(provider(
        &acc,
        "someone",
        "  aws_rds_iam_auth = true\n  sslmode = \"disable\"\n",
    ))
    .step(
        Step::fails(role("r", &unique_name("no_tls")), "IAM Login Needs TLS")
            .check(says("aws_rds_iam_auth sends a short-lived token")),
    )
    .run();
    TestCase::new(provider(&acc, "someone", "  scheme = \"gcppostgres\"\n"))
        .step(
            Step::fails(role("r", &unique_name("gcp_scheme")), "Unsupported scheme")
                .check(says("sslmode = \"verify-ca\"")),
        )
        .run();
}

/// `scheme = "awspostgres"` checks the server against the shipped RDS
/// certificate authorities, which do not vouch for the test server (its
/// self-signed certificate is refused); with
/// `sslrootcert` the bundle is replaced and the same server is accepted.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn awspostgres_checks_the_rds_bundle_unless_sslrootcert_replaces_it() {
    let Some(acc) = acc() else { return };
    let block = |extra: &str| {
        format!(
            "provider \"postgresql\" {{\n  scheme = \"awspostgres\"\n  host = \"localhost\"\n  port = {}\n  username = \"postgres\"\n  password = {}\n  connect_timeout = 20\n{extra}}}\n",
            acc.cluster.port(),
            hcl(acc.cluster.password())
        )
    };
    TestCase::new(block(""))
        .step(
            Step::fails(
                role("r", &unique_name("rds_ca")),
                "Cannot Connect To PostgreSQL",
            )
            .check(says("invalid peer certificate")),
        )
        .run();
    let cert = acc.cluster.server_cert_path().display().to_string();
    TestCase::new(block(&format!("  sslrootcert = {}\n", hcl(&cert))))
        .step(Step::apply(role("r", &unique_name("own_ca"))))
        .run();
}
