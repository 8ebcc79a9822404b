//! Acting as an object's owner: the temporary memberships a provider role
//! that is not a superuser needs for the ownership checks of CREATE ...
//! OWNER, ALTER ... OWNER TO and DROP, as the reference provider takes them.
//!
//! PostgreSQL lets a role create an object for another owner, or change or
//! drop an object, only when it may act as the owner: SET ROLE to it (for a
//! new owner; PostgreSQL 16 and later ask for the SET option) and use its
//! privileges (for the current owner; INHERIT). A role with CREATEROLE (and,
//! on PostgreSQL 16 and later, ADMIN OPTION on the owner) may grant itself
//! that membership for the duration of the change. Superusers need none of
//! this, and roles that already may act as the owner get nothing granted,
//! so nothing they hold is revoked afterwards either.
//!
//! The same membership gives the privileges of a role that REASSIGN OWNED
//! and DROP OWNED ask for when a role is dropped. When the provider's role
//! cannot grant itself a membership it needs, [`Actor::wrap`] says what it
//! lacks ([`Lack`]) before anything is changed.

use deadpool_postgres::Object;
use tokio_postgres::GenericClient;

use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::locks::{self, Lock};
use crate::pg::conn::pool::Pools;
use crate::pg::error::{Lack, PgError};
use crate::pg::sql::quote::ident;

/// Whether the current user may act as `role`: use its privileges and, on
/// PostgreSQL 16 and later, SET ROLE to it (before 16 membership gives both).
pub async fn can_act_as<C: GenericClient>(
    client: &C,
    role: &str,
    version_num: i32,
) -> Result<bool, PgError> {
    let sql = if version_num >= 160_000 {
        "SELECT pg_catalog.pg_has_role(current_user, $1, 'USAGE') \
            AND pg_catalog.pg_has_role(current_user, $1, 'SET')"
    } else {
        "SELECT pg_catalog.pg_has_role(current_user, $1, 'USAGE')"
    };
    let row = client
        .query_one(sql, &[&role])
        .await
        .map_err(|e| PgError::query(format!("checking membership in role {role:?}"), e))?;
    Ok(row.get(0))
}

/// The roles among `roles` the current user may not act as yet (each once,
/// in order).
async fn roles_to_borrow<C: GenericClient>(
    client: &C,
    roles: &[&str],
    version_num: i32,
) -> Result<Vec<String>, PgError> {
    let mut out: Vec<String> = Vec::new();
    for role in roles {
        if out.iter().any(|r| r == role) {
            continue;
        }
        if !can_act_as(client, role, version_num).await? {
            out.push((*role).to_string());
        }
    }
    Ok(out)
}

/// Where the current user (not a superuser) stands towards one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The current user has CREATEROLE.
    pub create_role: bool,
    /// The current user has INHERIT.
    pub inherit: bool,
    /// It holds ADMIN OPTION on the role (directly or through another role).
    pub admin: bool,
    /// The role is a superuser.
    pub role_is_superuser: bool,
}

impl Standing {
    /// Reads where the current user stands towards `role`; `None` when
    /// there is no such role.
    pub async fn read<C: GenericClient>(
        client: &C,
        role: &str,
    ) -> Result<Option<Standing>, PgError> {
        let row = client
            .query_opt(
                "SELECT me.rolcreaterole, me.rolinherit, \
                        pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION'), \
                        r.rolsuper \
                 FROM pg_catalog.pg_roles me, pg_catalog.pg_roles r \
                 WHERE me.rolname = current_user AND r.rolname = $1",
                &[&role],
            )
            .await
            .map_err(|e| {
                PgError::query(
                    format!("checking the provider's rights on role {role:?}"),
                    e,
                )
            })?;
        let get = |e| PgError::query(format!("reading the provider's rights on role {role:?}"), e);
        row.map(|r| {
            Ok(Standing {
                create_role: r.try_get(0).map_err(get)?,
                inherit: r.try_get(1).map_err(get)?,
                admin: r.try_get(2).map_err(get)?,
                role_is_superuser: r.try_get(3).map_err(get)?,
            })
        })
        .transpose()
    }

    /// What is missing to grant itself membership in `role` and so use its
    /// privileges: ADMIN OPTION from PostgreSQL 16; before, CREATEROLE (or
    /// ADMIN OPTION) on a role that is not a superuser, and INHERIT.
    pub fn to_borrow(&self, role: &str, version_num: i32) -> Option<Lack> {
        if version_num >= 160_000 {
            return (!self.admin).then(|| Lack::AdminOption(role.to_string()));
        }
        if self.role_is_superuser {
            Some(Lack::Superuser(role.to_string()))
        } else if !(self.create_role || self.admin) {
            Some(Lack::CreateRole)
        } else if !self.inherit {
            Some(Lack::Inherit)
        } else {
            None
        }
    }

