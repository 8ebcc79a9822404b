//! What the replication resources share: the plan-time error for an
//! attribute the server's PostgreSQL is too old for, the check of a slot
//! name, and the database a resource lives in when it names none.

use crate::pg::replication::slot;
use crate::protocol::{Diagnostic, Problem, Tf};

use crate::resources::support::state::Client;

/// `150004` as `15.4`.
pub fn version_text(version_num: i32) -> String {
    format!("{}.{}", version_num / 10_000, version_num % 10_000)
}

/// The error for `attr`, configured as `v`, set to something other than
/// `harmless` (its value on any server, if it has one), on a server older
/// than PostgreSQL `major`.
pub fn too_old<T: PartialEq>(
    attr: &str,
    v: &Tf<T>,
    harmless: Option<&T>,
    major: i32,
    version_num: i32,
    what: &str,
) -> Option<Diagnostic> {
    let v = v.known()?;
    if version_num >= major * 10_000 || Some(v) == harmless {
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

/// Fills an unknown planned `database` with the provider's database
/// (known now rather than after apply), when the provider is configured.
pub fn plan_database(client: Option<&Client>, database: &mut Tf<String>) {
    if let (true, Some(c)) = (database.is_unknown(), client) {
        *database = Tf::Known(c.pools.settings().database.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_names_the_attribute_and_versions() {
        let schemas = Tf::Known(vec!["s".to_string()]);
        let failover = Tf::Known(false);
        let d =
            too_old("schemas", &schemas, None, 15, 140_011, "TABLES IN SCHEMA").expect("refused");
        assert!(d
            .detail
            .contains("PostgreSQL 15 or later; this server runs 14.11"));
        assert_eq!(d.attribute.unwrap().to_string(), "schemas");
        assert!(too_old("schemas", &schemas, None, 15, 150_000, "x").is_none());
        assert!(too_old("failover", &failover, Some(&false), 17, 160_000, "x").is_none());
        assert!(too_old("failover", &Tf::<bool>::Unknown, None, 17, 160_000, "x").is_none());
        assert!(slot_name("slot_name", "Bad").is_some());
        assert!(slot_name("slot_name", "good_1").is_none());
    }
}
