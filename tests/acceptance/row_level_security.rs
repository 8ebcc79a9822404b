//! postgresql_row_level_security acceptance tests, in a database other than
//! the provider's (the `database` attribute), together with a policy there:
//! flags in `pg_class`, in-place changes, drift, import, the partition
//! warning, and destroy restoring the defaults.

use crate::support::{hcl, unique_name, Step, TestCase, Workspace};
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

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_warns_about_partitions_without_it() {
    let Some(acc) = acc() else { return };
    let db = tables(&acc);
    let parent = rls(&db, "pt", "pt", "");
    let partitions = rls(&db, "pt_a", "pt_a", "") + &rls(&db, "pt_b", "pt_b", "");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(parent.clone()).check(|_, out| {
            let text = out.combined();
            assert!(
                text.contains("Warning: PGW106: Partitions Without Row-Level Security"),
                "{text}"
            );
            assert!(text.contains("\"s\".\"pt_a\", \"s\".\"pt_b\""), "{text}");
            assert_eq!(flags(&db, "pt"), "true,false");
            assert_eq!(flags(&db, "pt_a"), "false,false");
        }))
        // Enabling the partitions too silences the warning.
        .step(Step::apply(parent + &partitions).check(|ws, _| {
            let out = ws.run(&["plan", "-no-color", "-input=false"]);
            assert!(
                !out.combined()
                    .contains("Partitions Without Row-Level Security"),
                "{}",
                out.combined()
            );
            assert_eq!(flags(&db, "pt_b"), "true,false");
        }))
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
    let ws = Workspace::new();
    ws.write_config(&format!(
        "{}{}",
        acc.cluster.provider_block(),
        rls(&db, "t", "t", "")
    ));
    let out = ws.run(&[
        "import",
        "-no-color",
        "postgresql_row_level_security.t",
        "s.nosuchtable",
    ]);
    assert!(
        out.combined().contains("Table Not Found"),
        "{}",
        out.combined()
    );
}

/// A policy and the `postgresql_row_level_security` of its table in one
/// apply, neither referencing the other: no "not enabled" warning, since the
/// run enables it. A policy on a table nothing enables still gets it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_with_rls_planned_in_the_same_run_is_not_warned_about() {
    let Some(acc) = acc() else { return };
    let schema = unique_name("rls_same_run");
    acc.sql(&format!(
        "CREATE SCHEMA {schema}; CREATE TABLE {schema}.on_t (x int); CREATE TABLE {schema}.off_t (x int);"
    ));
    const WARNING: &str = "Row-Level Security Not Enabled";
    let policy = |key: &str, table: &str| {
        format!(
            "resource \"postgresql_policy\" \"{key}\" {{\n  schema = \"{schema}\"\n  table = \"{table}\"\n  name = \"p\"\n  using = \"x > 0\"\n}}\n"
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(format!(
                "{}resource \"postgresql_row_level_security\" \"on\" {{\n  schema = \"{schema}\"\n  table = \"on_t\"\n}}\n",
                policy("on", "on_t")
            ))
            .check(|_, out| assert!(!out.combined().contains(WARNING), "{}", out.combined())),
        )
        .run();
    let ws = Workspace::new();
    ws.write_config(&format!(
        "{}{}",
        acc.cluster.provider_block(),
        policy("off", "off_t")
    ));
    let (_, plan) = ws.plan_exit_code();
    assert!(plan.combined().contains(WARNING), "{}", plan.combined());
    acc.sql(&format!("DROP SCHEMA {schema} CASCADE"));
}
