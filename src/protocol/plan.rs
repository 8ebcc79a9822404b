//! Generic planning, applied to every resource before its own plan hook.
//!
//! Terraform checks planned values strictly (only a type that asks for the
//! legacy type system, see `Resource::legacy_type_system`, is let off), so
//! the rules here mirror what terraform-plugin-framework does:
//!
//! 1. start from Terraform's proposed new state;
//! 2. fill defaults for attributes left null in configuration;
//! 3. null out write-only attributes (they must never reach plan or state);
//! 4. when the resource is created or changes, computed attributes left null
//!    in configuration become unknown, unless marked stable; otherwise they keep
//!    their prior value, so an unchanged resource plans no diff;
//! 5. collect the changed attributes that force replacement.

use super::cty::Value;
use super::diagnostics::AttrPath;
use super::schema::Schema;

/// What Terraform handed to PlanResourceChange.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// State before the change; null when creating.
    pub prior: &'a Value,
    /// Configuration; may hold unknowns.
    pub config: &'a Value,
    /// Terraform's merge of configuration and prior state; null when destroying.
    pub proposed: &'a Value,
}

/// A planned new state plus the paths that force replacement.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The planned state; null means destroy.
    pub value: Value,
    /// Attributes whose change replaces the resource.
    pub requires_replace: Vec<AttrPath>,
}

impl Planned {
    /// Whether the plan creates the resource (no prior state).
    pub fn is_destroy(&self) -> bool {
        self.value.is_null()
    }

    /// Marks an attribute as forcing replacement, once.
    pub fn replace_on(&mut self, attr: &str) {
        let path = AttrPath::attr(attr);
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }
}

/// Plans a change with the generic rules described in the module docs.
pub fn plan(schema: &Schema, input: PlanInput<'_>) -> Planned {
    if input.proposed.is_null() {
        return Planned {
            value: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let mut value = input.proposed.clone();
    let attrs = &schema.block.attributes;

    for attr in attrs {
        if attr.write_only {
            value.set(&attr.name, Value::Null);
            continue;
        }
        if let Some(default) = &attr.default {
            if input.config.get(&attr.name).is_null() {
                value.set(&attr.name, default.clone());
            }
        }
    }

    let creating = input.prior.is_null();
    let changed = creating || value != *input.prior;
    if changed {
        for attr in attrs {
            let unset = input.config.get(&attr.name).is_null();
            if attr.computed && attr.default.is_none() && unset && (creating || !attr.stable) {
                value.set(&attr.name, Value::unknown());
            }
        }
    }

    let mut requires_replace = Vec::new();
    if !creating {
        for attr in attrs.iter().filter(|a| a.requires_replace) {
            if value.get(&attr.name) != input.prior.get(&attr.name) {
                requires_replace.push(AttrPath::attr(&attr.name));
            }
        }
    }
    Planned {
        value,
        requires_replace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::Type;
    use crate::protocol::schema::{Attribute, Block};
    use std::collections::BTreeMap;

    fn schema() -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::computed("id", Type::String, "id"),
                    Attribute::required("name", Type::String, "n"),
                    Attribute::optional("flag", Type::Bool, "f").with_default(Value::bool(false)),
                    Attribute::optional("db", Type::String, "d").replaces(),
                    Attribute::optional("secret", Type::String, "s").write_only(),
                    Attribute::computed("stable_thing", Type::String, "s").stable(),
                ],
                ..Default::default()
            },
        }
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut m = BTreeMap::new();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        for k in ["id", "name", "flag", "db", "secret", "stable_thing"] {
            m.entry(k.to_string()).or_insert(Value::Null);
        }
        Value::Object(m)
    }

    #[test]
    fn create_fills_defaults_and_unknowns() {
        let config = obj(&[
            ("name", Value::string("a")),
            ("secret", Value::string("pw")),
        ]);
        let p = plan(
            &schema(),
            PlanInput {
                prior: &Value::Null,
                config: &config,
                proposed: &config,
            },
        );
        assert_eq!(p.value.get("flag"), &Value::bool(false));
        assert!(p.value.get("id").is_unknown());
        assert!(p.value.get("stable_thing").is_unknown());
        assert!(p.value.get("secret").is_null());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn unchanged_keeps_computed() {
        let prior = obj(&[
            ("id", Value::string("a")),
            ("name", Value::string("a")),
            ("flag", Value::bool(false)),
            ("stable_thing", Value::string("s")),
        ]);
        let config = obj(&[("name", Value::string("a"))]);
        let proposed = obj(&[
            ("id", Value::string("a")),
            ("name", Value::string("a")),
            ("flag", Value::bool(false)),
            ("stable_thing", Value::string("s")),
        ]);
        let p = plan(
            &schema(),
            PlanInput {
                prior: &prior,
                config: &config,
                proposed: &proposed,
            },
        );
        assert_eq!(p.value, prior);
    }

    #[test]
    fn change_marks_unknown_and_replacement() {
        let prior = obj(&[
            ("id", Value::string("a")),
            ("name", Value::string("a")),
            ("flag", Value::bool(false)),
            ("db", Value::string("x")),
            ("stable_thing", Value::string("s")),
        ]);
        let config = obj(&[("name", Value::string("a")), ("db", Value::string("y"))]);
        let mut proposed = prior.clone();
        proposed.set("db", Value::string("y"));
        let p = plan(
            &schema(),
            PlanInput {
                prior: &prior,
                config: &config,
                proposed: &proposed,
            },
        );
        assert!(p.value.get("id").is_unknown());
        assert_eq!(p.value.get("stable_thing"), &Value::string("s"));
        assert_eq!(p.requires_replace, vec![AttrPath::attr("db")]);
    }

    #[test]
    fn destroy_is_null() {
        let p = plan(
            &schema(),
            PlanInput {
                prior: &obj(&[]),
                config: &Value::Null,
                proposed: &Value::Null,
            },
        );
        assert!(p.is_destroy());
    }
}
