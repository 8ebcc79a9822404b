//! The `provider "postgresql"` block: schema, environment fallbacks, connecting.
//!
//! Every attribute falls back to the libpq environment variable a PostgreSQL
//! user already has set, then to libpq's default, and the password finally
//! to `~/.pgpass` (or `PGPASSFILE`), so `psql` and Terraform agree.

use std::time::Duration;

use crate::pg::pgpass;
use crate::pg::pool::Pools;
use crate::pg::settings::{ClientCert, ConnectSettings, SslMode};
use crate::protocol::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};

use crate::protocol::validate::check_validators;

use super::errors::{pg_diag, ErrorContext};
use super::state::{Client, ProviderState};

/// Schema of the provider block.
pub fn schema() -> Schema {
    let s = |name: &str, d: &str| Attribute::optional(name, Type::String, d);
    let n = |name: &str, d: &str| Attribute::optional(name, Type::Number, d);
    Schema {
        version: 0,
        block: Block {
            description: "Manages PostgreSQL access control: roles, role memberships, privileges and \
                row-level security policies. Connection settings fall back to the libpq environment \
                variables (`PGHOST`, `PGPORT`, ...) and to `~/.pgpass`."
                .into(),
            attributes: vec![
                s("host", "Server host name or IP address, or an absolute directory path for a unix socket. Falls back to `PGHOST`, then `localhost`."),
                n("port", "Server port. Falls back to `PGPORT`, then `5432`.").int_range(1, 65535),
                s("database", "Database to connect to. Falls back to `PGDATABASE`, then `postgres`."),
                s("username", "Role to connect as. Falls back to `PGUSER`, then `postgres`."),
                s("password", "Password of `username`. Falls back to `PGPASSWORD`, then to `~/.pgpass` or the file named by `PGPASSFILE`.").sensitive(),
                s("sslmode", "TLS mode: `disable`, `prefer`, `require`, `verify-ca` or `verify-full`. Falls back to `PGSSLMODE`, then `prefer`."),
                s("sslrootcert", "PEM file of the certificate authorities trusted for `verify-ca` and `verify-full`. Falls back to `PGSSLROOTCERT`."),
                n("connect_timeout", "Seconds to wait for a connection, 0 for no limit. Falls back to `PGCONNECT_TIMEOUT`, then `180`.").int_range(0, i64::from(i32::MAX)),
                n("max_connections", "Most connections the provider opens per database; connections are pooled and reused across operations. Default `20`.").int_range(1, 10_000),
                Attribute::optional("superuser", Type::Bool, "Whether the provider's user may read `pg_authid`. When `false`, password drift is not checked. Default: detected from the server."),
                s("application_name", "`application_name` reported to the server. Falls back to `PGAPPNAME`, then `terraform-provider-postgresql`."),
                n("lock_timeout", "Milliseconds DDL that locks a table (policies, row-level security) waits for its lock before failing. Default: the server's setting.").int_range(0, i64::from(i32::MAX)),
            ],
            blocks: vec![NestedBlock {
                name: "clientcert".into(),
                nesting: Nesting::List,
                max_items: 1,
                block: Block {
                    description: "TLS client certificate to present to the server.".into(),
                    attributes: vec![
                        Attribute::required("cert", Type::String, "Path of the PEM client certificate."),
                        Attribute::required("key", Type::String, "Path of the PEM private key."),
                    ],
                    blocks: vec![],
                },
            }],
        },
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn str_or_env(config: &Value, attr: &str, var: &str, default: &str) -> String {
    config
        .get(attr)
        .as_str()
        .map(str::to_string)
        .or_else(|| env(var))
        .unwrap_or_else(|| default.to_string())
}

/// Checks values that can be checked without a server.
pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(mode) = config.get("sslmode").as_str() {
        if mode.parse::<SslMode>().is_err() {
            d.push(
                Diagnostic::error(
                    "Invalid sslmode",
                    format!("sslmode {mode:?} is not one of disable, prefer, require, verify-ca, verify-full."),
                )
                .at("sslmode"),
            );
        }
    }
    d
}

/// Builds connection settings from a wholly known configuration.
pub fn settings(config: &Value) -> Result<ConnectSettings, Diagnostics> {
    // Terraform validates before it configures, but the ranges below are
    // what make the conversions safe, so they are checked here as well.
    let mut d = validate(config);
    check_validators(&schema().block, config, &mut d);
    d.into_result()?;
    let host = str_or_env(config, "host", "PGHOST", "localhost");
    let port = match config.get("port").as_i64() {
        Some(p) => p as u16,
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
    let database = str_or_env(config, "database", "PGDATABASE", "postgres");
    let username = str_or_env(config, "username", "PGUSER", "postgres");
    let password = config
        .get("password")
        .as_str()
        .map(str::to_string)
        .or_else(|| env("PGPASSWORD"))
        .or_else(|| pgpass::lookup(&host, port, &database, &username));
    let sslmode_text = str_or_env(config, "sslmode", "PGSSLMODE", "prefer");
    let sslmode = sslmode_text.parse::<SslMode>().map_err(|_| {
        Diagnostics::from(
            Diagnostic::error(
                "Invalid sslmode",
                format!("sslmode {sslmode_text:?} (from PGSSLMODE) is not one of disable, prefer, require, verify-ca, verify-full."),
            )
            .at("sslmode"),
        )
    })?;
    let connect_timeout = config
        .get("connect_timeout")
        .as_i64()
        .or_else(|| env("PGCONNECT_TIMEOUT").and_then(|v| v.parse().ok()))
        .unwrap_or(180);
    let clientcert = config
        .get("clientcert")
        .as_elements()
        .and_then(|e| e.first())
        .map(|b| ClientCert {
            cert: b.get("cert").as_str().unwrap_or_default().to_string(),
            key: b.get("key").as_str().unwrap_or_default().to_string(),
        });
    Ok(ConnectSettings {
        host,
        port,
        database,
        username,
        password,
        sslmode,
        sslrootcert: config
            .get("sslrootcert")
            .as_str()
            .map(str::to_string)
            .or_else(|| env("PGSSLROOTCERT")),
        clientcert,
        connect_timeout: Some(Duration::from_secs(connect_timeout.max(0) as u64)),
        max_connections: config.get("max_connections").as_i64().unwrap_or(20) as usize,
        application_name: str_or_env(
            config,
            "application_name",
            "PGAPPNAME",
            "terraform-provider-postgresql",
        ),
        lock_timeout: config
            .get("lock_timeout")
            .as_i64()
            .filter(|ms| *ms > 0)
            .map(|ms| Duration::from_millis(ms as u64)),
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
    let settings = match settings(config) {
        Ok(s) => s,
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
    let read_passwords = info.can_read_authid && config.get("superuser").as_bool() != Some(false);
    state
        .set_ready(Client {
            pools,
            info,
            lock_timeout,
            read_passwords,
            stop: state.stop_token(),
        })
        .await;
    Diagnostics::new()
}
