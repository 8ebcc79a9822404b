//! Provider configuration: unreachable servers, unknown configuration at plan
//! time, TLS verification.

use pgwarden::pg::conn::pool::Pools;
use pgwarden::pg::conn::settings::{ConnectSettings, SslMode};

use crate::acc;
use crate::support::{hcl, unique_name, Step, TestCase};

/// Two resources on a server nobody listens on: one error naming the
/// address, not one per resource.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
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
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
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
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
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
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
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

/// The shared cluster's provider block, with `extra` lines added inside it.
fn provider_with(acc: &crate::Acc, extra: &str) -> String {
    let mut p = acc.cluster.provider_block();
    let end = p.rfind('}').expect("provider block");
    p.truncate(end);
    p.push_str(extra);
    p.push_str("}\n");
    p
}

/// The reference provider's deprecated `ssl_mode` sets the TLS mode when
/// `sslmode` does not, with a deprecation warning.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn ssl_mode_is_the_deprecated_spelling_of_sslmode() {
    let Some(acc) = acc() else { return };
    let role = format!(
        "resource \"postgresql_role\" \"a\" {{ name = {} }}\n",
        hcl(&unique_name("ssl_mode_role"))
    );
    let without_sslmode = |ssl_mode: &str| {
        let provider = acc.cluster.provider_block().replace(
            "  sslmode  = \"disable\"\n",
            &format!("  ssl_mode = \"{ssl_mode}\"\n"),
        );
        format!("{provider}{role}")
    };
    // Each step brings its own provider block.
    TestCase::new("")
        .step(
            Step::apply(without_sslmode("disable"))
                .before(|ws| {
                    ws.env("PGSSLMODE", "");
                })
                .check(|_, out| {
                    let text = out.combined();
                    assert!(
                        text.contains("Deprecated Attribute") && text.contains("ssl_mode"),
                        "{text}"
                    );
                }),
        )
        // verify-full needs sslrootcert: failing proves ssl_mode was used.
        .step(Step::fails(without_sslmode("verify-full"), "sslrootcert"))
        // sslmode wins over ssl_mode.
        .step(Step::apply(format!(
            "{}{role}",
            provider_with(&acc, "  ssl_mode = \"verify-full\"\n")
        )))
        .run();
}

/// `expected_version` takes the reference provider's version spellings and
/// warns when the server is older; `scheme` refuses `awspostgres` without
/// TLS and the unsupported `gcppostgres`, naming the attribute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn expected_version_and_scheme_are_checked() {
    let Some(acc) = acc() else { return };
    let data = "data \"postgresql_roles\" \"all\" {}\n";
    let mut case = TestCase::new("");
    for (extra, text) in [
        (
            "  expected_version = \"current\"\n",
            "Invalid expected_version",
        ),
        ("  scheme = \"awspostgres\"\n", "awspostgres Needs TLS"),
        ("  scheme = \"gcppostgres\"\n", "Unsupported scheme"),
        ("  scheme = \"mysql\"\n", "Invalid scheme"),
    ] {
        let attr = extra.trim().split(' ').next().unwrap_or_default();
        case = case.step(
            Step::fails(format!("{}{data}", provider_with(&acc, extra)), text).check(
                move |_, out| {
                    let combined = out.combined();
                    assert!(combined.contains("provider \"postgresql\""), "{combined}");
                    assert!(combined.contains(attr), "{combined}");
                },
            ),
        );
    }
    case.step(
        Step::apply(format!(
            "{}{data}",
            provider_with(
                &acc,
                "  scheme = \"postgres\"\n  expected_version = \"v99.1\"\n"
            )
        ))
        .check(|_, out| {
            let text = out.combined();
            assert!(
                text.contains("Server Older Than expected_version"),
                "{text}"
            );
        }),
    )
    .step(
        Step::apply(format!(
            "{}{data}",
            provider_with(&acc, "  expected_version = \"13\"\n")
        ))
        .check(|_, out| {
            let text = out.combined();
            assert!(!text.contains("expected_version"), "{text}");
        }),
    )
    .run();
}

