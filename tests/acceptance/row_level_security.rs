//! postgresql_row_level_security acceptance tests, in a database other than
//! the provider's (the `database` attribute), together with a policy there:
//! flags in `pg_class`, in-place changes, drift, import, partitions without
//! row-level security as `postgresql_lints` reports them, and destroy
//! restoring the defaults.

use crate::support::expect_all;
use crate::support::{hcl, Step, TestCase, Workspace};
use crate::{acc, Acc, TestDb};

/// A database with a plain table `s.t` and a table `s.pt` partitioned into
/// `s.pt_a` and `s.pt_b`.
fn tables(acc: &Acc) -> TestDb<'_> {
    let db = acc.database("rlsdb");
    db.exec(
        "CREATE SCHEMA s;
         CREATE TABLE s.t (id int);
         CREATE TABLE s.pt (id int, k int) PARTITION BY RANGE (k);
         CREATE TABLE s.pt_a PARTITION OF s.pt FOR VALUES FROM (0) TO (10);
         CREATE TABLE s.pt_b PARTITION OF s.pt FOR VALUES FROM (10) TO (20);",
    );
    db
}

/// `enabled,forced` of a table in schema `s`.
fn flags(db: &TestDb, table: &str) -> String {
    db.one(&format!(
        "SELECT relrowsecurity::text || ',' || relforcerowsecurity::text FROM pg_class \
         WHERE oid = 's.{table}'::regclass"
    ))
}

/// A `postgresql_row_level_security` named `key` on `s.table` of `db`.
fn rls(db: &TestDb, key: &str, table: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_row_level_security\" \"{key}\" {{\n  database = {}\n  schema = \"s\"\n  table = {}\n{extra}}}\n",
        hcl(&db.name),
        hcl(table)
    )
}

/// The policy `p` on `s.t` of `db`.
fn policy(db: &TestDb) -> String {
    format!(
        "resource \"postgresql_policy\" \"p\" {{\n  database = {}\n  schema = \"s\"\n  table = \"t\"\n  name = \"p\"\n  using = \"id > 0\"\n}}\n",
        hcl(&db.name)
    )
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_switches_change_in_place() {
    let Some(acc) = acc() else { return };
    let db = tables(&acc);
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(rls(&db, "t", "t", "  forced = true\n") + &policy(&db)).check(|ws, _| {
                assert_eq!(flags(&db, "t"), "true,true");
                let state = ws.state_resource("postgresql_row_level_security.t");
                assert_eq!(state["id"], format!("{}.s.t", db.name));
                assert_eq!(state["enabled"], true);
                assert_eq!(state["forced"], true);
                assert_eq!(
                    ws.state_resource("postgresql_policy.p")["id"],
                    format!("{}.s.t.p", db.name)
                );
                assert_eq!(
                    db.strings(
                        "SELECT polname::text FROM pg_policy WHERE polrelid = 's.t'::regclass"
                    ),
                    vec!["p"]
                );
            }),
        )
        .step(
            Step::apply(rls(&db, "t", "t", "  forced = false\n") + &policy(&db))
                .check(|_, _| assert_eq!(flags(&db, "t"), "true,false")),
        )
        .step(
            Step::apply(rls(&db, "t", "t", "  enabled = false\n") + &policy(&db))
                .check(|_, _| assert_eq!(flags(&db, "t"), "false,false")),
        )
        .check_destroy(|| {
            assert_eq!(flags(&db, "t"), "false,false");
            assert!(db
                .strings("SELECT polname::text FROM pg_policy WHERE polrelid = 's.t'::regclass")
                .is_empty());
        })
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_drift_in_either_switch_shows() {
    let Some(acc) = acc() else { return };
    let db = tables(&acc);
    let config = rls(&db, "t", "t", "  forced = true\n");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()))
        .step(
            Step::apply(config.clone())
                .before(|_| db.exec("ALTER TABLE s.t NO FORCE ROW LEVEL SECURITY"))
                .plan_shows(&["~ forced"]),
        )
        .step(
            Step::apply(config)
                .before(|_| {
                    db.exec("ALTER TABLE s.t FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY")
                })
                .plan_shows(&["~ enabled"])
                .check(|_, _| assert_eq!(flags(&db, "t"), "true,true")),
        )
        .run();
}

