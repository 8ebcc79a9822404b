//! Role membership (`GRANT role TO member`): catalog reads, pure DDL builders
//! and the transactions behind `postgresql_grant_role`.
//!
//! Two catalog models exist:
//!
//! * PostgreSQL 16 and later keep one `pg_auth_members` row per
//!   (granted role, member, grantor), each with its own ADMIN, INHERIT and SET
//!   options. A grant is identified by its grantor, which the server chooses:
//!   the bootstrap superuser for any superuser, otherwise the closest role the
//!   session inherits from that holds ADMIN OPTION. We compute that grantor
//!   ourselves ([`authority`]) and name it in every statement (`GRANTED BY`),
//!   so the row we write is exactly the row we later read and revoke.
//! * PostgreSQL 15 and older keep one row per (granted role, member) with only
//!   an ADMIN option; the grantor is informational and REVOKE ignores it.
//!
//! Every change runs in one transaction that first takes transaction-scoped
//! advisory locks on both roles ([`Lock::Role`], in OID order, so two grants
//! can never wait on each other in a cycle). Grants sharing a role are
//! serialized; others run in parallel. Errors PostgreSQL raises when
//! concurrent catalog updates still collide (serialization failures,
//! deadlocks, "tuple concurrently updated") are retried a few times with the
//! whole transaction.

use tokio_postgres::GenericClient;
use tokio_util::sync::CancellationToken;

use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::locks::{self, Lock};
use crate::pg::conn::pool::Pools;
use crate::pg::conn::tx::{self, TxError, TxTarget};
use crate::pg::error::PgError;
use crate::pg::roles::attributes::RoleFlags;
use crate::pg::sql::quote::ident;

/// First `server_version_num` with per-grant options and grantor identity.
pub const PG16: i32 = 160_000;

/// How deep the grantor search follows inherited memberships. PostgreSQL has
/// no limit, but real role graphs are shallow; this only bounds the query.
const MAX_INHERIT_DEPTH: i32 = 32;

/// Failures of a membership operation, in terms the resource can explain.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// A statement or connection failed.
    #[error(transparent)]
    Pg(#[from] PgError),
    /// One of the two roles does not exist.
    #[error("role {name:?} does not exist")]
    RoleMissing {
        /// The missing role.
        name: String,
        /// Whether it is the member (else the granted role).
        is_member: bool,
    },
    /// The grant would make a role a member of itself.
    #[error("role {granted:?} is already a member of role {member:?}")]
    Cycle {
        /// The member of the new grant.
        member: String,
        /// The granted role of the new grant.
        granted: String,
    },
    /// A grant of this pair by the same grantor already exists.
    #[error("role {member:?} has already been granted membership in role {granted:?}")]
    AlreadyGranted {
        /// Member role.
        member: String,
        /// Granted role.
        granted: String,
        /// Who granted it, when known.
        grantor: Option<String>,
    },
    /// The provider's user may not grant this role.
    #[error("{user:?} may not grant role {granted:?}: {reason:?}")]
    NotAuthorized {
        /// The provider's user.
        user: String,
        /// The role it tried to grant.
        granted: String,
        /// What is missing.
        reason: MissingAuthority,
    },
    /// INHERIT or SET options were requested from a server without them.
    #[error("per-grant INHERIT and SET options need PostgreSQL 16 or later")]
    OptionsUnsupported {
        /// The server's `server_version_num`.
        version_num: i32,
    },
    /// No grant of the pair (by the expected grantor, on 16+) exists.
    #[error("no grant of role {granted:?} to {member:?} by {grantor:?}")]
    NotGranted {
        /// Member role.
        member: String,
        /// Granted role.
        granted: String,
        /// The grantor looked for (16+).
        grantor: Option<String>,
        /// Grantors of other grants of the same pair.
        others: Vec<String>,
    },
}

impl GrantError {
    /// The underlying PostgreSQL error, when there is one.
    pub fn pg(&self) -> Option<&PgError> {
        match self {
            GrantError::Pg(e) => Some(e),
            _ => None,
        }
    }
}

/// Why the provider's user cannot grant a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingAuthority {
    /// The granted role is a superuser and the user is not.
    SuperuserRole,
    /// No ADMIN OPTION on the role (and, before 16, no CREATEROLE either).
    NoAdmin,
    /// ADMIN OPTION is held only through a membership that does not inherit
    /// (PostgreSQL 16+ then finds no grantor: "no possible grantors").
    AdminNotInherited,
}

