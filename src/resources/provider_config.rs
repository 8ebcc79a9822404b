//! The `provider "postgresql"` block: schema, environment fallbacks, connecting.
//!
//! Every attribute falls back to the libpq environment variable a PostgreSQL
//! user already has set, then to libpq's default, and the password finally
//! to `~/.pgpass` (or `PGPASSFILE`), so `psql` and Terraform agree.

use std::time::Duration;

use crate::model;
use crate::pg::pgpass;
use crate::pg::pool::Pools;
use crate::pg::settings::{ClientCert, ConnectSettings, SslMode};
use crate::protocol::model::{list_block, optional, required};
use crate::protocol::{Diagnostic, Diagnostics, Model, Problem, Schema, Value};

use crate::protocol::validate::check_validators;

use super::errors::{pg_diag, ErrorContext};
use super::state::{Client, ProviderState};

const MAX_INT4: i64 = i32::MAX as i64;

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
             to `PGSSLMODE`, then `prefer`.",
        )
        .each(sslmode_name),
        sslrootcert: Option<String> = optional(
            "PEM file of the certificate authorities trusted for `verify-ca` and `verify-full`. \
             Falls back to `PGSSLROOTCERT`.",
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
        lock_timeout: Option<i64> = optional(
            "Milliseconds DDL that locks a table (policies, row-level security) waits for its \
             lock before failing. Default: the server's setting.",
        )
        .int_range(0, MAX_INT4),
    }
    blocks {
        clientcert: Vec<ClientCertModel> =
            list_block("TLS client certificate to present to the server.").max_items(1),
    }
}

model! {
    /// The `clientcert` block.
    pub struct ClientCertModel {
        cert: String = required("Path of the PEM client certificate."),
        key: String = required("Path of the PEM private key."),
    }
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

/// Builds connection settings from a wholly known configuration.
pub fn settings(config: &Value) -> Result<ConnectSettings, Diagnostics> {
    // Terraform validates before it configures, but the ranges checked there
    // are what make the conversions below safe, so they are checked again.
    let mut d = Diagnostics::new();
    check_validators(&schema().block, config, &mut d);
    d.into_result()?;
    let m = ProviderModel::from_value(config)
        .map_err(|e| e.into_diagnostics("provider configuration"))?;
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
    let sslmode_text = or_env(&m.sslmode, "PGSSLMODE", "prefer");
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
        sslrootcert: m.sslrootcert.clone().or_else(|| env("PGSSLROOTCERT")),
        clientcert: m.clientcert.first().map(|c| ClientCert {
            cert: c.cert.clone(),
            key: c.key.clone(),
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
            database_username: None,
        })
        .await;
    Diagnostics::new()
}