    /// What is missing to drop `role`: CREATEROLE, and from PostgreSQL 16
    /// ADMIN OPTION on it; a superuser role only a superuser may drop.
    pub fn to_drop(&self, role: &str, version_num: i32) -> Option<Lack> {
        if self.role_is_superuser {
            Some(Lack::Superuser(role.to_string()))
        } else if !self.create_role {
            Some(Lack::CreateRole)
        } else if version_num >= 160_000 && !self.admin {
            Some(Lack::AdminOption(role.to_string()))
        } else {
            None
        }
    }
}

/// The roles among `roles` the current user may not act as yet, after
/// checking that it can grant itself each of them: a role it cannot is
/// refused with what is missing, before anything is granted.
async fn borrowable<C: GenericClient>(
    client: &C,
    roles: &[&str],
    me: &str,
    version_num: i32,
) -> Result<Vec<String>, PgError> {
    let out = roles_to_borrow(client, roles, version_num).await?;
    for role in &out {
        let lack = Standing::read(client, role)
            .await?
            .and_then(|s| s.to_borrow(role, version_num));
        if let Some(lack) = lack {
            return Err(PgError::Lacks {
                me: me.to_string(),
                action: format!("use the privileges of role {role:?}"),
                lack,
            });
        }
    }
    Ok(out)
}

/// The provider's role, as changes that act with other roles' privileges
/// need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The provider's own role, which grants itself the memberships.
    pub me: String,
    /// A superuser needs no membership.
    pub superuser: bool,
    /// `server_version_num`.
    pub version_num: i32,
}

impl Actor {
    /// `statements` between the grants of the roles among `roles` the
    /// actor may not act as yet and their revocation, for the caller's
    /// transaction `tx`, so that nothing is ever visible outside it.
    ///
    /// The actor's [`Lock::ActingAs`] is taken on `tx` first: a membership
    /// that [`Borrowed`] committed for a change in progress is then not
    /// revoked under this transaction. A role the actor cannot grant itself is
    /// refused with [`PgError::Lacks`].
    pub async fn wrap<C: GenericClient>(
        &self,
        tx: &C,
        roles: &[&str],
        statements: Vec<Statement>,
    ) -> Result<Vec<Statement>, PgError> {
        if self.superuser || roles.is_empty() {
            return Ok(statements);
        }
        locks::take(tx, vec![Lock::ActingAs(&self.me)]).await?;
        let borrow = borrowable(tx, roles, &self.me, self.version_num).await?;
        for role in &borrow {
            log::info!(
                "granting role {role:?} to {:?} inside the change, revoked before it commits",
                self.me
            );
        }
        let mut all: Vec<Statement> = borrow
            .iter()
            .map(|r| self::borrow(r, &self.me, self.version_num))
            .collect();
        all.extend(statements);
        all.extend(borrow.iter().map(|r| give_back(r, &self.me)));
        Ok(all)
    }
}

/// GRANT role TO member, with the privileges and SET ROLE that ownership
/// checks need (PostgreSQL 16 and later take them as options).
pub fn borrow(role: &str, member: &str, version_num: i32) -> Statement {
    Statement::plain(if version_num >= 160_000 {
        format!(
            "GRANT {} TO {} WITH INHERIT TRUE, SET TRUE",
            ident(role),
            ident(member)
        )
    } else {
        format!("GRANT {} TO {}", ident(role), ident(member))
    })
}

/// REVOKE role FROM member: gives back what [`borrow`] granted.
pub fn give_back(role: &str, member: &str) -> Statement {
    Statement::plain(format!("REVOKE {} FROM {}", ident(role), ident(member)))
}

/// Memberships borrowed for statements that cannot run in a transaction
/// block (CREATE and DROP DATABASE), where a grant must be committed before
/// the statement that needs it: the grants are committed, and a transaction
/// on a connection of its own holds [`Lock::ActingAs`] until
/// [`Borrowed::finish`] gives them back. (Changes that run in a transaction put [`borrow`] and
/// [`give_back`] around their statements instead, so nothing is ever
/// visible outside it.)
pub struct Borrowed {
    /// The connection holding the lock; closed, never pooled again, so its
    /// transaction and lock end with it whatever happens.
    lock: Option<Object>,
    roles: Vec<String>,
    member: String,
}

impl Borrowed {
    /// Nothing borrowed (a superuser needs nothing).
    pub fn none() -> Borrowed {
        Borrowed {
            lock: None,
            roles: Vec::new(),
            member: String::new(),
        }
    }

