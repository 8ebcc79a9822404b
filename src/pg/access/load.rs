//! Builds the [`Catalog`] of one database: the roles and memberships from
//! the catalog cache's reads ([`crate::pg::catalog::cache`]), and the
//! object and default ACLs from two queries in one read-only
//! repeatable-read transaction, so those two agree with each other.
//!
//! ACLs are exploded on the server (`aclexplode`, with a NULL ACL replaced
//! by `acldefault` first, exactly as the privilege checks do) and come back
//! as parallel arrays per object, so a large schema costs one row per
//! object rather than one per privilege.

use std::collections::HashMap;
use std::sync::Arc;

use tokio_postgres::{Client, Row};

use crate::pg::access::catalog::{
    AclEntry, Catalog, DefaultAcl, Membership, Object, ObjectId, PUBLIC,
};
use crate::pg::catalog::memberships::MembershipCatalog;
use crate::pg::catalog::roles::RoleCatalog;
use crate::pg::error::PgError;
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::{Privilege, Privs};

/// The system schemas PostgreSQL reserves (`pg_*`) and the SQL standard's
/// `information_schema` are left out: nobody grants on them by design.
const USER_SCHEMA: &str = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";

/// Explodes `$acl` of each row of `objs` into parallel arrays.
const EXPLODE: &str = "LEFT JOIN LATERAL ( \
        SELECT array_agg(x.grantee) AS grantees, array_agg(x.privilege_type) AS privs, \
               array_agg(x.is_grantable) AS grantable \
        FROM pg_catalog.aclexplode(o.acl) x) e ON true";

fn objects_sql() -> String {
    format!(
        "WITH objs AS ( \
           SELECT 'database'::text AS kind, ''::text AS nsp, d.datname::text AS name, \
                  NULL::text AS sub, d.datdba AS owner, \
                  coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba)) AS acl, \
                  NULL::text AS prokind, false AS secdef \
           FROM pg_catalog.pg_database d \
           UNION ALL \
           SELECT 'schema', n.nspname::text, n.nspname::text, NULL, n.nspowner, \
                  coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner)), NULL, false \
           FROM pg_catalog.pg_namespace n WHERE {USER_SCHEMA} \
           UNION ALL \
           SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, \
                  n.nspname::text, c.relname::text, NULL, c.relowner, \
                  coalesce(c.relacl, pg_catalog.acldefault( \
                      CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner)), \
                  NULL, false \
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S') AND {USER_SCHEMA} \
           UNION ALL \
           SELECT 'function', n.nspname::text, \
                  p.proname::text || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', \
                  NULL, p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)), \
                  p.prokind::text, p.prosecdef \
           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
           WHERE {USER_SCHEMA} \
           UNION ALL \
           SELECT 'column', n.nspname::text, c.relname::text, a.attname::text, c.relowner, \
                  a.attacl, NULL, false \
           FROM pg_catalog.pg_attribute a \
           JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped \
             AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND {USER_SCHEMA} \
           UNION ALL \
           SELECT 'foreign_data_wrapper', '', w.fdwname::text, NULL, w.fdwowner, \
                  coalesce(w.fdwacl, pg_catalog.acldefault('F', w.fdwowner)), NULL, false \
           FROM pg_catalog.pg_foreign_data_wrapper w \
           UNION ALL \
           SELECT 'foreign_server', '', s.srvname::text, NULL, s.srvowner, \
                  coalesce(s.srvacl, pg_catalog.acldefault('S', s.srvowner)), NULL, false \
           FROM pg_catalog.pg_foreign_server s) \
         SELECT o.kind, o.nsp, o.name, o.sub, o.owner, o.prokind, o.secdef, \
                coalesce(e.grantees, '{{}}'), coalesce(e.privs, '{{}}'), \
                coalesce(e.grantable, '{{}}') \
         FROM objs o {EXPLODE}"
    )
}

const DEFAULT_ACLS: &str = "SELECT d.defaclrole, n.nspname::text, d.defaclobjtype::text, \
                coalesce(e.grantees, '{}'), coalesce(e.privs, '{}'), \
                coalesce(e.grantable, '{}') \
         FROM (SELECT defaclrole, defaclnamespace, defaclobjtype, defaclacl AS acl \
               FROM pg_catalog.pg_default_acl) d \
         LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace \
         LEFT JOIN LATERAL ( \
             SELECT array_agg(x.grantee) AS grantees, array_agg(x.privilege_type) AS privs, \
                    array_agg(x.is_grantable) AS grantable \
             FROM pg_catalog.aclexplode(d.acl) x) e ON true";

