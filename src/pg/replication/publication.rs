//! Publications: the `CREATE`, `ALTER` and `DROP PUBLICATION` statements
//! behind `postgresql_publication`, the read of one publication, and what
//! the plan-time lints of a publication read (`wal_level`, the tables with
//! row-level security it would publish).

use tokio_postgres::GenericClient;

use crate::pg::catalog::SYSTEM_SCHEMA_SQL;
use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::quote::{ident, literal, qualified};

/// The operations a publication can publish, in the catalog's order.
pub const OPERATIONS: [&str; 4] = ["insert", "update", "delete", "truncate"];

/// A table, by schema and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Table {
    /// Its schema.
    pub schema: String,
    /// Its name.
    pub name: String,
}

impl Table {
    fn sql(&self) -> String {
        qualified(&self.schema, &self.name)
    }
}

/// What a publication publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `FOR ALL TABLES`, now and later.
    AllTables,
    /// The tables named, and every table of the schemas named (`TABLES IN
    /// SCHEMA`, PostgreSQL 15 and later); both may be empty.
    Listed {
        /// Tables named one by one.
        tables: Vec<Table>,
        /// Schemas whose every table is published.
        schemas: Vec<String>,
    },
}

/// The `WITH (…)` parameters of a publication; `None` leaves one as it
/// is (PostgreSQL's default on creation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// `publish`: the operations, from [`OPERATIONS`].
    pub publish: Option<Vec<String>>,
    /// `publish_via_partition_root`.
    pub via_root: Option<bool>,
    /// `publish_generated_columns` (PostgreSQL 18): `none` or `stored`.
    pub generated_columns: Option<String>,
}

impl Params {
    fn is_empty(&self) -> bool {
        self.publish.is_none() && self.via_root.is_none() && self.generated_columns.is_none()
    }

    fn sql(&self) -> String {
        let mut items = Vec::new();
        if let Some(ops) = &self.publish {
            items.push(format!("publish = {}", literal(&ops.join(", "))));
        }
        if let Some(v) = self.via_root {
            items.push(format!("publish_via_partition_root = {v}"));
        }
        if let Some(g) = &self.generated_columns {
            items.push(format!("publish_generated_columns = {}", literal(g)));
        }
        items.join(", ")
    }
}

/// `CREATE PUBLICATION` with its scope and parameters.
pub fn create(name: &str, scope: &Scope, params: &Params) -> Statement {
    let mut sql = format!("CREATE PUBLICATION {}", ident(name));
    match scope {
        Scope::AllTables => sql.push_str(" FOR ALL TABLES"),
        Scope::Listed { tables, schemas } => {
            let mut objects = Vec::new();
            if !tables.is_empty() {
                let names: Vec<String> = tables.iter().map(Table::sql).collect();
                objects.push(format!("TABLE {}", names.join(", ")));
            }
            if !schemas.is_empty() {
                let names: Vec<String> = schemas.iter().map(|s| ident(s)).collect();
                objects.push(format!("TABLES IN SCHEMA {}", names.join(", ")));
            }
            if !objects.is_empty() {
                sql.push_str(&format!(" FOR {}", objects.join(", ")));
            }
        }
    }
    if !params.is_empty() {
        sql.push_str(&format!(" WITH ({})", params.sql()));
    }
    Statement::plain(sql)
}

/// What an update changes; the statements use the new name when it is
/// renamed, since the rename comes first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// The name now.
    pub name: String,
    /// `RENAME TO`.
    pub rename: Option<String>,
    /// `OWNER TO`.
    pub owner: Option<String>,
    /// Tables to add and drop.
    pub add_tables: Vec<Table>,
    /// Tables to drop.
    pub drop_tables: Vec<Table>,
    /// Schemas to add.
    pub add_schemas: Vec<String>,
    /// Schemas to drop.
    pub drop_schemas: Vec<String>,
    /// Parameters to set.
    pub params: Params,
}

