//! List resources (tfplugin6 6.10, Terraform 1.14+): what `terraform query`
//! asks a resource type for, and the filters its `config` block takes.
//!
//! Every list block takes the same few optional filters, each where it
//! makes sense for the type, so that a query file reads the same for every
//! resource: `database`, `schema` and `name_pattern` (a LIKE pattern).

use crate::protocol::cty::{Type, Value};
use crate::protocol::schema::{Attribute, Block, Schema};

/// A filter a list block can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// The database to look in; the provider's own when unset. The text
    /// says what it means for the type, when more than that.
    Database(&'static str),
    /// Only objects in this schema.
    Schema,
    /// Only objects whose name matches this LIKE pattern; the text says
    /// which name (`"the role's name"`).
    NamePattern(&'static str),
}

impl ListFilter {
    fn attribute(self) -> Attribute {
        match self {
            ListFilter::Database(note) => Attribute::optional(
                "database",
                Type::String,
                &format!(
                    "The database to list in; the provider's database when unset.{}",
                    spaced(note)
                ),
            ),
            ListFilter::Schema => Attribute::optional(
                "schema",
                Type::String,
                "List only objects in this schema; every schema except `pg_catalog`, \
                 `information_schema` and other system schemas when unset.",
            ),
            ListFilter::NamePattern(what) => Attribute::optional(
                "name_pattern",
                Type::String,
                &format!(
                    "List only objects where {what} matches this SQL LIKE pattern (`%` for any \
                     characters, `_` for one, `\\` before either to match it literally; \
                     case-sensitive)."
                ),
            ),
        }
    }
}

fn spaced(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(" {note}")
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
    /// Whether `name` matches `name_pattern` (always, without one).
    pub fn name_matches(&self, name: &str) -> bool {
        self.name_pattern.as_deref().is_none_or(|p| like(name, p))
    }

    /// Whether `schema` is the one `schema` asks for (any, without one).
    pub fn schema_matches(&self, schema: &str) -> bool {
        self.schema.as_deref().is_none_or(|s| s == schema)
    }

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

/// Whether `name` matches the SQL `LIKE` pattern `pattern` as PostgreSQL
/// matches it with the default escape: `%` any run of characters, `_` one
/// character, `\` taking the next character literally; case-sensitive,
/// character by character.
pub fn like(name: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Any,
        One,
        Lit(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        toks.push(match c {
            '%' => Tok::Any,
            '_' => Tok::One,
            '\\' => Tok::Lit(chars.next().unwrap_or('\\')),
            c => Tok::Lit(c),
        });
    }
    let text: Vec<char> = name.chars().collect();
    // Two pointers, backtracking to the last `%` on a mismatch.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match toks.get(p) {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                t += 1;
                p += 1;
            }
            Some(Tok::Lit(l)) if *l == c => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks.get(p..)
        .unwrap_or_default()
        .iter()
        .all(|t| *t == Tok::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_as_postgresql_does() {
        assert!(like("app_reader", "app%"));
        assert!(like("app_reader", "app\\_%"));
        assert!(!like("appreader", "app\\_%"));
        assert!(like("a", "_"));
        assert!(!like("ab", "_"));
        assert!(like("", "%"));
        assert!(like("rôle", "r_le"));
        assert!(!like("App", "app"));
        assert!(like("x%y", "x\\%y"));
        assert!(!like("xzy", "x\\%y"));
        assert!(like("abcabd", "%ab_"));
        assert!(like("abc", "%%c"));
        assert!(!like("abc", "%d%"));
    }

    #[test]
    fn filters_become_optional_attributes() {
        let s = list_schema(
            "postgresql_role",
            &[
                ListFilter::Database(""),
                ListFilter::NamePattern("the role's name"),
            ],
        );
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["database", "name_pattern"]);
        assert!(s.block.attributes.iter().all(|a| a.optional && !a.required));
        assert!(s.block.attributes[1]
            .description
            .contains("the role's name"));
        let q = ListQuery::from_config(
            &Value::object([
                ("database", Value::Null),
                ("name_pattern", Value::string("a%")),
            ]),
            100,
        );
        assert!(q.name_matches("ab") && !q.name_matches("ba"));
        assert!(q.schema_matches("anything"));
    }
}
