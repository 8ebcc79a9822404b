//! Errors from talking to PostgreSQL, worded for the person running
//! Terraform.
//!
//! tokio-postgres's own messages are terse ("db error", "error connecting to
//! server") and hide the useful part in the source chain or in the server's
//! error fields. Every error here carries that useful part in its `Display`,
//! so callers can show `to_string()` as is.

use std::fmt;

use tokio_postgres::error::{DbError, SqlState};

/// An error from connecting to or querying PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// A connection could not be established (network, TLS handshake,
    /// authentication, or the server refusing the database).
    #[error("could not connect to PostgreSQL at {endpoint}: {cause}")]
    Connect {
        /// Where we tried to connect, from `ConnectSettings::endpoint`.
        endpoint: String,
        /// The innermost meaningful cause; never contains the password.
        cause: String,
        /// The server's SQLSTATE when the server itself refused us (e.g.
        /// `28P01` bad password, `3D000` database does not exist).
        sqlstate: Option<SqlState>,
    },
    /// The server could not be reached through the SSH tunnel or the
    /// SOCKS5 proxy; the cause names which.
    #[error("could not connect to PostgreSQL at {endpoint} {cause}")]
    Reach {
        /// The server, from `ConnectSettings::endpoint`.
        endpoint: String,
        /// What failed on the way.
        cause: crate::pg::conn::reach::ReachError,
    },
    /// A TLS file (root certificate, client certificate or key) could not be
    /// used.
    #[error("TLS file {path}: {reason}")]
    Tls {
        /// The offending file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The connection settings are inconsistent (e.g. `verify-ca` without
    /// `sslrootcert`).
    #[error("invalid connection settings: {0}")]
    Settings(String),
    /// A statement failed. `Display` includes the server's message, DETAIL
    /// and HINT.
    #[error("{action}: {}", describe(.source))]
    Query {
        /// What we were doing, e.g. `creating role "app"`.
        action: String,
        /// The underlying error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The connection pool failed for a reason other than connecting.
    #[error("connection pool: {0}")]
    Pool(String),
    /// The caller asked to stop before the change was committed; the
    /// transaction was rolled back and nothing changed.
    #[error("cancelled before the change was committed; it was rolled back")]
    Cancelled,
    /// The provider's role lacks what a change needs; found before the
    /// change was sent, so nothing changed.
    #[error("role {me:?} cannot {action}: it lacks {lack}")]
    Lacks {
        /// The provider's role.
        me: String,
        /// What it was about to do, e.g. `drop role "app"`.
        action: String,
        /// What it lacks.
        lack: Lack,
    },
}

/// What the provider's role lacks to act with another role's privileges,
/// or to drop it; found by [`crate::pg::conn::acting`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lack {
    /// The CREATEROLE attribute.
    CreateRole,
    /// ADMIN OPTION on the role (PostgreSQL 16 and later).
    AdminOption(String),
    /// INHERIT: before PostgreSQL 16 a NOINHERIT role does not get the
    /// privileges of the roles it is a member of.
    Inherit,
    /// SUPERUSER: the role is a superuser, and only a superuser may grant
    /// membership in it or drop it.
    Superuser(String),
}

impl fmt::Display for Lack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lack::CreateRole => write!(f, "the CREATEROLE attribute"),
            Lack::AdminOption(role) => write!(f, "ADMIN OPTION on role {role:?}"),
            Lack::Inherit => write!(f, "the INHERIT attribute"),
            Lack::Superuser(role) => write!(f, "SUPERUSER (role {role:?} is a superuser)"),
        }
    }
}

impl PgError {
    /// Wraps a statement error with a description of what was being done.
    pub fn query(action: impl Into<String>, e: tokio_postgres::Error) -> Self {
        PgError::Query {
            action: action.into(),
            source: e,
        }
    }

    /// Turns an error from establishing a connection into
    /// [`PgError::Connect`], naming the endpoint and the innermost cause.
    pub fn connect(endpoint: impl Into<String>, e: &tokio_postgres::Error) -> Self {
        if let Some(cause) = crate::pg::conn::reach::reach_error(e) {
            return PgError::Reach {
                endpoint: endpoint.into(),
                cause: cause.clone(),
            };
        }
        PgError::Connect {
            endpoint: endpoint.into(),
            cause: connect_cause(e),
            sqlstate: e.code().cloned(),
        }
    }

    /// The server's SQLSTATE, when the server reported the error.
    pub fn sqlstate(&self) -> Option<&SqlState> {
        match self {
            PgError::Query { source, .. } => source.code(),
            PgError::Connect { sqlstate, .. } => sqlstate.as_ref(),
            _ => None,
        }
    }

    /// Whether the transaction lost a race with a concurrent session and can
    /// simply run again: serialization failures, deadlocks, and the internal
    /// "tuple concurrently updated/deleted" error PostgreSQL raises when two
    /// sessions rewrite the same catalog row (GRANT, REVOKE, DROP OWNED and
    /// ALTER TABLE do so without waiting for each other).
    pub fn is_transient(&self) -> bool {
        if self.sqlstate() == Some(&SqlState::UNIQUE_VIOLATION) {
            // Two sessions inserting the same catalog row (a first
            // pg_default_acl entry, say) collide on the catalog's unique
            // index; the loser sees the row once it runs again.
            return self.constraint().is_some_and(|c| c.starts_with("pg_"));
        }
        is_transient_state(self.sqlstate(), self.db_message().as_deref())
    }

