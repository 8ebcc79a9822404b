//! Provider configuration: unreachable servers, unknown configuration at plan
//! time, TLS verification.

use pgwarden::pg::pool::Pools;
use pgwarden::pg::settings::{ConnectSettings, SslMode};

use crate::acc;
use crate::support::{hcl, unique_name, Step, TestCase};

/// Two resources on a server nobody listens on: one error naming the
/// address, not one per resource.
#[test]
fn unreachable_server_is_one_clear_error() {
    let Some(_acc) = acc() else { return };
    // Port 1 on loopback: nothing listens there.
    TestCase::new(
        r#"
provider "postgresql" {
  host            = "127.0.0.1"
  port            = 1
  password        = "x"
  sslmode         = "disable"
  connect_timeout = 5
}
"#,
    )
    .step(
        Step::fails(
            r#"
resource "postgresql_role" "a" { name = "a" }
resource "postgresql_role" "b" { name = "b" }
"#,
            "Cannot Connect To PostgreSQL",
        )
        .check(|_, out| {
            let text = out.combined();
            assert!(text.contains("127.0.0.1:1"), "{text}");
            assert_eq!(
                text.matches("Cannot Connect To PostgreSQL").count(),
                1,
                "exactly one connection error expected:\n{text}"
            );
        }),
    )
    .run();
}

/// A provider whose host is known only after another resource is applied:
/// the plan succeeds with changes, and the apply converges.
#[test]
fn unknown_provider_config_does_not_fail_plan() {
    let Some(acc) = acc() else { return };
    TestCase::new(format!(
        r#"
resource "terraform_data" "host" {{ input = "{host}" }}
provider "postgresql" {{
  host     = terraform_data.host.output
  port     = {port}
  username = "postgres"
  password = "{password}"
  sslmode  = "disable"
}}
"#,
        host = acc.cluster.host(),
        port = acc.cluster.port(),
        password = acc.cluster.password(),
    ))
    .step(
        Step::apply(format!(
            "resource \"postgresql_role\" \"a\" {{ name = {} }}\n",
            hcl(&unique_name("deferred"))
        ))
        .plan_shows(&["postgresql_role.a will be created"]),
    )
    .run();
}

/// The connection settings to the shared cluster over TLS.
fn tls_settings(
    acc: &crate::Acc,
    host: &str,
    mode: SslMode,
    root: &std::path::Path,
) -> ConnectSettings {
    ConnectSettings {
        host: host.to_owned(),
        port: acc.cluster.port(),
        username: acc.cluster.superuser().to_owned(),
        password: Some(acc.cluster.password().to_owned()),
        sslmode: mode,
        sslrootcert: Some(root.display().to_string()),
        connect_timeout: Some(std::time::Duration::from_secs(10)),
        ..ConnectSettings::default()
    }
}

/// Whether the provider's pools get a TLS session with these settings.
fn tls_connects(acc: &crate::Acc, settings: ConnectSettings) -> Result<(), String> {
    let pools = Pools::new(settings).map_err(|e| e.to_string())?;
    acc.block(async {
        let conn = pools.get(None).await.map_err(|e| e.to_string())?;
        let ssl: bool = conn
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if ssl {
            Ok(())
        } else {
            Err("connected without TLS".to_owned())
        }
    })
}

/// The self-signed CA:TRUE certificate of PostgreSQL's SSL docs, given as
/// `sslrootcert`, is accepted with `verify-full` (as by psql), naming the
/// host in its CN only: through Terraform, as a user would configure it,
/// and straight through the provider's pools.
#[test]
fn verify_full_accepts_the_self_signed_certificate_psql_accepts() {
    let Some(acc) = acc() else { return };
    let cert = acc.cluster.server_cert_path();
    TestCase::new(format!(
        r#"
provider "postgresql" {{
  host        = "localhost"
  port        = {port}
  username    = "postgres"
  password    = "{password}"
  sslmode     = "verify-full"
  sslrootcert = {cert}
}}
"#,
        port = acc.cluster.port(),
        password = acc.cluster.password(),
        cert = hcl(&cert.display().to_string()),
    ))
    .step(Step::apply(format!(
        "resource \"postgresql_role\" \"a\" {{ name = {} }}\n",
        hcl(&unique_name("tls_role"))
    )))
    .run();
    tls_connects(
        &acc,
        tls_settings(&acc, "localhost", SslMode::VerifyFull, &cert),
    )
    .expect("verify-full, host named by the CN");
}

/// `verify-ca` does not check the host name, `verify-full` does, and a
/// certificate that merely looks the same is not trusted by either.
#[test]
fn verify_modes_check_the_host_name_and_the_ca() {
    let Some(acc) = acc() else { return };
    let cert = acc.cluster.server_cert_path();
    tls_connects(
        &acc,
        tls_settings(&acc, "127.0.0.1", SslMode::VerifyCa, &cert),
    )
    .expect("verify-ca does not check the name");
    let wrong_host = tls_connects(
        &acc,
        tls_settings(&acc, "127.0.0.1", SslMode::VerifyFull, &cert),
    );
    assert!(wrong_host.is_err(), "verify-full must check the host name");

    // A certificate that merely looks the same is not trusted.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().expect("key");
    let other = params.self_signed(&key).expect("cert");
    let other_path = dir.path().join("other.crt");
    std::fs::write(&other_path, other.pem()).expect("write cert");
    for mode in [SslMode::VerifyCa, SslMode::VerifyFull] {
        let r = tls_connects(&acc, tls_settings(&acc, "localhost", mode, &other_path));
        assert!(r.is_err(), "{mode}: a wrong CA must fail");
    }
}
