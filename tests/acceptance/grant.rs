//! postgresql_grant acceptance tests: every object type against the
//! server's own privilege checks, no diff after apply and refresh, in-place
//! privilege changes that never revoke a kept privilege (checked in the SQL
//! the provider logged), drift from new tables and out-of-band REVOKEs,
//! owned objects without diff, import, and parallel applies.

use std::path::Path;

use crate::support::{exec, query_one_str, unique_name, Workspace};
use crate::{acc, Acc};

/// A superuser connection to `db`.
pub fn connect(acc: &Acc, db: &str) -> tokio_postgres::Client {
    acc.block(
        acc.cluster
            .connect(db, acc.cluster.superuser(), acc.cluster.password()),
    )
}

/// Runs each `;`-separated statement on its own: CREATE and DROP DATABASE
/// refuse to run in the implicit transaction of a multi-statement batch.
pub fn exec_each(acc: &Acc, client: &tokio_postgres::Client, sql: &str) {
    for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        acc.block(exec(client, stmt));
    }
}

/// Evaluates a boolean SQL expression.
pub fn yes(acc: &Acc, client: &tokio_postgres::Client, expr: &str) -> bool {
    acc.block(query_one_str(
        client,
        &format!("SELECT ({expr})::text"),
        &[],
    )) == "true"
}

/// Asserts each boolean SQL expression has the expected value.
pub fn expect(acc: &Acc, client: &tokio_postgres::Client, checks: &[(&str, bool)]) {
    for (expr, want) in checks {
        assert_eq!(yes(acc, client, expr), *want, "{expr}");
    }
}

/// The statements the provider logged ("executing SQL: ...") in a
/// TF_LOG_PATH file, which is then emptied for the next step.
pub fn logged_sql(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    std::fs::write(log, "").expect("truncate log");
    text.lines()
        .filter_map(|l| l.split_once("executing SQL: ").map(|(_, s)| s.to_string()))
        .collect()
}

/// Makes the workspace log the provider's debug output to `tf.log`.
pub fn log_sql(ws: &Workspace) -> std::path::PathBuf {
    let log = ws.path().join("tf.log");
    ws.env("TF_LOG_PROVIDER", "debug")
        .env("TF_LOG_PATH", log.to_str().expect("utf-8 path"));
    log
}

struct Names {
    db: String,
    owner: String,
    app: String,
    app2: String,
    app3: String,
}

fn grants_config(acc: &Acc, n: &Names, table_privs: &str, schema_wgo: bool) -> String {
    format!(
        r#"{provider}
locals {{
  db = "{db}"
}}
resource "postgresql_grant" "db" {{
  role        = "{app}"
  database    = local.db
  object_type = "database"
  privileges  = ["CONNECT", "temp"]
}}
resource "postgresql_grant" "schema" {{
  role              = "{app}"
  database          = local.db
  schema            = "s"
  object_type       = "schema"
  privileges        = ["USAGE"]
  with_grant_option = {schema_wgo}
}}
resource "postgresql_grant" "public_schema" {{
  role        = "public"
  database    = local.db
  schema      = "s2"
  object_type = "schema"
  privileges  = ["USAGE"]
}}
resource "postgresql_grant" "tables" {{
  role        = "{app}"
  database    = local.db
  schema      = "s"
  object_type = "table"
  privileges  = [{table_privs}]
}}
resource "postgresql_grant" "t1_all" {{
  role        = "{app2}"
  database    = local.db
  schema      = "s"
  object_type = "table"
  objects     = ["t1"]
  privileges  = ["ALL"]
}}
resource "postgresql_grant" "sequences" {{
  role        = "{app}"
  database    = local.db
  schema      = "s"
  object_type = "sequence"
  privileges  = ["all"]
}}
resource "postgresql_grant" "function" {{
  role        = "{app}"
  database    = local.db
  schema      = "s"
  object_type = "function"
  objects     = ["f(int4)"]
  privileges  = ["EXECUTE"]
}}
resource "postgresql_grant" "procedure" {{
  role        = "{app}"
  database    = local.db
  schema      = "s"
  object_type = "procedure"
  objects     = ["p"]
  privileges  = ["EXECUTE"]
}}
resource "postgresql_grant" "routines" {{
  role        = "{app2}"
  database    = local.db
  schema      = "s"
  object_type = "routine"
  privileges  = ["EXECUTE"]
}}
resource "postgresql_grant" "fdw" {{
  role        = "{app}"
  database    = local.db
  object_type = "foreign_data_wrapper"
  objects     = ["w"]
  privileges  = ["USAGE"]
}}
resource "postgresql_grant" "server" {{
  role        = "{app}"
  database    = local.db
  object_type = "foreign_server"
  objects     = ["srv"]
  privileges  = ["USAGE"]
}}
resource "postgresql_grant" "columns" {{
  role        = "{app3}"
  database    = local.db
  schema      = "s"
  object_type = "column"
  objects     = ["t1"]
  columns     = ["c1", "c2"]
  privileges  = ["SELECT", "UPDATE"]
}}
"#,
        provider = acc.cluster.provider_block(),
        db = n.db,
        app = n.app,
        app2 = n.app2,
        app3 = n.app3,
    )
}