/// Role OIDs to names; OID 0 is PUBLIC in ACLs.
struct Names(HashMap<u32, String>);

impl Names {
    fn of(&self, oid: u32) -> String {
        if oid == 0 {
            return PUBLIC.to_string();
        }
        self.0.get(&oid).cloned().unwrap_or_default()
    }
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    i: usize,
    what: &str,
) -> Result<T, PgError> {
    row.try_get(i)
        .map_err(|e| PgError::query(format!("reading the access catalog ({what})"), e))
}

/// Columns `i..i+3` of a row: grantees, privilege names, grant options.
fn acl_at(row: &Row, i: usize, names: &Names, what: &str) -> Result<Vec<AclEntry>, PgError> {
    let grantees: Vec<u32> = get(row, i, what)?;
    let privs: Vec<String> = get(row, i + 1, what)?;
    let grantable: Vec<bool> = get(row, i + 2, what)?;
    let mut out: Vec<AclEntry> = Vec::new();
    for ((g, p), opt) in grantees.iter().zip(&privs).zip(&grantable) {
        let grantee = names.of(*g);
        // Privileges on parameters and the like are not modelled.
        let Some(p) = Privilege::parse(p) else {
            continue;
        };
        let slot = match out.iter().position(|e| e.grantee == grantee) {
            Some(i) => i,
            None => {
                out.push(AclEntry {
                    grantee,
                    privs: Privs::NONE,
                    grantable: Privs::NONE,
                });
                out.len() - 1
            }
        };
        if let Some(e) = out.get_mut(slot) {
            e.privs.insert(p);
            if *opt {
                e.grantable.insert(p);
            }
        }
    }
    Ok(out)
}

/// Builds the catalog of `database`, which `client` is connected to, from
/// `roles` and `memberships` (cluster-wide reads) and its own read of the
/// object and default ACLs.
pub async fn load(
    client: &mut Client,
    database: &str,
    version_num: i32,
    roles: &RoleCatalog,
    memberships: &MembershipCatalog,
) -> Result<Catalog, PgError> {
    let mut catalog = Catalog {
        version_num,
        database: database.to_string(),
        ..Catalog::default()
    };
    let mut names = Names(HashMap::new());
    for r in roles.iter() {
        names.0.insert(r.oid, r.row.spec.name.clone());
        catalog
            .roles
            .insert(r.row.spec.name.clone(), r.row.spec.flags);
    }
    // Before PostgreSQL 16 a grant has no INHERIT or SET option of its own:
    // both are implied, and the member's INHERIT flag decides inheritance.
    for m in memberships.iter() {
        catalog.memberships.push(Membership {
            member: m.member.clone(),
            role: m.granted.clone(),
            grantor: m.row.grantor.clone().unwrap_or_default(),
            admin: m.row.admin,
            inherit: m.row.inherit.unwrap_or(true),
            set: m.row.set.unwrap_or(true),
        });
    }
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(|e| PgError::query("starting a read of the access catalog", e))?;
    let q = |what: &'static str| move |e| PgError::query(format!("reading {what}"), e);
    for row in &tx
        .query(&objects_sql(), &[])
        .await
        .map_err(q("object ACLs"))?
    {
        let kind: String = get(row, 0, "objects")?;
        let Some(kind) = ObjectKind::parse(&kind) else {
            continue;
        };
        let prokind: Option<String> = get(row, 5, "objects")?;
        catalog.objects.push(Arc::new(Object {
            id: ObjectId {
                kind,
                schema: get(row, 1, "objects")?,
                name: get(row, 2, "objects")?,
                column: get(row, 3, "objects")?,
            },
            owner: names.of(get(row, 4, "objects")?),
            prokind: prokind.and_then(|k| k.chars().next()),
            security_definer: get(row, 6, "objects")?,
            acl: acl_at(row, 7, &names, "objects")?,
        }));
    }
    for row in &tx
        .query(DEFAULT_ACLS, &[])
        .await
        .map_err(q("default ACLs"))?
    {
        let code: String = get(row, 2, "default ACLs")?;
        let Some(kind) = ObjectKind::from_defacl_code(&code) else {
            continue;
        };
        catalog.default_acls.push(DefaultAcl {
            owner: names.of(get(row, 0, "default ACLs")?),
            schema: get(row, 1, "default ACLs")?,
            kind,
            acl: acl_at(row, 3, &names, "default ACLs")?,
        });
    }
    tx.commit()
        .await
        .map_err(|e| PgError::query("ending a read of the access catalog", e))?;
    catalog.sort_objects();
    Ok(catalog)
}
