//! Validation every configuration gets before its resource sees it: the
//! validators declared on each attribute, a provider-wide check of every
//! string, and write-only attributes refused to clients that would store
//! them.
//!
//! Values not known yet (unknown during `terraform validate`) pass here;
//! Terraform validates again during plan, when they are known.

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics, PathStep};
use crate::protocol::schema::{Block, Nesting, Problem, Rule, RuleKind, Validator};

/// Runs the validators declared on the attributes of `block` (and of its
/// nested blocks) against `config`.
pub fn check_validators(block: &Block, config: &Value, d: &mut Diagnostics) {
    check_block(block, config, &AttrPath::default(), d);
}

fn check_block(block: &Block, config: &Value, path: &AttrPath, d: &mut Diagnostics) {
    if !matches!(config, Value::Object(_)) {
        return;
    }
    for attr in &block.attributes {
        let value = config.get(&attr.name);
        let at = path.then_attr(&attr.name);
        for v in &attr.validators {
            check_one(v, &attr.name, value, config, &at, d);
        }
    }
    for nested in &block.blocks {
        let value = config.get(&nested.name);
        let at = path.then_attr(&nested.name);
        match (nested.nesting, value.as_elements()) {
            (Nesting::Single, _) => check_block(&nested.block, value, &at, d),
            (Nesting::List, Some(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let index = i64::try_from(i).unwrap_or(i64::MAX);
                    check_block(&nested.block, item, &at.then(PathStep::Index(index)), d);
                }
            }
            // Set elements have no path of their own: point at the set.
            (Nesting::Set, Some(items)) => {
                for item in items {
                    check_block(&nested.block, item, &at, d);
                }
            }
            _ => {}
        }
    }
}

fn check_one(
    v: &Validator,
    name: &str,
    value: &Value,
    siblings: &Value,
    at: &AttrPath,
    d: &mut Diagnostics,
) {
    if let Validator::Across(rule) = v {
        if let Some(p) = rule_problem(rule, name, value, siblings) {
            d.push(Diagnostic::error(p.summary, p.detail).at_path(at));
        }
        return;
    }
    if value.is_null() || value.is_unknown() {
        return;
    }
    let problem = match v {
        Validator::IntRange { min, max } => int_problem(name, value, *min, *max),
        Validator::OneOf(allowed) => match value.as_str() {
            Some(s) if !allowed.contains(&s) => Some(Problem::new(
                format!("Invalid {name}"),
                format!("{name} is {s:?}; use one of {}.", quoted_list(allowed)),
            )),
            _ => None,
        },
        Validator::Whole(check) => check(name, value),
        Validator::WithConfig(check) => check(siblings),
        Validator::EachString(check) => {
            // The whole path (`arg[1].type`), so that a message about an
            // attribute inside a block says which block.
            let path = at.to_string();
            for s in strings_of(value) {
                if let Some(p) = check(&path, s) {
                    d.push(Diagnostic::error(p.summary, p.detail).at_path(at));
                }
            }
            None
        }
        Validator::Across(_) => None,
    };
    if let Some(p) = problem {
        d.push(Diagnostic::error(p.summary, p.detail).at_path(at));
    }
}

/// The problem a rule across attributes finds, if any. Conflicts and
/// requirements are checked only when the attribute itself is set and
/// known; "one of" rules whatever it holds, once every attribute of the
/// group is known.
fn rule_problem(rule: &Rule, name: &str, value: &Value, siblings: &Value) -> Option<Problem> {
    let worded = |generic: Problem| Some(rule.wording.clone().unwrap_or(generic));
    match rule.kind {
        RuleKind::ConflictsWith | RuleKind::RequiredWith
            if value.is_null() || value.is_unknown() =>
        {
            None
        }
        RuleKind::ConflictsWith => {
            let other = rule.others.iter().find(|o| {
                let other = siblings.get(o);
                !other.is_null() && (rule.unknown_is_set || !other.is_unknown())
            })?;
            worded(Problem::new(
                "Conflicting Attributes",
                format!("{name} and {other} cannot both be set. Remove one of them."),
            ))
        }
        RuleKind::RequiredWith => {
            let other = rule.others.iter().find(|o| siblings.get(o).is_null())?;
            worded(Problem::new(
                format!("Missing {other}"),
                format!("{name} is set, so {other} must be set too."),
            ))
        }
        RuleKind::ExactlyOneOf | RuleKind::AtLeastOneOf => {
            let group: Vec<&str> = std::iter::once(name)
                .chain(rule.others.iter().copied())
                .collect();
            let values: Vec<&Value> = group
                .iter()
                .map(|a| if *a == name { value } else { siblings.get(a) })
                .collect();
            if values.iter().any(|v| v.is_unknown()) {
                return None;
            }
            let set = values.iter().filter(|v| !v.is_null()).count();
            let names = group.join(", ");
            if set == 0 {
                let how = if rule.kind == RuleKind::ExactlyOneOf {
                    "one"
                } else {
                    "at least one"
                };
                worded(Problem::new(
                    "Missing Attribute",
                    format!("Set {how} of {names}."),
                ))
            } else if set > 1 && rule.kind == RuleKind::ExactlyOneOf {
                worded(Problem::new(
                    "Conflicting Attributes",
                    format!("Only one of {names} can be set. Remove all but one."),
                ))
            } else {
                None
            }
        }
    }
}

