//! The lints of `postgresql_publication`, each code with its one text:
//!
//! * `PGW501`: a publication of every table, or of whole schemas, that
//!   takes in tables with row-level security. Logical replication applies
//!   no row security: the publisher sends every row, and the subscriber's
//!   apply worker writes them as the subscription's owner, so the policies
//!   that hide rows on the publisher hide none of them there.
//! * `PGW502`: a publication planned on a server whose `wal_level` is below
//!   `logical`. PostgreSQL creates it with a warning only, and nothing it
//!   publishes is sent until the server is restarted with `wal_level =
//!   logical`.
//!
//! Both hold whatever else the configuration contains (they are read from
//! the catalog and the server's settings), so they speak at plan time, when
//! the plan creates the publication or changes what it publishes.

use crate::protocol::Diagnostic;

use crate::resources::review::codes::Code;

/// How many tables a `PGW501` warning names before it says how many more.
const NAMED: usize = 10;

/// `PGW501`, on attribute `attr` (`all_tables` or `schemas`), for the
/// quoted `tables` with row-level security that publication `name` takes in.
pub fn publishes_rls_tables(name: &str, attr: &str, tables: &[String]) -> Diagnostic {
    let mut listed = tables
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if tables.len() > NAMED {
        listed.push_str(&format!(" and {} more", tables.len() - NAMED));
    }
    let scope = if attr == "all_tables" {
        "every table of the database"
    } else {
        "every table of its schemas"
    };
    Code::PublicationBypassesRls
        .warning(
            "Publication Bypasses Row-Level Security",
            format!(
                "Publication {name:?} publishes {scope}, which includes tables with row-level \
                 security: {listed}. Logical replication applies no row security: every row of \
                 them reaches each subscriber, where the policies of the publisher do not \
                 exist. Name the tables that may be replicated in tables instead, or make sure \
                 every subscriber may see every row (a row filter, `WHERE` in the publication, \
                 is not managed by this provider)."
            ),
        )
        .at(attr)
}

/// `PGW502`: the server's `wal_level` is `level`, not `logical`.
pub fn wal_level_not_logical(name: &str, level: &str) -> Diagnostic {
    Code::WalLevelNotLogical.warning(
        "wal_level Is Not logical",
        format!(
            "The server runs with wal_level = {level}. PostgreSQL creates publication {name:?} \
             anyway, but no change is replicated until wal_level is logical: set it \
             (ALTER SYSTEM SET wal_level = logical) and restart the server. Subscriptions to \
             this publication fail to start until then."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_carry_codes_and_names() {
        let tables: Vec<String> = (0..12).map(|i| format!("\"s\".\"t{i}\"")).collect();
        let w = publishes_rls_tables("p", "schemas", &tables);
        assert_eq!(w.summary, "PGW501: Publication Bypasses Row-Level Security");
        assert!(w.detail.contains("\"s\".\"t9\" and 2 more"), "{}", w.detail);
        assert!(!w.detail.contains("\"t10\""));
        assert_eq!(w.attribute.unwrap().to_string(), "schemas");
        let w = wal_level_not_logical("p", "replica");
        assert_eq!(w.summary, "PGW502: wal_level Is Not logical");
        assert!(w.detail.contains("wal_level = replica"));
    }
}
