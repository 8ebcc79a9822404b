//! Turning PostgreSQL errors into diagnostics a Terraform user can act on.
//!
//! The summary says what happened in a few words; the detail carries the
//! server's message with its DETAIL and HINT, then what to do about it.

use crate::pg::conn::reach::ReachError;
use crate::pg::conn::tx::TxError;
use crate::pg::error::{Lack, PgError};
use crate::protocol::{DResult, Diagnostic, Diagnostics};

/// How a change inside a transaction fails: the server refused something
/// (maybe worth running again), or the resource found a problem and stopped
/// before sending the change.
#[derive(Debug)]
pub enum ChangeError {
    /// The server refused something.
    Pg(PgError),
    /// A finished diagnostic; nothing was changed.
    Diag(Diagnostics),
}

impl From<PgError> for ChangeError {
    fn from(e: PgError) -> Self {
        ChangeError::Pg(e)
    }
}

impl TxError for ChangeError {
    fn as_pg(&self) -> Option<&PgError> {
        match self {
            ChangeError::Pg(p) => Some(p),
            ChangeError::Diag(_) => None,
        }
    }
}

/// What a resource knows about the operation that failed, so the diagnostic
/// can say what to do.
#[derive(Debug, Default, Clone)]
pub struct ErrorContext {
    /// The user the provider connects as.
    pub connected_as: String,
    /// What the provider's user needs for this operation (e.g. "the CREATEROLE attribute").
    pub privilege_needed: Option<String>,
    /// The `terraform import` command to suggest when the object already exists.
    pub import_command: Option<String>,
    /// Object kind and name for messages, e.g. `role "app"`.
    pub object: String,
}

impl ErrorContext {
    /// The context of an operation on `object` (e.g. `role "app"`) by the
    /// provider's user.
    pub fn new(connected_as: &str, object: impl Into<String>) -> ErrorContext {
        ErrorContext {
            connected_as: connected_as.to_string(),
            object: object.into(),
            ..ErrorContext::default()
        }
    }

    /// What the provider's user needs for the operation.
    pub fn needs(mut self, privilege: impl Into<String>) -> ErrorContext {
        self.privilege_needed = Some(privilege.into());
        self
    }

    /// The import command to suggest when the object already exists.
    pub fn importable(mut self, type_name: &str, id: &str) -> ErrorContext {
        self.import_command = Some(format!(
            "terraform import {type_name}.<resource name> '{}'",
            id.replace('\'', "'\\''")
        ));
        self
    }
}

/// `result.or_diag(&ctx)`: a server error becomes a diagnostic with advice.
pub trait OrDiag<T> {
    /// Maps the error through [`pg_diag`].
    fn or_diag(self, ctx: &ErrorContext) -> DResult<T>;
}

impl<T> OrDiag<T> for Result<T, PgError> {
    fn or_diag(self, ctx: &ErrorContext) -> DResult<T> {
        self.map_err(|e| pg_diag(&e, ctx))
    }
}

