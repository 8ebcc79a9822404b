//! Generic options, the `OPTIONS (...)` of foreign servers and user
//! mappings: parsing them from the catalog, writing them for `CREATE`, and
//! the `ADD`/`SET`/`DROP` list that turns what the object holds into what
//! is wanted, so that an `ALTER` touches only the options that differ.
//!
//! The catalog keeps options as `name=value` strings and splits them at the
//! first `=` (so does `pg_options_to_table`): a name holding `=` cannot be
//! read back, which is why the resources refuse one. Names are written as
//! quoted identifiers and values as literals. Values may be secret (a user
//! mapping's password): [`Shown::Redacted`] keeps them out of the log copy.

use std::collections::BTreeMap;

use crate::pg::sql::quote::{ident, literal};

/// Options by name.
pub type Options = BTreeMap<String, String>;

/// Options from the catalog's `name=value` array.
pub fn parse(entries: &[String]) -> Options {
    entries
        .iter()
        .map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e.clone(), String::new()),
        })
        .collect()
}

/// How option values appear in the log copy of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// As they are.
    Plain,
    /// As `'[redacted]'`.
    Redacted,
}

impl Shown {
    fn value(self, v: &str) -> String {
        match self {
            Shown::Plain => literal(v),
            Shown::Redacted => "'[redacted]'".to_string(),
        }
    }
}

/// ` OPTIONS ("a" 'x', "b" 'y')` for `CREATE`, as sent and as logged;
/// empty when there are none.
pub fn create_clause(options: &Options, shown: Shown) -> (String, String) {
    if options.is_empty() {
        return (String::new(), String::new());
    }
    let items = |show: &dyn Fn(&str) -> String| {
        options
            .iter()
            .map(|(k, v)| format!("{} {}", ident(k), show(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    (
        format!(" OPTIONS ({})", items(&|v| literal(v))),
        format!(" OPTIONS ({})", items(&|v| shown.value(v))),
    )
}

/// One item of `ALTER ... OPTIONS (...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `ADD name 'value'`: a new option.
    Add(String, String),
    /// `SET name 'value'`: a new value for an option it holds.
    Set(String, String),
    /// `DROP name`.
    Drop(String),
}

/// The changes that turn `current` into `wanted`, in name order.
///
/// In `current`, `None` is an option the object holds whose value cannot
/// be read (a user mapping's options are hidden from most roles): a wanted
/// value for it is always `SET`. In `wanted`, `None` keeps whatever the
/// object holds under that name (a write-only value not sent again).
/// Options in `current` and not in `wanted` are dropped.
pub fn changes(
    current: &BTreeMap<String, Option<String>>,
    wanted: &BTreeMap<String, Option<String>>,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (k, want) in wanted {
        match (current.get(k), want) {
            (None, Some(v)) => out.push(Change::Add(k.clone(), v.clone())),
            (Some(have), Some(v)) if have.as_ref() != Some(v) => {
                out.push(Change::Set(k.clone(), v.clone()));
            }
            _ => {}
        }
    }
    for k in current.keys() {
        if !wanted.contains_key(k) {
            out.push(Change::Drop(k.clone()));
        }
    }
    out
}

/// ` OPTIONS (ADD "a" 'x', DROP "b")`, as sent and as logged; `None` when
/// there is nothing to change.
pub fn alter_clause(changes: &[Change], shown: Shown) -> Option<(String, String)> {
    if changes.is_empty() {
        return None;
    }
    let items = |show: &dyn Fn(&str) -> String| {
        changes
            .iter()
            .map(|c| match c {
                Change::Add(k, v) => format!("ADD {} {}", ident(k), show(v)),
                Change::Set(k, v) => format!("SET {} {}", ident(k), show(v)),
                Change::Drop(k) => format!("DROP {}", ident(k)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some((
        format!(" OPTIONS ({})", items(&|v| literal(v))),
        format!(" OPTIONS ({})", items(&|v| shown.value(v))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Options {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn catalog_entries_split_at_the_first_equals_sign() {
        let got = parse(&["host=db".into(), "password=a=b".into(), "odd".into()]);
        assert_eq!(
            got,
            opts(&[("host", "db"), ("password", "a=b"), ("odd", "")])
        );
    }

    #[test]
    fn create_clause_quotes_and_redacts() {
        let o = opts(&[("user", "bob"), ("password", "it's")]);
        let (sql, log) = create_clause(&o, Shown::Redacted);
        assert_eq!(sql, r#" OPTIONS ("password" 'it''s', "user" 'bob')"#);
        assert_eq!(
            log,
            r#" OPTIONS ("password" '[redacted]', "user" '[redacted]')"#
        );
        let (sql, log) = create_clause(&o, Shown::Plain);
        assert_eq!(sql, log);
        assert_eq!(create_clause(&Options::new(), Shown::Plain).0, "");
    }

    #[test]
    fn changes_add_set_drop_and_keep() {
        let current: BTreeMap<String, Option<String>> = [
            ("same", Some("1")),
            ("changed", Some("1")),
            ("gone", Some("1")),
            ("hidden", None),
            ("kept", Some("secret")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect();
        let wanted: BTreeMap<String, Option<String>> = [
            ("same", Some("1")),
            ("changed", Some("2")),
            ("new", Some("3")),
            ("hidden", Some("4")),
            ("kept", None),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect();
        let got = changes(&current, &wanted);
        assert_eq!(
            got,
            [
                Change::Set("changed".into(), "2".into()),
                Change::Set("hidden".into(), "4".into()),
                Change::Add("new".into(), "3".into()),
                Change::Drop("gone".into()),
            ]
        );
        let (sql, log) = alter_clause(&got, Shown::Redacted).unwrap();
        assert_eq!(
            sql,
            r#" OPTIONS (SET "changed" '2', SET "hidden" '4', ADD "new" '3', DROP "gone")"#
        );
        assert!(!log.contains("'2'") && log.contains("DROP \"gone\""));
        assert_eq!(alter_clause(&[], Shown::Plain), None);
    }
}
