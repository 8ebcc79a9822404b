//! What the actions check against the catalog, at plan and again at invoke,
//! and the diagnostics they say it with: a role or database that does not
//! exist is an error naming the attribute; a role the same run creates, or
//! a configuration not known yet, is checked when the action runs.

use tokio_postgres::GenericClient;

use crate::pg::error::PgError;
use crate::pg::roles::sessions;
use crate::protocol::{Diagnostic, Diagnostics};
use crate::resources::support::state::ProviderState;

/// The warning for a plan that cannot check yet; `what` says why.
pub fn checked_at_invoke(action: &str, what: &str) -> Diagnostics {
    Diagnostic::warning(
        "Checked When The Action Runs",
        format!(
            "{what}, so {action} is checked against the database when it runs, not now. Nothing \
             is done if the check fails then."
        ),
    )
    .into()
}

/// A role that does not exist: nothing was, or will be, done.
pub fn missing_role(attr: &str, role: &str) -> Diagnostic {
    Diagnostic::error(
        "Role Not Found",
        format!(
            "No role named {role:?} exists, so nothing was done. Role names are case-sensitive \
             and must match exactly: correct {attr}, or create the role first."
        ),
    )
    .at(attr)
}

/// A database that does not exist or takes no connections.
pub fn missing_database(attr: &str, database: &str) -> Diagnostic {
    Diagnostic::error(
        "Database Not Found",
        format!(
            "No database named {database:?} accepts connections (it does not exist, or has \
             ALLOW_CONNECTIONS false), so nothing was done. Correct {attr}, or leave it unset to \
             act in every database."
        ),
    )
    .at(attr)
}

/// Refuses to act on the provider's own role.
pub fn own_role(attr: &str, role: &str) -> Diagnostic {
    Diagnostic::error(
        "The Provider's Own Role",
        format!(
            "{attr} names {role:?}, the role the provider logs in as; the provider never ends \
             its own sessions or gives away what its own role owns. Name another role, or \
             configure the provider with another login."
        ),
    )
    .at(attr)
}

/// What a plan finds about a role it needs: `Ok(true)` when it exists,
/// `Ok(false)` when it does not exist yet but a `postgresql_role` of this
/// run creates it (checked at invoke), an error diagnostic otherwise.
pub async fn plan_role<C: GenericClient>(
    state: &ProviderState,
    conn: &C,
    attr: &str,
    role: &str,
) -> Result<Result<bool, Diagnostic>, PgError> {
    if sessions::role_exists(conn, role).await? {
        return Ok(Ok(true));
    }
    if state.planned.role(role).is_some() {
        return Ok(Ok(false));
    }
    Ok(Err(missing_role(attr, role)))
}

/// Whether `database` exists and takes connections.
pub async fn database_usable<C: GenericClient>(conn: &C, database: &str) -> Result<bool, PgError> {
    let row = conn
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1 AND datallowconn",
            &[&database],
        )
        .await
        .map_err(|e| PgError::query(format!("looking up database {database:?}"), e))?;
    Ok(row.is_some())
}
