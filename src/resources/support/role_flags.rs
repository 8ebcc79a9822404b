//! The boolean role attributes ([`RoleFlags`]) on the Terraform side. A
//! model or value holds each under the attribute name the table
//! ([`crate::pg::roles::attributes::FLAGS`]) gives it, so these go through
//! that table and no resource lists the flags one by one: an attribute
//! added to the table and to a model is read and written with no other
//! change.

use crate::pg::roles::attributes::{RoleFlags, FLAGS};
use crate::protocol::{Model, Value};

/// The flags an object value (a `postgresql_role` plan or state) states;
/// one that is unknown, null or missing takes `CREATE ROLE`'s default.
pub fn flags_of(v: &Value) -> RoleFlags {
    RoleFlags::from_fn(|f| v.get(f.name).as_bool().unwrap_or(f.default))
}

/// Whether `v` states every flag the access model reads.
pub fn access_flags_known(v: &Value) -> bool {
    FLAGS
        .iter()
        .filter(|f| f.access)
        .all(|f| v.get(f.name).as_bool().is_some())
}

/// `model` with every attribute the table names set from `flags`; flags
/// the model has no attribute for are left out.
pub fn with_flags<M: Model>(model: M, flags: RoleFlags) -> M {
    let mut v = model.to_value();
    let names: Vec<&str> = M::attributes().iter().map(|a| a.name.as_str()).collect();
    for (flag, on) in flags.iter().filter(|(f, _)| names.contains(&f.name)) {
        v.set(flag.name, Value::bool(on));
    }
    // The value is the model's own with booleans put where its booleans
    // were, so it converts back; the tests of the models this is used with
    // check that each attribute the table names is a boolean.
    M::from_value(&v).unwrap_or(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::model::{computed, optional};

    crate::model! {
        /// A model with some of the flags and something else.
        struct Sample {
            name: String = computed("name"),
            login: bool = optional("login").default(false),
            inherit: bool = optional("inherit").default(true),
        }
    }

    #[test]
    fn flags_go_through_the_attribute_names() {
        let flags = RoleFlags {
            login: true,
            inherit: false,
            superuser: true,
            ..RoleFlags::default()
        };
        let m = with_flags(
            Sample {
                name: "app".into(),
                ..Sample::default()
            },
            flags,
        );
        assert_eq!(m.name, "app");
        assert!(m.login && !m.inherit);
        let back = flags_of(&m.to_value());
        // What the model has no attribute for reads as the default.
        assert_eq!(
            back,
            RoleFlags {
                superuser: false,
                ..flags
            }
        );
        // Sample lacks SUPERUSER and the other powers.
        assert!(!access_flags_known(&m.to_value()));
        assert!(access_flags_known(&Value::object(
            FLAGS.iter().map(|f| (f.name, Value::bool(false)))
        )));
    }

    #[test]
    fn unknown_flags_take_the_default() {
        let v = Value::object([
            ("login", Value::unknown()),
            ("superuser", Value::bool(true)),
        ]);
        let flags = flags_of(&v);
        assert!(flags.superuser && !flags.login && flags.inherit);
        assert!(!access_flags_known(&v));
    }
}
