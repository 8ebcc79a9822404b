//! What the replication resources share: the plan-time error for an
//! attribute the server's PostgreSQL is too old for, the check of a slot
//! name, and the database a resource lives in when it names none.

use crate::pg::replication::slot;
use crate::protocol::{Diagnostic, Problem, Value};

use crate::resources::support::state::Client;

/// `150004` as `15.4`.
pub fn version_text(version_num: i32) -> String {
    format!("{}.{}", version_num / 10_000, version_num % 10_000)
}

/// The error for `attr`, set to something other than `harmless` (its value
/// on any server), on a server older than PostgreSQL `major`.
pub fn too_old(
    config: &Value,
    attr: &str,
    harmless: &Value,
    major: i32,
    version_num: i32,
    what: &str,
) -> Option<Diagnostic> {
    let v = config.get(attr);
    if version_num >= major * 10_000 || v.is_null() || v.is_unknown() || v == harmless {
        return None;
    }
    Some(
        Diagnostic::error(
            format!("{attr} Needs PostgreSQL {major}"),
            format!(
                "{attr} ({what}) needs PostgreSQL {major} or later; this server runs {}. \
                 Remove it, or upgrade the server.",
                version_text(version_num)
            ),
        )
        .at(attr),
    )
}

/// A replication slot name PostgreSQL would refuse.
pub fn slot_name(attr: &str, name: &str) -> Option<Problem> {
    slot::name_problem(name).map(|why| {
        Problem::new(
            "Invalid Replication Slot Name",
            format!(
                "{attr} {name:?} is not a valid replication slot name: {why}. Use lower-case \
                 letters, digits and underscores only, at most 63 of them."
            ),
        )
    })
}

/// The database an object lives in: `database` when set, else the
/// provider's.
pub fn database_of(client: &Client, database: Option<&String>) -> String {
    database.map_or_else(|| client.pools.settings().database.clone(), String::clone)
}

/// Fills an unknown `database` of a plan with the provider's database
/// (known now rather than after apply), when the provider is configured.
pub fn plan_database(client: Option<&Client>, plan: &mut Value) {
    if let (true, Some(c)) = (plan.get("database").is_unknown(), client) {
        plan.set(
            "database",
            Value::string(c.pools.settings().database.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_names_the_attribute_and_versions() {
        let config = Value::object([
            ("schemas", Value::string_list(["s".to_string()])),
            ("failover", Value::bool(false)),
        ]);
        let d = too_old(
            &config,
            "schemas",
            &Value::Null,
            15,
            140_011,
            "TABLES IN SCHEMA",
        )
        .expect("refused");
        assert!(d
            .detail
            .contains("PostgreSQL 15 or later; this server runs 14.11"));
        assert_eq!(d.attribute.unwrap().to_string(), "schemas");
        assert!(too_old(&config, "schemas", &Value::Null, 15, 150_000, "x").is_none());
        assert!(too_old(&config, "failover", &Value::bool(false), 17, 160_000, "x").is_none());
        assert!(slot_name("slot_name", "Bad").is_some());
        assert!(slot_name("slot_name", "good_1").is_none());
    }
}
