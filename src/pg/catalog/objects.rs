//! Every object of one database that privileges and row-level security are
//! about, with its owner and exploded ACL, in one query: the database
//! itself, its schemas, its tables (and views and the like) and sequences
//! with their row-level security switches, its functions and procedures,
//! and its foreign-data wrappers and foreign servers. Objects in system
//! schemas are left out (their schemas are not): callers read those one at
//! a time.

use std::collections::{BTreeSet, HashMap};

use tokio_postgres::GenericClient;

use crate::pg::catalog::SYSTEM_SCHEMA_SQL;
use crate::pg::error::PgError;
use crate::pg::kinds::ObjectKind;

/// One entry of an object's ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclEntry {
    /// The grantee's name, `public` for PUBLIC.
    pub grantee: String,
    /// The privilege, as `aclexplode` names it (`SELECT`, `TEMPORARY`, ...).
    pub privilege: String,
    /// Whether it is held WITH GRANT OPTION.
    pub grantable: bool,
    /// Whether PostgreSQL put it there itself: the object has no ACL of its
    /// own (so all of it is the built-in default), it is PUBLIC's part of the
    /// built-in default (CONNECT and TEMPORARY on databases, EXECUTE on
    /// functions), or `pg_init_privs` records it as initial (what `initdb`
    /// and extensions set up).
    pub builtin: bool,
}

/// One object and its ACL, the built-in default when it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogObject {
    /// Its kind: a database, schema, table (of any relkind), sequence,
    /// function (aggregates and window functions included), procedure,
    /// foreign-data wrapper or foreign server.
    pub kind: ObjectKind,
    /// `pg_class.relkind` for tables and sequences, empty otherwise.
    pub relkind: String,
    /// Its schema; empty for the database and foreign objects, the schema's
    /// own name for a schema.
    pub schema: String,
    /// Its name.
    pub name: String,
    /// For functions and procedures, the arguments as
    /// `pg_get_function_identity_arguments` prints them (names included,
    /// quoted as SQL needs): what GRANT takes after the name.
    pub args: Option<String>,
    /// For functions and procedures, the argument types as `oidvectortypes`
    /// prints them (`integer, text`): the canonical signature.
    pub arg_types: Option<String>,
    /// The owner's name.
    pub owner: String,
    /// `relrowsecurity`: row-level security enabled.
    pub rls_enabled: bool,
    /// `relforcerowsecurity`: row-level security forced.
    pub rls_forced: bool,
    /// The exploded ACL.
    pub acl: Vec<AclEntry>,
}

impl CatalogObject {
    /// The entries for `grantee`.
    pub fn entries_of<'a>(&'a self, grantee: &'a str) -> impl Iterator<Item = &'a AclEntry> + 'a {
        self.acl.iter().filter(move |e| e.grantee == grantee)
    }
}

/// Every object of one database, with lookups by name.
#[derive(Debug, Clone, Default)]
pub struct ObjectCatalog {
    /// The database it was read in.
    pub database: String,
    objects: Vec<CatalogObject>,
    schemas: BTreeSet<String>,
    by_name: HashMap<(ObjectKind, String, String), Vec<usize>>,
    by_schema: HashMap<(ObjectKind, String), Vec<usize>>,
}

impl ObjectCatalog {
    /// Builds the indexes over `objects`, which come sorted.
    fn new(database: String, mut objects: Vec<CatalogObject>) -> ObjectCatalog {
        objects.sort_by(|a, b| {
            (a.kind, &a.schema, &a.name, &a.arg_types).cmp(&(
                b.kind,
                &b.schema,
                &b.name,
                &b.arg_types,
            ))
        });
        let mut by_name: HashMap<(ObjectKind, String, String), Vec<usize>> = HashMap::new();
        let mut by_schema: HashMap<(ObjectKind, String), Vec<usize>> = HashMap::new();
        let mut schemas = BTreeSet::new();
        for (i, o) in objects.iter().enumerate() {
            if o.kind == ObjectKind::Schema {
                schemas.insert(o.name.clone());
            }
            by_name
                .entry((o.kind, o.schema.clone(), o.name.clone()))
                .or_default()
                .push(i);
            by_schema
                .entry((o.kind, o.schema.clone()))
                .or_default()
                .push(i);
        }
        ObjectCatalog {
            database,
            objects,
            schemas,
            by_name,
            by_schema,
        }
    }