/// Who a grant by the provider's user would be recorded as, or why it
/// cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authority {
    /// The grant would be recorded with this grantor.
    Grantor(String),
    /// The user cannot grant the role.
    Missing(MissingAuthority),
}

/// Catalog facts about one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleFacts {
    /// `pg_roles.oid`.
    pub oid: u32,
    /// Its attributes; on 16+ INHERIT is the default of a new grant's
    /// INHERIT option.
    pub flags: RoleFlags,
}

/// What a grant of `granted` to `member` by the provider's user would meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairFacts {
    /// The member, if it exists.
    pub member: Option<RoleFacts>,
    /// The granted role, if it exists.
    pub granted: Option<RoleFacts>,
    /// Whether the granted role already is (transitively) a member of the
    /// member, so the grant would close a loop.
    pub cycle: bool,
    /// The grantor the grant would get, or what is missing; `None` when the
    /// granted role does not exist.
    pub authority: Option<Authority>,
    /// The provider's user.
    pub current_user: String,
}

/// The options a configuration asks for; `None` leaves the server's default
/// (INHERIT: the member's INHERIT attribute; SET: true).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wanted {
    /// ADMIN OPTION.
    pub admin: bool,
    /// INHERIT option (16+).
    pub inherit: Option<bool>,
    /// SET option (16+).
    pub set: Option<bool>,
}

/// One `pg_auth_members` row, as the resource reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// Row OID (16+ only).
    pub oid: Option<u32>,
    /// Recorded grantor; `None` when it names a dropped role (possible before 16).
    pub grantor: Option<String>,
    /// ADMIN OPTION.
    pub admin: bool,
    /// INHERIT option (16+ only).
    pub inherit: Option<bool>,
    /// SET option (16+ only).
    pub set: Option<bool>,
}

// ---------------------------------------------------------------- builders --

/// `GRANT g TO m WITH ADMIN a, INHERIT i, SET s GRANTED BY x` (16+). Every
/// option is stated, because a re-grant by the same grantor changes only the
/// options it names. `admin: None` leaves ADMIN out (used after ADMIN was
/// revoked separately).
pub fn grant_v16(
    granted: &str,
    member: &str,
    admin: Option<bool>,
    inherit: bool,
    set: bool,
    grantor: &str,
) -> Statement {
    let tf = |b: bool| if b { "TRUE" } else { "FALSE" };
    let mut opts = Vec::new();
    if let Some(a) = admin {
        opts.push(format!("ADMIN {}", tf(a)));
    }
    opts.push(format!("INHERIT {}", tf(inherit)));
    opts.push(format!("SET {}", tf(set)));
    Statement::plain(format!(
        "GRANT {} TO {} WITH {} GRANTED BY {}",
        ident(granted),
        ident(member),
        opts.join(", "),
        ident(grantor)
    ))
}

/// `GRANT g TO m [WITH ADMIN OPTION]` (before 16).
pub fn grant_legacy(granted: &str, member: &str, admin: bool) -> Statement {
    Statement::plain(format!(
        "GRANT {} TO {}{}",
        ident(granted),
        ident(member),
        if admin { " WITH ADMIN OPTION" } else { "" }
    ))
}

/// `REVOKE ADMIN OPTION FOR g FROM m [GRANTED BY x]`. Unlike `GRANT ... WITH
/// ADMIN FALSE`, which PostgreSQL 16/17 apply without looking at grants the
/// member made with that ADMIN OPTION, this refuses while such dependent
/// grants exist.
pub fn revoke_admin(granted: &str, member: &str, grantor: Option<&str>) -> Statement {
    Statement::plain(format!(
        "REVOKE ADMIN OPTION FOR {} FROM {}{}",
        ident(granted),
        ident(member),
        granted_by(grantor)
    ))
}

/// `REVOKE g FROM m [GRANTED BY x]`. On 16+ the grantor must be named: a
/// plain REVOKE only removes the grant of the current (or bootstrap) user
/// and merely warns when there is none.
pub fn revoke(granted: &str, member: &str, grantor: Option<&str>) -> Statement {
    Statement::plain(format!(
        "REVOKE {} FROM {}{}",
        ident(granted),
        ident(member),
        granted_by(grantor)
    ))
}