/// The problem with a number that is not a whole number in `min..=max`.
fn int_problem(name: &str, value: &Value, min: i64, max: i64) -> Option<Problem> {
    let n = value.as_number()?;
    match n.as_i64() {
        Some(i) if (min..=max).contains(&i) => None,
        Some(_) => Some(Problem::new(
            format!("Invalid {name}"),
            format!(
                "{name} is {n}, outside the range PostgreSQL accepts for it. Use a whole number \
                 from {min} to {max}."
            ),
        )),
        None => Some(Problem::new(
            format!("Invalid {name}"),
            format!("{name} is {n}, which is not a whole number. Use a whole number from {min} to {max}."),
        )),
    }
}

/// The known strings in a string, list or set value.
fn strings_of(value: &Value) -> Vec<&str> {
    match value.as_str() {
        Some(s) => vec![s],
        None => value
            .as_elements()
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Calls `check` on every known string anywhere in `value`, adding an error
/// at the string's path for each one it refuses (`check` returns the detail).
pub fn check_all_strings(
    value: &Value,
    check: &dyn Fn(&str) -> Option<String>,
    d: &mut Diagnostics,
) {
    walk_strings(value, &AttrPath::default(), check, d);
}

fn walk_strings(
    value: &Value,
    path: &AttrPath,
    check: &dyn Fn(&str) -> Option<String>,
    d: &mut Diagnostics,
) {
    match value {
        Value::String(s) => {
            if let Some(detail) = check(s) {
                let what = if path.0.is_empty() {
                    "The value".to_string()
                } else {
                    path.to_string()
                };
                d.push(
                    Diagnostic::error("Invalid Character", format!("{what}: {detail}"))
                        .at_path(path),
                );
            }
        }
        Value::List(items) | Value::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                let index = i64::try_from(i).unwrap_or(i64::MAX);
                walk_strings(item, &path.then(PathStep::Index(index)), check, d);
            }
        }
        // Set elements have no path of their own: point at the set.
        Value::Set(items) => {
            for item in items {
                walk_strings(item, path, check, d);
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                walk_strings(v, &path.then(PathStep::Key(k.clone())), check, d);
            }
        }
        Value::Object(attrs) => {
            for (k, v) in attrs {
                walk_strings(v, &path.then_attr(k), check, d);
            }
        }
        Value::Dynamic(_, inner) => walk_strings(inner, path, check, d),
        Value::Null | Value::Unknown(_) | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Terraform and OpenTofu before 1.11 do not know write-only attributes and
/// would store their values in plan and state; such a client may not set
/// them. `allowed` is the client's `write_only_attributes_allowed`.
pub fn check_write_only(block: &Block, config: &Value, allowed: bool, d: &mut Diagnostics) {
    if allowed {
        return;
    }
    for attr in block.attributes.iter().filter(|a| a.write_only) {
        if !config.get(&attr.name).is_null() {
            d.push(
                Diagnostic::error(
                    "Write-Only Attribute Not Supported By This Terraform",
                    format!(
                        "{} is write-only: its value must never be stored in plan or state. This \
                         version of Terraform (or OpenTofu) does not support write-only attributes \
                         and would store it. Use Terraform 1.11 or OpenTofu 1.11 or later, or set \
                         the non-write-only attribute instead.",
                        attr.name
                    ),
                )
                .at(&attr.name),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::{Number, Type};
    use crate::protocol::schema::Attribute;

    fn block() -> Block {
        Block {
            attributes: vec![
                Attribute::optional("limit", Type::Number, "l").int_range(-1, 2_147_483_647),
                Attribute::optional("mode", Type::String, "m")
                    .validate(Validator::OneOf(&["a", "b"])),
                Attribute::optional("pw", Type::String, "p").conflicts_with(&["pw_wo"]),
                Attribute::optional("pw_wo", Type::String, "p")
                    .write_only()
                    .required_with(&["pw_version"]),
                Attribute::optional("pw_version", Type::String, "v"),
            ],
            ..Default::default()
        }
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    fn run(c: &Value) -> Vec<(String, String)> {
        let mut d = Diagnostics::new();
        check_validators(&block(), c, &mut d);
        d.0.iter()
            .map(|x| {
                (
                    x.summary.clone(),
                    x.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn integers_must_be_whole_and_in_range() {
        for bad in ["4294967296", "1.5", "2147483648", "-2"] {
            let c = config(&[("limit", Value::Number(Number::parse(bad).unwrap()))]);
            assert_eq!(
                run(&c),
                vec![("Invalid limit".into(), "limit".into())],
                "{bad}"
            );
        }
        for good in ["-1", "0", "2147483647"] {
            let c = config(&[("limit", Value::Number(Number::parse(good).unwrap()))]);
            assert!(run(&c).is_empty(), "{good}");
        }
        assert!(run(&config(&[("limit", Value::unknown())])).is_empty());
    }

    #[test]
    fn one_of_conflicts_and_requirements() {
        let c = config(&[
            ("mode", Value::string("c")),
            ("pw", Value::string("x")),
            ("pw_wo", Value::string("y")),
        ]);
        let got = run(&c);
        assert!(got.contains(&("Invalid mode".into(), "mode".into())));
        assert!(got.contains(&("Conflicting Attributes".into(), "pw".into())));
        assert!(got.contains(&("Missing pw_version".into(), "pw_wo".into())));
    }

    #[test]
    fn one_of_rules_wait_for_known_values_and_name_the_attribute() {
        let block = Block {
            attributes: vec![
                Attribute::optional("host", Type::String, "h").exactly_one_of(&["socket"]),
                Attribute::optional("socket", Type::String, "s"),
                Attribute::optional("a", Type::String, "a")
                    .at_least_one_of(&["b"])
                    .saying("Nothing To Do", "Set a or b."),
                Attribute::optional("b", Type::String, "b"),
                Attribute::optional("secret", Type::String, "s")
                    .conflicts_with(&["socket"])
                    .unknown_counts_as_set(),
                Attribute::optional("plain", Type::String, "p").conflicts_with(&["socket"]),
            ],
            ..Default::default()
        };
        let run = |pairs: &[(&str, Value)]| -> Vec<(String, String, String)> {
            let mut d = Diagnostics::new();
            check_validators(&block, &config(pairs), &mut d);
            d.0.iter()
                .map(|x| {
                    let at = x.attribute.as_ref().map(ToString::to_string);
                    (x.summary.clone(), x.detail.clone(), at.unwrap_or_default())
                })
                .collect()
        };
        let s = Value::string;
        assert_eq!(
            run(&[]),
            vec![
                (
                    "Missing Attribute".into(),
                    "Set one of host, socket.".into(),
                    "host".into()
                ),
                ("Nothing To Do".into(), "Set a or b.".into(), "a".into()),
            ]
        );
        assert_eq!(
            run(&[("host", s("h")), ("socket", s("s")), ("b", s("b"))]),
            vec![(
                "Conflicting Attributes".into(),
                "Only one of host, socket can be set. Remove all but one.".into(),
                "host".into()
            )]
        );
        // Not known yet: the one-of rules wait, and so does a plain conflict;
        // a secret's conflict does not.
        let got = run(&[
            ("socket", Value::unknown()),
            ("a", Value::unknown()),
            ("secret", s("x")),
            ("plain", s("y")),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].2, "secret");
        assert_eq!(
            got[0].1,
            "secret and socket cannot both be set. Remove one of them."
        );
    }

    #[test]
    fn string_checks_in_blocks_get_the_whole_path() {
        fn named(attr: &str, v: &str) -> Option<Problem> {
            (v == "bad").then(|| Problem::new("Bad", format!("{attr} is bad")))
        }
        let inner = Block {
            attributes: vec![Attribute::optional("type", Type::String, "t")
                .validate(Validator::EachString(named))],
            ..Default::default()
        };
        let outer = Block {
            attributes: vec![Attribute::optional("top", Type::String, "t")
                .validate(Validator::EachString(named))],
            blocks: vec![crate::protocol::schema::NestedBlock {
                name: "arg".into(),
                nesting: Nesting::List,
                block: inner,
                max_items: 0,
            }],
            ..Default::default()
        };
        let item = |t: &str| Value::object([("type", Value::string(t))]);
        let c = Value::object([
            ("top", Value::string("bad")),
            ("arg", Value::List(vec![item("ok"), item("bad")])),
        ]);
        let mut d = Diagnostics::new();
        check_validators(&outer, &c, &mut d);
        let details: Vec<&str> = d.0.iter().map(|x| x.detail.as_str()).collect();
        assert_eq!(details, vec!["top is bad", "arg[1].type is bad"]);
    }

    #[test]
    fn strings_are_checked_at_their_path() {
        let c = Value::object([
            ("name", Value::string("a\0b")),
            (
                "list",
                Value::List(vec![Value::string("ok"), Value::string("\0")]),
            ),
        ]);
        let mut d = Diagnostics::new();
        check_all_strings(
            &c,
            &|s: &str| s.contains('\0').then(|| "has NUL".to_string()),
            &mut d,
        );
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.attribute.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(paths, vec!["list[1]".to_string(), "name".to_string()]);
    }

    #[test]
    fn write_only_needs_a_client_that_allows_it() {
        let c = config(&[
            ("pw_wo", Value::string("x")),
            ("pw_version", Value::string("1")),
        ]);
        let mut d = Diagnostics::new();
        check_write_only(&block(), &c, false, &mut d);
        assert_eq!(d.0.len(), 1);
        assert!(d.0[0].detail.contains("1.11"));
        let mut d = Diagnostics::new();
        check_write_only(&block(), &c, true, &mut d);
        assert!(d.is_empty());
    }
}
