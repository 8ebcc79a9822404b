//! The `provider "postgresql"` block: schema, environment fallbacks, connecting.
//!
//! Every attribute falls back to the libpq environment variable a PostgreSQL
//! user already has set, then to libpq's default, and the password finally
//! to `~/.pgpass` (or `PGPASSFILE`), so `psql` and Terraform agree.

use std::time::Duration;

use crate::model;
use crate::pg::catalog::cache::CatalogCache;
use crate::pg::conn::pgpass;
use crate::pg::conn::pool::Pools;
use crate::pg::conn::settings::{ClientCert, ConnectSettings, SslMode};
use crate::protocol::model::{list_block, optional, required};
use crate::protocol::{Diagnostic, Diagnostics, Model, Problem, Schema, Value};

use crate::protocol::validate::check_validators;
use crate::protocol::view::view_of;

use crate::resources::provider::iam::{self, IamChecked, IamConfig};
use crate::resources::provider::reach::{self, SshTunnelModel};
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

const MAX_INT4: i64 = i32::MAX as i64;

/// `plan_access_report_max_lines` when unset.
pub const DEFAULT_REPORT_LINES: usize = 40;

model! {
    /// The `provider "postgresql"` block.
    pub struct ProviderModel {
        host: Option<String> = optional(
            "Server host name or IP address, or an absolute directory path for a unix socket. \
             Falls back to `PGHOST`, then `localhost`.",
        ),
        port: Option<i64> =
            optional("Server port. Falls back to `PGPORT`, then `5432`.").int_range(1, 65535),
        database: Option<String> = optional(
            "Database to connect to. Falls back to `PGDATABASE`, then `postgres`.",
        ),
        username: Option<String> =
            optional("Role to connect as. Falls back to `PGUSER`, then `postgres`."),
        password: Option<String> = optional(
            "Password of `username`. Falls back to `PGPASSWORD`, then to `~/.pgpass` or the file \
             named by `PGPASSFILE`.",
        )
        .sensitive(),
        sslmode: Option<String> = optional(
            "TLS mode: `disable`, `prefer`, `require`, `verify-ca` or `verify-full`. Falls back \
             to `PGSSLMODE`, then to `ssl_mode`, then `prefer`.",
        )
        .each(sslmode_name),
        ssl_mode: Option<String> = optional(
            "The reference provider's old spelling of `sslmode`, used when neither `sslmode` \
             nor `PGSSLMODE` is set.",
        )
        .deprecated("Rename it to `sslmode`.")
        .each(sslmode_name),
        sslrootcert: Option<String> = optional(
            "PEM file of the certificate authorities trusted for `verify-ca` and `verify-full`, \
             or (with `clientcert { sslinline = true }`, or whenever it starts like PEM text) \
             the PEM text itself. Falls back to `PGSSLROOTCERT`.",
        ),
        connect_timeout: Option<i64> = optional(
            "Seconds to wait for a connection, 0 for no limit. Falls back to \
             `PGCONNECT_TIMEOUT`, then `180`.",
        )
        .int_range(0, MAX_INT4),
        max_connections: Option<i64> = optional(
            "Most connections the provider opens per database; connections are pooled and \
             reused across operations. Default `20`.",
        )
        .int_range(1, 10_000),
        superuser: Option<bool> = optional(
            "Whether the provider's user may read `pg_authid`. When `false`, password drift is \
             not checked. Default: detected from the server.",
        ),
        application_name: Option<String> = optional(
            "`application_name` reported to the server. Falls back to `PGAPPNAME`, then \
             `terraform-provider-postgresql`.",
        ),
        expected_version: String = optional(
            "The PostgreSQL version the server is expected to run, as `16`, `16.4` or `v16`. \
             Accepted for compatibility with the reference provider, which uses it instead of \
             asking the server; this provider always uses the version the server reports, and \
             warns when that is older than this one.",
        )
        .default("9.0.0")
        .each(version_text),
        database_username: Option<String> = optional(
            "The provider's role as the database knows it, when a user name map makes it \
             differ from `username` (as on Azure, where `user@server` logs in as `user`). New \
             databases belong to it unless `owner` says otherwise, and the objects of a dropped \
             role go to it. Defaults to the role the server says the provider is logged in as.",
        )
        .each(validators::role_name),
        scheme: String = optional(
            "How to connect: `postgres` (a plain PostgreSQL connection), or `awspostgres` (TLS \
             checked against the Amazon RDS certificate authorities, which the provider ships: \
             `sslmode` defaults to `verify-full`, and `sslrootcert` overrides the bundle). The \
             reference provider's `gcppostgres` (the Cloud SQL connector) is refused with the \
             equivalent direct configuration.",
        )
        .default("postgres")
        .each(iam::scheme_name),
        aws_rds_iam_auth: Option<bool> = optional(
            "Log in with an Amazon RDS IAM auth token instead of `password`: a token is signed \
             for each new connection with credentials from the AWS SDK's chain (environment, \
             shared config and credentials files, web identity, ECS and EC2 metadata). Needs \
             TLS; `sslmode` defaults to `require`.",
        ),
        aws_rds_iam_profile: Option<String> = optional(
            "The AWS shared config profile for `aws_rds_iam_auth`. Default: `AWS_PROFILE`, \
             then `default`.",
        ),
        aws_rds_iam_region: Option<String> = optional(
            "The server's AWS region, for `aws_rds_iam_auth`. Default: the chain's \
             (`AWS_REGION`, the profile's `region`).",
        ),
        aws_rds_iam_provider_role_arn: Option<String> = optional(
            "A role to assume through STS before signing the `aws_rds_iam_auth` token.",
        ),
        azure_identity_auth: Option<bool> = optional(
            "Log in with a Microsoft Entra ID token instead of `password`, for Azure Database \
             for PostgreSQL. Credentials are tried in order: environment (client secret), \
             workload identity, managed identity, Azure CLI. Needs TLS; `sslmode` defaults to \
             `require`.",
        ),
        azure_tenant_id: Option<String> = optional(
            "The Entra ID tenant for `azure_identity_auth` (client secret and Azure CLI). \
             Default: `AZURE_TENANT_ID`, then the CLI's tenant.",
        ),
        gcp_iam_auth: Option<bool> = optional(
            "Log in to Cloud SQL with a Google OAuth2 access token from Application Default \
             Credentials instead of `password` (IAM database authentication). Implied by \
             `gcp_iam_impersonate_service_account`. Needs TLS; `sslmode` defaults to \
             `require`.",
        ),
        gcp_iam_impersonate_service_account: Option<String> = optional(
            "A service account whose token logs in, obtained with the Application Default \
             Credentials through the IAM credentials API (the caller needs \
             `roles/iam.serviceAccountTokenCreator` on it). Turns on the Google Cloud IAM \
             login.",
        ),
        lock_timeout: Option<i64> = optional(
            "Milliseconds DDL that locks a table (policies, row-level security) waits for its \
             lock before failing. Default: the server's setting.",
        )
        .int_range(0, MAX_INT4),
        plan_access_report: Option<bool> = optional(
            "Whether plans show an effective-access report (a warning) for each change to a \
             membership, grant, default privilege, role attribute or policy: what the affected \
             roles gain or lose, computed from the catalog. Reading the catalog costs a few \
             queries per database and run; set `false` for very large plans to skip them. \
             Default `true`. The lints (warnings with codes such as `PGW105`) stay on either way.",
        ),
        proxy: Option<String> = optional(
            "SOCKS5 proxy for every connection: `socks5://host:port` (names resolved here) or \
             `socks5h://host:port` (names resolved by the proxy), with `user:password@` before \
             the host when the proxy wants a login. With `ssh_tunnel`, the proxy carries the \
             connection to the bastion. Falls back to `ALL_PROXY` (or `all_proxy`), which \
             skips the hosts `NO_PROXY` names; set `\"\"` to connect directly whatever the \
             environment says.",
        )
        .sensitive()
        .each(reach::proxy_url),
        plan_access_report_max_lines: Option<i64> = optional(
            "Most lines one effective-access report shows; the rest is cut, saying how much. \
             Default `40`.",
        )
        .int_range(5, 10_000),
    }
    blocks {
        clientcert: Vec<ClientCertModel> =
            list_block("TLS client certificate to present to the server.").max_items(1),
        ssh_tunnel: Vec<SshTunnelModel> = list_block(
            "An SSH bastion every connection goes through: one SSH session carries them all, \
             each as a forwarded channel to `host`:`port`. TLS (`sslmode`, `sslrootcert`) works \
             as without it, and `verify-full` checks the server's own `host` name.",
        )
        .max_items(1),
    }
    view ProviderView;
}