fn granted_by(grantor: Option<&str>) -> String {
    grantor
        .map(|g| format!(" GRANTED BY {}", ident(g)))
        .unwrap_or_default()
}

/// The statements turning the options of an existing grant from `old` into
/// `new` (options already resolved to what the server holds).
// The arguments are the parts of two GRANT statements; a struct would only
// rename them.
#[allow(clippy::too_many_arguments)]
pub fn update_statements(
    version_num: i32,
    granted: &str,
    member: &str,
    grantor: &str,
    old: &Wanted,
    new: &Wanted,
    new_inherit: bool,
    new_set: bool,
) -> Vec<Statement> {
    let mut out = Vec::new();
    if version_num >= PG16 {
        let dropping_admin = old.admin && !new.admin;
        if dropping_admin {
            out.push(revoke_admin(granted, member, Some(grantor)));
        }
        out.push(grant_v16(
            granted,
            member,
            (!dropping_admin).then_some(new.admin),
            new_inherit,
            new_set,
            grantor,
        ));
    } else if old.admin != new.admin {
        out.push(if new.admin {
            grant_legacy(granted, member, true)
        } else {
            revoke_admin(granted, member, None)
        });
    }
    out
}

// ------------------------------------------------------------ catalog reads --

async fn role_facts<C: GenericClient>(c: &C, name: &str) -> Result<Option<RoleFacts>, PgError> {
    let sql = format!(
        "SELECT r.oid, {flags} FROM pg_catalog.pg_roles r WHERE r.rolname = $1",
        flags = RoleFlags::columns("r")
    );
    let err = |e| PgError::query(format!("looking up role {name:?}"), e);
    let Some(row) = c.query_opt(&sql, &[&name]).await.map_err(err)? else {
        return Ok(None);
    };
    Ok(Some(RoleFacts {
        oid: row.try_get("oid").map_err(err)?,
        flags: RoleFlags::from_row(&row).map_err(err)?,
    }))
}

/// Whether `granted` already is a member of `member`, directly or through
/// other roles (any membership counts, as in PostgreSQL's own check).
async fn would_cycle<C: GenericClient>(c: &C, member: u32, granted: u32) -> Result<bool, PgError> {
    if member == granted {
        return Ok(true);
    }
    const SQL: &str = "\
        WITH RECURSIVE up(oid) AS ( \
            SELECT $1::oid \
            UNION \
            SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN up ON a.member = up.oid) \
        SELECT EXISTS (SELECT 1 FROM up WHERE oid = $2::oid)";
    let row = c
        .query_one(SQL, &[&granted, &member])
        .await
        .map_err(|e| PgError::query("checking for a membership cycle", e))?;
    Ok(row.get(0))
}

