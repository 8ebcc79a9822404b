//! Provider configuration: unreachable servers, unknown configuration at plan
//! time, TLS verification.

use pgwarden::pg::pool::Pools;
use pgwarden::pg::settings::{ConnectSettings, SslMode};

use crate::acc;
use crate::support::Workspace;

#[test]
fn unreachable_server_is_one_clear_error() {
    let Some(_acc) = acc() else { return };
    let ws = Workspace::new();
    // Port 1 on loopback: nothing listens there.
    ws.write_config(
        r#"
provider "postgresql" {
  host            = "127.0.0.1"
  port            = 1
  password        = "x"
  sslmode         = "disable"
  connect_timeout = 5
}
resource "postgresql_role" "a" { name = "a" }
resource "postgresql_role" "b" { name = "b" }
"#,
    );
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(out.status, 0);
    let text = out.combined();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert_eq!(
        text.matches("Cannot Connect To PostgreSQL").count(),
        1,
        "exactly one connection error expected:\n{text}"
    );
}

#[test]
fn unknown_provider_config_does_not_fail_plan() {
    let Some(acc) = acc() else { return };
    let ws = Workspace::new();
    ws.write_config(&format!(
        r#"
resource "terraform_data" "host" {{ input = "{host}" }}
provider "postgresql" {{
  host     = terraform_data.host.output
  port     = {port}
  username = "postgres"
  password = "{password}"
  sslmode  = "disable"
}}
resource "postgresql_role" "a" {{ name = "{name}" }}
"#,
        host = acc.cluster.host(),
        port = acc.cluster.port(),
        password = acc.cluster.password(),
        name = crate::support::unique_name("deferred"),
    ));
    let (code, out) = ws.plan_exit_code();
    assert_eq!(
        code,
        2,
        "plan should succeed with changes:\n{}",
        out.combined()
    );
    ws.apply();
    ws.assert_no_changes();
    ws.destroy();
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
/// host in its CN only. A wrong CA or a wrong host name still fails.
#[test]
fn verify_full_accepts_the_self_signed_certificate_psql_accepts() {
    let Some(acc) = acc() else { return };
    let cert = acc.cluster.server_cert_path();
    // Through Terraform, as a user would configure it.
    let ws = Workspace::new();
    let name = crate::support::unique_name("tls_role");
    ws.write_config(&format!(
        r#"
provider "postgresql" {{
  host        = "localhost"
  port        = {port}
  username    = "postgres"
  password    = "{password}"
  sslmode     = "verify-full"
  sslrootcert = "{cert}"
}}
resource "postgresql_role" "a" {{ name = "{name}" }}
"#,
        port = acc.cluster.port(),
        password = acc.cluster.password(),
        cert = cert.display(),
    ));
    ws.apply();
    ws.assert_no_changes();
    ws.destroy();

    // The cases around it, straight through the provider's pools.
    tls_connects(
        &acc,
        tls_settings(&acc, "localhost", SslMode::VerifyFull, &cert),
    )
    .expect("verify-full, host named by the CN");
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
fn ssl_mode_is_the_deprecated_spelling_of_sslmode() {
    let Some(acc) = acc() else { return };
    let name = crate::support::unique_name("ssl_mode_role");
    let role = format!("resource \"postgresql_role\" \"a\" {{ name = \"{name}\" }}\n");
    let without_sslmode = |ssl_mode: &str| {
        acc.cluster.provider_block().replace(
            "  sslmode  = \"disable\"\n",
            &format!("  ssl_mode = \"{ssl_mode}\"\n"),
        )
    };
    let ws = Workspace::new();
    ws.env("PGSSLMODE", "");
    ws.write_config(&format!("{}{role}", without_sslmode("disable")));
    let out = ws.apply();
    assert!(
        out.combined().contains("Deprecated Attribute") && out.combined().contains("ssl_mode"),
        "{}",
        out.combined()
    );
    // verify-full needs sslrootcert: failing proves ssl_mode was used.
    ws.write_config(&format!("{}{role}", without_sslmode("verify-full")));
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    assert!(!out.success());
    assert!(out.combined().contains("sslrootcert"), "{}", out.combined());
    // sslmode wins over ssl_mode.
    ws.write_config(&format!(
        "{}{role}",
        provider_with(&acc, "  ssl_mode = \"verify-full\"\n")
    ));
    ws.assert_no_changes();
    ws.destroy();
}

/// `expected_version` takes the reference provider's version spellings and
/// warns when the server is older; `scheme` takes only `postgres`, and
/// the cloud schemes are refused naming the attribute.
#[test]
fn expected_version_and_scheme_are_checked() {
    let Some(acc) = acc() else { return };
    let ws = Workspace::new();
    let data = "data \"postgresql_roles\" \"all\" {}\n";
    for (extra, text) in [
        (
            "  expected_version = \"current\"\n",
            "Invalid expected_version",
        ),
        ("  scheme = \"awspostgres\"\n", "Unsupported scheme"),
        ("  scheme = \"mysql\"\n", "Invalid scheme"),
    ] {
        ws.write_config(&format!("{}{data}", provider_with(&acc, extra)));
        let out = ws.run(&["plan", "-no-color", "-input=false"]);
        assert!(!out.success(), "{extra}");
        let combined = out.combined();
        assert!(combined.contains(text), "{extra}: {combined}");
        let attr = extra.trim().split(' ').next().unwrap_or_default();
        assert!(combined.contains("provider \"postgresql\""), "{combined}");
        assert!(combined.contains(attr), "{combined}");
    }
    ws.write_config(&format!(
        "{}{data}",
        provider_with(
            &acc,
            "  scheme = \"postgres\"\n  expected_version = \"v99.1\"\n"
        )
    ));
    let out = ws.run_ok(&["plan", "-no-color", "-input=false"]);
    assert!(
        out.combined()
            .contains("Server Older Than expected_version"),
        "{}",
        out.combined()
    );
    ws.write_config(&format!(
        "{}{data}",
        provider_with(&acc, "  expected_version = \"13\"\n")
    ));
    let out = ws.run_ok(&["plan", "-no-color", "-input=false"]);
    assert!(
        !out.combined().contains("expected_version"),
        "{}",
        out.combined()
    );
}

/// `database_username` names the provider's role inside the database: new
/// databases belong to it, and a dropped role's objects go to it.
#[test]
fn database_username_owns_new_databases_and_dropped_roles_objects() {
    let Some(acc) = acc() else { return };
    let me = crate::support::unique_name("mapped_user");
    let gone = crate::support::unique_name("gone_role");
    let db = crate::support::unique_name("mapped_db");
    let table = crate::support::unique_name("left_behind");
    acc.sql(&format!("CREATE ROLE {me}"));
    let ws = Workspace::new();
    ws.write_config(&format!(
        "{}resource \"postgresql_database\" \"d\" {{ name = \"{db}\" }}\n\
         resource \"postgresql_role\" \"r\" {{ name = \"{gone}\" }}\n",
        provider_with(&acc, &format!("  database_username = \"{me}\"\n"))
    ));
    ws.apply();
    ws.assert_no_changes();
    assert_eq!(
        ws.state_resource("postgresql_database.d")["owner"],
        me.as_str()
    );
    acc.sql(&format!(
        "CREATE TABLE public.{table} (id int); ALTER TABLE public.{table} OWNER TO {gone}"
    ));
    ws.destroy();
    let admin = acc.admin();
    let owner = acc.block(crate::support::query_one_str(
        &admin,
        &format!("SELECT tableowner::text FROM pg_tables WHERE tablename = '{table}'"),
        &[],
    ));
    assert_eq!(owner, me);
    acc.sql(&format!("DROP TABLE public.{table}; DROP ROLE {me}"));
}

/// Client certificates, as files and inline (`sslinline`), on a server
/// that authenticates one role by certificate only.
#[test]
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
    let ws = Workspace::new();
    ws.env("PGPASSWORD", "");
    // Without a certificate the server refuses the role.
    ws.write_config(&format!("{}{role}", provider("")));
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.combined());
    assert!(
        out.combined().contains("Cannot Connect To PostgreSQL"),
        "{}",
        out.combined()
    );
    for clientcert in [&files, &inline] {
        ws.write_config(&format!("{}{role}", provider(clientcert)));
        ws.apply();
        ws.assert_no_changes();
        ws.destroy();
    }
    // The inline key never reaches the log or an error message.
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    assert!(
        !out.combined().contains("PRIVATE KEY"),
        "{}",
        out.combined()
    );
}
