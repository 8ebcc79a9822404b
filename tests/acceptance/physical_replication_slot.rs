//! postgresql_physical_replication_slot acceptance tests on the shared
//! cluster: created, imported, re-created after a drop outside Terraform,
//! and a bad name refused by the plan.

use crate::acc;
use crate::support::{hcl, literal, unique_name, Step, TestCase};

fn physical(acc: &crate::Acc, name: &str) -> bool {
    let admin = acc.admin();
    acc.block(crate::support::truth(
        &admin,
        &format!(
            "EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = {} \
             AND slot_type = 'physical')",
            literal(name)
        ),
    ))
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn physical_replication_slot_lifecycle() {
    let Some(acc) = acc() else { return };
    let name = unique_name("standby");
    let config = format!(
        "resource \"postgresql_physical_replication_slot\" \"s\" {{\n  name = {}\n}}\n",
        hcl(&name)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            "resource \"postgresql_physical_replication_slot\" \"s\" {\n  name = \"Standby 1\"\n}\n",
            "Invalid Replication Slot Name",
        ))
        .step(Step::apply(config.clone()).check(|ws, _| {
            let s = ws.state_resource("postgresql_physical_replication_slot.s");
            assert_eq!(s["name"], name.as_str());
            assert_eq!(s["id"], name.as_str());
            assert!(physical(&acc, &name));
        }))
        .step(Step::import(
            "postgresql_physical_replication_slot.s",
            name.clone(),
        ))
        .step(
            Step::apply(config)
                .before(|_| {
                    acc.sql(&format!(
                        "SELECT pg_drop_replication_slot({})",
                        literal(&name)
                    ))
                })
                .plan_shows(&["will be created"]),
        )
        .check_destroy(|| assert!(!physical(&acc, &name)))
        .run();
}
