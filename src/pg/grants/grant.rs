//! Object privileges (`GRANT ... ON ... TO`): the kinds of object
//! `postgresql_grant` manages, one catalog read of the exact ACL entries of
//! a grantee over a whole scope of objects, and the GRANT/REVOKE statements
//! that move that scope to the wanted privileges by difference. Which
//! privileges each kind has is [`crate::pg::privileges`]'s.
//!
//! The read looks at the objects' ACLs (`aclexplode`), not at
//! `has_*_privilege`, because the latter also counts privileges inherited
//! through role membership or granted to PUBLIC, which this grantee's grant
//! does not control. A NULL ACL means the owner's defaults and is expanded
//! with `acldefault`, so PUBLIC's implicit EXECUTE on functions or CONNECT on
//! databases is seen as it is.
//!
//! Objects owned by the grantee are left out of both the comparison and the
//! statements: an owner holds its privileges implicitly, and revoking from an
//! owner would take away its own rights.

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::types::Type as PgType;
use tokio_postgres::{GenericClient, Row, Transaction};

use crate::pg::catalog::is_system_schema;
use crate::pg::catalog::objects::{CatalogObject, ObjectCatalog};
use crate::pg::conn::exec::Statement;
use crate::pg::conn::locks::Lock;
use crate::pg::conn::tx;
use crate::pg::error::PgError;
use crate::pg::kinds::ObjectKind;
use crate::pg::sql::quote::{ident, qualified};

/// The grantee name that means every role (the PUBLIC pseudo-role).
pub const PUBLIC: &str = "public";

/// The kinds of object `postgresql_grant` manages, in the order its
/// messages list them. Tables include views, materialized views, foreign
/// and partitioned tables; functions include aggregates and window
/// functions but not procedures; routines are both; columns are those of
/// one table (`attacl`).
pub const GRANT_KINDS: [ObjectKind; 10] = [
    ObjectKind::Database,
    ObjectKind::Schema,
    ObjectKind::Table,
    ObjectKind::Sequence,
    ObjectKind::Function,
    ObjectKind::Procedure,
    ObjectKind::Routine,
    ObjectKind::ForeignDataWrapper,
    ObjectKind::ForeignServer,
    ObjectKind::Column,
];

/// Parses an `object_type` of `postgresql_grant` (one of [`GRANT_KINDS`]).
pub fn grant_kind(name: &str) -> Option<ObjectKind> {
    ObjectKind::parse(name).filter(|k| GRANT_KINDS.contains(k))
}

/// The `SELECT name, args, sigs, owner, acl` part of the read for a kind
/// of [`GRANT_KINDS`]. Parameters: `$2` the database (for `database`) or
/// schema name, `$3` object names (empty: all), `$4` functions given with
/// argument lists as qualified signatures, or the column names for
/// `column`.
fn scope_sql(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Database => {
            "SELECT d.datname::text AS name, NULL::text AS args, NULL::text[] AS sigs, \
                    d.datdba AS owner, coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba)) AS acl \
             FROM pg_catalog.pg_database d WHERE d.datname = $2"
        }
        ObjectKind::Schema => {
            "SELECT n.nspname::text, NULL::text, NULL::text[], n.nspowner, \
                    coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner)) \
             FROM pg_catalog.pg_namespace n WHERE n.nspname = $2"
        }
        ObjectKind::Table => {
            "SELECT c.relname::text, NULL::text, NULL::text[], c.relowner, \
                    coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner)) \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $2 AND c.relkind IN ('r', 'v', 'm', 'f', 'p')"
        }
        ObjectKind::Sequence => {
            "SELECT c.relname::text, NULL::text, NULL::text[], c.relowner, \
                    coalesce(c.relacl, pg_catalog.acldefault('s', c.relowner)) \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $2 AND c.relkind = 'S'"
        }
        ObjectKind::Function => FUNCTION_SCOPE_F,
        ObjectKind::Procedure => FUNCTION_SCOPE_P,
        ObjectKind::Routine => FUNCTION_SCOPE_R,
        ObjectKind::ForeignDataWrapper => {
            "SELECT w.fdwname::text, NULL::text, NULL::text[], w.fdwowner, \
                    coalesce(w.fdwacl, pg_catalog.acldefault('F', w.fdwowner)) \
             FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.fdwname = ANY($3)"
        }
        ObjectKind::ForeignServer => {
            "SELECT s.srvname::text, NULL::text, NULL::text[], s.srvowner, \
                    coalesce(s.srvacl, pg_catalog.acldefault('S', s.srvowner)) \
             FROM pg_catalog.pg_foreign_server s WHERE s.srvname = ANY($3)"
        }
        // A NULL column ACL means no column-level grants at all (the
        // table's own ACL is a separate thing); aclexplode, being strict,
        // yields no rows for it.
        ObjectKind::Column => {
            "SELECT a.attname::text, NULL::text, NULL::text[], c.relowner, \
                    a.attacl \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $2 AND c.relname = $3[1] AND c.relkind IN ('r', 'v', 'm', 'f', 'p') \
               AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($4)"
        }
        // Not one of GRANT_KINDS: a scope without objects.
        ObjectKind::Type => {
            "SELECT NULL::text, NULL::text, NULL::text[], NULL::oid, NULL::aclitem[] WHERE false"
        }
    }
}

