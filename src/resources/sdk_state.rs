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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;
    use crate::protocol::model::{optional, required};

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
        assert_eq!(v.get("flag"), &Value::bool(false));
        assert!(v.get("note").is_null());
        assert_eq!(v.get("name"), &Value::string("a"));
        // Already-set values stay.
        let mut w = Value::object([("name", Value::string("a")), ("flag", Value::bool(true))]);
        fill_defaults::<Sample>(&mut w);
        assert_eq!(w.get("flag"), &Value::bool(true));
    }
}