/// The grantor a grant of role `granted` by the current user is recorded
/// with, or why there is none. Mirrors PostgreSQL's `check_role_grantor`:
///
/// * 16+, superuser: the bootstrap superuser (OID 10), whoever the superuser is.
/// * 16+, otherwise: the first role with ADMIN OPTION on `granted` in a
///   breadth-first walk from the current user along memberships that inherit
///   (`select_best_admin`), preferring the user itself, then the fewest hops,
///   then lower OIDs along the path, as the server's walk does.
/// * Before 16: the current user, when it is a superuser, has CREATEROLE (for
///   non-superuser roles) or holds ADMIN OPTION.
pub async fn authority<C: GenericClient>(
    c: &C,
    version_num: i32,
    granted: &RoleFacts,
) -> Result<Authority, PgError> {
    const ME: &str = "\
        SELECT current_user::text, r.rolsuper, r.rolcreaterole, \
               (SELECT rolname::text FROM pg_catalog.pg_roles WHERE oid = 10), \
               pg_catalog.pg_has_role($1::oid, 'USAGE WITH ADMIN OPTION') \
        FROM pg_catalog.pg_roles r WHERE r.rolname = current_user";
    let me = c
        .query_one(ME, &[&granted.oid])
        .await
        .map_err(|e| PgError::query("checking the provider user's authority", e))?;
    let user: String = me.get(0);
    let superuser: bool = me.get(1);
    let createrole: bool = me.get(2);
    let bootstrap: String = me.get(3);
    let admin_anyhow: bool = me.get(4);
    if version_num < PG16 {
        return Ok(if superuser {
            Authority::Grantor(user)
        } else if granted.flags.superuser {
            Authority::Missing(MissingAuthority::SuperuserRole)
        } else if createrole || admin_anyhow {
            Authority::Grantor(user)
        } else {
            Authority::Missing(MissingAuthority::NoAdmin)
        });
    }
    if superuser {
        return Ok(Authority::Grantor(bootstrap));
    }
    if granted.flags.superuser {
        return Ok(Authority::Missing(MissingAuthority::SuperuserRole));
    }
    const BEST_ADMIN: &str = "\
        WITH RECURSIVE edges AS ( \
            SELECT DISTINCT member, roleid FROM pg_catalog.pg_auth_members WHERE inherit_option), \
        reach(oid, depth, path) AS ( \
            SELECT oid, 0, ARRAY[oid] FROM pg_catalog.pg_roles WHERE rolname = current_user \
            UNION ALL \
            SELECT e.roleid, r.depth + 1, r.path || e.roleid \
            FROM reach r JOIN edges e ON e.member = r.oid \
            WHERE e.roleid <> ALL (r.path) AND r.depth < $2) \
        SELECT p.rolname::text FROM reach JOIN pg_catalog.pg_roles p ON p.oid = reach.oid \
        WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members a \
                      WHERE a.member = reach.oid AND a.roleid = $1::oid AND a.admin_option) \
        ORDER BY reach.depth, reach.path LIMIT 1";
    let best = c
        .query_opt(BEST_ADMIN, &[&granted.oid, &MAX_INHERIT_DEPTH])
        .await
        .map_err(|e| PgError::query("finding the role that holds ADMIN OPTION", e))?;
    Ok(match best {
        Some(row) => Authority::Grantor(row.get(0)),
        None if admin_anyhow => Authority::Missing(MissingAuthority::AdminNotInherited),
        None => Authority::Missing(MissingAuthority::NoAdmin),
    })
}

/// Everything a plan needs to know before granting `granted` to `member`.
pub async fn inspect<C: GenericClient>(
    c: &C,
    version_num: i32,
    member: &str,
    granted: &str,
) -> Result<PairFacts, PgError> {
    let m = role_facts(c, member).await?;
    let g = role_facts(c, granted).await?;
    let cycle = match (&m, &g) {
        (Some(m), Some(g)) => would_cycle(c, m.oid, g.oid).await?,
        _ => false,
    };
    let authority = match &g {
        Some(g) => Some(authority(c, version_num, g).await?),
        None => None,
    };
    let row = c
        .query_one("SELECT current_user::text", &[])
        .await
        .map_err(|e| PgError::query("reading current_user", e))?;
    Ok(PairFacts {
        member: m,
        granted: g,
        cycle,
        authority,
        current_user: row.get(0),
    })
}

/// Reads the grant of `granted` to `member`: on 16+ the one recorded with
/// `grantor`, before 16 the only one.
pub async fn read_grant<C: GenericClient>(
    c: &C,
    version_num: i32,
    member: &str,
    granted: &str,
    grantor: &str,
) -> Result<Option<GrantRow>, PgError> {
    let action = || format!("reading the grant of role {granted:?} to {member:?}");
    if version_num >= PG16 {
        const SQL: &str = "\
            SELECT a.oid, gr.rolname::text, a.admin_option, a.inherit_option, a.set_option \
            FROM pg_catalog.pg_auth_members a \
            JOIN pg_catalog.pg_roles g ON g.oid = a.roleid \
            JOIN pg_catalog.pg_roles m ON m.oid = a.member \
            JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor \
            WHERE g.rolname = $1 AND m.rolname = $2 AND gr.rolname = $3";
        let row = c
            .query_opt(SQL, &[&granted, &member, &grantor])
            .await
            .map_err(|e| PgError::query(action(), e))?;
        Ok(row.map(|r| GrantRow {
            oid: Some(r.get(0)),
            grantor: r.get(1),
            admin: r.get(2),
            inherit: Some(r.get(3)),
            set: Some(r.get(4)),
        }))
    } else {
        const SQL: &str = "\
            SELECT gr.rolname::text, a.admin_option \
            FROM pg_catalog.pg_auth_members a \
            JOIN pg_catalog.pg_roles g ON g.oid = a.roleid \
            JOIN pg_catalog.pg_roles m ON m.oid = a.member \
            LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor \
            WHERE g.rolname = $1 AND m.rolname = $2";
        let row = c
            .query_opt(SQL, &[&granted, &member])
            .await
            .map_err(|e| PgError::query(action(), e))?;
        Ok(row.map(|r| GrantRow {
            oid: None,
            grantor: r.get(0),
            admin: r.get(1),
            inherit: None,
            set: None,
        }))
    }
}

