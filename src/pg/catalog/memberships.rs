//! Every role membership of the cluster (`pg_auth_members`) in one query:
//! one row per grant, which on PostgreSQL 16 and later means one per
//! grantor, each with its own options.

use std::collections::BTreeMap;

use tokio_postgres::GenericClient;

use crate::pg::catalog::FIRST_NORMAL_OID;
use crate::pg::error::PgError;
use crate::pg::roles::grant_role::{GrantRow, PG16};

/// One grant of a role to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The member.
    pub member: String,
    /// The granted role.
    pub granted: String,
    /// The grant's options and grantor, as [`crate::pg::roles::grant_role::read_grant`]
    /// reports them.
    pub row: GrantRow,
    /// Whether the member is a role PostgreSQL created itself (the
    /// bootstrap superuser, `pg_*`), as in the memberships among the
    /// predefined roles.
    pub member_is_system: bool,
}

/// Every membership, by (member, granted role).
#[derive(Debug, Clone, Default)]
pub struct MembershipCatalog {
    grants: BTreeMap<(String, String), Vec<Membership>>,
    version_num: i32,
}

impl MembershipCatalog {
    /// The grant of `granted` to `member`: on PostgreSQL 16 and later the
    /// one recorded with `grantor`, before 16 the only one there is.
    pub fn grant(&self, member: &str, granted: &str, grantor: &str) -> Option<&GrantRow> {
        let rows = self
            .grants
            .get(&(member.to_string(), granted.to_string()))?;
        if self.version_num >= PG16 {
            rows.iter()
                .find(|m| m.row.grantor.as_deref() == Some(grantor))
                .map(|m| &m.row)
        } else {
            rows.first().map(|m| &m.row)
        }
    }

    /// Every grant of `granted` to `member` (one per grantor).
    pub fn grants_of(&self, member: &str, granted: &str) -> &[Membership] {
        self.grants
            .get(&(member.to_string(), granted.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Every grant, ordered by member, granted role and grantor.
    pub fn iter(&self) -> impl Iterator<Item = &Membership> {
        self.grants.values().flatten()
    }
}

/// Reads every membership with one query.
pub async fn read_memberships<C: GenericClient>(
    client: &C,
    version_num: i32,
) -> Result<MembershipCatalog, PgError> {
    // Before 16 the grantor is informational and may name a dropped role.
    let (oid, options) = if version_num >= PG16 {
        ("a.oid", "a.inherit_option, a.set_option")
    } else {
        ("NULL::oid", "NULL::bool, NULL::bool")
    };
    let sql = format!(
        "SELECT m.rolname::text, m.oid, g.rolname::text, {oid}, gr.rolname::text, a.admin_option, \
                {options} \
         FROM pg_catalog.pg_auth_members a \
         JOIN pg_catalog.pg_roles m ON m.oid = a.member \
         JOIN pg_catalog.pg_roles g ON g.oid = a.roleid \
         LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor \
         ORDER BY 1, 3, 5"
    );
    let action = "reading every role membership";
    let rows = client
        .query(&sql, &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    let mut grants: BTreeMap<(String, String), Vec<Membership>> = BTreeMap::new();
    for r in &rows {
        let get = |e| PgError::query(action, e);
        let member: String = r.try_get(0).map_err(get)?;
        let member_oid: u32 = r.try_get(1).map_err(get)?;
        let granted: String = r.try_get(2).map_err(get)?;
        let m = Membership {
            member_is_system: member_oid < FIRST_NORMAL_OID || member.starts_with("pg_"),
            row: GrantRow {
                oid: r.try_get(3).map_err(get)?,
                grantor: r.try_get(4).map_err(get)?,
                admin: r.try_get(5).map_err(get)?,
                inherit: r.try_get(6).map_err(get)?,
                set: r.try_get(7).map_err(get)?,
            },
            member: member.clone(),
            granted: granted.clone(),
        };
        grants.entry((member, granted)).or_default().push(m);
    }
    Ok(MembershipCatalog {
        grants,
        version_num,
    })
}