/// The `ALTER PUBLICATION` statements of a change, in one transaction's
/// order: the rename first, the tables dropped before those added.
pub fn alter(change: &Change) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut name = ident(&change.name);
    if let Some(new) = &change.rename {
        out.push(format!("ALTER PUBLICATION {name} RENAME TO {}", ident(new)));
        name = ident(new);
    }
    if let Some(owner) = &change.owner {
        out.push(format!(
            "ALTER PUBLICATION {name} OWNER TO {}",
            ident(owner)
        ));
    }
    let list = |tables: &[Table]| tables.iter().map(Table::sql).collect::<Vec<_>>().join(", ");
    let schemas = |s: &[String]| s.iter().map(|s| ident(s)).collect::<Vec<_>>().join(", ");
    if !change.drop_tables.is_empty() {
        out.push(format!(
            "ALTER PUBLICATION {name} DROP TABLE {}",
            list(&change.drop_tables)
        ));
    }
    if !change.drop_schemas.is_empty() {
        out.push(format!(
            "ALTER PUBLICATION {name} DROP TABLES IN SCHEMA {}",
            schemas(&change.drop_schemas)
        ));
    }
    if !change.add_tables.is_empty() {
        out.push(format!(
            "ALTER PUBLICATION {name} ADD TABLE {}",
            list(&change.add_tables)
        ));
    }
    if !change.add_schemas.is_empty() {
        out.push(format!(
            "ALTER PUBLICATION {name} ADD TABLES IN SCHEMA {}",
            schemas(&change.add_schemas)
        ));
    }
    if !change.params.is_empty() {
        out.push(format!(
            "ALTER PUBLICATION {name} SET ({})",
            change.params.sql()
        ));
    }
    out.into_iter().map(Statement::plain).collect()
}

/// `DROP PUBLICATION IF EXISTS … CASCADE|RESTRICT`.
pub fn drop(name: &str, cascade: bool) -> Statement {
    Statement::plain(format!(
        "DROP PUBLICATION IF EXISTS {} {}",
        ident(name),
        if cascade { "CASCADE" } else { "RESTRICT" }
    ))
}

/// A publication as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRow {
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner: String,
    /// `FOR ALL TABLES`.
    pub all_tables: bool,
    /// The operations published, in [`OPERATIONS`] order.
    pub publish: Vec<String>,
    /// `publish_via_partition_root`.
    pub via_root: bool,
    /// `publish_generated_columns` (`none` or `stored`); `None` before 18.
    pub generated_columns: Option<String>,
    /// The tables named one by one; for a publication of all tables, every
    /// table it publishes.
    pub tables: Vec<Table>,
    /// The schemas published whole (PostgreSQL 15 and later).
    pub schemas: Vec<String>,
}

/// Reads publication `name` of the connection's database; `None` when there
/// is none.
pub async fn read<C: GenericClient>(
    client: &C,
    name: &str,
    version_num: i32,
) -> Result<Option<PublicationRow>, PgError> {
    let action = || format!("reading publication {}", ident(name));
    let gencols = if version_num >= 180_000 {
        "CASE p.pubgencols WHEN 's' THEN 'stored' ELSE 'none' END"
    } else {
        "NULL::text"
    };
    let sql = format!(
        "SELECT p.oid, pg_catalog.pg_get_userbyid(p.pubowner)::text, p.puballtables, \
                p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot, {gencols} \
         FROM pg_catalog.pg_publication p WHERE p.pubname = $1"
    );
    let Some(row) = client
        .query_opt(&sql, &[&name])
        .await
        .map_err(|e| PgError::query(action(), e))?
    else {
        return Ok(None);
    };
    let get = |e| PgError::query(action(), e);
    let oid: u32 = row.try_get(0).map_err(get)?;
    let all_tables: bool = row.try_get(2).map_err(get)?;
    let mut publish = Vec::new();
    for (i, op) in OPERATIONS.iter().enumerate() {
        if row.try_get::<_, bool>(3 + i).map_err(get)? {
            publish.push((*op).to_string());
        }
    }
    let tables_sql = if all_tables {
        "SELECT schemaname::text, tablename::text FROM pg_catalog.pg_publication_tables \
         WHERE pubname = (SELECT pubname FROM pg_catalog.pg_publication WHERE oid = $1) \
         ORDER BY 1, 2"
    } else {
        "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_publication_rel pr \
         JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE pr.prpubid = $1 ORDER BY 1, 2"
    };
    let tables = client
        .query(tables_sql, &[&oid])
        .await
        .map_err(|e| PgError::query(action(), e))?
        .iter()
        .map(|r| {
            Ok(Table {
                schema: r.try_get(0).map_err(get)?,
                name: r.try_get(1).map_err(get)?,
            })
        })
        .collect::<Result<Vec<_>, PgError>>()?;
    let schemas = if version_num >= 150_000 {
        client
            .query(
                "SELECT n.nspname::text FROM pg_catalog.pg_publication_namespace pn \
                 JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid \
                 WHERE pn.pnpubid = $1 ORDER BY 1",
                &[&oid],
            )
            .await
            .map_err(|e| PgError::query(action(), e))?
            .iter()
            .map(|r| r.try_get(0).map_err(get))
            .collect::<Result<Vec<String>, PgError>>()?
    } else {
        Vec::new()
    };
    Ok(Some(PublicationRow {
        name: name.to_string(),
        owner: row.try_get(1).map_err(get)?,
        all_tables,
        publish,
        via_root: row.try_get(7).map_err(get)?,
        generated_columns: row.try_get(8).map_err(get)?,
        tables,
        schemas,
    }))
}