    /// The constraint (or index) a server error names.
    fn constraint(&self) -> Option<&str> {
        match self {
            PgError::Query { source, .. } => source.as_db_error().and_then(DbError::constraint),
            _ => None,
        }
    }

    /// Whether the database does not exist (any more): connecting to it was
    /// refused with `3D000`.
    pub fn is_missing_database(&self) -> bool {
        self.is(&SqlState::INVALID_CATALOG_NAME)
    }

    /// Whether a lock could not be had within `lock_timeout`.
    pub fn is_lock_timeout(&self) -> bool {
        self.is(&SqlState::LOCK_NOT_AVAILABLE)
    }

    /// Whether the object to create exists already (`42710`).
    pub fn is_duplicate_object(&self) -> bool {
        self.is(&SqlState::DUPLICATE_OBJECT)
    }

    /// Whether a function with the same argument types exists already
    /// (`42723`).
    pub fn is_duplicate_function(&self) -> bool {
        self.is(&SqlState::DUPLICATE_FUNCTION)
    }

    /// Whether the role lacks a privilege the statement needs (`42501`).
    pub fn is_insufficient_privilege(&self) -> bool {
        self.is(&SqlState::INSUFFICIENT_PRIVILEGE)
    }

    /// Whether an object (a role, a type, a label provider, ...) the
    /// statement names does not exist (`42704`).
    pub fn is_undefined_object(&self) -> bool {
        self.is(&SqlState::UNDEFINED_OBJECT)
    }

    /// Whether a schema the statement names does not exist (`3F000`).
    pub fn is_invalid_schema_name(&self) -> bool {
        self.is(&SqlState::INVALID_SCHEMA_NAME)
    }

    /// Whether a table the statement names does not exist (`42P01`).
    pub fn is_undefined_table(&self) -> bool {
        self.is(&SqlState::UNDEFINED_TABLE)
    }

    /// Whether an object cannot be dropped or changed because other objects
    /// depend on it (`2BP01`), such as a role that still owns objects or
    /// holds privileges, or a grant other grants derive from.
    pub fn is_dependent_objects_still_exist(&self) -> bool {
        self.is(&SqlState::DEPENDENT_OBJECTS_STILL_EXIST)
    }

    /// Whether the server refused a grant as such (`0LP01`), e.g. one that
    /// would make a role a member of itself.
    pub fn is_invalid_grant_operation(&self) -> bool {
        self.is(&SqlState::INVALID_GRANT_OPERATION)
    }

    /// Whether an object is in use by other sessions (`55006`), such as a
    /// database someone is connected to.
    pub fn is_object_in_use(&self) -> bool {
        self.is(&SqlState::OBJECT_IN_USE)
    }

    /// Whether a parameter's value was refused (`22023`), such as a
    /// security label its provider does not accept.
    pub fn is_invalid_parameter_value(&self) -> bool {
        self.is(&SqlState::INVALID_PARAMETER_VALUE)
    }

    /// Whether a regular expression does not compile (`2201B`).
    pub fn is_invalid_regular_expression(&self) -> bool {
        self.is(&SqlState::INVALID_REGULAR_EXPRESSION)
    }

    /// Whether the server refused a value itself (class `22`, data
    /// exception): a timestamp it cannot read, a number out of range, ...
    pub fn is_data_exception(&self) -> bool {
        self.sqlstate().is_some_and(|s| s.code().starts_with("22"))
    }

    /// Whether a connection the server opened itself failed (class `08`),
    /// such as a subscription's connection to its publisher.
    pub fn is_connection_failure(&self) -> bool {
        self.sqlstate().is_some_and(|s| s.code().starts_with("08"))
    }

    fn is(&self, state: &SqlState) -> bool {
        self.sqlstate() == Some(state)
    }

    /// The server's message with its DETAIL and HINT lines, when the server
    /// reported a statement error.
    pub fn db_message(&self) -> Option<String> {
        match self {
            PgError::Query { source, .. } => source.as_db_error().map(format_db_error),
            _ => None,
        }
    }
}

/// [`PgError::is_transient`] on a SQLSTATE and the server's message. Other
/// internal errors (e.g. "role \"pg_database_owner\" cannot have explicit
/// members") are not transient.
pub fn is_transient_state(state: Option<&SqlState>, message: Option<&str>) -> bool {
    match state {
        Some(s) if *s == SqlState::T_R_SERIALIZATION_FAILURE => true,
        Some(s) if *s == SqlState::T_R_DEADLOCK_DETECTED => true,
        Some(s) if *s == SqlState::INTERNAL_ERROR => {
            message.is_some_and(|m| m.starts_with("tuple concurrently"))
        }
        _ => false,
    }
}

