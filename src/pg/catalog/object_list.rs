//! Listing schemas, tables and sequences by name pattern, for the
//! `postgresql_schemas`, `postgresql_tables` and `postgresql_sequences` data
//! sources: the reference provider's filters (`LIKE ANY`, `LIKE ALL`,
//! `NOT LIKE ALL`, a regular expression, lists of schemas and table types),
//! with every pattern sent as a bind parameter, never spliced into the SQL.
//!
//! Like the reference, the lists come from `information_schema`, so they
//! hold only what the connected role owns or has some privilege on.

use tokio_postgres::types::ToSql;
use tokio_postgres::GenericClient;

use crate::pg::error::PgError;

/// Name filters, each applied only when set (an empty list is no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameFilter {
    /// The name is `LIKE` at least one of these.
    pub like_any: Vec<String>,
    /// The name is `LIKE` every one of these.
    pub like_all: Vec<String>,
    /// The name is `LIKE` none of these.
    pub not_like_all: Vec<String>,
    /// The name matches this POSIX regular expression (`~`); empty: none.
    pub regex: String,
}

type Param = Box<dyn ToSql + Sync + Send>;

/// A `WHERE` clause under construction with its parameters.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    params: Vec<Param>,
}

impl Conditions {
    /// Adds `template` with `$` replaced by the next parameter's number.
    fn push(&mut self, template: &str, param: Param) {
        self.params.push(param);
        let n = self.params.len();
        self.sql.push(template.replace('$', &format!("${n}")));
    }

    fn push_list(&mut self, template: &str, values: &[String]) {
        if !values.is_empty() {
            self.push(template, Box::new(values.to_vec()));
        }
    }

    fn names(&mut self, column: &str, f: &NameFilter) {
        self.push_list(&format!("{column} LIKE ANY ($::text[])"), &f.like_any);
        self.push_list(&format!("{column} LIKE ALL ($::text[])"), &f.like_all);
        self.push_list(
            &format!("{column} NOT LIKE ALL ($::text[])"),
            &f.not_like_all,
        );
        if !f.regex.is_empty() {
            self.push(&format!("{column} ~ $::text"), Box::new(f.regex.clone()));
        }
    }

    /// `base` with the conditions and `ORDER BY order`.
    fn query(&self, base: &str, order: &str) -> String {
        let mut sql = base.to_string();
        if !self.sql.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.sql.join(" AND "));
        }
        sql.push_str(" ORDER BY ");
        sql.push_str(order);
        sql
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// Schemas of the connected database; without `include_system`, those
/// whose name starts with `pg_` and `information_schema` are left out.
/// Sorted by name.
pub async fn schemas<C: GenericClient>(
    client: &C,
    include_system: bool,
    filter: &NameFilter,
) -> Result<Vec<String>, PgError> {
    let mut c = Conditions::default();
    if !include_system {
        c.sql.push(
            "NOT starts_with(schema_name::text, 'pg_') AND schema_name::text <> 'information_schema'"
                .into(),
        );
    }
    c.names("schema_name::text", filter);
    let sql = c.query(
        "SELECT schema_name::text FROM information_schema.schemata",
        "1",
    );
    let rows = client
        .query(sql.as_str(), &c.refs())
        .await
        .map_err(|e| PgError::query("listing schemas", e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// One table (or view, foreign table...) of [`tables`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// `table_name`.
    pub name: String,
    /// `table_schema`.
    pub schema: String,
    /// `table_type`: `BASE TABLE`, `VIEW`, `FOREIGN` or `LOCAL TEMPORARY`.
    pub table_type: String,
}

/// Tables of the connected database in `schemas` (all when empty) of the
/// given `table_types` (all when empty) whose name passes `filter`, sorted
/// by schema and name.
pub async fn tables<C: GenericClient>(
    client: &C,
    schemas: &[String],
    table_types: &[String],
    filter: &NameFilter,
) -> Result<Vec<TableEntry>, PgError> {
    let mut c = Conditions::default();
    c.push_list("table_schema::text = ANY ($::text[])", schemas);
    c.push_list("table_type::text = ANY ($::text[])", table_types);
    c.names("table_name::text", filter);
    let sql = c.query(
        "SELECT table_name::text, table_schema::text, table_type::text \
         FROM information_schema.tables",
        "2, 1",
    );
    let rows = client
        .query(sql.as_str(), &c.refs())
        .await
        .map_err(|e| PgError::query("listing tables", e))?;
    Ok(rows
        .iter()
        .map(|r| TableEntry {
            name: r.get(0),
            schema: r.get(1),
            table_type: r.get(2),
        })
        .collect())
}

/// One sequence of [`sequences`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceEntry {
    /// `sequence_name`.
    pub name: String,
    /// `sequence_schema`.
    pub schema: String,
    /// `data_type`, e.g. `bigint`.
    pub data_type: String,
}

/// Sequences of the connected database in `schemas` (all when empty) whose
/// name passes `filter`, sorted by schema and name.
pub async fn sequences<C: GenericClient>(
    client: &C,
    schemas: &[String],
    filter: &NameFilter,
) -> Result<Vec<SequenceEntry>, PgError> {
    let mut c = Conditions::default();
    c.push_list("sequence_schema::text = ANY ($::text[])", schemas);
    c.names("sequence_name::text", filter);
    let sql = c.query(
        "SELECT sequence_name::text, sequence_schema::text, data_type::text \
         FROM information_schema.sequences",
        "2, 1",
    );
    let rows = client
        .query(sql.as_str(), &c.refs())
        .await
        .map_err(|e| PgError::query("listing sequences", e))?;
    Ok(rows
        .iter()
        .map(|r| SequenceEntry {
            name: r.get(0),
            schema: r.get(1),
            data_type: r.get(2),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_become_numbered_parameters() {
        let mut c = Conditions::default();
        c.push_list("s = ANY ($::text[])", &["a".into()]);
        c.push_list("t = ANY ($::text[])", &[]);
        c.names(
            "n",
            &NameFilter {
                like_any: vec!["x%".into(), "it's".into()],
                like_all: vec![],
                not_like_all: vec!["%'; DROP TABLE t; --".into()],
                regex: "^a$".into(),
            },
        );
        assert_eq!(
            c.query("SELECT n FROM v", "1"),
            "SELECT n FROM v WHERE s = ANY ($1::text[]) AND n LIKE ANY ($2::text[]) AND \
             n NOT LIKE ALL ($3::text[]) AND n ~ $4::text ORDER BY 1"
        );
        assert_eq!(c.params.len(), 4);
    }

    #[test]
    fn no_filter_no_where() {
        let c = Conditions::default();
        assert_eq!(c.query("SELECT 1", "1"), "SELECT 1 ORDER BY 1");
    }
}