/// Grantors of every grant of `granted` to `member` (for messages).
pub async fn grantors<C: GenericClient>(
    c: &C,
    member: &str,
    granted: &str,
) -> Result<Vec<String>, PgError> {
    const SQL: &str = "\
        SELECT coalesce(gr.rolname::text, a.grantor::text) \
        FROM pg_catalog.pg_auth_members a \
        JOIN pg_catalog.pg_roles g ON g.oid = a.roleid \
        JOIN pg_catalog.pg_roles m ON m.oid = a.member \
        LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor \
        WHERE g.rolname = $1 AND m.rolname = $2 ORDER BY 1";
    let rows = c
        .query(SQL, &[&granted, &member])
        .await
        .map_err(|e| PgError::query("listing the grantors of a membership", e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The grantor a grant by the provider's user would be recorded with; the
/// error says why it cannot grant at all. Used to find the grant to import
/// or read when the state does not name one.
pub async fn expected_grantor<C: GenericClient>(
    c: &C,
    version_num: i32,
    granted: &str,
) -> Result<String, GrantError> {
    let g = role_facts(c, granted)
        .await?
        .ok_or_else(|| GrantError::RoleMissing {
            name: granted.to_string(),
            is_member: false,
        })?;
    match authority(c, version_num, &g).await? {
        Authority::Grantor(x) => Ok(x),
        Authority::Missing(reason) => Err(GrantError::NotAuthorized {
            user: current_user(c).await?,
            granted: granted.to_string(),
            reason,
        }),
    }
}

async fn current_user<C: GenericClient>(c: &C) -> Result<String, PgError> {
    let row = c
        .query_one("SELECT current_user::text", &[])
        .await
        .map_err(|e| PgError::query("reading current_user", e))?;
    Ok(row.get(0))
}

// ------------------------------------------------------------- transactions --

impl TxError for GrantError {
    fn as_pg(&self) -> Option<&PgError> {
        match self {
            GrantError::Pg(p) => Some(p),
            _ => None,
        }
    }
}

/// Where membership changes run: the provider's own database, since roles
/// are cluster-wide.
fn target(what: &str) -> TxTarget<'_> {
    TxTarget {
        database: None,
        lock_timeout: None,
        what,
    }
}

/// Looks up both roles, failing with [`GrantError::RoleMissing`], then locks them.
async fn locked_pair<C: GenericClient>(
    c: &C,
    member: &str,
    granted: &str,
) -> Result<(RoleFacts, RoleFacts), GrantError> {
    let m = role_facts(c, member)
        .await?
        .ok_or_else(|| GrantError::RoleMissing {
            name: member.to_string(),
            is_member: true,
        })?;
    let g = role_facts(c, granted)
        .await?
        .ok_or_else(|| GrantError::RoleMissing {
            name: granted.to_string(),
            is_member: false,
        })?;
    // Lower OID first (locks::take orders them).
    locks::take(c, vec![Lock::Role(m.oid), Lock::Role(g.oid)]).await?;
    // Re-read under the lock: a role could have changed (e.g. INHERIT) meanwhile.
    let m = role_facts(c, member).await?.unwrap_or(m);
    Ok((m, g))
}

/// Grants `granted` to `member` with every option stated, and returns the
/// row PostgreSQL recorded. Fails if this grantor's grant already exists (it
/// belongs to someone else until imported).
pub async fn create(
    pools: &Pools,
    cancel: &CancellationToken,
    version_num: i32,
    member: &str,
    granted: &str,
    wanted: Wanted,
) -> Result<GrantRow, GrantError> {
    let ctx = (member, granted);
    tx::run(
        pools,
        target("granting a role"),
        cancel,
        &ctx,
        move |tx, &(member, granted)| {
            Box::pin(async move {
                let (m, g) = locked_pair(&*tx, member, granted).await?;
                if would_cycle(&*tx, m.oid, g.oid).await? {
                    return Err(GrantError::Cycle {
                        member: member.to_string(),
                        granted: granted.to_string(),
                    });
                }
                let grantor = match authority(&*tx, version_num, &g).await? {
                    Authority::Grantor(x) => x,
                    Authority::Missing(reason) => {
                        return Err(GrantError::NotAuthorized {
                            user: current_user(&*tx).await?,
                            granted: granted.to_string(),
                            reason,
                        })
                    }
                };
                if let Some(existing) =
                    read_grant(&*tx, version_num, member, granted, &grantor).await?
                {
                    return Err(GrantError::AlreadyGranted {
                        member: member.to_string(),
                        granted: granted.to_string(),
                        grantor: existing.grantor,
                    });
                }
                let statement = if version_num >= PG16 {
                    grant_v16(
                        granted,
                        member,
                        Some(wanted.admin),
                        wanted.inherit.unwrap_or(m.flags.inherit),
                        wanted.set.unwrap_or(true),
                        &grantor,
                    )
                } else {
                    if wanted.inherit.is_some() || wanted.set.is_some() {
                        return Err(GrantError::OptionsUnsupported { version_num });
                    }
                    grant_legacy(granted, member, wanted.admin)
                };
                run_all(&*tx, &[statement]).await?;
                read_back(&*tx, version_num, member, granted, &grantor).await
            })
        },
    )
    .await
}

/// Changes the options of the grant recorded with `grantor` in place.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    pools: &Pools,
    cancel: &CancellationToken,
    version_num: i32,
    member: &str,
    granted: &str,
    grantor: &str,
    old: Wanted,
    new: Wanted,
) -> Result<GrantRow, GrantError> {
    let ctx = (member, granted, grantor);
    tx::run(
        pools,
        target("changing a role grant"),
        cancel,
        &ctx,
        move |tx, &(member, granted, grantor)| {
            Box::pin(async move {
                let (m, _) = locked_pair(&*tx, member, granted).await?;
                if version_num < PG16 && (new.inherit.is_some() || new.set.is_some()) {
                    return Err(GrantError::OptionsUnsupported { version_num });
                }
                let current = read_grant(&*tx, version_num, member, granted, grantor).await?;
                let inherit = new
                    .inherit
                    .or(current.as_ref().and_then(|r| r.inherit))
                    .unwrap_or(m.flags.inherit);
                let set = new
                    .set
                    .or(current.as_ref().and_then(|r| r.set))
                    .unwrap_or(true);
                // Compare with what the server holds now, not what the prior state
                // said: the statements must turn the actual row into the wanted one.
                let actual = Wanted {
                    admin: current.as_ref().is_some_and(|r| r.admin),
                    ..old
                };
                let statements = update_statements(
                    version_num,
                    granted,
                    member,
                    grantor,
                    &actual,
                    &new,
                    inherit,
                    set,
                );
                run_all(&*tx, &statements).await?;
                read_back(&*tx, version_num, member, granted, grantor).await
            })
        },
    )
    .await
}

/// Revokes the grant recorded with `grantor` (16+), or the membership
/// (before 16). Succeeds when either role or the grant is already gone.
pub async fn delete(
    pools: &Pools,
    cancel: &CancellationToken,
    version_num: i32,
    member: &str,
    granted: &str,
    grantor: &str,
) -> Result<(), GrantError> {
    let ctx = (member, granted, grantor);
    tx::run(
        pools,
        target("revoking a role grant"),
        cancel,
        &ctx,
        move |tx, &(member, granted, grantor)| {
            Box::pin(async move {
                match locked_pair(&*tx, member, granted).await {
                    Err(GrantError::RoleMissing { .. }) => return Ok(()),
                    other => other?,
                };
                if read_grant(&*tx, version_num, member, granted, grantor)
                    .await?
                    .is_none()
                {
                    return Ok(());
                }
                let by = (version_num >= PG16).then_some(grantor);
                run_all(&*tx, &[revoke(granted, member, by)]).await?;
                Ok(())
            })
        },
    )
    .await
}

async fn read_back<C: GenericClient>(
    c: &C,
    version_num: i32,
    member: &str,
    granted: &str,
    grantor: &str,
) -> Result<GrantRow, GrantError> {
    read_grant(c, version_num, member, granted, grantor)
        .await?
        .ok_or_else(|| GrantError::NotGranted {
            member: member.to_string(),
            granted: granted.to_string(),
            grantor: Some(grantor.to_string()),
            others: Vec::new(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_v16_states_every_option() {
        let s = grant_v16("g\"x", "m y", Some(true), false, true, "postgres");
        assert_eq!(
            s.sql,
            "GRANT \"g\"\"x\" TO \"m y\" WITH ADMIN TRUE, INHERIT FALSE, SET TRUE GRANTED BY \"postgres\""
        );
        let s = grant_v16("g", "m", None, true, false, "adm");
        assert_eq!(
            s.sql,
            "GRANT \"g\" TO \"m\" WITH INHERIT TRUE, SET FALSE GRANTED BY \"adm\""
        );
    }

    #[test]
    fn legacy_statements() {
        assert_eq!(grant_legacy("g", "m", false).sql, "GRANT \"g\" TO \"m\"");
        assert_eq!(
            grant_legacy("g", "m", true).sql,
            "GRANT \"g\" TO \"m\" WITH ADMIN OPTION"
        );
        assert_eq!(
            revoke_admin("g", "m", None).sql,
            "REVOKE ADMIN OPTION FOR \"g\" FROM \"m\""
        );
        assert_eq!(revoke("g", "m", None).sql, "REVOKE \"g\" FROM \"m\"");
        assert_eq!(
            revoke("g|1", "m.2", Some("a b")).sql,
            "REVOKE \"g|1\" FROM \"m.2\" GRANTED BY \"a b\""
        );
    }

    fn w(admin: bool) -> Wanted {
        Wanted {
            admin,
            ..Default::default()
        }
    }

    #[test]
    fn updates_v16() {
        let sql = |old, new, i, s| -> Vec<String> {
            update_statements(170_000, "g", "m", "x", &old, &new, i, s)
                .into_iter()
                .map(|s| s.sql)
                .collect()
        };
        assert_eq!(
            sql(w(true), w(false), true, true),
            vec![
                "REVOKE ADMIN OPTION FOR \"g\" FROM \"m\" GRANTED BY \"x\"",
                "GRANT \"g\" TO \"m\" WITH INHERIT TRUE, SET TRUE GRANTED BY \"x\"",
            ]
        );
        assert_eq!(
            sql(w(false), w(true), false, true),
            vec!["GRANT \"g\" TO \"m\" WITH ADMIN TRUE, INHERIT FALSE, SET TRUE GRANTED BY \"x\""]
        );
    }

    #[test]
    fn updates_legacy() {
        let sql = |old, new| -> Vec<String> {
            update_statements(150_000, "g", "m", "x", &old, &new, true, true)
                .into_iter()
                .map(|s| s.sql)
                .collect()
        };
        assert_eq!(
            sql(w(false), w(true)),
            vec!["GRANT \"g\" TO \"m\" WITH ADMIN OPTION"]
        );
        assert_eq!(
            sql(w(true), w(false)),
            vec!["REVOKE ADMIN OPTION FOR \"g\" FROM \"m\""]
        );
        assert!(sql(w(true), w(true)).is_empty());
    }

    #[test]
    fn transient_errors() {
        use tokio_postgres::error::SqlState;
        let internal = Some(&SqlState::INTERNAL_ERROR);
        assert!(crate::pg::error::is_transient_state(
            internal,
            Some("tuple concurrently updated")
        ));
        assert!(crate::pg::error::is_transient_state(
            internal,
            Some("tuple concurrently deleted")
        ));
        assert!(!crate::pg::error::is_transient_state(
            internal,
            Some("role \"pg_database_owner\" cannot have explicit members")
        ));
        assert!(crate::pg::error::is_transient_state(
            Some(&SqlState::T_R_SERIALIZATION_FAILURE),
            None
        ));
        assert!(crate::pg::error::is_transient_state(
            Some(&SqlState::T_R_DEADLOCK_DETECTED),
            None
        ));
        assert!(!crate::pg::error::is_transient_state(
            Some(&SqlState::INSUFFICIENT_PRIVILEGE),
            None
        ));
        assert!(!crate::pg::error::is_transient_state(None, None));
    }
}