model! {
    /// The `clientcert` block.
    pub struct ClientCertModel {
        cert: String = required(
            "The client certificate: the path of a PEM file, or with `sslinline` the PEM text.",
        ),
        key: String = required(
            "Its private key: the path of a PEM file, or with `sslinline` the PEM text.",
        )
        .sensitive(),
        sslinline: bool = optional(
            "Whether `cert` and `key` hold PEM text rather than file paths (for example from \
             `file()` or a secret store); `sslrootcert` may then be PEM text too.",
        )
        .default(false),
    }
    view ClientCertView;
}

/// Schema of the provider block.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: ProviderModel::block(
            "Manages PostgreSQL access control: roles, role memberships, privileges and row-level \
             security policies. Connection settings fall back to the libpq environment variables \
             (`PGHOST`, `PGPORT`, ...) and to `~/.pgpass`.",
        ),
    }
}

fn sslmode_name(attr: &str, mode: &str) -> Option<Problem> {
    mode.parse::<SslMode>().is_err().then(|| {
        Problem::new(
            "Invalid sslmode",
            format!(
                "{attr} {mode:?} is not one of disable, prefer, require, verify-ca, verify-full."
            ),
        )
    })
}

/// `16`, `16.4`, `9.6.3`, with an optional leading `v` and a pre-release
/// or build suffix, as the reference provider's tolerant semver parser takes
/// them; `(major, minor, patch)`.
fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let t = text.trim().trim_start_matches(['v', 'V']);
    let t = t.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<u32> = t
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<_>>>()?;
    match parts.as_slice() {
        [major] => Some((*major, 0, 0)),
        [major, minor] => Some((*major, *minor, 0)),
        [major, minor, patch] => Some((*major, *minor, *patch)),
        _ => None,
    }
}

