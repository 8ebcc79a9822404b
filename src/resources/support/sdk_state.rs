//! Reading state the reference provider (cyrilgdn/postgresql, built on
//! Terraform's SDKv2) wrote, so that `terraform state replace-provider`
//! followed by a plan shows no change.
//!
//! SDKv2 stores an unset optional string as `""` and an unset list or block
//! as `[]`, and a state written by an older release lacks the attributes
//! added since (stored as null once decoded). This provider holds null for
//! "unset" and always stores a default, so each resource's `upgrade` maps
//! the first two to null and fills in the defaults.

use crate::protocol::{Model, Value};

/// Sets every top-level attribute of `M` that has a default and is null in
/// `state` to that default, as the reference provider's Read would have.
pub fn fill_defaults<M: Model>(state: &mut Value) {
    fill_block_defaults(M::attributes(), state);
}

/// [`fill_defaults`] over the attributes of one block (a resource or one
/// nested block element).
pub fn fill_block_defaults(attributes: &[crate::protocol::Attribute], state: &mut Value) {
    if !matches!(state, Value::Object(_)) {
        return;
    }
    for attr in attributes {
        if let Some(default) = &attr.default {
            if state.get(&attr.name).is_null() {
                state.set(&attr.name, default.clone());
            }
        }
    }
}

/// Sets each of `attrs` that holds `""` to null.
pub fn empty_strings_to_null(state: &mut Value, attrs: &[&str]) {
    for attr in attrs {
        if state.get(attr).as_str() == Some("") {
            state.set(*attr, Value::Null);
        }
    }
}

/// Sets each of `attrs` that holds an empty list, set or map to null.
pub fn empty_collections_to_null(state: &mut Value, attrs: &[&str]) {
    for attr in attrs {
        let v = state.get(attr);
        let empty = v.as_elements().is_some_and(<[Value]>::is_empty)
            || v.as_map().is_some_and(|m| m.is_empty());
        if empty {
            state.set(*attr, Value::Null);
        }
    }
}

/// Fills the defaults of `M` inside every element of the set of blocks
/// `block`; a null block set becomes an empty one, as SDKv2 stores it.
pub fn fill_block_set_defaults<M: Model>(state: &mut Value, block: &str) {
    let items = state
        .get(block)
        .as_elements()
        .map(<[Value]>::to_vec)
        .unwrap_or_default()
        .into_iter()
        .map(|mut item| {
            fill_block_defaults(M::attributes(), &mut item);
            item
        })
        .collect();
    state.set(block, Value::Set(items));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;
    use crate::protocol::model::{optional, required, set_block, SetBlocks};

    model! {
        /// A test model.
        pub struct Sample {
            name: String = required("n"),
            flag: bool = optional("f").default(false),
            note: Option<String> = optional("o"),
        }
    }

    #[test]
    fn defaults_fill_nulls_and_empty_strings_become_null() {
        let mut v = Value::object([("name", Value::string("a")), ("note", Value::string(""))]);
        fill_defaults::<Sample>(&mut v);
        empty_strings_to_null(&mut v, &["note", "name"]);
        let mut c = Value::object([
            ("l", Value::List(Vec::new())),
            ("m", Value::Map(Default::default())),
            ("s", Value::string_set(["x".to_string()])),
        ]);
        empty_collections_to_null(&mut c, &["l", "m", "s"]);
        assert!(c.get("l").is_null() && c.get("m").is_null());
        assert!(!c.get("s").is_null());
        assert_eq!(v.get("flag"), &Value::bool(false));
        assert!(v.get("note").is_null());
        assert_eq!(v.get("name"), &Value::string("a"));
        // Already-set values stay.
        let mut w = Value::object([("name", Value::string("a")), ("flag", Value::bool(true))]);
        fill_defaults::<Sample>(&mut w);
        assert_eq!(w.get("flag"), &Value::bool(true));
    }

    model! {
        /// A test block.
        pub struct Item {
            role: String = optional("r").default(""),
            usage: bool = optional("u").default(false),
        }
    }

    model! {
        /// A test model with a set of blocks.
        pub struct Thing {
            name: String = required("n"),
        }
        blocks {
            items: SetBlocks<Item> = set_block("i"),
        }
    }

    #[test]
    fn block_sets_get_their_defaults_and_null_becomes_empty() {
        let mut state = Value::object([
            ("name", Value::string("a")),
            (
                "items",
                Value::List(vec![Value::object([("role", Value::string("x"))])]),
            ),
        ]);
        fill_block_set_defaults::<Item>(&mut state, "items");
        assert_eq!(
            state.get("items"),
            &Value::Set(vec![Value::object([
                ("role", Value::string("x")),
                ("usage", Value::bool(false)),
            ])])
        );
        let mut none = Value::object([("name", Value::string("a"))]);
        fill_block_set_defaults::<Item>(&mut none, "items");
        assert_eq!(none.get("items"), &Value::Set(Vec::new()));
        assert_eq!(Thing::blocks().len(), 1);
    }
}
