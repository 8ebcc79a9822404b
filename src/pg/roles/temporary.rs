//! Temporary login roles: created with a random name, a SCRAM verifier of a
//! random password and `VALID UNTIL` a moment the caller computes, marked
//! with a comment so that a later run can tell them from roles anyone else
//! made, and found again once they have expired.
//!
//! The password itself is never part of any statement: only the verifier
//! is sent, and the log shows `[redacted]` in its place.

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::scram;
use crate::pg::sql::quote::{ident, literal};

/// The comment every temporary role carries; cleanup touches no role
/// without it.
pub const MARKER: &str =
    "temporary role of terraform-provider-postgresql (postgresql_temporary_role)";

/// How many random characters follow the prefix of a name.
const NAME_RANDOM: usize = 16;

/// How long a password is (letters and digits: about 190 bits).
const PASSWORD_LEN: usize = 32;

/// A new temporary role, with the password it logs in with.
#[derive(Clone, PartialEq, Eq)]
pub struct NewRole {
    /// `prefix` and random lower-case letters and digits.
    pub name: String,
    /// The random password; only its verifier is ever sent.
    pub password: String,
}

impl std::fmt::Debug for NewRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRole")
            .field("name", &self.name)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl NewRole {
    /// A role named `prefix` plus random characters, with a random password.
    pub fn generate(prefix: &str) -> NewRole {
        let mut rng = rand::rng();
        let suffix: String = (0..NAME_RANDOM)
            .map(|_| {
                const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
                char::from(CHARS[rng.random_range(0..CHARS.len())])
            })
            .collect();
        NewRole {
            name: format!("{prefix}{suffix}"),
            password: Alphanumeric.sample_string(&mut rng, PASSWORD_LEN),
        }
    }

    /// CREATE ROLE with LOGIN, the verifier and the expiry, the marker
    /// comment, and a GRANT for each role in `member_of`.
    pub fn create(&self, valid_until: &str, member_of: &[String]) -> Vec<Statement> {
        let name = ident(&self.name);
        let verifier = scram::new_verifier(&self.password);
        let mut out = vec![
            Statement::with_secret(
                &format!(
                    "CREATE ROLE {name} WITH LOGIN VALID UNTIL {} PASSWORD ",
                    literal(valid_until)
                ),
                &literal(&verifier),
                "",
            ),
            Statement::plain(format!("COMMENT ON ROLE {name} IS {}", literal(MARKER))),
        ];
        out.extend(
            member_of
                .iter()
                .map(|g| Statement::plain(format!("GRANT {} TO {name}", ident(g)))),
        );
        out
    }
}

/// `ALTER ROLE … VALID UNTIL`: a later expiry (renew).
pub fn extend(name: &str, valid_until: &str) -> Statement {
    Statement::plain(format!(
        "ALTER ROLE {} VALID UNTIL {}",
        ident(name),
        literal(valid_until)
    ))
}

/// `ALTER ROLE … NOLOGIN`: no new session, before the open ones end.
pub fn lock_out(name: &str) -> Statement {
    Statement::plain(format!("ALTER ROLE {} NOLOGIN", ident(name)))
}

/// `DROP ROLE`.
pub fn drop(name: &str) -> Statement {
    Statement::plain(format!("DROP ROLE {}", ident(name)))
}

/// The moment `seconds` from now, as PostgreSQL reads it for VALID UNTIL
/// (RFC 3339, UTC). The provider computes it, so the expiry does not
/// depend on the server's time zone setting.
pub fn from_now(seconds: u64) -> String {
    let at =
        OffsetDateTime::now_utc() + time::Duration::seconds(seconds.min(i64::MAX as u64) as i64);
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "infinity".to_string())
}

/// The temporary roles whose name starts with `prefix`, that carry the
/// [`MARKER`] and whose `VALID UNTIL` has passed.
pub async fn expired<C: GenericClient>(client: &C, prefix: &str) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "SELECT r.rolname::text FROM pg_catalog.pg_roles r \
             JOIN pg_catalog.pg_shdescription d \
               ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::pg_catalog.regclass \
             WHERE pg_catalog.starts_with(r.rolname::text, $1) AND d.description = $2 \
               AND r.rolvaliduntil < pg_catalog.now() \
             ORDER BY 1",
            &[&prefix, &MARKER],
        )
        .await
        .map_err(|e| PgError::query("listing expired temporary roles", e))?;
    rows.iter()
        .map(|r| {
            r.try_get(0)
                .map_err(|e| PgError::query("listing expired temporary roles", e))
        })
        .collect()
}

/// Whether `name` is a temporary role this provider made (the marker).
pub async fn is_temporary<C: GenericClient>(client: &C, name: &str) -> Result<bool, PgError> {
    let row = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_roles r \
             JOIN pg_catalog.pg_shdescription d \
               ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::pg_catalog.regclass \
             WHERE r.rolname = $1 AND d.description = $2",
            &[&name, &MARKER],
        )
        .await
        .map_err(|e| PgError::query(format!("looking up role {name:?}"), e))?;
    Ok(row.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_random_and_passwords_never_sent() {
        let a = NewRole::generate("tmp_");
        let b = NewRole::generate("tmp_");
        assert_ne!(a.name, b.name);
        assert!(a.name.starts_with("tmp_") && a.name.len() == 4 + NAME_RANDOM);
        assert_eq!(a.password.len(), PASSWORD_LEN);
        let statements = a.create("2030-01-01T00:00:00Z", &["reader".into()]);
        for s in &statements {
            assert!(!s.sql.contains(&a.password), "{}", s.sql);
            assert!(!s.log.contains("SCRAM-SHA-256"), "{}", s.log);
        }
        assert!(statements[0].sql.contains("PASSWORD 'SCRAM-SHA-256$"));
        assert!(statements[0]
            .log
            .contains("VALID UNTIL '2030-01-01T00:00:00Z'"));
        assert_eq!(
            statements[2].sql,
            format!("GRANT \"reader\" TO \"{}\"", a.name)
        );
        assert!(!format!("{a:?}").contains(&a.password));
    }

    #[test]
    fn expiry_is_utc_rfc3339() {
        let at = from_now(3600);
        // 2026-12-07T05:00:00Z
        assert_eq!(at.len(), 20, "{at}");
        assert!(at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
    }
}