/// The name filter [`scope_sql`] leaves out for tables and sequences, by
/// how many objects the scope lists (none: the whole schema). Separate
/// texts rather than `cardinality($3) = 0 OR ...`, so that a prepared read
/// ([`read_acls_in`]) gets a plan the server keeps: with the `OR`, or with
/// `= ANY($3)` (planned as if for ten names), the server finds a plan for
/// the values at hand cheaper and plans every read again.
fn name_filter(kind: ObjectKind, names: usize) -> &'static str {
    if !matches!(kind, ObjectKind::Table | ObjectKind::Sequence) {
        return "";
    }
    match names {
        0 => "",
        1 => " AND c.relname = $3[1]",
        _ => " AND c.relname = ANY($3)",
    }
}

/// Whether the container of the objects exists (`$2`): the database or
/// the schema. Foreign-data wrappers and servers have none.
fn container_sql(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Database => "EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $2)",
        ObjectKind::ForeignDataWrapper | ObjectKind::ForeignServer => "true",
        _ => "EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $2)",
    }
}

/// Functions are matched by bare name (every overload) or by signature,
/// resolved by the server with `to_regprocedure` so that any spelling of the
/// argument types works.
macro_rules! function_scope {
    ($kinds:literal) => {
        concat!(
            "SELECT p.proname::text, pg_catalog.pg_get_function_identity_arguments(p.oid), \
                    ARRAY(SELECT q FROM unnest($4) q WHERE pg_catalog.to_regprocedure(q) = p.oid), \
                    p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)) \
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = $2 AND p.prokind IN ",
            $kinds,
            " AND ((cardinality($3) = 0 AND cardinality($4) = 0) OR p.proname = ANY($3) \
                   OR EXISTS (SELECT 1 FROM unnest($4) q WHERE pg_catalog.to_regprocedure(q) = p.oid))"
        )
    };
}
const FUNCTION_SCOPE_F: &str = function_scope!("('f', 'a', 'w')");
const FUNCTION_SCOPE_P: &str = function_scope!("('p')");
const FUNCTION_SCOPE_R: &str = function_scope!("('f', 'a', 'w', 'p')");

/// Splits a function given as `name(arg types)` into its parts; a bare name
/// gives `None` for the arguments. The argument list is the parenthesized
/// group that ends the entry, so names containing parentheses still work
/// when the argument list is written out.
pub fn split_signature(entry: &str) -> (&str, Option<&str>) {
    let trimmed = entry.trim_end();
    if !trimmed.ends_with(')') {
        return (entry, None);
    }
    let mut depth = 0usize;
    for (i, c) in trimmed.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if i == 0 {
                        return (entry, None);
                    }
                    return (&trimmed[..i], Some(&trimmed[i + 1..trimmed.len() - 1]));
                }
            }
            _ => {}
        }
    }
    (entry, None)
}

/// What one grant resource points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTarget {
    /// Grantee role name, or [`PUBLIC`].
    pub role: String,
    /// Database holding the objects (also the object for `database`).
    pub database: String,
    /// Schema holding the objects (the object itself for `schema`); empty
    /// for database-level types.
    pub schema: String,
    /// Kind of object, one of [`GRANT_KINDS`].
    pub object_type: ObjectKind,
    /// Object names; empty means every object of the type in the schema.
    /// For `column`, the one table.
    pub objects: Vec<String>,
    /// Column names for `column`.
    pub columns: Vec<String>,
}

impl GrantTarget {
    /// The grantee as written in GRANT/REVOKE.
    fn grantee_sql(&self) -> String {
        grantee_sql(&self.role)
    }

    /// `$2` of the read: the container name.
    fn container(&self) -> &str {
        match self.object_type {
            ObjectKind::Database => &self.database,
            _ => &self.schema,
        }
    }

