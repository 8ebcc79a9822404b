//! Every database of the cluster with what `postgresql_database` manages
//! about it, in one query, so refreshing many databases costs one round
//! trip.

use std::collections::BTreeMap;

use tokio_postgres::GenericClient;

use crate::pg::error::PgError;
use crate::pg::objects::database::{row_of, DatabaseRow, SELECT_DATABASE};

/// The databases `initdb` creates in every cluster: the two templates and
/// the default database to connect to.
pub const INITDB_DATABASES: [&str; 3] = ["template0", "template1", "postgres"];

/// Databases that managed services create for their own agents (Amazon
/// RDS, Google Cloud SQL, Azure). Nobody can manage them through SQL, so
/// listings leave them out like the `initdb` ones.
pub const SERVICE_DATABASES: [&str; 4] = [
    "rdsadmin",
    "cloudsqladmin",
    "azure_maintenance",
    "azure_sys",
];

/// Every database, by name.
#[derive(Debug, Clone, Default)]
pub struct DatabaseCatalog {
    databases: BTreeMap<String, DatabaseRow>,
}

impl DatabaseCatalog {
    /// The database named `name` (exactly). Its `encoding_matches` is
    /// false: compare spellings with [`same_encoding_name`].
    pub fn get(&self, name: &str) -> Option<&DatabaseRow> {
        self.databases.get(name)
    }

    /// Every database, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = &DatabaseRow> {
        self.databases.values()
    }

    /// Whether the cluster or the hosting service made the database, rather
    /// than a user: see [`INITDB_DATABASES`] and [`SERVICE_DATABASES`].
    pub fn is_builtin(name: &str) -> bool {
        INITDB_DATABASES.contains(&name) || SERVICE_DATABASES.contains(&name)
    }
}

/// Whether two encoding names are the same once spelled the way PostgreSQL
/// compares them: case and punctuation ignored (`utf-8` is `UTF8`). Aliases
/// (`UNICODE` for `UTF8`) are not known here: when this says no, ask the
/// server.
pub fn same_encoding_name(a: &str, b: &str) -> bool {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    clean(a) == clean(b)
}

/// Reads every database of the cluster with one query.
pub async fn read_databases<C: GenericClient>(client: &C) -> Result<DatabaseCatalog, PgError> {
    let err = |e| PgError::query("reading the databases", e);
    let none: Option<&str> = None;
    let rows = client.query(SELECT_DATABASE, &[&none]).await.map_err(err)?;
    let mut databases = BTreeMap::new();
    for r in &rows {
        let row = row_of(r).map_err(err)?;
        databases.insert(row.name.clone(), row);
    }
    Ok(DatabaseCatalog { databases })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_spellings() {
        assert!(same_encoding_name("utf-8", "UTF8"));
        assert!(same_encoding_name("Latin_1", "LATIN1"));
        assert!(!same_encoding_name("UNICODE", "UTF8"));
        assert!(!same_encoding_name("LATIN1", "LATIN2"));
    }

    #[test]
    fn builtin_databases() {
        for d in [
            "template0",
            "template1",
            "postgres",
            "rdsadmin",
            "cloudsqladmin",
        ] {
            assert!(DatabaseCatalog::is_builtin(d), "{d}");
        }
        for d in ["app", "Postgres", "template2"] {
            assert!(!DatabaseCatalog::is_builtin(d), "{d}");
        }
    }
}