/// A version as `server_version_num` writes it: `160004` for 16.4, `90603`
/// for 9.6.3.
fn version_num(v: (u32, u32, u32)) -> i64 {
    let (major, minor, patch) = (i64::from(v.0), i64::from(v.1), i64::from(v.2));
    if major >= 10 {
        major * 10_000 + minor
    } else {
        major * 10_000 + minor * 100 + patch
    }
}

fn version_text(attr: &str, v: &str) -> Option<Problem> {
    parse_version(v).is_none().then(|| {
        Problem::new(
            format!("Invalid {attr}"),
            format!("{attr} {v:?} is not a version. Write it as 16, 16.4 or 9.6.3."),
        )
    })
}

/// Warnings about the provider block that the attribute validators cannot
/// give: deprecated attributes in use.
pub fn validate(config: &Value) -> Diagnostics {
    let config: ProviderView = match view_of(config, "provider configuration") {
        Ok(v) => v,
        Err(d) => return d,
    };
    let mut d = Diagnostics::new();
    if !config.ssl_mode.is_null() {
        d.push(
            Diagnostic::warning(
                "Deprecated Attribute",
                "ssl_mode is the reference provider's old spelling of sslmode. Rename it to \
                 sslmode.",
            )
            .at("ssl_mode"),
        );
    }
    reach::validate(&config.ssh_tunnel, &mut d);
    iam::validate(
        &IamChecked {
            aws_rds_iam_auth: Some(&config.aws_rds_iam_auth),
            azure_identity_auth: Some(&config.azure_identity_auth),
            azure_tenant_id: Some(&config.azure_tenant_id),
            gcp_iam_auth: Some(&config.gcp_iam_auth),
            gcp_iam_impersonate_service_account: Some(&config.gcp_iam_impersonate_service_account),
            sslmode: Some(&config.sslmode),
            scheme: Some(&config.scheme),
        },
        &mut d,
    );
    d
}

