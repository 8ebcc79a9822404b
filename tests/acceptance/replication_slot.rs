//! postgresql_replication_slot acceptance tests, on the cluster with
//! `wal_level = logical` that the replication tests share: the reference
//! provider's cases (a slot of the provider's database, and of a named
//! one), import, a slot dropped outside Terraform, `failover`
//! (PostgreSQL 17) and its version gate, and bad names.

use crate::support::{hcl, literal, shared_logical, unique_name, Step, TestCase};
use crate::{acc_on, enabled, Acc};

/// The test context on the logical cluster.
fn logical() -> Option<Acc> {
    enabled().then(|| acc_on(shared_logical()))
}

/// `plugin,database,failover` of logical slot `name`, or `None`.
fn slot(acc: &Acc, name: &str) -> Option<String> {
    let failover = if acc.cluster.major_version() >= 17 {
        "failover::text"
    } else {
        "'false'"
    };
    let admin = acc.admin();
    let rows = acc.block(crate::support::query_strings(
        &admin,
        &format!(
            "SELECT plugin || ',' || database || ',' || {failover} FROM pg_replication_slots \
             WHERE slot_name = {}",
            literal(name)
        ),
        &[],
    ));
    rows.into_iter().next()
}

fn slot_config(key: &str, name: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_replication_slot\" \"{key}\" {{\n  name   = {}\n  plugin = \
         \"test_decoding\"\n{extra}}}\n",
        hcl(name)
    )
}

/// Reference: TestAccPostgresqlReplicationSlot_Basic (the provider's
/// database) and _Database (a named one), imported both ways; then the
/// named one dropped outside Terraform is planned for re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn replication_slot_reference_cases() {
    let Some(acc) = logical() else { return };
    let db = acc.database("slot_db");
    let (basic, named) = (unique_name("slot"), unique_name("slot_db"));
    let config = format!(
        "{}{}",
        slot_config("myslot", &basic, ""),
        slot_config(
            "named",
            &named,
            &format!("  database = {}\n", hcl(&db.name))
        )
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()).check(|ws, _| {
            let s = ws.state_resource("postgresql_replication_slot.myslot");
            assert_eq!(s["name"], basic.as_str());
            assert_eq!(s["plugin"], "test_decoding");
            assert_eq!(s["database"], "postgres");
            assert_eq!(s["failover"], false);
            assert_eq!(s["id"], format!("postgres.{basic}"));
            let s = ws.state_resource("postgresql_replication_slot.named");
            assert_eq!(s["database"], db.name.as_str());
            assert_eq!(
                slot(&acc, &named),
                Some(format!("test_decoding,{},false", db.name))
            );
        }))
        .step(Step::import(
            "postgresql_replication_slot.myslot",
            basic.clone(),
        ))
        .step(Step::import(
            "postgresql_replication_slot.named",
            format!("{}.{named}", db.name),
        ))
        .step(
            Step::apply(config)
                .before(|_| {
                    acc.sql(&format!(
                        "SELECT pg_drop_replication_slot({})",
                        literal(&named)
                    ))
                })
                .plan_shows(&["will be created"]),
        )
        .check_destroy(|| {
            assert_eq!(slot(&acc, &basic), None);
            assert_eq!(slot(&acc, &named), None);
        })
        .run();
}

/// `failover` (PostgreSQL 17) is created as asked; older servers refuse it
/// at plan time, naming the attribute and the version. Bad slot names are
/// refused before anything is sent.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn replication_slot_failover_and_bad_input() {
    let Some(acc) = logical() else { return };
    let name = unique_name("slot_fo");
    let failover = slot_config("fo", &name, "  failover = true\n");
    let mut case = TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            slot_config("bad", "Bad-Slot", ""),
            "Invalid Replication Slot Name",
        ))
        .step(Step::fails(
            slot_config("bad", &"a".repeat(64), ""),
            "Invalid Replication Slot Name",
        ));
    if acc.cluster.major_version() >= 17 {
        case = case
            .step(Step::apply(failover).check(|_, _| {
                assert_eq!(
                    slot(&acc, &name),
                    Some("test_decoding,postgres,true".into())
                );
            }))
            .step(Step::import("postgresql_replication_slot.fo", name.clone()));
    } else {
        case = case.step(Step::fails(failover, "failover Needs PostgreSQL 17"));
    }
    case.check_destroy(|| assert_eq!(slot(&acc, &name), None))
        .run();
}

/// `terraform query` lists the logical slots of a database, and the
/// configuration it writes imports them with an empty plan afterwards.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn replication_slots_are_listed_for_query() {
    if !crate::terraform_at_least(14, "terraform query") {
        return;
    }
    let Some(acc) = logical() else { return };
    let db = acc.database("slot_list");
    let names = [unique_name("listed_a"), unique_name("listed_b")];
    for n in &names {
        db.exec(&format!(
            "SELECT pg_create_logical_replication_slot({}, 'test_decoding')",
            literal(n)
        ));
    }
    let ws = crate::support::Workspace::new();
    ws.write_config(&acc.cluster.provider_block());
    ws.write_file(
        "slots.tfquery.hcl",
        &format!(
            "list \"postgresql_replication_slot\" \"all\" {{\n  provider = postgresql\n  \
             limit    = 100\n  config {{\n    database = {}\n  }}\n}}\n",
            hcl(&db.name)
        ),
    );
    ws.run_ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).expect("generated.tf");
    for n in &names {
        assert!(generated.contains(n.as_str()), "{generated}");
    }
    let plan = ws.run_ok(&["plan", "-no-color", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.combined()
    );
    ws.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    ws.assert_no_changes();
    ws.destroy();
    for n in &names {
        assert_eq!(slot(&acc, n), None);
    }
}
