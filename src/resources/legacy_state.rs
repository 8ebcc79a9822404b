//! Reading state the reference provider (cyrilgdn/postgresql, built on
//! SDKv2) wrote, at its schema version 0, so that `terraform state
//! replace-provider` is followed by an empty plan.
//!
//! SDKv2 stores `""` for a string it never set and `[]` for blocks and
//! lists without elements, where this provider stores null; and states
//! written by older releases lack attributes added since, which SDKv2 fills
//! with their defaults when it reads them. The helpers here undo each of
//! those, on the raw state value, before it becomes a model.

use crate::protocol::{Model, Value};

/// Sets every attribute of `M` that has a declared default and is null (or
/// missing) in `state` to that default.
pub fn fill_defaults<M: Model>(state: &mut Value) {
    for attr in M::attributes() {
        if let Some(default) = &attr.default {
            if state.get(&attr.name).is_null() {
                state.set(&attr.name, default.clone());
            }
        }
    }
}

/// Turns `""` into null for the named string attributes.
pub fn empty_strings_to_null(state: &mut Value, attrs: &[&str]) {
    for attr in attrs {
        if state.get(attr).as_str() == Some("") {
            state.set(*attr, Value::Null);
        }
    }
}

/// Fills the defaults of `M` inside every element of the set of blocks
/// `block`; a null block set becomes an empty one.
pub fn fill_block_set_defaults<M: Model>(state: &mut Value, block: &str) {
    let items = state.get(block).as_elements().map(<[Value]>::to_vec);
    let items = items
        .unwrap_or_default()
        .into_iter()
        .map(|mut item| {
            fill_defaults::<M>(&mut item);
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
        /// A test block.
        pub struct Item {
            role: String = optional("r").default(""),
            usage: bool = optional("u").default(false),
        }
    }

    model! {
        /// A test model.
        pub struct Thing {
            name: String = required("n"),
            owner: Option<String> = optional("o"),
            limit: i64 = optional("l").default(-1),
        }
        blocks {
            items: SetBlocks<Item> = set_block("i"),
        }
    }

    #[test]
    fn reference_placeholders_become_what_this_provider_stores() {
        let mut state = Value::object([
            ("name", Value::string("a")),
            ("owner", Value::string("")),
            (
                "items",
                Value::List(vec![Value::object([("role", Value::string("x"))])]),
            ),
        ]);
        fill_defaults::<Thing>(&mut state);
        empty_strings_to_null(&mut state, &["owner"]);
        fill_block_set_defaults::<Item>(&mut state, "items");
        assert_eq!(state.get("limit"), &Value::int(-1));
        assert!(state.get("owner").is_null());
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
    }
}