    /// `$3` and `$4` of the read.
    fn name_params(&self) -> (Vec<String>, Vec<String>) {
        match self.object_type {
            ObjectKind::Column => (self.objects.clone(), self.columns.clone()),
            t if t.is_routine() => {
                let mut bare = Vec::new();
                let mut sigs = Vec::new();
                for o in &self.objects {
                    match split_signature(o) {
                        (name, None) => bare.push(name.to_string()),
                        (name, Some(args)) => sigs.push(self.signature(name, args)),
                    }
                }
                (bare, sigs)
            }
            _ => (self.objects.clone(), Vec::new()),
        }
    }

    /// A function entry with arguments as `to_regprocedure` input.
    fn signature(&self, name: &str, args: &str) -> String {
        format!("{}({args})", qualified(&self.schema, name))
    }

    /// The entries of `objects` (or `columns`) that no object in the
    /// snapshot matches.
    pub fn missing(&self, snapshot: &AclSnapshot) -> Vec<String> {
        let names: BTreeSet<&str> = snapshot.objects.iter().map(|o| o.name.as_str()).collect();
        match self.object_type {
            ObjectKind::Database | ObjectKind::Schema => {
                if snapshot.objects.is_empty() {
                    vec![self.container().to_string()]
                } else {
                    Vec::new()
                }
            }
            ObjectKind::Column => {
                let mut out: Vec<String> = self
                    .columns
                    .iter()
                    .filter(|c| !names.contains(c.as_str()))
                    .cloned()
                    .collect();
                out.sort();
                out
            }
            t if t.is_routine() => self
                .objects
                .iter()
                .filter(|o| match split_signature(o) {
                    (name, None) => !names.contains(name),
                    (name, Some(args)) => {
                        let sig = self.signature(name, args);
                        !snapshot.objects.iter().any(|x| x.sigs.contains(&sig))
                    }
                })
                .cloned()
                .collect(),
            _ => self
                .objects
                .iter()
                .filter(|o| !names.contains(o.as_str()))
                .cloned()
                .collect(),
        }
    }

    /// How an object of the snapshot is written after `ON <keyword>`.
    fn target_sql(&self, o: &ObjectAcl) -> String {
        match self.object_type {
            ObjectKind::Database
            | ObjectKind::Schema
            | ObjectKind::ForeignDataWrapper
            | ObjectKind::ForeignServer => ident(&o.name),
            ObjectKind::Table | ObjectKind::Sequence | ObjectKind::Type => {
                qualified(&self.schema, &o.name)
            }
            // The argument list comes from pg_get_function_identity_arguments,
            // which quotes names and types as SQL needs them.
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => format!(
                "{}({})",
                qualified(&self.schema, &o.name),
                o.args.as_deref().unwrap_or("")
            ),
            ObjectKind::Column => ident(&o.name),
        }
    }

    /// The locks serializing every change to the same catalog rows: the
    /// database, the foreign objects of the database, the schema itself or
    /// every object of a kind in it, or, for named objects of a schema,
    /// each of them (with the schema's lock shared, so that grants on
    /// other objects of the schema run in parallel).
    pub fn locks(&self) -> Vec<Lock<'_>> {
        match self.object_type {
            ObjectKind::Database => vec![Lock::DatabaseAcl(&self.database)],
            ObjectKind::ForeignDataWrapper | ObjectKind::ForeignServer => vec![Lock::ForeignAcl],
            ObjectKind::Schema => vec![Lock::SchemaAcl(&self.schema)],
            _ if self.objects.is_empty() => vec![Lock::SchemaAcl(&self.schema)],
            _ => std::iter::once(Lock::SchemaAclShared(&self.schema))
                .chain(self.objects.iter().map(|o| Lock::ObjectAcl {
                    schema: &self.schema,
                    // A function's arguments, when written, are left out:
                    // every spelling of it must meet the same key.
                    name: o.split('(').next().unwrap_or(o).trim_end(),
                }))
                .collect(),
        }
    }
}

/// The grantee as written in GRANT/REVOKE: `PUBLIC` or a quoted role name.
pub fn grantee_sql(role: &str) -> String {
    if role == PUBLIC {
        "PUBLIC".to_string()
    } else {
        ident(role)
    }
}

/// One object of a scope and the grantee's entries in its ACL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectAcl {
    /// Object (or column) name.
    pub name: String,
    /// Identity arguments of a function.
    pub args: Option<String>,
    /// The qualified signatures from `objects` that resolve to this function.
    pub sigs: Vec<String>,
    /// Whether the grantee owns the object.
    pub owned: bool,
    /// Privileges the grantee holds directly.
    pub held: BTreeSet<String>,
    /// The subset held WITH GRANT OPTION.
    pub grantable: BTreeSet<String>,
}

