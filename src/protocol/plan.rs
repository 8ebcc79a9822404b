//! Generic planning, applied to every resource before its own plan hook.
//!
//! Terraform checks planned values strictly (only a type that asks for the
//! legacy type system, see `Resource::legacy_type_system`, is let off), so
//! the rules here mirror what terraform-plugin-framework does:
//!
//! 1. start from Terraform's proposed new state;
//! 2. fill defaults for attributes left null in configuration, in nested
//!    blocks too;
//! 3. null out write-only attributes (they must never reach plan or state);
//! 4. when the resource is created or changes, computed attributes left null
//!    in configuration become unknown, unless marked stable; otherwise they keep
//!    their prior value, so an unchanged resource plans no diff;
//! 5. collect the changed attributes that force replacement.
//!
//! An attribute shared with another resource type (`Attribute::shared_with`)
//! and left out of configuration is planned from the record in private
//! state rather than by rule 4: null on create; on update, the prior value
//! when configuration never managed it, and null (the revocation, shown in
//! the plan) when it did or when nothing was recorded.

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::AttrPath;
use crate::protocol::private::Private;
use crate::protocol::schema::{Block, NestedBlock, Nesting, Schema};

/// What Terraform handed to PlanResourceChange.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// State before the change; null when creating.
    pub prior: &'a Value,
    /// Configuration; may hold unknowns.
    pub config: &'a Value,
    /// Terraform's merge of configuration and prior state; null when destroying.
    pub proposed: &'a Value,
    /// The prior private state.
    pub private: &'a Private,
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

    for nested in &schema.block.blocks {
        fill_nested_defaults(nested, input.config.get(&nested.name), &mut value);
    }

    let creating = input.prior.is_null();
    for attr in attrs.iter().filter(|a| a.shared_with.is_some()) {
        if !input.config.get(&attr.name).is_null() {
            continue;
        }
        let keep = !creating && input.private.managed(&attr.name) == Some(false);
        let planned = if keep {
            input.prior.get(&attr.name).clone()
        } else {
            Value::Null
        };
        value.set(&attr.name, planned);
    }
    let changed = creating || value != *input.prior;
    if changed {
        for attr in attrs.iter().filter(|a| a.shared_with.is_none()) {
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

/// Fills the defaults of attributes inside the blocks of type `nested` that
/// configuration leaves null. List elements pair with configuration by
/// position. Set elements have no identity: when every attribute of the
/// block is configurable, the planned set is the configuration's (Terraform
/// proposes it too, except that it may lend an element whose configuration
/// sets nothing the values of a prior element), with defaults filled.
fn fill_nested_defaults(nested: &NestedBlock, config: &Value, value: &mut Value) {
    let Some(slot) = value.get_mut(&nested.name) else {
        return;
    };
    match (nested.nesting, slot) {
        (Nesting::Single, item @ Value::Object(_)) => {
            fill_object_defaults(&nested.block, config, item)
        }
        (Nesting::List, Value::List(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                let c = config
                    .as_elements()
                    .and_then(|e| e.get(i))
                    .unwrap_or(&Value::Null);
                fill_object_defaults(&nested.block, c, item);
            }
        }
        (Nesting::Set, Value::Set(items)) => {
            let configurable = nested
                .block
                .attributes
                .iter()
                .all(|a| a.optional || a.required);
            if let (true, Value::Set(configured)) = (configurable, config) {
                items.clone_from(configured);
            }
            for item in items.iter_mut() {
                let c = item.clone();
                fill_object_defaults(&nested.block, &c, item);
            }
        }
        _ => {}
    }
}

fn fill_object_defaults(block: &Block, config: &Value, item: &mut Value) {
    if !matches!(item, Value::Object(_)) {
        return;
    }
    for attr in &block.attributes {
        if let Some(default) = &attr.default {
            if config.get(&attr.name).is_null() {
                item.set(&attr.name, default.clone());
            }
        }
    }
    for nested in &block.blocks {
        fill_nested_defaults(nested, config.get(&nested.name), item);
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
                private: &Private::default(),
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
                private: &Private::default(),
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
                private: &Private::default(),
            },
        );
        assert!(p.value.get("id").is_unknown());
        assert_eq!(p.value.get("stable_thing"), &Value::string("s"));
        assert_eq!(p.requires_replace, vec![AttrPath::attr("db")]);
    }

    fn schema_with_blocks() -> Schema {
        let inner = Block {
            attributes: vec![
                Attribute::optional("role", Type::String, "r").with_default(Value::string("")),
                Attribute::optional("usage", Type::Bool, "u").with_default(Value::bool(false)),
            ],
            ..Default::default()
        };
        Schema {
            version: 0,
            block: Block {
                attributes: vec![Attribute::required("name", Type::String, "n")],
                blocks: vec![
                    crate::protocol::schema::NestedBlock {
                        name: "set".into(),
                        block: inner.clone(),
                        nesting: Nesting::Set,
                        max_items: 0,
                    },
                    crate::protocol::schema::NestedBlock {
                        name: "list".into(),
                        block: inner,
                        nesting: Nesting::List,
                        max_items: 0,
                    },
                ],
                ..Default::default()
            },
        }
    }

    #[test]
    fn nested_blocks_get_defaults_from_configuration() {
        let item = |role: Value, usage: Value| Value::object([("role", role), ("usage", usage)]);
        let config = Value::object([
            ("name", Value::string("a")),
            (
                "set",
                Value::Set(vec![item(Value::string("x"), Value::Null)]),
            ),
            ("list", Value::List(vec![item(Value::Null, Value::Null)])),
        ]);
        // Terraform lent the list element a prior value the configuration
        // no longer sets: the default wins.
        let mut proposed = config.clone();
        proposed.set(
            "list",
            Value::List(vec![item(Value::Null, Value::bool(true))]),
        );
        let p = plan(
            &schema_with_blocks(),
            PlanInput {
                prior: &Value::Null,
                config: &config,
                proposed: &proposed,
                private: &Private::default(),
            },
        );
        assert_eq!(
            p.value.get("set"),
            &Value::Set(vec![item(Value::string("x"), Value::bool(false))])
        );
        assert_eq!(
            p.value.get("list"),
            &Value::List(vec![item(Value::string(""), Value::bool(false))])
        );
    }

    #[test]
    fn destroy_is_null() {
        let p = plan(
            &schema(),
            PlanInput {
                prior: &obj(&[]),
                config: &Value::Null,
                proposed: &Value::Null,
                private: &Private::default(),
            },
        );
        assert!(p.is_destroy());
    }

    #[test]
    fn a_shared_attribute_left_out_follows_the_record() {
        let schema = Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::required("name", Type::String, "n"),
                    Attribute::optional("roles", Type::Set(Box::new(Type::String)), "r")
                        .shared_with("other"),
                ],
                ..Default::default()
            },
        };
        let roles = Value::Set(vec![Value::string("g")]);
        let prior = Value::object([("name", Value::string("a")), ("roles", roles.clone())]);
        let config = Value::object([("name", Value::string("a")), ("roles", Value::Null)]);
        let planned = |private: &Private, prior: &Value| {
            plan(
                &schema,
                PlanInput {
                    prior,
                    config: &config,
                    proposed: &prior.clone(),
                    private,
                },
            )
            .value
            .get("roles")
            .clone()
        };
        let mut unmanaged = Private::default();
        unmanaged.set_managed("roles", false);
        let mut managed = Private::default();
        managed.set_managed("roles", true);
        assert_eq!(planned(&unmanaged, &prior), roles);
        assert_eq!(planned(&managed, &prior), Value::Null);
        assert_eq!(planned(&Private::default(), &prior), Value::Null);
        // Creating: nothing to show, whatever the record.
        let creating = plan(
            &schema,
            PlanInput {
                prior: &Value::Null,
                config: &config,
                proposed: &config,
                private: &unmanaged,
            },
        );
        assert_eq!(creating.value.get("roles"), &Value::Null);
    }
}