/// `postgresql_lints` on `tables`, read once the resources in
/// `depends_on` are applied.
fn lints(db: &TestDb, tables: &str, depends_on: &str) -> String {
    format!(
        "data \"postgresql_lints\" \"s\" {{\n  database = {}\n  schema = \"s\"\n  tables = [{tables}]\n  depends_on = [{depends_on}]\n}}\n",
        hcl(&db.name)
    )
}

/// The findings of `data.postgresql_lints.s`, as `code object` lines.
fn findings(ws: &Workspace) -> Vec<String> {
    let data = ws.state_resource("data.postgresql_lints.s");
    data["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["object"].as_str().unwrap()
            )
        })
        .collect()
}

/// Partitions without row-level security under a parent with it: not a
/// plan warning (a sibling resource may enable them), but a finding of
/// `postgresql_lints` once applied, which goes away with the partitions'
/// own switches. A table `tables` names that does not exist is an error.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_partitions_without_it_are_reported_by_lints() {
    let Some(acc) = acc() else { return };
    let db = tables(&acc);
    let parent = rls(&db, "pt", "pt", "  forced = true\n");
    let partitions = rls(&db, "pt_a", "pt_a", "  forced = true\n")
        + &rls(&db, "pt_b", "pt_b", "  forced = true\n");
    let all = "postgresql_row_level_security.pt, postgresql_row_level_security.pt_a, \
               postgresql_row_level_security.pt_b";
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(parent.clone() + &lints(&db, "\"pt\"", "postgresql_row_level_security.pt"))
                .plan_check(|plan| assert!(!plan.contains("PGW106"), "{plan}"))
                .check(|ws, out| {
                    assert!(!out.combined().contains("PGW106"), "{}", out.combined());
                    assert_eq!(findings(ws), ["PGW101 s.pt", "PGW106 s.pt"]);
                    let data = ws.state_resource("data.postgresql_lints.s");
                    let message = data["findings"][1]["message"].as_str().unwrap();
                    assert!(
                        message.contains("bypassing its policies: \"s\".\"pt_a\", \"s\".\"pt_b\"."),
                        "{message}"
                    );
                    assert_eq!(flags(&db, "pt"), "true,true");
                    assert_eq!(flags(&db, "pt_a"), "false,false");
                }),
        )
        .step(
            Step::apply(parent.clone() + &partitions + &lints(&db, "\"pt\", \"pt_a\"", all)).check(
                |ws, _| {
                    assert_eq!(findings(ws), ["PGW101 s.pt", "PGW101 s.pt_a"]);
                    assert_eq!(flags(&db, "pt_b"), "true,true");
                },
            ),
        )
        .step(
            Step::fails(
                parent + &partitions + &lints(&db, "\"pt\", \"nosuch\"", all),
                "Error: Table Not Found",
            )
            .check(|_, out| {
                expect_all(
                    &out.combined(),
                    &[
                        "No table named \"nosuch\" exists in schema \"s\"",
                        "tables = [",
                    ],
                )
            }),
        )
        .check_destroy(|| {
            for t in ["pt", "pt_a", "pt_b"] {
                assert_eq!(flags(&db, t), "false,false", "{t}");
            }
        })
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_and_policy_import_by_database_schema_table() {
    let Some(acc) = acc() else { return };
    let db = tables(&acc);
    let n = &db.name;
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(
            rls(&db, "t", "t", "  forced = true\n") + &rls(&db, "pt", "pt", "") + &policy(&db),
        ))
        .step(Step::import(
            "postgresql_row_level_security.t",
            format!("{n}.s.t"),
        ))
        .step(Step::import(
            "postgresql_row_level_security.pt",
            format!("{n}.s.pt"),
        ))
        // Import shows the server's rendering of `using`; the empty plan of
        // every step proves it equivalent to the configuration.
        .step(
            Step::import("postgresql_policy.p", format!("{n}.s.t.p"))
                .ignore(&["using"])
                .check(|ws, _| {
                    assert_eq!(
                        ws.state_resource("postgresql_policy.p")["using"],
                        "(id > 0)"
                    );
                }),
        )
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_import_of_a_missing_table_names_it() {
    let Some(acc) = acc() else { return };
    let db = tables(&acc);
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::import_fails(
                "postgresql_row_level_security.t",
                "s.nosuchtable",
                "Table Not Found",
            )
            .config(rls(&db, "t", "t", "")),
        )
        .run();
}