#[test]
fn grant_every_object_type_drift_update_import() {
    let Some(acc) = acc() else { return };
    let n = Names {
        db: unique_name("grant_db"),
        owner: unique_name("grant_owner"),
        app: unique_name("grant_app"),
        app2: unique_name("grant_app2"),
        app3: unique_name("grant_app3"),
    };
    let admin = acc.admin();
    exec_each(
        &acc,
        &admin,
        &format!(
            "CREATE ROLE {o}; CREATE ROLE {a}; CREATE ROLE {a2}; CREATE ROLE {a3}; \
             CREATE DATABASE {db}; REVOKE ALL ON DATABASE {db} FROM PUBLIC;",
            o = n.owner,
            a = n.app,
            a2 = n.app2,
            a3 = n.app3,
            db = n.db
        ),
    );
    let db = connect(&acc, &n.db);
    acc.block(exec(
        &db,
        &format!(
            "CREATE SCHEMA s AUTHORIZATION {o}; CREATE SCHEMA s2 AUTHORIZATION {o};
             SET ROLE {o};
             CREATE TABLE s.t1 (id serial PRIMARY KEY, c1 text, c2 text);
             CREATE TABLE s.t2 (id int);
             CREATE VIEW s.v AS SELECT id FROM s.t2;
             CREATE SEQUENCE s.seq;
             CREATE FUNCTION s.f(a integer) RETURNS int LANGUAGE sql AS 'SELECT a';
             CREATE FUNCTION s.f(a text) RETURNS text LANGUAGE sql AS 'SELECT a';
             CREATE FUNCTION s.g() RETURNS int LANGUAGE sql AS 'SELECT 1';
             CREATE PROCEDURE s.p() LANGUAGE sql AS 'SELECT 1';
             REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA s FROM PUBLIC;
             RESET ROLE;
             CREATE FOREIGN DATA WRAPPER w;
             CREATE SERVER srv FOREIGN DATA WRAPPER w;",
            o = n.owner
        ),
    ));
    let pg17 = acc.cluster.major_version() >= 17;

    // Plan-time validation, before anything exists: privileges that do not
    // fit the type (static), MAINTAIN before PostgreSQL 17 (server version).
    let bad = Workspace::new();
    let bad_config = |privilege: &str| {
        format!(
            r#"{provider}
resource "postgresql_grant" "bad" {{
  role        = "{app}"
  database    = "{db}"
  schema      = "s"
  object_type = "table"
  objects     = ["t2"]
  privileges  = ["{privilege}"]
}}
"#,
            provider = acc.cluster.provider_block(),
            app = n.app,
            db = n.db
        )
    };
    bad.write_config(&bad_config("USAGE"));
    let out = bad.run(&["plan", "-no-color", "-input=false"]);
    assert!(
        !out.success() && out.combined().contains("Invalid Privilege"),
        "{}",
        out.combined()
    );
    bad.write_config(&bad_config("maintain"));
    let out = bad.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(out.success(), pg17, "{}", out.combined());
    assert_eq!(
        out.combined().contains("MAINTAIN Needs PostgreSQL 17"),
        !pg17,
        "{}",
        out.combined()
    );

    // Every object type; empty plan after apply and after refresh.
    let ws = Workspace::new();
    ws.write_config(&grants_config(&acc, &n, r#""SELECT", "INSERT""#, true));
    ws.apply_clean();
    let (a, a2, a3) = (&n.app, &n.app2, &n.app3);
    let dbn = &n.db;
    let mut checks = vec![
        (
            format!("has_database_privilege('{a}', '{dbn}', 'CONNECT')"),
            true,
        ),
        (
            format!("has_database_privilege('{a}', '{dbn}', 'TEMPORARY')"),
            true,
        ),
        (
            format!("has_database_privilege('{a}', '{dbn}', 'CREATE')"),
            false,
        ),
        (
            format!("has_database_privilege('{a2}', '{dbn}', 'CONNECT')"),
            false,
        ),
        (
            format!("has_schema_privilege('{a}', 's', 'USAGE WITH GRANT OPTION')"),
            true,
        ),
        (format!("has_schema_privilege('{a3}', 's2', 'USAGE')"), true),
        (format!("has_schema_privilege('{a3}', 's', 'USAGE')"), false),
        (
            format!("has_table_privilege('{a}', 's.t1', 'SELECT')"),
            true,
        ),
        (
            format!("has_table_privilege('{a}', 's.t2', 'INSERT')"),
            true,
        ),
        (format!("has_table_privilege('{a}', 's.v', 'SELECT')"), true),
        (
            format!("has_table_privilege('{a}', 's.t1', 'UPDATE')"),
            false,
        ),
        (
            format!("has_table_privilege('{a2}', 's.t1', 'TRUNCATE')"),
            true,
        ),
        (
            format!("has_table_privilege('{a2}', 's.t2', 'SELECT')"),
            false,
        ),
        (
            format!("has_sequence_privilege('{a}', 's.seq', 'USAGE')"),
            true,
        ),
        (
            format!("has_sequence_privilege('{a}', 's.t1_id_seq', 'UPDATE')"),
            true,
        ),
        (
            format!("has_function_privilege('{a}', 's.f(integer)', 'EXECUTE')"),
            true,
        ),
        (
            format!("has_function_privilege('{a}', 's.f(text)', 'EXECUTE')"),
            false,
        ),
        (
            format!("has_function_privilege('{a}', 's.g()', 'EXECUTE')"),
            false,
        ),
        (
            format!("has_function_privilege('{a}', 's.p()', 'EXECUTE')"),
            true,
        ),
        (
            format!("has_function_privilege('{a2}', 's.f(text)', 'EXECUTE')"),
            true,
        ),
        (
            format!("has_function_privilege('{a2}', 's.p()', 'EXECUTE')"),
            true,
        ),
        (
            format!("has_foreign_data_wrapper_privilege('{a}', 'w', 'USAGE')"),
            true,
        ),
        (format!("has_server_privilege('{a}', 'srv', 'USAGE')"), true),
        (
            format!("has_column_privilege('{a3}', 's.t1', 'c1', 'SELECT')"),
            true,
        ),
        (
            format!("has_column_privilege('{a3}', 's.t1', 'c2', 'UPDATE')"),
            true,
        ),
        (
            format!("has_column_privilege('{a3}', 's.t1', 'id', 'SELECT')"),
            false,
        ),
        (
            format!("has_table_privilege('{a3}', 's.t1', 'SELECT')"),
            false,
        ),
    ];
    if pg17 {
        checks.push((
            format!("has_table_privilege('{a2}', 's.t1', 'MAINTAIN')"),
            true,
        ));
    }
    let checks_ref: Vec<(&str, bool)> = checks.iter().map(|(s, b)| (s.as_str(), *b)).collect();
    expect(&acc, &db, &checks_ref);
    let seq_state = ws.state_resource("postgresql_grant.sequences");
    assert_eq!(seq_state["privileges"], serde_json::json!(["all"]));
    assert_eq!(
        ws.state_resource("postgresql_grant.t1_all")["privileges"],
        serde_json::json!(["ALL"])
    );

    // Import into a fresh workspace: one with the CLI, the rest with import
    // blocks; the plan is then empty and the attributes match.
    let imported = Workspace::new();
    let ids = [
        ("tables", format!("{a}/{dbn}/s/table")),
        ("db", format!("{a}/{dbn}//database")),
        ("schema", format!("{a}/{dbn}/s/schema")),
        ("public_schema", format!("public/{dbn}/s2/schema")),
        ("t1_all", format!("{a2}/{dbn}/s/table/t1")),
        ("sequences", format!("{a}/{dbn}/s/sequence")),
        ("function", format!("{a}/{dbn}/s/function/f(int4)")),
        ("procedure", format!("{a}/{dbn}/s/procedure/p")),
        ("routines", format!("{a2}/{dbn}/s/routine")),
        ("fdw", format!("{a}/{dbn}//foreign_data_wrapper/w")),
        ("server", format!("{a}/{dbn}//foreign_server/srv")),
        ("columns", format!("{a3}/{dbn}/s/column/t1/c2,c1")),
    ];
    let config = grants_config(&acc, &n, r#""SELECT", "INSERT""#, true);
    imported.write_config(&config);
    imported.import("postgresql_grant.tables", &ids[0].1);
    let blocks: String = ids[1..]
        .iter()
        .map(|(name, id)| {
            format!("import {{\n  to = postgresql_grant.{name}\n  id = \"{id}\"\n}}\n")
        })
        .collect();
    imported.write_config(&format!("{config}\n{blocks}"));
    imported.apply();
    imported.assert_no_changes();
    for (name, _) in &ids {
        let addr = format!("postgresql_grant.{name}");
        let (want, got) = (ws.state_resource(&addr), imported.state_resource(&addr));
        for attr in [
            "id",
            "role",
            "database",
            "schema",
            "object_type",
            "with_grant_option",
            "columns",
        ] {
            assert_eq!(want[attr], got[attr], "{addr}.{attr}");
        }
        let sorted = |v: &serde_json::Value| {
            let mut items: Vec<String> = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            items.sort();
            items
        };
        assert_eq!(
            sorted(&want["objects"]),
            sorted(&got["objects"]),
            "{addr}.objects"
        );
    }
    drop(imported); // it manages the same grants; only `ws` destroys them

    // Out-of-band REVOKE is drift, and the apply restores it.
    acc.block(exec(&db, &format!("REVOKE SELECT ON s.t2 FROM {a}")));
    let plan = ws.assert_changes();
    assert!(plan.contains("postgresql_grant.tables"), "{plan}");
    ws.apply();
    expect(
        &acc,
        &db,
        &[(
            &format!("has_table_privilege('{a}', 's.t2', 'SELECT')"),
            true,
        )],
    );

    // A table created later without the privileges is drift; one owned by
    // the grantee is not.
    acc.block(exec(
        &db,
        &format!(
            "SET ROLE {o}; CREATE TABLE s.t3 (x int); RESET ROLE; \
             CREATE TABLE s.mine (x int); ALTER TABLE s.mine OWNER TO {a}; \
             REVOKE ALL ON s.mine FROM {a};",
            o = n.owner
        ),
    ));
    let plan = ws.assert_changes();
    assert!(plan.contains("postgresql_grant.tables"), "{plan}");
    assert!(plan.contains("update in-place"), "{plan}");
    ws.apply();
    expect(
        &acc,
        &db,
        &[(
            &format!("has_table_privilege('{a}', 's.t3', 'INSERT')"),
            true,
        )],
    );
    ws.assert_no_changes();

    // In place, by difference: SELECT is kept and never revoked, INSERT goes,
    // UPDATE comes; the grant option goes while USAGE stays.
    let log = log_sql(&ws);
    ws.write_config(&grants_config(&acc, &n, r#""select", "UPDATE""#, false));
    let plan = ws.assert_changes();
    assert!(!plan.contains("must be replaced"), "{plan}");
    ws.apply();
    let statements = logged_sql(&log);
    let changes: Vec<&String> = statements
        .iter()
        .filter(|s| s.starts_with("GRANT") || s.starts_with("REVOKE"))
        .collect();
    assert!(
        changes
            .iter()
            .any(|s| s.starts_with("GRANT UPDATE ON TABLE")),
        "{statements:#?}"
    );
    assert!(
        changes
            .iter()
            .any(|s| s.starts_with("REVOKE INSERT ON TABLE")),
        "{statements:#?}"
    );
    assert!(
        changes
            .iter()
            .any(|s| s.starts_with("REVOKE GRANT OPTION FOR USAGE ON SCHEMA")),
        "{statements:#?}"
    );
    for s in &changes {
        assert!(
            !(s.starts_with("REVOKE")
                && (s.contains("SELECT")
                    || s.contains("USAGE ON SCHEMA") && !s.contains("GRANT OPTION"))),
            "a kept privilege was revoked: {s}"
        );
    }
    expect(
        &acc,
        &db,
        &[
            (
                &format!("has_table_privilege('{a}', 's.t1', 'SELECT')"),
                true,
            ),
            (
                &format!("has_table_privilege('{a}', 's.t3', 'UPDATE')"),
                true,
            ),
            (
                &format!("has_table_privilege('{a}', 's.t1', 'INSERT')"),
                false,
            ),
            (&format!("has_schema_privilege('{a}', 's', 'USAGE')"), true),
            (
                &format!("has_schema_privilege('{a}', 's', 'USAGE WITH GRANT OPTION')"),
                false,
            ),
            // The owned table was never touched.
            (
                &format!("has_table_privilege('{a}', 's.mine', 'UPDATE')"),
                false,
            ),
        ],
    );
    ws.assert_no_changes();

    // Dropping the schema behind Terraform's back plans re-creation.
    acc.block(exec(&db, "DROP SCHEMA s2 CASCADE"));
    let plan = ws.assert_changes();
    assert!(
        plan.contains("postgresql_grant.public_schema will be created"),
        "{plan}"
    );
    acc.block(exec(
        &db,
        &format!("CREATE SCHEMA s2 AUTHORIZATION {}", n.owner),
    ));
    ws.apply();

    ws.destroy();
    expect(
        &acc,
        &db,
        &[
            (
                &format!("has_table_privilege('{a}', 's.t1', 'SELECT')"),
                false,
            ),
            (
                &format!("has_table_privilege('{a2}', 's.t1', 'SELECT')"),
                false,
            ),
            (
                &format!("has_function_privilege('{a}', 's.p()', 'EXECUTE')"),
                false,
            ),
            (
                &format!("has_server_privilege('{a}', 'srv', 'USAGE')"),
                false,
            ),
            (
                &format!("has_column_privilege('{a3}', 's.t1', 'c1', 'SELECT')"),
                false,
            ),
            (
                &format!("has_database_privilege('{a}', '{dbn}', 'CONNECT')"),
                false,
            ),
            (
                &format!("has_schema_privilege('{a3}', 's2', 'USAGE')"),
                false,
            ),
        ],
    );
    drop(db);
    exec_each(
        &acc,
        &admin,
        &format!(
            "DROP DATABASE {dbn} WITH (FORCE); DROP ROLE {a}; DROP ROLE {a2}; DROP ROLE {a3}; DROP ROLE {o};",
            o = n.owner
        ),
    );
}

#[test]
fn grant_parallel_applies_do_not_collide() {
    let Some(acc) = acc() else { return };
    let dbn = unique_name("grant_par");
    let prefix = unique_name("gp");
    let count = 16;
    let admin = acc.admin();
    let roles: Vec<String> = (0..count).map(|i| format!("{prefix}_r{i}")).collect();
    exec_each(
        &acc,
        &admin,
        &format!(
            "{} CREATE DATABASE {dbn};",
            roles
                .iter()
                .map(|r| format!("CREATE ROLE {r};"))
                .collect::<String>()
        ),
    );
    let db = connect(&acc, &dbn);
    acc.block(exec(
        &db,
        &format!(
            "CREATE SCHEMA s; {}",
            (0..count)
                .map(|i| format!("CREATE TABLE s.t{i} (x int);"))
                .collect::<String>()
        ),
    ));
    // The same table, schema and database to many roles, and many tables to
    // the same role: every pair of these touches shared catalog rows.
    let config = |privs: &str| {
        format!(
            r#"{provider}
locals {{
  roles = {roles:?}
}}
resource "postgresql_grant" "same_table" {{
  for_each    = toset(local.roles)
  role        = each.value
  database    = "{dbn}"
  schema      = "s"
  object_type = "table"
  objects     = ["t0"]
  privileges  = [{privs}]
}}
resource "postgresql_grant" "same_schema" {{
  for_each    = toset(local.roles)
  role        = each.value
  database    = "{dbn}"
  schema      = "s"
  object_type = "schema"
  privileges  = ["USAGE"]
}}
resource "postgresql_grant" "same_database" {{
  for_each    = toset(local.roles)
  role        = each.value
  database    = "{dbn}"
  object_type = "database"
  privileges  = ["CONNECT"]
}}
resource "postgresql_grant" "same_role" {{
  for_each    = toset([for i in range(1, {count}) : "t${{i}}"])
  role        = local.roles[0]
  database    = "{dbn}"
  schema      = "s"
  object_type = "table"
  objects     = [each.value]
  privileges  = ["UPDATE"]
}}
"#,
            provider = acc.cluster.provider_block(),
        )
    };
    let ws = Workspace::new();
    let parallel = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=32",
    ];
    ws.write_config(&config(r#""SELECT""#));
    ws.run_ok(&parallel);
    ws.assert_no_changes();
    ws.write_config(&config(r#""SELECT", "INSERT""#));
    ws.run_ok(&parallel);
    for r in &roles {
        expect(
            &acc,
            &db,
            &[
                (
                    &format!("has_table_privilege('{r}', 's.t0', 'INSERT')"),
                    true,
                ),
                (
                    &format!("has_database_privilege('{r}', '{dbn}', 'CONNECT')"),
                    true,
                ),
            ],
        );
    }
    ws.run_ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=32",
    ]);
    expect(
        &acc,
        &db,
        &[(
            "NOT EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a \
             WHERE c.relnamespace = 's'::regnamespace AND a.grantee <> c.relowner)",
            true,
        )],
    );
    drop(db);
    exec_each(
        &acc,
        &admin,
        &format!(
            "DROP DATABASE {dbn} WITH (FORCE); {}",
            roles
                .iter()
                .map(|r| format!("DROP ROLE {r};"))
                .collect::<String>()
        ),
    );
}

/// Create leaves exactly the configured privileges and grant option in one
/// apply, however much the role already held: a grant meant to narrow
/// access narrows it at once.
#[test]
fn grant_create_narrows_existing_privileges() {
    let Some(acc) = acc() else { return };
    let dbn = unique_name("grant_narrow");
    let r = unique_name("narrow");
    let admin = acc.admin();
    exec_each(
        &acc,
        &admin,
        &format!("CREATE ROLE {r}; CREATE DATABASE {dbn};"),
    );
    let db = connect(&acc, &dbn);
    acc.block(exec(
        &db,
        &format!(
            "CREATE TABLE t (x int); CREATE TABLE u (x int); \
             GRANT SELECT, INSERT ON t TO {r} WITH GRANT OPTION; \
             GRANT SELECT, INSERT, DELETE ON u TO {r};"
        ),
    ));
    let ws = Workspace::new();
    let log = log_sql(&ws);
    ws.write_config(&format!(
        r#"{provider}
resource "postgresql_grant" "t" {{
  role        = "{r}"
  database    = "{dbn}"
  schema      = "public"
  object_type = "table"
  objects     = ["t"]
  privileges  = ["SELECT"]
}}
resource "postgresql_grant" "u" {{
  role        = "{r}"
  database    = "{dbn}"
  schema      = "public"
  object_type = "table"
  objects     = ["u"]
  privileges  = []
}}
"#,
        provider = acc.cluster.provider_block()
    ));
    ws.apply();
    expect(
        &acc,
        &db,
        &[
            (&format!("has_table_privilege('{r}', 't', 'SELECT')"), true),
            (&format!("has_table_privilege('{r}', 't', 'INSERT')"), false),
            (
                &format!("has_table_privilege('{r}', 't', 'SELECT WITH GRANT OPTION')"),
                false,
            ),
            (&format!("has_table_privilege('{r}', 'u', 'SELECT')"), false),
            (&format!("has_table_privilege('{r}', 'u', 'INSERT')"), false),
            (&format!("has_table_privilege('{r}', 'u', 'DELETE')"), false),
        ],
    );
    // The kept privilege is never revoked, not even for a moment.
    let sql = logged_sql(&log);
    assert!(
        !sql.iter().any(|s| s.contains("\"t\"")
            && s.starts_with("REVOKE ")
            && !s.starts_with("REVOKE GRANT OPTION")
            && s.contains("SELECT")),
        "{sql:#?}"
    );
    ws.assert_no_changes();
    ws.refresh();
    ws.assert_no_changes();
    ws.destroy();
    drop(db);
    exec_each(
        &acc,
        &admin,
        &format!("DROP DATABASE {dbn} WITH (FORCE); DROP ROLE {r};"),
    );
}