/// The result of one read of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AclSnapshot {
    /// Whether the grantee role exists (PUBLIC always does).
    pub grantee_exists: bool,
    /// Whether the schema (or database) exists.
    pub container_exists: bool,
    /// The objects of the scope that exist.
    pub objects: Vec<ObjectAcl>,
}

/// What the grantee holds on every object it does not own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Privileges held on every object.
    pub held: BTreeSet<String>,
    /// Privileges held with grant option on every object.
    pub grantable: BTreeSet<String>,
}

impl AclSnapshot {
    /// The privileges held on every object of the scope that the grantee
    /// does not own. A listed object that does not exist holds nothing.
    /// `None` when nothing is left to compare (an empty schema, or only
    /// owned objects): then nothing can be missing.
    pub fn held_everywhere(&self, target: &GrantTarget) -> Option<Held> {
        if !target.missing(self).is_empty() {
            return Some(Held {
                held: BTreeSet::new(),
                grantable: BTreeSet::new(),
            });
        }
        let mut acc: Option<Held> = None;
        for o in self.objects.iter().filter(|o| !o.owned) {
            acc = Some(match acc {
                None => Held {
                    held: o.held.clone(),
                    grantable: o.grantable.clone(),
                },
                Some(h) => Held {
                    held: &h.held & &o.held,
                    grantable: &h.grantable & &o.grantable,
                },
            });
        }
        acc
    }
}

/// The [`AclSnapshot`] of a scope worked out from a catalog snapshot of
/// its database, exactly as [`read_acls`] would read it; `grantee_exists`
/// says whether the grantee role exists. `None` where the catalog cannot
/// answer on its own: columns (not in it), objects in system schemas (left
/// out of it), another database, and
/// a function given with an argument list spelled other than the server's
/// canonical `name(integer, text)` (which only the server can resolve).
pub fn acl_snapshot_from_catalog(
    target: &GrantTarget,
    catalog: &ObjectCatalog,
    grantee_exists: bool,
) -> Option<AclSnapshot> {
    use ObjectKind as K;
    // The catalog files routines as functions or procedures.
    let kinds: &[ObjectKind] = match target.object_type {
        K::Database => &[K::Database],
        K::Schema => &[K::Schema],
        K::Table => &[K::Table],
        K::Sequence => &[K::Sequence],
        K::Function => &[K::Function],
        K::Procedure => &[K::Procedure],
        K::Routine => &[K::Function, K::Procedure],
        K::ForeignDataWrapper => &[K::ForeignDataWrapper],
        K::ForeignServer => &[K::ForeignServer],
        K::Type | K::Column => return None,
    };
    if catalog.database != target.database {
        return None;
    }
    let schema = target.schema.as_str();
    let contained = !matches!(
        target.object_type,
        ObjectKind::Database | ObjectKind::Schema
    );
    if contained && is_system_schema(schema) {
        return None;
    }
    // Databases, foreign-data wrappers and servers are in no schema.
    let container_exists = !target.object_type.in_schema() || catalog.schema_exists(schema);
    let mut found: Vec<(&CatalogObject, Vec<String>)> = Vec::new();
    match target.object_type {
        ObjectKind::Database => found.extend(
            catalog
                .named(K::Database, "", &target.database)
                .map(|o| (o, Vec::new())),
        ),
        ObjectKind::Schema => found.extend(
            catalog
                .named(K::Schema, schema, schema)
                .map(|o| (o, Vec::new())),
        ),
        ObjectKind::Table | ObjectKind::Sequence if target.objects.is_empty() => {
            found.extend(catalog.in_schema(kinds[0], schema).map(|o| (o, Vec::new())));
        }
        ObjectKind::Table
        | ObjectKind::Sequence
        | ObjectKind::ForeignDataWrapper
        | ObjectKind::ForeignServer => {
            for name in &target.objects {
                found.extend(
                    catalog
                        .named(kinds[0], schema, name)
                        .map(|o| (o, Vec::new())),
                );
            }
            found.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            found.dedup_by(|a, b| a.0.name == b.0.name);
        }
        _ => {
            let mut bare: Vec<&str> = Vec::new();
            let mut sigs: Vec<(&str, &str)> = Vec::new();
            for o in &target.objects {
                match split_signature(o) {
                    (name, None) => bare.push(name),
                    (name, Some(args)) => sigs.push((name, args.trim())),
                }
            }
            let all = bare.is_empty() && sigs.is_empty();
            let mut matched = vec![false; sigs.len()];
            for kind in kinds {
                for o in catalog.in_schema(*kind, schema) {
                    let mut own = Vec::new();
                    for (i, (name, args)) in sigs.iter().enumerate() {
                        if o.name == *name && o.arg_types.as_deref() == Some(*args) {
                            matched[i] = true;
                            own.push(target.signature(name, args));
                        }
                    }
                    if all || bare.contains(&o.name.as_str()) || !own.is_empty() {
                        found.push((o, own));
                    }
                }
            }
            if matched.contains(&false) {
                return None;
            }
        }
    }
    let role = target.role.as_str();
    let objects = found
        .into_iter()
        .map(|(o, sigs)| ObjectAcl {
            name: o.name.clone(),
            args: o.args.clone(),
            sigs,
            owned: o.owner == role,
            held: o.entries_of(role).map(|e| e.privilege.clone()).collect(),
            grantable: o
                .entries_of(role)
                .filter(|e| e.grantable)
                .map(|e| e.privilege.clone())
                .collect(),
        })
        .collect();
    Some(AclSnapshot {
        grantee_exists: role == PUBLIC || grantee_exists,
        container_exists,
        objects,
    })
}

