//! The stable codes of the plan-time reviewer warnings. Each warning's
//! summary starts with its code (`PGW105: Policy Exposes Every Row`), so a
//! team can grep CI output for it or fail a pipeline on it; the codes never
//! change meaning. `docs/guides/plan-review.md` lists them.
//!
//! Numbering: `PGW0xx` effective-access reports, `PGW1xx` row-level
//! security, `PGW2xx` roles and memberships, `PGW3xx` functions and other
//! objects, `PGW4xx` notes about the server's environment, `PGW5xx` logical
//! replication.

use std::fmt;

use crate::protocol::Diagnostic;

/// One kind of reviewer warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Effective-access report of a membership, grant, default privilege
    /// or role attribute change.
    AccessReport,
    /// Which roles' visibility of rows a policy change widens or narrows.
    PolicyReport,
    /// Row-level security enabled on a table without any policy.
    RlsWithoutPolicy,
    /// A policy on a table whose row-level security is off.
    PolicyRlsOff,
    /// The table owner can log in and bypasses RLS (FORCE is off).
    OwnerBypassesRls,
    /// `current_setting()` in a policy evaluated once per row.
    PerRowCurrentSetting,
    /// A permissive policy whose USING is always true.
    PolicyExposesEveryRow,
    /// Partitions of a table with RLS that do not have it.
    PartitionsWithoutRls,
    /// SUPERUSER or BYPASSRLS on a role that can log in.
    PrivilegedLoginRole,
    /// A membership in a role with powerful attributes, or a powerful
    /// predefined role.
    PrivilegedMembership,
    /// A SECURITY DEFINER function PUBLIC can execute.
    SecurityDefinerPublic,
    /// A user mapping for PUBLIC that carries a password: every role can
    /// use those credentials.
    PublicMappingPassword,
    /// Default privileges that Citus keeps on the coordinator.
    CitusDefaultPrivileges,
    /// A publication of every table, or of whole schemas, that takes in
    /// tables with row-level security: their rows all reach subscribers.
    PublicationBypassesRls,
    /// A publication on a server whose `wal_level` is below `logical`.
    WalLevelNotLogical,
}

impl Code {
    /// Every code, in number order.
    pub const ALL: [Code; 15] = [
        Code::AccessReport,
        Code::PolicyReport,
        Code::RlsWithoutPolicy,
        Code::PolicyRlsOff,
        Code::OwnerBypassesRls,
        Code::PerRowCurrentSetting,
        Code::PolicyExposesEveryRow,
        Code::PartitionsWithoutRls,
        Code::PrivilegedLoginRole,
        Code::PrivilegedMembership,
        Code::SecurityDefinerPublic,
        Code::PublicMappingPassword,
        Code::CitusDefaultPrivileges,
        Code::PublicationBypassesRls,
        Code::WalLevelNotLogical,
    ];

    /// The code, e.g. `PGW105`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::AccessReport => "PGW001",
            Code::PolicyReport => "PGW002",
            Code::RlsWithoutPolicy => "PGW101",
            Code::PolicyRlsOff => "PGW102",
            Code::OwnerBypassesRls => "PGW103",
            Code::PerRowCurrentSetting => "PGW104",
            Code::PolicyExposesEveryRow => "PGW105",
            Code::PartitionsWithoutRls => "PGW106",
            Code::PrivilegedLoginRole => "PGW201",
            Code::PrivilegedMembership => "PGW202",
            Code::SecurityDefinerPublic => "PGW301",
            Code::PublicMappingPassword => "PGW302",
            Code::CitusDefaultPrivileges => "PGW401",
            Code::PublicationBypassesRls => "PGW501",
            Code::WalLevelNotLogical => "PGW502",
        }
    }

    /// A warning whose summary is the code, a colon and `summary`.
    pub fn warning(self, summary: impl fmt::Display, detail: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(format!("{self}: {summary}"), detail)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let guide = include_str!("../../../docs/guides/plan-review.md");
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(guide.contains(&format!("`{c}`")), "{c} is not in the guide");
        }
        assert_eq!(
            Code::PolicyExposesEveryRow
                .warning("Policy Exposes Every Row", "d")
                .summary,
            "PGW105: Policy Exposes Every Row"
        );
    }
}