/// The warning for a server older than `expected_version`.
fn version_warning(expected: &str, server_version_num: i32) -> Option<Diagnostic> {
    let parsed = parse_version(expected)?;
    // The reference provider's default, meaning "ask the server".
    if parsed == (9, 0, 0) || i64::from(server_version_num) >= version_num(parsed) {
        return None;
    }
    Some(
        Diagnostic::warning(
            "Server Older Than expected_version",
            format!(
                "expected_version is {expected:?}, but the server reports version {} \
                 (server_version_num {server_version_num}). The provider uses what the \
                 server's own version supports.",
                server_version_num / 10_000
            ),
        )
        .at("expected_version"),
    )
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The configured value, else the environment variable, else the default.
fn or_env(value: &Option<String>, var: &str, default: &str) -> String {
    value
        .clone()
        .or_else(|| env(var))
        .unwrap_or_else(|| default.to_string())
}

/// The model of a wholly known configuration, once the checks that make
/// [`settings`]' conversions safe have passed. Terraform validates before it
/// configures, but those ranges are checked again here all the same.
pub fn model(config: &Value) -> Result<ProviderModel, Diagnostics> {
    let mut d = Diagnostics::new();
    check_validators(&schema().block, config, &mut d);
    d.into_result()?;
    ProviderModel::from_value(config).map_err(|e| e.into_diagnostics("provider configuration"))
}

/// Builds connection settings from a configuration's [`model`].
pub fn settings(m: &ProviderModel) -> Result<ConnectSettings, Diagnostics> {
    let host = or_env(&m.host, "PGHOST", "localhost");
    let port = match m.port.and_then(|p| u16::try_from(p).ok()) {
        Some(p) => p,
        None => match env("PGPORT") {
            Some(p) => p.parse().map_err(|_| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid PGPORT",
                    format!(
                        "The environment variable PGPORT is {p:?}, which is not a port number."
                    ),
                ))
            })?,
            None => 5432,
        },
    };
    let database = or_env(&m.database, "PGDATABASE", "postgres");
    let username = or_env(&m.username, "PGUSER", "postgres");
    let password = m
        .password
        .clone()
        .or_else(|| env("PGPASSWORD"))
        .or_else(|| pgpass::lookup(&host, port, &database, &username));
    // sslmode, then PGSSLMODE, then the deprecated ssl_mode (the reference
    // provider's order), then libpq's default.
    let sslmode_text = m
        .sslmode
        .clone()
        .or_else(|| env("PGSSLMODE"))
        .or_else(|| m.ssl_mode.clone())
        .unwrap_or_else(|| "prefer".to_string());
    let sslmode = sslmode_text.parse::<SslMode>().map_err(|_| {
        Diagnostics::from(
            Diagnostic::error(
                "Invalid sslmode",
                format!(
                    "sslmode {sslmode_text:?} (from PGSSLMODE) is not one of disable, prefer, \
                     require, verify-ca, verify-full."
                ),
            )
            .at("sslmode"),
        )
    })?;
    let iam_auth = iam::auth(&IamConfig {
        aws: m.aws_rds_iam_auth,
        aws_profile: &m.aws_rds_iam_profile,
        aws_region: &m.aws_rds_iam_region,
        aws_role_arn: &m.aws_rds_iam_provider_role_arn,
        azure: m.azure_identity_auth,
        azure_tenant: &m.azure_tenant_id,
        gcp: m.gcp_iam_auth,
        gcp_impersonate: &m.gcp_iam_impersonate_service_account,
    });
    let sslmode_set = m.sslmode.is_some() || env("PGSSLMODE").is_some() || m.ssl_mode.is_some();
    if iam_auth.is_some() && sslmode == SslMode::Disable {
        return Err(Diagnostics::from(
            Diagnostic::error(
                "IAM Login Needs TLS",
                "An IAM login sends a short-lived token as the password, and the server \
                 refuses it without TLS; sslmode (or PGSSLMODE) is \"disable\". Remove it.",
            )
            .at("sslmode"),
        ));
    }
    let (sslmode, sslrootcert) = iam::tls(
        &m.scheme,
        iam_auth.is_some(),
        sslmode,
        sslmode_set,
        m.sslrootcert.clone().or_else(|| env("PGSSLROOTCERT")),
    );
    let connect_timeout = m
        .connect_timeout
        .or_else(|| env("PGCONNECT_TIMEOUT").and_then(|v| v.parse().ok()))
        .unwrap_or(180);
    Ok(ConnectSettings {
        host,
        port,
        database,
        username,
        password,
        sslmode,
        sslrootcert,
        clientcert: m.clientcert.first().map(|c| ClientCert {
            cert: c.cert.clone(),
            key: c.key.clone(),
            inline: c.sslinline,
        }),
        connect_timeout: Some(Duration::from_secs(
            u64::try_from(connect_timeout).unwrap_or(0),
        )),
        max_connections: m
            .max_connections
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(20),
        application_name: or_env(
            &m.application_name,
            "PGAPPNAME",
            "terraform-provider-postgresql",
        ),
        lock_timeout: m
            .lock_timeout
            .and_then(|ms| u64::try_from(ms).ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis),
        reach: reach::reach(m.proxy.as_deref(), m.ssh_tunnel.first())?,
        iam: iam_auth,
    })
}