/// The read of the grantee's ACL entries over a whole scope: the text,
/// and its parameters (all typed, so the text can be prepared).
fn acl_read(target: &GrantTarget) -> (String, Vec<String>, Vec<String>) {
    let (names, extra) = target.name_params();
    // The grantee's OID comes from to_regrole on the quoted name rather
    // than from the pg_roles view: the view costs the server a rewrite and
    // a join to plan, on every grant of a large apply.
    let sql = format!(
        "WITH t(name, args, sigs, owner, acl) AS ({scope}{filter}) \
         SELECT g.oid IS NOT NULL, {container}, t.name, t.args, \
                coalesce(t.sigs, '{{}}'), coalesce(t.owner = g.oid, false), \
                ARRAY(SELECT DISTINCT a.privilege_type FROM pg_catalog.aclexplode(t.acl) a \
                      WHERE a.grantee = g.oid), \
                ARRAY(SELECT DISTINCT a.privilege_type FROM pg_catalog.aclexplode(t.acl) a \
                      WHERE a.grantee = g.oid AND a.is_grantable) \
         FROM (SELECT CASE WHEN $1 = 'public' THEN 0::oid \
                      ELSE pg_catalog.to_regrole(pg_catalog.quote_ident($1))::oid END) AS g(oid) \
         LEFT JOIN t ON true",
        scope = scope_sql(target.object_type),
        filter = name_filter(target.object_type, names.len()),
        container = container_sql(target.object_type),
    );
    (sql, names, extra)
}

/// The types of [`acl_read`]'s parameters.
const ACL_READ_TYPES: [PgType; 4] = [
    PgType::TEXT,
    PgType::TEXT,
    PgType::TEXT_ARRAY,
    PgType::TEXT_ARRAY,
];

/// What a failed read of `target`'s ACLs was doing, for its error.
fn reading(target: &GrantTarget) -> String {
    format!(
        "reading the privileges of {:?} on {} objects",
        target.role,
        target.object_type.as_str()
    )
}

/// Reads the grantee's ACL entries over the whole scope with one query.
pub async fn read_acls<C: GenericClient>(
    client: &C,
    target: &GrantTarget,
) -> Result<AclSnapshot, PgError> {
    let (sql, names, extra) = acl_read(target);
    let [role, container, names_type, extra_type] = ACL_READ_TYPES;
    let rows = client
        .query_typed(
            &sql,
            &[
                (&target.role, role),
                (&target.container(), container),
                (&names, names_type),
                (&extra, extra_type),
            ],
        )
        .await
        .map_err(|e| PgError::query(reading(target), e))?;
    snapshot_of(&rows, target)
}

/// [`read_acls`] in a change's transaction, with the statement prepared
/// once per pooled connection ([`tx::prepared`]): the server then neither
/// parses nor plans it again for each grant of a large apply, which was
/// most of the server's work per grant.
pub async fn read_acls_in(
    tx: &Transaction<'_>,
    target: &GrantTarget,
) -> Result<AclSnapshot, PgError> {
    let (sql, names, extra) = acl_read(target);
    let statement = tx::prepared(tx, &sql, &ACL_READ_TYPES)
        .await
        .map_err(|e| PgError::query(reading(target), e))?;
    let rows = tx
        .query(
            &statement,
            &[&target.role, &target.container(), &names, &extra],
        )
        .await
        .map_err(|e| PgError::query(reading(target), e))?;
    snapshot_of(&rows, target)
}

