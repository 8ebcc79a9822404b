//! List resources (tfplugin6 6.10, Terraform 1.14+): what `terraform query`
//! asks a resource type for, and the filters its `config` block takes.
//!
//! Every list block takes the same few optional filters, each where it
//! makes sense for the type, so that a query file reads the same for every
//! resource: `database`, `schema` and `name_pattern` (a LIKE pattern).

use super::cty::{Type, Value};
use super::schema::{Attribute, Block, Schema};

/// A filter a list block can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// The database to look in; the provider's own when unset.
    Database,
    /// Only objects in this schema.
    Schema,
    /// Only objects whose name matches this LIKE pattern.
    NamePattern,
}

impl ListFilter {
    fn attribute(self) -> Attribute {
        match self {
            ListFilter::Database => Attribute::optional(
                "database",
                Type::String,
                "The database to list in; the provider's database when unset.",
            ),
            ListFilter::Schema => Attribute::optional(
                "schema",
                Type::String,
                "List only objects in this schema; every schema except `pg_catalog`, \
                 `information_schema` and other system schemas when unset.",
            ),
            ListFilter::NamePattern => Attribute::optional(
                "name_pattern",
                Type::String,
                "List only objects whose name matches this SQL LIKE pattern (`%` for any \
                 characters, `_` for one; case-sensitive).",
            ),
        }
    }
}

/// The schema of a list block's `config` taking `filters`.
pub fn list_schema(type_name: &str, filters: &[ListFilter]) -> Schema {
    let mut block = Block {
        description: format!(
            "Lists existing objects for `{type_name}`, to import with `terraform query`. Every \
             filter is optional; with none, everything visible is listed."
        ),
        ..Block::default()
    };
    block.attributes = filters.iter().map(|f| f.attribute()).collect();
    Schema { version: 0, block }
}

/// What a `terraform query` list block asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// `database`, when given.
    pub database: Option<String>,
    /// `schema`, when given.
    pub schema: Option<String>,
    /// `name_pattern`, when given.
    pub name_pattern: Option<String>,
    /// Most results Terraform will read.
    pub limit: usize,
}

impl ListQuery {
    /// The query of a decoded `config` value and the request's limit.
    pub fn from_config(config: &Value, limit: i64) -> ListQuery {
        let text = |name: &str| config.get(name).as_str().map(str::to_string);
        ListQuery {
            database: text("database"),
            schema: text("schema"),
            name_pattern: text("name_pattern"),
            limit: usize::try_from(limit).unwrap_or(0),
        }
    }
}