/// `database_username` names the provider's role inside the database: new
/// databases belong to it, and a dropped role's objects go to it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_username_owns_new_databases_and_dropped_roles_objects() {
    let Some(acc) = acc() else { return };
    let me = unique_name("mapped_user");
    let gone = unique_name("gone_role");
    let db = unique_name("mapped_db");
    let table = unique_name("left_behind");
    acc.sql(&format!("CREATE ROLE {me}"));
    let database = format!("resource \"postgresql_database\" \"d\" {{ name = \"{db}\" }}\n");
    TestCase::new(provider_with(
        &acc,
        &format!("  database_username = \"{me}\"\n"),
    ))
    .step(
        Step::apply(format!(
            "{database}resource \"postgresql_role\" \"r\" {{ name = \"{gone}\" }}\n"
        ))
        .check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_database.d")["owner"],
                me.as_str()
            );
        }),
    )
    // Dropping the role hands its table to database_username.
    .step(
        Step::apply(database.clone())
            .before(|_| {
                acc.sql(&format!(
                    "CREATE TABLE public.{table} (id int); ALTER TABLE public.{table} OWNER TO {gone}"
                ));
            })
            .check(|_, _| {
                let admin = acc.admin();
                let owner = acc.block(crate::support::query_one_str(
                    &admin,
                    &format!("SELECT tableowner::text FROM pg_tables WHERE tablename = '{table}'"),
                    &[],
                ));
                assert_eq!(owner, me);
            }),
    )
    .check_destroy(|| acc.sql(&format!("DROP TABLE public.{table}; DROP ROLE {me}")))
    .run();
}

/// Client certificates, as files and inline (`sslinline`), on a server
/// that authenticates one role by certificate only.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn clientcert_authenticates_from_files_and_inline() {
    use std::os::unix::fs::PermissionsExt;
    if !crate::enabled() {
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("pgwarden-cert-")
        .tempdir_in("/tmp")
        .expect("temp dir");
    let path = |name: &str| dir.path().join(name);
    // A CA, and a client certificate it signs for the role `certuser`.
    let mut ca_params = rcgen::CertificateParams::default();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "pgwarden test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let mut client_params = rcgen::CertificateParams::default();
    client_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "certuser");
    client_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = rcgen::KeyPair::generate().expect("client key");
    let client = client_params
        .signed_by(&client_key, &ca)
        .expect("client cert");
    std::fs::write(path("ca.crt"), ca.pem()).expect("ca.crt");
    std::fs::write(path("client.crt"), client.pem()).expect("client.crt");
    std::fs::write(path("client.key"), client_key.serialize_pem()).expect("client.key");
    std::fs::set_permissions(path("client.key"), std::fs::Permissions::from_mode(0o600))
        .expect("chmod key");
    std::fs::write(
        path("pg_hba.conf"),
        "local all all scram-sha-256\n\
         hostssl all certuser 127.0.0.1/32 cert\n\
         host all all 127.0.0.1/32 scram-sha-256\n",
    )
    .expect("pg_hba.conf");
    for f in ["ca.crt", "pg_hba.conf"] {
        std::fs::set_permissions(path(f), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let Some(acc) = crate::acc_own_cluster(crate::support::ClusterOptions {
        settings: vec![
            ("ssl_ca_file".into(), path("ca.crt").display().to_string()),
            ("hba_file".into(), path("pg_hba.conf").display().to_string()),
        ],
        ..Default::default()
    }) else {
        return;
    };
    acc.sql("CREATE ROLE certuser LOGIN SUPERUSER");
    let provider = |clientcert: &str| {
        format!(
            "provider \"postgresql\" {{\n  host = \"127.0.0.1\"\n  port = {}\n  database = \"postgres\"\n  username = \"certuser\"\n  sslmode = \"require\"\n{clientcert}}}\n",
            acc.cluster.port()
        )
    };
    let role = "resource \"postgresql_role\" \"a\" { name = \"made_by_cert\" }\n";
    let files = format!(
        "  clientcert {{\n    cert = \"{}\"\n    key = \"{}\"\n  }}\n",
        path("client.crt").display(),
        path("client.key").display()
    );
    let inline = format!(
        "  clientcert {{\n    cert = {}\n    key = {}\n    sslinline = true\n  }}\n",
        crate::support::hcl(&client.pem()),
        crate::support::hcl(&client_key.serialize_pem())
    );
    TestCase::new("")
        // Without a certificate the server refuses the role.
        .step(
            Step::fails(
                format!("{}{role}", provider("")),
                "Cannot Connect To PostgreSQL",
            )
            .before(|ws| {
                ws.env("PGPASSWORD", "");
            }),
        )
        .step(Step::apply(format!("{}{role}", provider(&files))))
        .step(
            Step::apply(format!("{}{role}", provider(&inline))).check(|_, out| {
                // The inline key never reaches the output.
                let text = out.combined();
                assert!(!text.contains("PRIVATE KEY"), "{text}");
            }),
        )
        .run();
}