    /// Takes the lock of `member` (the provider's role), then grants it the
    /// roles among `roles` it may not act as yet, on `conn` (autocommit).
    pub async fn start<C: GenericClient>(
        pools: &Pools,
        conn: &C,
        member: &str,
        roles: &[&str],
        version_num: i32,
    ) -> Result<Borrowed, PgError> {
        let lock_conn = pools.get(None).await?;
        let mut out = Borrowed {
            lock: None,
            roles: Vec::new(),
            member: member.to_string(),
        };
        lock_conn
            .batch_execute("BEGIN")
            .await
            .map_err(|e| PgError::query("starting the membership lock's transaction", e))?;
        out.lock = Some(lock_conn);
        if let Some(l) = &out.lock {
            locks::take(&***l, vec![Lock::ActingAs(member)]).await?;
        }
        let roles = match borrowable(conn, roles, member, version_num).await {
            Ok(r) => r,
            Err(e) => {
                out.finish(conn).await?;
                return Err(e);
            }
        };
        for role in roles {
            log::info!("granting role {role:?} to {member:?} for the duration of the change");
            if let Err(e) = run_all(conn, &[borrow(&role, member, version_num)]).await {
                out.finish(conn).await?;
                return Err(e);
            }
            out.roles.push(role);
        }
        Ok(out)
    }

    /// Revokes what was granted and releases the lock. The revokes run even
    /// after the change failed; the first error wins.
    pub async fn finish<C: GenericClient>(mut self, conn: &C) -> Result<(), PgError> {
        let mut result = Ok(());
        for role in std::mem::take(&mut self.roles) {
            if let Err(e) = run_all(conn, &[give_back(&role, &self.member)]).await {
                log::warn!("could not revoke the temporary membership in {role:?}: {e}");
                if result.is_ok() {
                    result = Err(e);
                }
            }
        }
        result
    }
}

impl Drop for Borrowed {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            // Closing the connection ends its transaction and the lock.
            drop(Object::take(lock));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(create_role: bool, admin: bool, role_is_superuser: bool) -> Standing {
        Standing {
            create_role,
            inherit: true,
            admin,
            role_is_superuser,
        }
    }

    #[test]
    fn sixteen_asks_for_admin_option() {
        let lack = Some(Lack::AdminOption("r".into()));
        // A CREATEROLE role that did not create r, and was not given ADMIN.
        assert_eq!(standing(true, false, false).to_borrow("r", 160_000), lack);
        assert_eq!(standing(true, false, false).to_drop("r", 170_000), lack);
        // Its creator, or a role given ADMIN OPTION by a superuser.
        assert_eq!(standing(true, true, false).to_borrow("r", 160_000), None);
        assert_eq!(standing(true, true, false).to_drop("r", 160_000), None);
        // ADMIN alone lets it grant, not drop.
        assert_eq!(standing(false, true, false).to_borrow("r", 170_000), None);
        assert_eq!(
            standing(false, true, false).to_drop("r", 170_000),
            Some(Lack::CreateRole)
        );
    }

    #[test]
    fn before_sixteen_createrole_suffices_for_roles_that_are_not_superusers() {
        assert_eq!(standing(true, false, false).to_borrow("r", 150_000), None);
        assert_eq!(standing(true, false, false).to_drop("r", 130_000), None);
        assert_eq!(
            standing(false, false, false).to_borrow("r", 150_000),
            Some(Lack::CreateRole)
        );
        assert_eq!(
            standing(true, false, true).to_borrow("r", 150_000),
            Some(Lack::Superuser("r".into()))
        );
        assert_eq!(
            standing(true, true, true).to_drop("r", 170_000),
            Some(Lack::Superuser("r".into()))
        );
        let noinherit = Standing {
            inherit: false,
            ..standing(true, false, false)
        };
        assert_eq!(noinherit.to_borrow("r", 150_000), Some(Lack::Inherit));
        assert_eq!(
            noinherit.to_borrow("r", 160_000),
            Some(Lack::AdminOption("r".into()))
        );
    }

    #[test]
    fn lacks_read_as_what_is_missing() {
        assert_eq!(
            Lack::AdminOption("r".into()).to_string(),
            "ADMIN OPTION on role \"r\""
        );
        assert_eq!(Lack::CreateRole.to_string(), "the CREATEROLE attribute");
    }

    #[test]
    fn borrow_asks_for_inherit_and_set_on_16() {
        assert_eq!(
            borrow("o", "me", 160_000).sql,
            "GRANT \"o\" TO \"me\" WITH INHERIT TRUE, SET TRUE"
        );
        assert_eq!(borrow("o", "me", 150_000).sql, "GRANT \"o\" TO \"me\"");
        assert_eq!(give_back("o", "me").sql, "REVOKE \"o\" FROM \"me\"");
    }
}