/// The names of every publication of the connection's database.
pub async fn names<C: GenericClient>(client: &C) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "SELECT pubname::text FROM pg_catalog.pg_publication ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| PgError::query("listing publications", e))?;
    rows.iter()
        .map(|r| {
            r.try_get(0)
                .map_err(|e| PgError::query("listing publications", e))
        })
        .collect()
}

/// The server's `wal_level` (`minimal`, `replica` or `logical`).
pub async fn wal_level<C: GenericClient>(client: &C) -> Result<String, PgError> {
    let row = client
        .query_one("SELECT pg_catalog.current_setting('wal_level')", &[])
        .await
        .map_err(|e| PgError::query("reading wal_level", e))?;
    row.try_get(0)
        .map_err(|e| PgError::query("reading wal_level", e))
}

/// The tables with row-level security enabled that a publication of
/// every table (`schemas` `None`), or of the tables of `schemas`, would
/// publish, in the connection's database.
pub async fn tables_with_rls<C: GenericClient>(
    client: &C,
    schemas: Option<&[String]>,
) -> Result<Vec<Table>, PgError> {
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND c.relpersistence = 'p' \
           AND NOT {SYSTEM_SCHEMA_SQL} AND ($1::text[] IS NULL OR n.nspname = ANY($1)) \
         ORDER BY 1, 2"
    );
    let schemas: Option<Vec<String>> = schemas.map(<[String]>::to_vec);
    let rows = client
        .query(&sql, &[&schemas])
        .await
        .map_err(|e| PgError::query("listing tables with row-level security", e))?;
    rows.iter()
        .map(|r| {
            let get = |e| PgError::query("listing tables with row-level security", e);
            Ok(Table {
                schema: r.try_get(0).map_err(get)?,
                name: r.try_get(1).map_err(get)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(schema: &str, name: &str) -> Table {
        Table {
            schema: schema.into(),
            name: name.into(),
        }
    }

    #[test]
    fn create_names_what_is_published() {
        let none = Params::default();
        assert_eq!(
            create("p", &Scope::AllTables, &none).sql,
            "CREATE PUBLICATION \"p\" FOR ALL TABLES"
        );
        let empty = Scope::Listed {
            tables: vec![],
            schemas: vec![],
        };
        assert_eq!(create("p", &empty, &none).sql, "CREATE PUBLICATION \"p\"");
        let both = Scope::Listed {
            tables: vec![t("My S", "a.b"), t("s", "T")],
            schemas: vec!["x\"y".into()],
        };
        let params = Params {
            publish: Some(vec!["insert".into(), "truncate".into()]),
            via_root: Some(true),
            generated_columns: Some("stored".into()),
        };
        assert_eq!(
            create("Pub.1", &both, &params).sql,
            "CREATE PUBLICATION \"Pub.1\" FOR TABLE \"My S\".\"a.b\", \"s\".\"T\", \
             TABLES IN SCHEMA \"x\"\"y\" WITH (publish = 'insert, truncate', \
             publish_via_partition_root = true, publish_generated_columns = 'stored')"
        );
    }

    #[test]
    fn alter_renames_first_then_uses_the_new_name() {
        let change = Change {
            name: "old".into(),
            rename: Some("new".into()),
            owner: Some("o".into()),
            add_tables: vec![t("s", "b")],
            drop_tables: vec![t("s", "a")],
            add_schemas: vec!["x".into()],
            drop_schemas: vec!["y".into()],
            params: Params {
                via_root: Some(false),
                ..Params::default()
            },
        };
        let sql: Vec<String> = alter(&change).into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "ALTER PUBLICATION \"old\" RENAME TO \"new\"",
                "ALTER PUBLICATION \"new\" OWNER TO \"o\"",
                "ALTER PUBLICATION \"new\" DROP TABLE \"s\".\"a\"",
                "ALTER PUBLICATION \"new\" DROP TABLES IN SCHEMA \"y\"",
                "ALTER PUBLICATION \"new\" ADD TABLE \"s\".\"b\"",
                "ALTER PUBLICATION \"new\" ADD TABLES IN SCHEMA \"x\"",
                "ALTER PUBLICATION \"new\" SET (publish_via_partition_root = false)",
            ]
        );
        assert!(alter(&Change {
            name: "p".into(),
            ..Change::default()
        })
        .is_empty());
        assert_eq!(
            drop("p", true).sql,
            "DROP PUBLICATION IF EXISTS \"p\" CASCADE"
        );
    }
}
