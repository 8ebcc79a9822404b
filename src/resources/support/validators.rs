//! Checks of configured values that only PostgreSQL's rules explain,
//! declared on attributes with [`Attribute::each`]: identifiers PostgreSQL
//! would truncate or refuse, and reserved role names.
//!
//! [`Attribute::each`]: crate::protocol::Attribute::each

use crate::protocol::{Problem, Value};

/// PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Names PostgreSQL reserves or that denote something other than a role.
pub const RESERVED_ROLE_NAMES: &[&str] = &[
    "public",
    "none",
    "current_user",
    "session_user",
    "current_role",
];

/// An identifier PostgreSQL would otherwise reject or silently truncate;
/// `what` names it in messages ("Role Name").
pub fn identifier(what: &str, attr: &str, name: &str) -> Option<Problem> {
    if name.is_empty() {
        return Some(Problem::new(
            format!("Empty {what}"),
            format!("{attr} must not be empty."),
        ));
    }
    if name.len() > MAX_IDENTIFIER_BYTES {
        return Some(Problem::new(
            format!("{what} Too Long"),
            format!(
                "{attr} is {} bytes long; PostgreSQL identifiers are at most {MAX_IDENTIFIER_BYTES} \
                 bytes (longer names are silently truncated, which would make Terraform see a \
                 different object). Shorten it.",
                name.len()
            ),
        ));
    }
    None
}

/// A role name (any role, including predefined ones).
pub fn role_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Role Name", attr, name)
}

/// The name of a role the provider creates: also not reserved.
pub fn new_role_name(attr: &str, name: &str) -> Option<Problem> {
    role_name(attr, name).or_else(|| {
        (RESERVED_ROLE_NAMES.contains(&name) || name.starts_with("pg_")).then(|| {
            Problem::new(
                "Reserved Role Name",
                format!(
                    "{name:?} is reserved by PostgreSQL (the names public, none, current_user, \
                     session_user, current_role and anything starting with pg_). Choose another \
                     name."
                ),
            )
        })
    })
}

/// A schema name.
pub fn schema_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Schema Name", attr, name)
}

/// A schema name, where an empty one means "none" (the reference
/// provider's state stores unset strings as `""`).
pub fn schema_name_or_empty(attr: &str, name: &str) -> Option<Problem> {
    (!name.is_empty())
        .then(|| schema_name(attr, name))
        .flatten()
}

/// The problem with an `object_type` that is not one of `known`.
pub fn object_type_problem<'a>(
    name: &str,
    mut known: impl Iterator<Item = &'a str> + Clone,
) -> Option<Problem> {
    (!known.clone().any(|k| k == name)).then(|| {
        Problem::new(
            "Invalid Object Type",
            format!(
                "object_type {name:?} is not supported; use one of {}.",
                known.by_ref().collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// A database name.
pub fn database_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Database Name", attr, name)
}

/// A table name.
pub fn table_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Table Name", attr, name)
}

/// A column name.
pub fn column_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Column Name", attr, name)
}

/// A policy name.
pub fn policy_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Policy Name", attr, name)
}

/// An extension name.
pub fn extension_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Extension Name", attr, name)
}

/// A function name, or the name of one of its arguments.
pub fn function_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Function Name", attr, name)
}

/// The name of any object that has a name of its own (a role, a schema, a
/// security label provider...).
pub fn object_name(attr: &str, name: &str) -> Option<Problem> {
    identifier("Name", attr, name)
}

/// The option names of a map of generic options (`OPTIONS (...)` of a
/// foreign server or user mapping) in `attr` of `config`: each one an
/// identifier PostgreSQL keeps whole, and without `=`, which the catalog
/// puts between an option's name and its value.
pub fn option_names(attr: &str, config: &Value) -> Option<Problem> {
    let options = config.get(attr).as_map()?;
    options.keys().find_map(|name| {
        identifier("Option Name", &format!("{attr} key {name:?}"), name).or_else(|| {
            name.contains('=').then(|| {
                Problem::new(
                    "Invalid Option Name",
                    format!(
                        "{attr} key {name:?} contains '=', which PostgreSQL stores between an \
                         option's name and its value, so it could never be read back. Use the \
                         option name the foreign-data wrapper documents."
                    ),
                )
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_reserved_names() {
        assert!(role_name("name", &"r".repeat(63)).is_none());
        assert_eq!(
            role_name("name", &"é".repeat(32)).unwrap().summary,
            "Role Name Too Long"
        );
        assert_eq!(
            schema_name("schema", "").unwrap().summary,
            "Empty Schema Name"
        );
        assert_eq!(
            new_role_name("name", "pg_x").unwrap().summary,
            "Reserved Role Name"
        );
        assert!(role_name("role", "pg_read_all_data").is_none());
    }

    #[test]
    fn option_names_are_identifiers_without_equals_signs() {
        let config = |k: &str| {
            Value::object([(
                "options",
                Value::Map([(k.to_string(), Value::string("v"))].into()),
            )])
        };
        assert!(option_names("options", &config("host")).is_none());
        assert!(option_names("options", &Value::object([("options", Value::Null)])).is_none());
        assert_eq!(
            option_names("options", &config("a=b")).unwrap().summary,
            "Invalid Option Name"
        );
        assert_eq!(
            option_names("options", &config("")).unwrap().summary,
            "Empty Option Name"
        );
        let long = option_names("options", &config(&"o".repeat(64))).unwrap();
        assert!(long.detail.contains("options key"), "{}", long.detail);
    }
}