    /// Every object, ordered by kind, schema, name and argument types.
    pub fn objects(&self) -> &[CatalogObject] {
        &self.objects
    }

    /// Whether a schema named `name` exists.
    pub fn schema_exists(&self, name: &str) -> bool {
        self.schemas.contains(name)
    }

    /// The schema named `name`.
    pub fn schema(&self, name: &str) -> Option<&CatalogObject> {
        self.named(ObjectKind::Schema, name, name).next()
    }

    /// The objects of `kind` named `name` in `schema` (several for
    /// overloaded functions).
    pub fn named(
        &self,
        kind: ObjectKind,
        schema: &str,
        name: &str,
    ) -> impl Iterator<Item = &CatalogObject> {
        self.by_name
            .get(&(kind, schema.to_string(), name.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|i| self.objects.get(*i))
    }

    /// Every object of `kind` in `schema`.
    pub fn in_schema(
        &self,
        kind: ObjectKind,
        schema: &str,
    ) -> impl Iterator<Item = &CatalogObject> {
        self.by_schema
            .get(&(kind, schema.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|i| self.objects.get(*i))
    }

    /// The table (of any relkind) or sequence `schema.name`.
    pub fn relation(&self, schema: &str, name: &str) -> Option<&CatalogObject> {
        self.named(ObjectKind::Table, schema, name)
            .next()
            .or_else(|| self.named(ObjectKind::Sequence, schema, name).next())
    }
}

/// Reads every object of the connected database with one query.
///
/// An ACL entry is built in when the object has no ACL of its own, when it
/// is PUBLIC's default, or when it is in the object's `pg_init_privs` (an
/// extension's own grants). `pg_init_privs` is joined once per object, not
/// looked up per entry: it has no index the lookup could use from inside
/// the lateral, and a scan per entry made the read of a database with
/// thousands of granted tables take a fifth of a second.
pub async fn read_objects<C: GenericClient>(client: &C) -> Result<ObjectCatalog, PgError> {
    let sql = format!(
        "WITH o(kind, relkind, schema, name, args, argtypes, owner, acl, defcode, rls, force, \
                classid, objoid) AS ( \
           SELECT 'database'::text, ''::text, ''::text, d.datname::text, NULL::text, NULL::text, \
                  d.datdba, d.datacl, 'd'::\"char\", false, false, \
                  'pg_catalog.pg_database'::pg_catalog.regclass::oid, d.oid \
           FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database() \
           UNION ALL \
           SELECT 'schema', '', n.nspname::text, n.nspname::text, NULL, NULL, n.nspowner, \
                  n.nspacl, 'n'::\"char\", false, false, \
                  'pg_catalog.pg_namespace'::pg_catalog.regclass::oid, n.oid \
           FROM pg_catalog.pg_namespace n \
           UNION ALL \
           SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, c.relkind::text, \
                  n.nspname::text, c.relname::text, NULL, NULL, c.relowner, c.relacl, \
                  CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, \
                  c.relrowsecurity, c.relforcerowsecurity, \
                  'pg_catalog.pg_class'::pg_catalog.regclass::oid, c.oid \
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S') AND NOT {SYSTEM_SCHEMA_SQL} \
           UNION ALL \
           SELECT CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END, '', \
                  n.nspname::text, p.proname::text, \
                  pg_catalog.pg_get_function_identity_arguments(p.oid), \
                  pg_catalog.oidvectortypes(p.proargtypes), p.proowner, p.proacl, 'f'::\"char\", \
                  false, false, 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, p.oid \
           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
           WHERE p.prokind IN ('f', 'a', 'w', 'p') AND NOT {SYSTEM_SCHEMA_SQL} \
           UNION ALL \
           SELECT 'foreign_data_wrapper', '', '', w.fdwname::text, NULL, NULL, w.fdwowner, \
                  w.fdwacl, 'F'::\"char\", false, false, \
                  'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass::oid, w.oid \
           FROM pg_catalog.pg_foreign_data_wrapper w \
           UNION ALL \
           SELECT 'foreign_server', '', '', s.srvname::text, NULL, NULL, s.srvowner, \
                  s.srvacl, 'S'::\"char\", false, false, \
                  'pg_catalog.pg_foreign_server'::pg_catalog.regclass::oid, s.oid \
           FROM pg_catalog.pg_foreign_server s) \
         SELECT o.kind, o.relkind, o.schema, o.name, o.args, o.argtypes, \
                pg_catalog.pg_get_userbyid(o.owner)::text, o.rls, o.force, \
                coalesce(e.grantees, '{{}}'), coalesce(e.privileges, '{{}}'), \
                coalesce(e.grantable, '{{}}'), coalesce(e.builtin, '{{}}'), \
                pg_catalog.current_database()::text \
         FROM o \
         LEFT JOIN pg_catalog.pg_init_privs i \
           ON i.objoid = o.objoid AND i.classoid = o.classid AND i.objsubid = 0 \
         LEFT JOIN LATERAL ( \
           SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'public' \
                      ELSE pg_catalog.pg_get_userbyid(x.grantee)::text END ORDER BY x.n) AS grantees, \
                  pg_catalog.array_agg(x.privilege_type ORDER BY x.n) AS privileges, \
                  pg_catalog.array_agg(x.is_grantable ORDER BY x.n) AS grantable, \
                  pg_catalog.array_agg(o.acl IS NULL \
                      OR (x.grantee = 0 AND EXISTS ( \
                          SELECT 1 FROM pg_catalog.aclexplode(pg_catalog.acldefault(o.defcode, o.owner)) d \
                          WHERE d.grantee = 0 AND d.privilege_type = x.privilege_type \
                            AND d.is_grantable = x.is_grantable)) \
                      OR (i.initprivs IS NOT NULL AND EXISTS ( \
                          SELECT 1 FROM pg_catalog.aclexplode(i.initprivs) ie \
                          WHERE ie.grantee = x.grantee AND ie.privilege_type = x.privilege_type \
                            AND ie.is_grantable = x.is_grantable)) \
                      ORDER BY x.n) AS builtin \
           FROM pg_catalog.aclexplode(coalesce(o.acl, pg_catalog.acldefault(o.defcode, o.owner))) \
                WITH ORDINALITY x(grantor, grantee, privilege_type, is_grantable, n)) e ON true"
    );
    let action = "reading the objects and privileges of the database";
    let rows = client
        .query(&sql, &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    let mut database = String::new();
    let mut objects = Vec::with_capacity(rows.len());
    for r in &rows {
        let get = |e| PgError::query(action, e);
        let kind: String = r.try_get(0).map_err(get)?;
        let Some(kind) = ObjectKind::parse(&kind) else {
            continue;
        };
        let grantees: Vec<String> = r.try_get(9).map_err(get)?;
        let privileges: Vec<String> = r.try_get(10).map_err(get)?;
        let grantable: Vec<bool> = r.try_get(11).map_err(get)?;
        let builtin: Vec<bool> = r.try_get(12).map_err(get)?;
        let acl = grantees
            .into_iter()
            .zip(privileges)
            .zip(grantable.into_iter().zip(builtin))
            .map(|((grantee, privilege), (grantable, builtin))| AclEntry {
                grantee,
                privilege,
                grantable,
                builtin,
            })
            .collect();
        database = r.try_get(13).map_err(get)?;
        objects.push(CatalogObject {
            kind,
            relkind: r.try_get(1).map_err(get)?,
            schema: r.try_get(2).map_err(get)?,
            name: r.try_get(3).map_err(get)?,
            args: r.try_get(4).map_err(get)?,
            arg_types: r.try_get(5).map_err(get)?,
            owner: r.try_get(6).map_err(get)?,
            rls_enabled: r.try_get(7).map_err(get)?,
            rls_forced: r.try_get(8).map_err(get)?,
            acl,
        });
    }
    Ok(ObjectCatalog::new(database, objects))
}