/// Converts an error into a diagnostic, using the SQLSTATE to choose advice.
pub fn pg_diag(err: &PgError, ctx: &ErrorContext) -> Diagnostics {
    let server = err.db_message().unwrap_or_else(|| err.to_string());
    let d = if err.is_duplicate_object() {
        let mut detail = format!(
            "{server}\n\nThe {} already exists in PostgreSQL but is not in the Terraform state.",
            ctx.object
        );
        if let Some(cmd) = &ctx.import_command {
            detail.push_str(&format!(
                " To manage the existing object, import it:\n\n  {cmd}"
            ));
        }
        Diagnostic::error("Object Already Exists", detail)
    } else if err.is_insufficient_privilege() {
        let need = ctx
            .privilege_needed
            .clone()
            .unwrap_or_else(|| "the privilege named in the message".to_string());
        Diagnostic::error(
            "Permission Denied",
            format!(
                "{server}\n\nThe provider connects as {:?}, which lacks {need}. Grant it to that role, \
                 or configure the provider with a role that has it.",
                ctx.connected_as
            ),
        )
    } else if err.is_dependent_objects_still_exist() {
        Diagnostic::error(
            "Objects Still Depend On It",
            format!(
                "{server}\n\nThe {} cannot be dropped while other objects depend on it. Objects in \
                 other databases are not reassigned by the provider: run REASSIGN OWNED and DROP \
                 OWNED in each database listed above, then apply again.",
                ctx.object
            ),
        )
    } else if err.is_lock_timeout() {
        Diagnostic::error(
            "Lock Timeout",
            format!(
                "{server}\n\nAnother session holds a lock needed to change the {}. Nothing was \
                 changed. Retry when that session has finished, or raise the provider's lock_timeout.",
                ctx.object
            ),
        )
    } else if err.is_undefined_object() {
        Diagnostic::error(
            "Object Does Not Exist",
            format!("{server}\n\nCreate it first, or check the name (names are case-sensitive and quoted as written)."),
        )
    } else if let PgError::Lacks { me, action, lack } = err {
        Diagnostic::error(
            "Permission Denied",
            format!(
                "The provider connects as {me:?}, which cannot {action} for the change to the \
                 {}: it lacks {lack}. Nothing was changed.\n\n{}",
                ctx.object,
                lack_advice(me, lack)
            ),
        )
    } else if let PgError::Cancelled = err {
        Diagnostic::error(
            "Operation Cancelled",
            format!(
                "Terraform asked the provider to stop before the change to the {} was \
                 committed. Its transaction was rolled back, so nothing was changed; apply again \
                 to make the change.",
                ctx.object
            ),
        )
    } else if let PgError::Reach {
        cause: ReachError::Iam(iam),
        ..
    } = err
    {
        let article = if iam.cloud.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "An"
        } else {
            "A"
        };
        Diagnostic::error(
            format!("Cannot Get {article} {} IAM Token", iam.cloud),
            format!(
                "{err}\n\nThe provider logs in with an IAM token from {}, fetched for each \
                 new connection; nothing was sent to PostgreSQL. Check the credentials the \
                 cloud's SDK finds on this machine (the cloud IAM guide lists the order it \
                 tries them in).",
                iam.cloud
            ),
        )
    } else if let PgError::Reach { cause, .. } = err {
        let (summary, advice) = if cause.is_ssh() {
            (
                "Cannot Connect Through The SSH Tunnel",
                "Check the provider's ssh_tunnel block: the bastion's host and port, the user and \
                 key, its known_hosts line, and that the bastion may forward to the server's \
                 host and port. Connections never go around the tunnel.",
            )
        } else {
            (
                "Cannot Connect Through The Proxy",
                "Check the provider's proxy (or ALL_PROXY): its host, port, user and password, \
                 and that it may connect to the server. Connections never go around the proxy \
                 unless NO_PROXY names the host.",
            )
        };
        Diagnostic::error(summary, format!("{err}\n\n{advice}"))
    } else if let PgError::Connect { .. } = err {
        Diagnostic::error(
            "Cannot Connect To PostgreSQL",
            format!("{err}\n\nCheck the provider's host, port, credentials and sslmode, and that the server is running."),
        )
    } else {
        Diagnostic::error("PostgreSQL Error", server)
    };
    d.into()
}

/// What to do about what the provider's role `me` lacks.
fn lack_advice(me: &str, lack: &Lack) -> String {
    match lack {
        Lack::CreateRole => format!(
            "Give it CREATEROLE (as a superuser: ALTER ROLE \"{me}\" CREATEROLE), or configure \
             the provider with a role that has it."
        ),
        Lack::AdminOption(role) => format!(
            "From PostgreSQL 16, a role that is not a superuser may grant itself membership in a \
             role, drop it or use its privileges only with ADMIN OPTION on it. A role created by \
             the provider's role has it; for another, a superuser or a role holding that option \
             can give it: GRANT \"{role}\" TO \"{me}\" WITH ADMIN OPTION, INHERIT FALSE, SET \
             FALSE."
        ),
        Lack::Inherit => format!(
            "Before PostgreSQL 16, a membership gives its privileges only to a role with \
             INHERIT: ALTER ROLE \"{me}\" INHERIT, or configure the provider with such a role."
        ),
        Lack::Superuser(role) => format!(
            "Only a superuser may act as, or drop, the superuser {role:?}. Configure the provider \
             with a superuser for this change, or manage {role:?} outside Terraform."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lack_names_what_is_missing_and_what_to_do() {
        let e = PgError::Lacks {
            me: "provider".into(),
            action: "use the privileges of role \"reader\"".into(),
            lack: Lack::AdminOption("reader".into()),
        };
        let d = pg_diag(&e, &ErrorContext::new("provider", "role \"reader\""));
        let detail = &d.0[0].detail;
        assert_eq!(d.0[0].summary, "Permission Denied");
        assert!(detail.starts_with(
            "The provider connects as \"provider\", which cannot use the privileges of role \
             \"reader\" for the change to the role \"reader\": it lacks ADMIN OPTION on role \
             \"reader\"."
        ));
        assert!(detail.contains("GRANT \"reader\" TO \"provider\" WITH ADMIN OPTION"));
        assert!(!detail.contains("CREATEROLE"));
    }
}