/// `message`, then `DETAIL: …` and `HINT: …` lines when present.
fn format_db_error(db: &DbError) -> String {
    let mut out = db.message().to_owned();
    if let Some(detail) = db.detail() {
        out.push_str("\nDETAIL: ");
        out.push_str(detail);
    }
    if let Some(hint) = db.hint() {
        out.push_str("\nHINT: ");
        out.push_str(hint);
    }
    out
}

/// The last error in the source chain, which is where tokio-postgres keeps
/// the specific reason (I/O error, TLS alert, …).
fn innermost_message(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = e.source()?;
    while let Some(next) = current.source() {
        current = next;
    }
    Some(current.to_string())
}

/// Lower-cases the first letter of messages like "Connection refused" so they
/// read naturally after a colon; leaves acronyms ("TLS …") alone.
fn lower_first(s: String) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            let mut out: String = first.to_lowercase().collect();
            out.push_str(&s[first.len_utf8()..]);
            out
        }
        _ => s,
    }
}

/// Describes a statement error: the server's fields for database errors,
/// otherwise tokio-postgres's summary plus the innermost cause.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format_db_error(db);
    }
    let top = e.to_string();
    match innermost_message(e) {
        Some(inner) if inner != top => format!("{top}: {inner}"),
        _ => top,
    }
}

/// Describes a connection error for [`PgError::Connect`].
fn connect_cause(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        // e.g. password authentication failed for user "x".
        return format_db_error(db);
    }
    let top = e.to_string();
    let Some(inner) = innermost_message(e).map(lower_first) else {
        return top;
    };
    // These summaries are tokio-postgres's fixed wording for its error kinds,
    // which it does not expose otherwise.
    match top.as_str() {
        // Already implied by "could not connect".
        "error connecting to server" | "error communicating with the server" => inner,
        "error performing TLS handshake" => {
            // rustls names this case tersely; say what it means here.
            let hint = if inner.contains("UnknownIssuer") {
                " (the server certificate is not signed by a CA in sslrootcert)"
            } else {
                ""
            };
            format!("TLS error: {inner}{hint}")
        }
        "invalid configuration" if inner == "password missing" => {
            "the server requires a password, but none was configured".to_owned()
        }
        "authentication error" => format!("authentication failed: {inner}"),
        _ if inner == top => top,
        _ => format!("{top}: {inner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server error with SQLSTATE `code`.
    fn with_state(code: &str) -> PgError {
        PgError::Connect {
            endpoint: "test".into(),
            cause: "test".into(),
            sqlstate: Some(SqlState::from_code(code)),
        }
    }

    #[test]
    fn each_predicate_names_its_state() {
        type Predicate = fn(&PgError) -> bool;
        let predicates: &[(&str, Predicate)] = &[
            ("3D000", PgError::is_missing_database),
            ("55P03", PgError::is_lock_timeout),
            ("42710", PgError::is_duplicate_object),
            ("42723", PgError::is_duplicate_function),
            ("42501", PgError::is_insufficient_privilege),
            ("42704", PgError::is_undefined_object),
            ("3F000", PgError::is_invalid_schema_name),
            ("42P01", PgError::is_undefined_table),
            ("2BP01", PgError::is_dependent_objects_still_exist),
            ("0LP01", PgError::is_invalid_grant_operation),
            ("55006", PgError::is_object_in_use),
            ("22023", PgError::is_invalid_parameter_value),
            ("2201B", PgError::is_invalid_regular_expression),
        ];
        for (code, predicate) in predicates {
            for (other, _) in predicates {
                assert_eq!(
                    predicate(&with_state(other)),
                    code == other,
                    "{code} {other}"
                );
            }
            assert!(!predicate(&PgError::Cancelled), "{code}");
        }
        assert!(with_state("22007").is_data_exception());
        assert!(with_state("22023").is_data_exception());
        assert!(!with_state("42601").is_data_exception());
        assert!(!PgError::Cancelled.is_data_exception());
        assert!(with_state("08006").is_connection_failure());
        assert!(with_state("08001").is_connection_failure());
        assert!(!with_state("42601").is_connection_failure());
    }

    #[test]
    fn lower_first_only_for_words() {
        assert_eq!(
            lower_first("Connection refused (os error 111)".into()),
            "connection refused (os error 111)"
        );
        assert_eq!(lower_first("TLS alert".into()), "TLS alert");
        assert_eq!(lower_first("already lower".into()), "already lower");
        assert_eq!(lower_first("É".into()), "É");
        assert_eq!(lower_first(String::new()), "");
    }

    #[test]
    fn settings_and_tls_messages() {
        let e = PgError::Tls {
            path: "/etc/ssl/root.crt".into(),
            reason: "no certificates found".into(),
        };
        assert_eq!(
            e.to_string(),
            "TLS file /etc/ssl/root.crt: no certificates found"
        );
        assert!(e.sqlstate().is_none());
        assert!(e.db_message().is_none());
        let e = PgError::Connect {
            endpoint: "127.0.0.1:5432".into(),
            cause: "connection refused (os error 111)".into(),
            sqlstate: None,
        };
        assert_eq!(
            e.to_string(),
            "could not connect to PostgreSQL at 127.0.0.1:5432: connection refused (os error 111)"
        );
    }
}