/// The snapshot in the rows of [`acl_read`].
fn snapshot_of(rows: &[Row], target: &GrantTarget) -> Result<AclSnapshot, PgError> {
    let mut snapshot = AclSnapshot::default();
    for row in rows {
        let get = |e| PgError::query(reading(target), e);
        snapshot.grantee_exists = row.try_get(0).map_err(get)?;
        snapshot.container_exists = row.try_get(1).map_err(get)?;
        let name: Option<String> = row.try_get(2).map_err(get)?;
        let Some(name) = name else { continue };
        let held: Vec<String> = row.try_get(6).map_err(get)?;
        let grantable: Vec<String> = row.try_get(7).map_err(get)?;
        snapshot.objects.push(ObjectAcl {
            name,
            args: row.try_get(3).map_err(get)?,
            sigs: row.try_get(4).map_err(get)?,
            owned: row.try_get(5).map_err(get)?,
            held: held.into_iter().collect(),
            grantable: grantable.into_iter().collect(),
        });
    }
    Ok(snapshot)
}

/// The change to make on a scope.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// Privileges every object must end up with (canonical, expanded).
    pub grant: BTreeSet<String>,
    /// Privileges to take away where held (canonical, expanded).
    pub revoke: BTreeSet<String>,
    /// Grant WITH GRANT OPTION (and count only grantable privileges as held).
    pub with_grant_option: bool,
    /// Take the grant option away from the kept privileges.
    pub drop_grant_option: bool,
}

/// The statements that bring every object of the scope not owned by the
/// grantee from its current ACL to `change`, touching only what differs: a
/// privilege that is kept is never revoked, not even for a moment. Objects
/// needing the same privileges share one statement. Listed objects that do
/// not exist are the caller's to report (see [`GrantTarget::missing`]).
pub fn change_statements(
    target: &GrantTarget,
    snapshot: &AclSnapshot,
    change: &Change,
) -> Vec<Statement> {
    // (statement kind, privileges) -> targets; kinds sort grants first.
    let mut groups: BTreeMap<(u8, Vec<String>), Vec<String>> = BTreeMap::new();
    for o in snapshot.objects.iter().filter(|o| !o.owned) {
        let have = if change.with_grant_option {
            &o.grantable
        } else {
            &o.held
        };
        let add: Vec<String> = change.grant.difference(have).cloned().collect();
        let drop_option: Vec<String> = if change.drop_grant_option {
            change.grant.intersection(&o.grantable).cloned().collect()
        } else {
            Vec::new()
        };
        let remove: Vec<String> = change.revoke.intersection(&o.held).cloned().collect();
        for (kind, privs) in [(0u8, add), (1, drop_option), (2, remove)] {
            if !privs.is_empty() {
                groups
                    .entry((kind, privs))
                    .or_default()
                    .push(target.target_sql(o));
            }
        }
    }
    if target.object_type == ObjectKind::Column {
        return column_statements(target, groups, change.with_grant_option);
    }
    let grantee = target.grantee_sql();
    let on = target.object_type.grant_keyword();
    groups
        .into_iter()
        .map(|((kind, privs), objects)| {
            let privs = privs.join(", ");
            let objects = objects.join(", ");
            Statement::plain(match kind {
                0 => format!(
                    "GRANT {privs} ON {on} {objects} TO {grantee}{}",
                    if change.with_grant_option {
                        " WITH GRANT OPTION"
                    } else {
                        ""
                    }
                ),
                1 => format!("REVOKE GRANT OPTION FOR {privs} ON {on} {objects} FROM {grantee}"),
                _ => format!("REVOKE {privs} ON {on} {objects} FROM {grantee}"),
            })
        })
        .collect()
}

