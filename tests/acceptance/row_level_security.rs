//! postgresql_row_level_security acceptance tests, in a database other than
//! the provider's (the `database` attribute), together with a policy there:
//! flags in `pg_class`, in-place changes, drift, import, the partition
//! warning, and destroy restoring the defaults.

use crate::acc;
use crate::support::{exec, query_one_str, query_strings, unique_name, Workspace};

#[test]
fn row_level_security_lifecycle() {
    let Some(acc) = acc() else { return };
    let admin = acc.admin();
    let dbname = unique_name("rlsdb");
    acc.block(exec(&admin, &format!("CREATE DATABASE {dbname}")));
    let db = acc.block(acc.cluster.connect(
        &dbname,
        acc.cluster.superuser(),
        acc.cluster.password(),
    ));
    acc.block(exec(
        &db,
        "CREATE SCHEMA s;
         CREATE TABLE s.t (id int);
         CREATE TABLE s.pt (id int, k int) PARTITION BY RANGE (k);
         CREATE TABLE s.pt_a PARTITION OF s.pt FOR VALUES FROM (0) TO (10);
         CREATE TABLE s.pt_b PARTITION OF s.pt FOR VALUES FROM (10) TO (20);",
    ));
    let flags = |table: &str| {
        acc.block(query_one_str(
            &db,
            "SELECT relrowsecurity::text || ',' || relforcerowsecurity::text FROM pg_class \
             WHERE oid = $1::text::regclass",
            &[&format!("s.{table}")],
        ))
    };
    let rls = |key: &str, table: &str, extra: &str| {
        format!(
            "resource \"postgresql_row_level_security\" \"{key}\" {{\n  database = \"{dbname}\"\n  schema = \"s\"\n  table = \"{table}\"\n{extra}}}\n"
        )
    };
    let policy = format!(
        "resource \"postgresql_policy\" \"p\" {{\n  database = \"{dbname}\"\n  schema = \"s\"\n  table = \"t\"\n  name = \"p\"\n  using = \"id > 0\"\n}}\n"
    );
    let write = |ws: &Workspace, t_extra: &str, partitions: bool| {
        let mut cfg = acc.cluster.provider_block();
        cfg.push_str(&rls("t", "t", t_extra));
        cfg.push_str(&rls("pt", "pt", ""));
        if partitions {
            cfg.push_str(&rls("pt_a", "pt_a", ""));
            cfg.push_str(&rls("pt_b", "pt_b", ""));
        }
        cfg.push_str(&policy);
        ws.write_config(&cfg);
    };

    let ws = Workspace::new();
    write(&ws, "  forced = true\n", false);
    let out = ws.apply_clean();
    let text = out.combined();
    assert!(
        text.contains("Warning: Partitions Without Row-Level Security"),
        "{text}"
    );
    assert!(text.contains("\"s\".\"pt_a\", \"s\".\"pt_b\""), "{text}");
    assert_eq!(flags("t"), "true,true");
    assert_eq!(flags("pt"), "true,false");
    assert_eq!(flags("pt_a"), "false,false");
    let state = ws.state_resource("postgresql_row_level_security.t");
    assert_eq!(state["id"], format!("{dbname}.s.t"));
    assert_eq!(state["enabled"], true);
    assert_eq!(state["forced"], true);
    assert_eq!(
        ws.state_resource("postgresql_policy.p")["id"],
        format!("{dbname}.s.t.p")
    );
    let policies = acc.block(query_strings(
        &db,
        "SELECT polname::text FROM pg_policy WHERE polrelid = 's.t'::regclass",
        &[],
    ));
    assert_eq!(policies, vec!["p"]);

    // In place: FORCE off, then RLS off altogether.
    write(&ws, "  forced = false\n", false);
    ws.apply_clean();
    assert_eq!(flags("t"), "true,false");
    write(&ws, "  enabled = false\n", false);
    ws.apply_clean();
    assert_eq!(flags("t"), "false,false");

    // Drift in either flag shows as a diff.
    write(&ws, "  forced = true\n", false);
    ws.apply_clean();
    acc.block(exec(&db, "ALTER TABLE s.t NO FORCE ROW LEVEL SECURITY"));
    let plan = ws.assert_changes();
    assert!(plan.contains("~ forced"), "{plan}");
    acc.block(exec(
        &db,
        "ALTER TABLE s.t FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY",
    ));
    let plan = ws.assert_changes();
    assert!(plan.contains("~ enabled"), "{plan}");
    ws.apply_clean();
    assert_eq!(flags("t"), "true,true");

    // Enabling the partitions too silences the warning.
    write(&ws, "  forced = true\n", true);
    ws.apply_clean();
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    assert!(
        !out.combined()
            .contains("Partitions Without Row-Level Security"),
        "{}",
        out.combined()
    );
    assert_eq!(flags("pt_b"), "true,false");

    // Import by database.schema.table and database.schema.table.policy.
    let ws2 = Workspace::new();
    write(&ws2, "  forced = true\n", true);
    for (addr, id) in [
        ("postgresql_row_level_security.t", format!("{dbname}.s.t")),
        ("postgresql_row_level_security.pt", format!("{dbname}.s.pt")),
        (
            "postgresql_row_level_security.pt_a",
            format!("{dbname}.s.pt_a"),
        ),
        (
            "postgresql_row_level_security.pt_b",
            format!("{dbname}.s.pt_b"),
        ),
        ("postgresql_policy.p", format!("{dbname}.s.t.p")),
    ] {
        ws2.import(addr, &id);
        let (mut imported, mut applied) = (ws2.state_resource(addr), ws.state_resource(addr));
        if addr == "postgresql_policy.p" {
            // Import shows the server's rendering; the plan below proves it
            // equivalent to the configuration.
            assert_eq!(imported["using"], "(id > 0)");
            assert_eq!(applied["using"], "id > 0");
            imported["using"] = serde_json::Value::Null;
            applied["using"] = serde_json::Value::Null;
        }
        assert_eq!(imported, applied, "{addr}");
    }
    ws2.assert_no_changes();
    let bad = Workspace::new();
    write(&bad, "", false);
    let out = bad.run(&[
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

    // Destroy puts the defaults back and removes the policy.
    ws.destroy();
    for t in ["t", "pt", "pt_a", "pt_b"] {
        assert_eq!(flags(t), "false,false", "{t}");
    }
    let policies = acc.block(query_strings(
        &db,
        "SELECT polname::text FROM pg_policy WHERE polrelid = 's.t'::regclass",
        &[],
    ));
    assert!(policies.is_empty());
    drop(db);
    acc.block(exec(
        &admin,
        &format!("DROP DATABASE {dbname} WITH (FORCE)"),
    ));
}

/// A policy and the `postgresql_row_level_security` of its table in one
/// apply, neither referencing the other: no "not enabled" warning, since the
/// run enables it. A policy on a table nothing enables still gets it.
#[test]
fn policy_with_rls_planned_in_the_same_run_is_not_warned_about() {
    let Some(acc) = acc() else { return };
    let admin = acc.admin();
    let schema = unique_name("rls_same_run");
    acc.block(exec(
        &admin,
        &format!("CREATE SCHEMA {schema}; CREATE TABLE {schema}.on_t (x int); CREATE TABLE {schema}.off_t (x int);"),
    ));
    const WARNING: &str = "Row-Level Security Not Enabled";
    let policy = |key: &str, table: &str| {
        format!(
            "resource \"postgresql_policy\" \"{key}\" {{\n  schema = \"{schema}\"\n  table = \"{table}\"\n  name = \"p\"\n  using = \"x > 0\"\n}}\n"
        )
    };
    let ws = Workspace::new();
    ws.write_config(&format!(
        "{}{}resource \"postgresql_row_level_security\" \"on\" {{\n  schema = \"{schema}\"\n  table = \"on_t\"\n}}\n",
        acc.cluster.provider_block(),
        policy("on", "on_t"),
    ));
    let out = ws.apply();
    assert!(!out.combined().contains(WARNING), "{}", out.combined());
    ws.assert_no_changes();
    ws.destroy();

    ws.write_config(&format!(
        "{}{}",
        acc.cluster.provider_block(),
        policy("off", "off_t")
    ));
    let (_, plan) = ws.plan_exit_code();
    assert!(plan.combined().contains(WARNING), "{}", plan.combined());
    acc.block(exec(&admin, &format!("DROP SCHEMA {schema} CASCADE")));
}
