//! The row-level-security lints of one table, each code with its one text:
//! `postgresql_row_level_security` and `postgresql_policy` raise `PGW103`
//! at plan time, and the `postgresql_lints` data source reports every one
//! of them from the catalog after apply, in the same words.
//!
//! Which lint runs where follows one rule: a plan-time lint speaks only
//! when its finding holds whatever else the configuration contains, judged
//! from its own resource's configuration plus the catalog. `PGW103` (a
//! login owner bypasses the policies) is such a finding. "Row-level
//! security on, no policy" (`PGW101`), "policies, row-level security off"
//! (`PGW102`) and "partitions without row-level security" (`PGW106`) are
//! not: another resource of the same configuration may well add what is
//! missing, and Terraform plans a resource that references another only
//! after it, so no plan can see it. Those are for a `check` block.

use crate::pg::catalog::table_lints::TableFacts;
use crate::pg::rls::table::TableName;
use crate::protocol::Diagnostic;

use crate::resources::review::codes::Code;

/// One finding: its code, the summary after the code, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// The title, as a plan warning's summary shows it after the code.
    pub summary: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl Finding {
    /// The plan warning, on attribute `attr`.
    pub fn warning(self, attr: &str) -> Diagnostic {
        self.code.warning(self.summary, self.message).at(attr)
    }
}

/// `PGW101`: row-level security enabled on a table without any policy.
pub fn rls_without_policy(table: &TableName) -> Finding {
    Finding {
        code: Code::RlsWithoutPolicy,
        summary: "Row-Level Security Without Any Policy",
        message: format!(
            "Row-level security is enabled on {t}, which has no policy. Every role except the \
             owner, superusers and BYPASSRLS roles then sees no row of {t} and can change none. \
             Add the policies (with postgresql_policy), unless hiding every row is the intent.",
            t = table.quoted()
        ),
    }
}

/// `PGW102`: policies on a table whose row-level security is off.
pub fn policies_without_rls(table: &TableName, policies: i64) -> Finding {
    let (have, they) = if policies == 1 {
        ("a policy", "it has")
    } else {
        ("policies", "they have")
    };
    Finding {
        code: Code::PolicyRlsOff,
        summary: "Row-Level Security Not Enabled",
        message: format!(
            "Row-level security is not enabled on {t}, which has {have}, so {they} no effect: \
             every role with privileges on {t} sees and changes every row. Enable it (with \
             postgresql_row_level_security), or drop the policies if they are not meant to \
             apply.",
            t = table.quoted()
        ),
    }
}

/// `PGW103`: the owner can log in and row-level security is not forced.
pub fn owner_bypasses(table: &TableName, owner: &str) -> Finding {
    Finding {
        code: Code::OwnerBypassesRls,
        summary: "Table Owner Bypasses Row-Level Security",
        message: format!(
            "{t} is owned by {owner:?}, which can log in, and its row-level security is not \
             forced (forced = false): sessions of {owner:?} (and of roles that inherit its \
             privileges) see and change every row whatever the policies say. Applications \
             often connect as the owner that ran the migrations. Set forced = true in the \
             table's postgresql_row_level_security (FORCE ROW LEVEL SECURITY), or have the \
             table owned by a NOLOGIN role.",
            t = table.quoted()
        ),
    }
}

/// `PGW106`: partitions of a partitioned table with row-level security
/// that do not have it enabled.
pub fn partitions_without_rls(table: &TableName, partitions: &[TableName]) -> Finding {
    let names: Vec<String> = partitions.iter().map(TableName::quoted).collect();
    Finding {
        code: Code::PartitionsWithoutRls,
        summary: "Partitions Without Row-Level Security",
        message: format!(
            "{t} is partitioned, and row-level security on it applies only to queries on {t}. \
             These partitions do not have it enabled, so anyone with privileges on them can \
             read them directly, bypassing its policies: {}. Enable it on each partition too \
             (and create the policies there), for example with one \
             postgresql_row_level_security per partition, or do not grant privileges on the \
             partitions.",
            names.join(", "),
            t = table.quoted()
        ),
    }
}

/// Every finding the catalog shows about one table, in code order.
pub fn table_findings(t: &TableFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    if t.rls_enabled && t.policies == 0 {
        out.push(rls_without_policy(&t.table));
    }
    if !t.rls_enabled && t.policies > 0 {
        out.push(policies_without_rls(&t.table, t.policies));
    }
    if t.rls_enabled && !t.rls_forced && t.owner_can_login {
        out.push(owner_bypasses(&t.table, &t.owner));
    }
    if t.rls_enabled && !t.partitions_without_rls.is_empty() {
        out.push(partitions_without_rls(&t.table, &t.partitions_without_rls));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(t: &str) -> TableName {
        TableName {
            schema: "app".into(),
            table: t.into(),
        }
    }

    fn facts() -> TableFacts {
        TableFacts {
            table: name("items"),
            partitioned: false,
            rls_enabled: true,
            rls_forced: true,
            owner: "keeper".into(),
            owner_can_login: false,
            policies: 1,
            partitions_without_rls: Vec::new(),
        }
    }

    fn codes(t: &TableFacts) -> Vec<&'static str> {
        table_findings(t).iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn each_finding_from_the_catalog() {
        assert!(codes(&facts()).is_empty());
        let t = TableFacts {
            policies: 0,
            ..facts()
        };
        assert_eq!(codes(&t), ["PGW101"]);
        let t = TableFacts {
            rls_enabled: false,
            policies: 2,
            ..facts()
        };
        assert_eq!(codes(&t), ["PGW102"]);
        let t = TableFacts {
            rls_forced: false,
            owner_can_login: true,
            ..facts()
        };
        assert_eq!(codes(&t), ["PGW103"]);
        let t = TableFacts {
            partitioned: true,
            partitions_without_rls: vec![name("items_a"), name("items_b")],
            ..facts()
        };
        assert_eq!(codes(&t), ["PGW106"]);
        // RLS off: neither the owner nor the partitions matter yet.
        let t = TableFacts {
            rls_enabled: false,
            rls_forced: false,
            owner_can_login: true,
            policies: 0,
            ..facts()
        };
        assert!(codes(&t).is_empty());
    }

    #[test]
    fn texts_name_the_table() {
        let f = table_findings(&TableFacts {
            partitioned: true,
            partitions_without_rls: vec![name("items_a"), name("items_b")],
            ..facts()
        });
        assert!(f[0]
            .message
            .contains("bypassing its policies: \"app\".\"items_a\", \"app\".\"items_b\"."));
        let w = policies_without_rls(&name("items"), 1).warning("table");
        assert_eq!(w.summary, "PGW102: Row-Level Security Not Enabled");
        assert!(w.detail.contains("which has a policy, so it has no effect"));
    }
}
