//! Configuration parameters stored on a role (`ALTER ROLE … SET name = value`),
//! cluster-wide or for one database (`ALTER ROLE … IN DATABASE … SET`).
//!
//! PostgreSQL keeps them as `name=value` text in `pg_db_role_setting`, with
//! the value flattened the way `SET` would print it. Three details decide
//! how the provider writes and compares them:
//! * A known parameter's name is stored in its canonical spelling
//!   (`DateStyle`), whatever case was written, so names compare without case.
//! * A value is sent as one string literal and stored as written, except for
//!   the list parameters that PostgreSQL quotes element by element
//!   (`search_path`, `temp_tablespaces`, the `*_preload_libraries`): sent as
//!   one literal, `'a, b'` would become the single element `"a, b"`. Those
//!   are split and sent as one literal per element.
//! * Names are spliced into SQL, so they are checked to be dotted
//!   identifiers and each part is quoted.

use std::collections::BTreeMap;

use crate::pg::conn::exec::Statement;
use crate::pg::sql::quote::{ident, literal};

/// Parameter name to value.
pub type Parameters = BTreeMap<String, String>;

/// Parameters whose values PostgreSQL stores as lists of quoted elements.
const LIST_PARAMETERS: [&str; 5] = [
    "search_path",
    "temp_tablespaces",
    "session_preload_libraries",
    "shared_preload_libraries",
    "local_preload_libraries",
];

fn is_list_parameter(name: &str) -> bool {
    LIST_PARAMETERS.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// Why a parameter name cannot be used, if it cannot: it must be an
/// identifier, or identifiers joined by `.` for an extension's parameter
/// (`pgaudit.log`).
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    let valid_part = |p: &str| {
        let mut chars = p.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    if !name.split('.').all(valid_part) {
        return Some(
            "a parameter name is letters, digits, `_` and `$`, starting with a letter or `_`, \
             with `.` only between the parts of an extension's parameter such as `pgaudit.log`",
        );
    }
    None
}

/// The name as SQL: each dotted part quoted.
fn quoted_name(name: &str) -> String {
    name.split('.').map(ident).collect::<Vec<_>>().join(".")
}

/// The value as SQL: one literal, or one per element for list parameters.
fn quoted_value(name: &str, value: &str) -> String {
    if is_list_parameter(name) {
        let items = split_list(value);
        if !items.is_empty() {
            return items
                .iter()
                .map(|i| literal(i))
                .collect::<Vec<_>>()
                .join(", ");
        }
    }
    literal(value)
}

fn scope(role: &str, database: Option<&str>) -> String {
    match database {
        Some(db) => format!("ALTER ROLE {} IN DATABASE {}", ident(role), ident(db)),
        None => format!("ALTER ROLE {}", ident(role)),
    }
}

/// `ALTER ROLE … [IN DATABASE …] SET name = value`.
pub fn set(role: &str, database: Option<&str>, name: &str, value: &str) -> Statement {
    Statement::plain(format!(
        "{} SET {} = {}",
        scope(role, database),
        quoted_name(name),
        quoted_value(name, value)
    ))
}

/// `ALTER ROLE … [IN DATABASE …] RESET name`.
pub fn reset(role: &str, database: Option<&str>, name: &str) -> Statement {
    Statement::plain(format!(
        "{} RESET {}",
        scope(role, database),
        quoted_name(name)
    ))
}

/// The statements turning `old` into `new` in one scope, as two lists:
/// the resets, and the sets. Callers run the resets before and the sets
/// after anything else that touches the same parameters, so a parameter can
/// move between this map and a typed attribute in one apply.
pub fn changes(
    role: &str,
    database: Option<&str>,
    old: &Parameters,
    new: &Parameters,
) -> (Vec<Statement>, Vec<Statement>) {
    let resets = old
        .keys()
        .filter(|k| find(new, k).is_none())
        .map(|k| reset(role, database, k))
        .collect();
    let sets = new
        .iter()
        .filter(|(k, v)| find(old, k).is_none_or(|(_, o)| !same_value(k, o, v)))
        .map(|(k, v)| set(role, database, k, v))
        .collect();
    (resets, sets)
}

/// The entry of `map` whose name is `name`, ignoring case as PostgreSQL does.
pub fn find<'a>(map: &'a Parameters, name: &str) -> Option<(&'a String, &'a String)> {
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// Whether two values of parameter `name` are the same setting: equal text,
/// or for list parameters the same elements.
pub fn same_value(name: &str, a: &str, b: &str) -> bool {
    a == b || (is_list_parameter(name) && split_list(a) == split_list(b))
}

/// Splits `name=value` entries as `rolconfig`/`setconfig` hold them.
pub fn parse_entries(entries: &[String]) -> Parameters {
    entries
        .iter()
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Splits a list value the way PostgreSQL reads list parameters: elements
/// separated by commas, each bare (trimmed) or double-quoted with `""` for
/// a quote inside.
pub fn split_list(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = v.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut item = String::new();
        if first == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        item.push('"');
                    } else {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                item.push(c);
                chars.next();
            }
            item = item.trim().to_string();
        }
        out.push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_part_by_part() {
        assert_eq!(
            set("r", None, "pgaudit.log", "ddl").sql,
            "ALTER ROLE \"r\" SET \"pgaudit\".\"log\" = 'ddl'"
        );
        assert_eq!(
            reset("r", Some("app db"), "work_mem").sql,
            "ALTER ROLE \"r\" IN DATABASE \"app db\" RESET \"work_mem\""
        );
    }

    #[test]
    fn list_parameters_get_one_literal_per_element() {
        assert_eq!(
            set("r", None, "temp_tablespaces", "a, \"b c\"").sql,
            "ALTER ROLE \"r\" SET \"temp_tablespaces\" = 'a', 'b c'"
        );
        assert_eq!(
            set("r", None, "DateStyle", "ISO, MDY").sql,
            "ALTER ROLE \"r\" SET \"DateStyle\" = 'ISO, MDY'"
        );
        assert!(same_value("temp_tablespaces", "a,b", "a, \"b\""));
        assert!(!same_value("work_mem", "1MB", "1024kB"));
    }

    #[test]
    fn name_check() {
        for ok in ["work_mem", "pgaudit.log", "a.b.c", "_x$"] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
        for bad in ["", "a b", "1x", "a..b", "x;drop", ".a", "é"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn changes_compare_names_without_case() {
        let old: Parameters = [("DateStyle".to_string(), "ISO".to_string())].into();
        let new: Parameters = [("datestyle".to_string(), "ISO".to_string())].into();
        assert_eq!(changes("r", None, &old, &new), (vec![], vec![]));
        let new: Parameters = [("work_mem".to_string(), "1MB".to_string())].into();
        let (resets, sets) = changes("r", None, &old, &new);
        assert_eq!(resets[0].sql, "ALTER ROLE \"r\" RESET \"DateStyle\"");
        assert_eq!(sets[0].sql, "ALTER ROLE \"r\" SET \"work_mem\" = '1MB'");
    }
}