/// Configures the shared state: defers when values are unknown, otherwise
/// connects once so an unreachable server is one clear error.
pub async fn configure(state: &ProviderState, config: &Value) -> Diagnostics {
    if !config.is_wholly_known() {
        log::info!("provider configuration has unknown values; deferring the connection");
        state.set_deferred().await;
        return Diagnostics::new();
    }
    let (m, settings) = match model(config).and_then(|m| settings(&m).map(|s| (m, s))) {
        Ok(both) => both,
        Err(d) => return d,
    };
    log::debug!("connecting with {settings:?}");
    let ctx = ErrorContext {
        connected_as: settings.username.clone(),
        object: "server".into(),
        ..Default::default()
    };
    let lock_timeout = settings.lock_timeout;
    let pools = match Pools::new(settings) {
        Ok(p) => p,
        Err(e) => return pg_diag(&e, &ctx),
    };
    let info = match pools.check().await {
        Ok(i) => i,
        Err(e) => return pg_diag(&e, &ctx),
    };
    log::info!(
        "connected to PostgreSQL {} as {:?} (superuser: {})",
        info.version_num,
        info.current_user,
        info.is_superuser
    );
    let mut d = Diagnostics::new();
    if let Some(w) = version_warning(&m.expected_version, info.version_num) {
        d.push(w);
    }
    let database_username = m.database_username;
    let read_passwords = info.can_read_authid && m.superuser != Some(false);
    let access_report = (m.plan_access_report != Some(false)).then(|| {
        m.plan_access_report_max_lines
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(DEFAULT_REPORT_LINES)
    });
    state
        .set_ready(Client {
            pools,
            info,
            lock_timeout,
            read_passwords,
            access_report,
            stop: state.stop_token(),
            catalogs: CatalogCache::default(),
            database_username,
        })
        .await;
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn versions_parse_as_the_reference_provider_takes_them() {
        assert_eq!(parse_version("16"), Some((16, 0, 0)));
        assert_eq!(parse_version("v16.4"), Some((16, 4, 0)));
        assert_eq!(parse_version("9.6.3"), Some((9, 6, 3)));
        assert_eq!(parse_version("17.0-rc1"), Some((17, 0, 0)));
        for bad in ["current", "", "16.x", "1.2.3.4"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
        assert_eq!(version_num((16, 4, 0)), 160_004);
        assert_eq!(version_num((9, 6, 3)), 90_603);
        assert!(version_warning("9.0.0", 90_000).is_none());
        assert!(version_warning("9.0", 130_000).is_none());
        assert!(version_warning("16", 160_002).is_none());
        assert!(version_warning("17", 160_002).is_some());
    }

    #[test]
    fn ssl_mode_is_used_only_without_sslmode() {
        let both = config(&[
            ("sslmode", Value::string("disable")),
            ("ssl_mode", Value::string("require")),
        ]);
        assert_eq!(
            settings(&model(&both).unwrap()).unwrap().sslmode,
            SslMode::Disable
        );
        if std::env::var_os("PGSSLMODE").is_none() {
            let old = config(&[("ssl_mode", Value::string("require"))]);
            assert_eq!(
                settings(&model(&old).unwrap()).unwrap().sslmode,
                SslMode::Require
            );
        }
        let warned = validate(&config(&[("ssl_mode", Value::string("require"))]));
        assert_eq!(warned.0[0].summary, "Deprecated Attribute");
        assert!(validate(&both).0.len() == 1);
        assert!(validate(&config(&[])).0.is_empty());
    }

    #[test]
    fn inline_client_certificates_are_marked() {
        let c = config(&[(
            "clientcert",
            Value::List(vec![Value::object([
                ("cert", Value::string("-----BEGIN CERTIFICATE-----")),
                ("key", Value::string("-----BEGIN PRIVATE KEY-----")),
                ("sslinline", Value::bool(true)),
            ])]),
        )]);
        let cc = settings(&model(&c).unwrap()).unwrap().clientcert.unwrap();
        assert!(cc.inline);
        let files = config(&[(
            "clientcert",
            Value::List(vec![Value::object([
                ("cert", Value::string("/c.crt")),
                ("key", Value::string("/c.key")),
            ])]),
        )]);
        assert!(
            !settings(&model(&files).unwrap())
                .unwrap()
                .clientcert
                .unwrap()
                .inline
        );
    }
}