/// Column privileges name the columns per privilege:
/// `GRANT SELECT ("a", "b"), INSERT ("a") ON TABLE "s"."t" TO "r"`.
fn column_statements(
    target: &GrantTarget,
    groups: BTreeMap<(u8, Vec<String>), Vec<String>>,
    with_grant_option: bool,
) -> Vec<Statement> {
    let Some(table) = target.objects.first() else {
        return Vec::new();
    };
    let table = qualified(&target.schema, table);
    let grantee = target.grantee_sql();
    // kind -> privilege -> columns
    let mut by_kind: BTreeMap<u8, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for ((kind, privs), columns) in groups {
        for p in privs {
            by_kind
                .entry(kind)
                .or_default()
                .entry(p)
                .or_default()
                .extend(columns.iter().cloned());
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, privs)| {
            let list = privs
                .into_iter()
                .map(|(p, mut cols)| {
                    cols.sort();
                    cols.dedup();
                    format!("{p} ({})", cols.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            Statement::plain(match kind {
                0 => format!(
                    "GRANT {list} ON TABLE {table} TO {grantee}{}",
                    if with_grant_option {
                        " WITH GRANT OPTION"
                    } else {
                        ""
                    }
                ),
                1 => format!("REVOKE GRANT OPTION FOR {list} ON TABLE {table} FROM {grantee}"),
                _ => format!("REVOKE {list} ON TABLE {table} FROM {grantee}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn obj(name: &str, held: &[&str], grantable: &[&str]) -> ObjectAcl {
        ObjectAcl {
            name: name.into(),
            held: set(held),
            grantable: set(grantable),
            ..Default::default()
        }
    }

    fn table_target(objects: &[&str]) -> GrantTarget {
        GrantTarget {
            role: "app".into(),
            database: "db".into(),
            schema: "s".into(),
            object_type: ObjectKind::Table,
            objects: objects.iter().map(|s| s.to_string()).collect(),
            columns: vec![],
        }
    }

    fn sql(stmts: &[Statement]) -> Vec<String> {
        stmts.iter().map(|s| s.sql.clone()).collect()
    }

    #[test]
    fn grant_kinds_are_parsed_by_their_terraform_names() {
        for k in GRANT_KINDS {
            assert_eq!(grant_kind(k.as_str()), Some(k));
        }
        // A kind postgresql_grant does not manage.
        assert_eq!(grant_kind("type"), None);
        assert_eq!(grant_kind("TABLE"), None);
    }

    #[test]
    fn reads_filter_on_the_kinds_catalog_spellings() {
        let list = |cs: &[char]| {
            cs.iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for k in GRANT_KINDS {
            let sql = scope_sql(k);
            match k.relkinds() {
                [] => assert!(!sql.contains("relkind"), "{k:?}"),
                [one] => assert!(sql.contains(&format!("c.relkind = '{one}'")), "{k:?}"),
                many => assert!(
                    sql.contains(&format!("c.relkind IN ({})", list(many))),
                    "{k:?}"
                ),
            }
            if !k.prokinds().is_empty() {
                assert!(
                    sql.contains(&format!("p.prokind IN ({})", list(k.prokinds()))),
                    "{k:?}"
                );
            }
            if k != ObjectKind::Column {
                let code = k.acldefault_code();
                assert!(
                    sql.contains(&format!("pg_catalog.acldefault('{code}'")),
                    "{k:?}"
                );
            }
        }
    }

    #[test]
    fn signatures_split_at_the_final_group() {
        assert_eq!(split_signature("f"), ("f", None));
        assert_eq!(split_signature("f()"), ("f", Some("")));
        assert_eq!(
            split_signature("f(integer, text)"),
            ("f", Some("integer, text"))
        );
        assert_eq!(
            split_signature("f(numeric(10,2))"),
            ("f", Some("numeric(10,2)"))
        );
        assert_eq!(split_signature("a(b(int)"), ("a(b", Some("int")));
        assert_eq!(split_signature("(x)"), ("(x)", None));
    }

    #[test]
    fn held_is_the_intersection_without_owned_objects() {
        let t = table_target(&[]);
        let mut owned = obj("mine", &[], &[]);
        owned.owned = true;
        let snap = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![
                obj("a", &["SELECT", "INSERT"], &["SELECT"]),
                obj("b", &["SELECT"], &["SELECT"]),
                owned,
            ],
        };
        let h = snap.held_everywhere(&t).unwrap();
        assert_eq!(h.held, set(&["SELECT"]));
        assert_eq!(h.grantable, set(&["SELECT"]));

        let empty = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![],
        };
        assert_eq!(empty.held_everywhere(&t), None);
    }

    #[test]
    fn missing_listed_object_holds_nothing() {
        let t = table_target(&["a", "gone"]);
        let snap = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![obj("a", &["SELECT"], &[])],
        };
        assert_eq!(t.missing(&snap), vec!["gone".to_string()]);
        assert!(snap.held_everywhere(&t).unwrap().held.is_empty());
    }

    #[test]
    fn change_grants_and_revokes_only_the_difference() {
        let t = table_target(&[]);
        let mut owned = obj("mine", &[], &[]);
        owned.owned = true;
        let snap = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![
                obj("a", &["SELECT", "INSERT"], &[]),
                obj("b", &["SELECT", "INSERT"], &[]),
                obj("new", &[], &[]),
                owned,
            ],
        };
        let change = Change {
            grant: set(&["SELECT", "UPDATE"]),
            revoke: set(&["INSERT"]),
            ..Default::default()
        };
        assert_eq!(
            sql(&change_statements(&t, &snap, &change)),
            vec![
                r#"GRANT SELECT, UPDATE ON TABLE "s"."new" TO "app""#,
                r#"GRANT UPDATE ON TABLE "s"."a", "s"."b" TO "app""#,
                r#"REVOKE INSERT ON TABLE "s"."a", "s"."b" FROM "app""#,
            ]
        );
        // Nothing to do when everything already matches.
        let done = Change {
            grant: set(&["SELECT"]),
            ..Default::default()
        };
        let snap2 = AclSnapshot {
            objects: vec![obj("a", &["SELECT"], &[])],
            ..snap.clone()
        };
        assert!(change_statements(&t, &snap2, &done).is_empty());
    }

    #[test]
    fn grant_option_changes() {
        let t = GrantTarget {
            role: PUBLIC.into(),
            object_type: ObjectKind::Schema,
            ..table_target(&[])
        };
        let snap = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![obj("s", &["USAGE"], &[])],
        };
        let up = Change {
            grant: set(&["USAGE"]),
            with_grant_option: true,
            ..Default::default()
        };
        assert_eq!(
            sql(&change_statements(&t, &snap, &up)),
            vec![r#"GRANT USAGE ON SCHEMA "s" TO PUBLIC WITH GRANT OPTION"#]
        );
        let snap = AclSnapshot {
            objects: vec![obj("s", &["USAGE"], &["USAGE"])],
            ..snap
        };
        let down = Change {
            grant: set(&["USAGE"]),
            drop_grant_option: true,
            ..Default::default()
        };
        assert_eq!(
            sql(&change_statements(&t, &snap, &down)),
            vec![r#"REVOKE GRANT OPTION FOR USAGE ON SCHEMA "s" FROM PUBLIC"#]
        );
    }

    #[test]
    fn functions_use_server_identity_arguments() {
        let t = GrantTarget {
            object_type: ObjectKind::Function,
            objects: vec!["f(int)".into(), "g".into()],
            ..table_target(&[])
        };
        let (bare, sigs) = t.name_params();
        assert_eq!(bare, vec!["g".to_string()]);
        assert_eq!(sigs, vec![r#""s"."f"(int)"#.to_string()]);
        let f = ObjectAcl {
            name: "f".into(),
            args: Some("x integer".into()),
            sigs: vec![r#""s"."f"(int)"#.into()],
            ..Default::default()
        };
        let snap = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![f],
        };
        assert_eq!(t.missing(&snap), vec!["g".to_string()]);
        let change = Change {
            grant: set(&["EXECUTE"]),
            ..Default::default()
        };
        assert_eq!(
            sql(&change_statements(&t, &snap, &change)),
            vec![r#"GRANT EXECUTE ON FUNCTION "s"."f"(x integer) TO "app""#]
        );
    }

    #[test]
    fn columns_are_listed_per_privilege() {
        let t = GrantTarget {
            object_type: ObjectKind::Column,
            objects: vec!["t".into()],
            columns: vec!["a".into(), "b".into()],
            ..table_target(&[])
        };
        let snap = AclSnapshot {
            grantee_exists: true,
            container_exists: true,
            objects: vec![obj("a", &["SELECT", "INSERT"], &[]), obj("b", &[], &[])],
        };
        let change = Change {
            grant: set(&["SELECT", "UPDATE"]),
            revoke: set(&["INSERT"]),
            ..Default::default()
        };
        assert_eq!(
            sql(&change_statements(&t, &snap, &change)),
            vec![
                r#"GRANT SELECT ("b"), UPDATE ("a", "b") ON TABLE "s"."t" TO "app""#,
                r#"REVOKE INSERT ("a") ON TABLE "s"."t" FROM "app""#,
            ]
        );
    }

    #[test]
    fn locks_cover_the_scope() {
        let t = GrantTarget {
            schema: "it's".into(),
            ..table_target(&[])
        };
        assert_eq!(t.locks(), vec![Lock::SchemaAcl("it's")]);
        let named = GrantTarget {
            object_type: ObjectKind::Function,
            ..table_target(&["f(integer)", "g"])
        };
        assert_eq!(
            named.locks(),
            vec![
                Lock::SchemaAclShared("s"),
                Lock::ObjectAcl {
                    schema: "s",
                    name: "f"
                },
                Lock::ObjectAcl {
                    schema: "s",
                    name: "g"
                },
            ]
        );
        let db = GrantTarget {
            object_type: ObjectKind::Database,
            ..table_target(&[])
        };
        assert_eq!(db.locks(), vec![Lock::DatabaseAcl("db")]);
    }
}
