//! postgresql_grant acceptance tests, each in a database of its own: every
//! object type against the server's own privilege checks, no diff after
//! apply and refresh, in-place privilege changes that never revoke a kept
//! privilege (checked in the SQL the provider logged), drift from new
//! tables and out-of-band REVOKEs, owned objects without diff, import, and
//! parallel applies.

use crate::support::{provider_log, unique_name, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// A database holding one object of every type, owned by `owner`, and the
/// roles the grants go to.
struct Fixture<'a> {
    acc: &'a Acc,
    db: TestDb<'a>,
    owner: String,
    app: String,
    app2: String,
    app3: String,
}

fn fixture(acc: &Acc) -> Fixture<'_> {
    let owner = unique_name("grant_owner");
    let app = unique_name("grant_app");
    let app2 = unique_name("grant_app2");
    let app3 = unique_name("grant_app3");
    acc.sql(&format!(
        "CREATE ROLE {owner}; CREATE ROLE {app}; CREATE ROLE {app2}; CREATE ROLE {app3};"
    ));
    let db = acc.database("grant_db");
    acc.sql(&format!("REVOKE ALL ON DATABASE {} FROM PUBLIC", db.name));
    db.exec(&format!(
        "CREATE SCHEMA s AUTHORIZATION {owner}; CREATE SCHEMA s2 AUTHORIZATION {owner};
         SET ROLE {owner};
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
         CREATE SERVER srv FOREIGN DATA WRAPPER w;"
    ));
    Fixture {
        acc,
        db,
        owner,
        app,
        app2,
        app3,
    }
}

impl Fixture<'_> {
    /// A grant on every object type; `table_privs` on every table of `s`,
    /// USAGE on `s` with or without grant option.
    fn config(&self, table_privs: &str, schema_wgo: bool) -> String {
        format!(
            r#"
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
            db = self.db.name,
            app = self.app,
            app2 = self.app2,
            app3 = self.app3,
        )
    }

    /// The configuration the tests start from.
    fn initial(&self) -> String {
        self.config(r#""SELECT", "INSERT""#, true)
    }

    /// Steps on the shared provider, ending in a destroy that must revoke
    /// everything.
    fn case(&self) -> TestCase<'_> {
        TestCase::new(self.acc.cluster.provider_block()).check_destroy(|| self.all_revoked())
    }

    fn all_revoked(&self) {
        let (a, a2, a3, dbn) = (&self.app, &self.app2, &self.app3, &self.db.name);
        self.db.expect(&[
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
        ]);
    }

    /// A table created after the apply without the privileges, and one
    /// owned by the grantee (who revoked its own privileges).
    fn add_later_tables(&self) {
        self.db.exec(&format!(
            "SET ROLE {o}; CREATE TABLE s.t3 (x int); RESET ROLE; \
             CREATE TABLE s.mine (x int); ALTER TABLE s.mine OWNER TO {a}; \
             REVOKE ALL ON s.mine FROM {a};",
            o = self.owner,
            a = self.app
        ));
    }

    fn finish(self) {
        let Fixture {
            acc,
            db,
            owner,
            app,
            app2,
            app3,
        } = self;
        drop(db);
        acc.sql(&format!(
            "DROP ROLE {app}; DROP ROLE {app2}; DROP ROLE {app3}; DROP ROLE {owner};"
        ));
    }
}

/// Plan-time validation, before anything exists: privileges that do not fit
/// the type (static), MAINTAIN before PostgreSQL 17 (server version).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_privileges_must_fit_the_object_type() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let pg17 = acc.cluster.major_version() >= 17;
    let bad_config = |privilege: &str| {
        format!(
            r#"
resource "postgresql_grant" "bad" {{
  role        = "{app}"
  database    = "{db}"
  schema      = "s"
  object_type = "table"
  objects     = ["t2"]
  privileges  = ["{privilege}"]
}}
"#,
            app = f.app,
            db = f.db.name
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(bad_config("USAGE"), "Invalid Privilege"))
        .step_if(
            pg17,
            Step::plan(bad_config("maintain")).check(|_, out| {
                assert!(
                    !out.combined().contains("MAINTAIN Needs PostgreSQL 17"),
                    "{}",
                    out.combined()
                )
            }),
        )
        .step_if(
            !pg17,
            Step::fails(bad_config("maintain"), "MAINTAIN Needs PostgreSQL 17"),
        )
        .run();
    f.finish();
}

/// Every object type, checked with the server's has_*_privilege functions;
/// empty plan after apply and after refresh; destroy revokes it all.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_every_object_type_matches_the_server() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let pg17 = acc.cluster.major_version() >= 17;
    let (a, a2, a3, dbn) = (&f.app, &f.app2, &f.app3, &f.db.name);
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
    let checks: Vec<(&str, bool)> = checks.iter().map(|(s, b)| (s.as_str(), *b)).collect();
    f.case()
        .step(Step::apply(f.initial()).check(|ws, _| {
            f.db.expect(&checks);
            // The privileges keep the spelling of the configuration.
            let seq_state = ws.state_resource("postgresql_grant.sequences");
            assert_eq!(seq_state["privileges"], serde_json::json!(["all"]));
            assert_eq!(
                ws.state_resource("postgresql_grant.t1_all")["privileges"],
                serde_json::json!(["ALL"])
            );
        }))
        .run();
    f.finish();
}

/// Import into a fresh workspace: one with the CLI, the rest with import
/// blocks; the plan is then empty and the attributes match.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_imports_with_the_cli_and_import_blocks() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let (a, a2, a3, dbn) = (&f.app, &f.app2, &f.app3, &f.db.name);
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
    // The imports' workspaces manage the same grants; only the test case's
    // workspace destroys them.
    f.case()
        .step(Step::apply(f.initial()))
        // An import reads privileges in the server's spelling, the state
        // keeps the configuration's.
        .step(Step::import("postgresql_grant.tables", ids[0].1.clone()).ignore(&["privileges"]))
        .step(
            Step::import_blocks(
                ids[1..]
                    .iter()
                    .map(|(name, id)| (format!("postgresql_grant.{name}"), id.clone())),
            )
            .ignore(&["privileges"]),
        )
        .run();
    f.finish();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_revoke_outside_is_drift_restored() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let a = &f.app;
    f.case()
        .step(Step::apply(f.initial()))
        .step(
            Step::apply(f.initial())
                .before(|_| f.db.exec(&format!("REVOKE SELECT ON s.t2 FROM {a}")))
                .plan_shows(&["postgresql_grant.tables"])
                .check(|_, _| {
                    f.db.expect(&[(
                        &format!("has_table_privilege('{a}', 's.t2', 'SELECT')"),
                        true,
                    )])
                }),
        )
        .run();
    f.finish();
}

/// A table created later without the privileges is drift; one owned by the
/// grantee is not.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_new_table_is_drift_owned_table_is_not() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let a = &f.app;
    f.case()
        .step(Step::apply(f.initial()))
        .step(
            Step::apply(f.initial())
                .before(|_| f.add_later_tables())
                .plan_shows(&["postgresql_grant.tables", "update in-place"])
                .check(|_, _| {
                    f.db.expect(&[(
                        &format!("has_table_privilege('{a}', 's.t3', 'INSERT')"),
                        true,
                    )])
                }),
        )
        .run();
    f.finish();
}

/// In place, by difference: SELECT is kept and never revoked, INSERT goes,
/// UPDATE comes; the grant option goes while USAGE stays.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_privileges_change_in_place_by_difference() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let a = &f.app;
    f.case()
        .step(Step::apply(f.initial()))
        .step(Step::apply(f.initial()).before(|_| f.add_later_tables()))
        .step(
            Step::apply(f.config(r#""select", "UPDATE""#, false))
                .before(provider_log::enable)
                .plan_check(|plan| assert!(!plan.contains("must be replaced"), "{plan}"))
                .check(|ws, _| {
                    let statements = provider_log::take_sql(ws);
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
                                    || s.contains("USAGE ON SCHEMA")
                                        && !s.contains("GRANT OPTION"))),
                            "a kept privilege was revoked: {s}"
                        );
                    }
                    f.db.expect(&[
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
                    ]);
                }),
        )
        .run();
    f.finish();
}

/// Dropping the schema behind Terraform's back plans the grant's
/// re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_on_a_dropped_schema_is_created_again() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    f.case()
        .step(Step::apply(f.initial()))
        .step(Step::apply(f.initial()).before(|ws| {
            f.db.exec("DROP SCHEMA s2 CASCADE");
            let plan = ws.assert_changes();
            assert!(
                plan.contains("postgresql_grant.public_schema will be created"),
                "{plan}"
            );
            // The schema is back before the apply (the grant needs it).
            f.db.exec(&format!("CREATE SCHEMA s2 AUTHORIZATION {}", f.owner));
        }))
        .run();
    f.finish();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_parallel_applies_do_not_collide() {
    let Some(acc) = acc() else { return };
    let prefix = unique_name("gp");
    let count = 16;
    let roles: Vec<String> = (0..count).map(|i| format!("{prefix}_r{i}")).collect();
    acc.sql(
        &roles
            .iter()
            .map(|r| format!("CREATE ROLE {r};"))
            .collect::<String>(),
    );
    let db = acc.database("grant_par");
    let dbn = &db.name;
    db.exec(&format!(
        "CREATE SCHEMA s; {}",
        (0..count)
            .map(|i| format!("CREATE TABLE s.t{i} (x int);"))
            .collect::<String>()
    ));
    // The same table, schema and database to many roles, and many tables to
    // the same role: every pair of these touches shared catalog rows.
    let config = |privs: &str| {
        format!(
            r#"
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
        )
    };
    // More than Terraform's default parallelism, so the changes run at once.
    TestCase::new(acc.cluster.provider_block())
        .parallelism(32)
        .step(Step::apply(config(r#""SELECT""#)))
        .step(Step::apply(config(r#""SELECT", "INSERT""#)).check(|_, _| {
            for r in &roles {
                db.expect(&[
                    (
                        &format!("has_table_privilege('{r}', 's.t0', 'INSERT')"),
                        true,
                    ),
                    (
                        &format!("has_database_privilege('{r}', '{dbn}', 'CONNECT')"),
                        true,
                    ),
                ]);
            }
        }))
        .check_destroy(|| {
            db.expect(&[(
                "NOT EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a \
                 WHERE c.relnamespace = 's'::regnamespace AND a.grantee <> c.relowner)",
                true,
            )])
        })
        .run();
    drop(db);
    acc.sql(
        &roles
            .iter()
            .map(|r| format!("DROP ROLE {r};"))
            .collect::<String>(),
    );
}

/// Create leaves exactly the configured privileges and grant option in one
/// apply, however much the role already held: a grant meant to narrow
/// access narrows it at once.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_create_narrows_existing_privileges() {
    let Some(acc) = acc() else { return };
    let r = unique_name("narrow");
    acc.sql(&format!("CREATE ROLE {r}"));
    let db = acc.database("grant_narrow");
    let dbn = &db.name;
    db.exec(&format!(
        "CREATE TABLE t (x int); CREATE TABLE u (x int); \
         GRANT SELECT, INSERT ON t TO {r} WITH GRANT OPTION; \
         GRANT SELECT, INSERT, DELETE ON u TO {r};"
    ));
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(format!(
                r#"
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
"#
            ))
            .before(provider_log::enable)
            .check(|ws, _| {
                db.expect(&[
                    (&format!("has_table_privilege('{r}', 't', 'SELECT')"), true),
                    (&format!("has_table_privilege('{r}', 't', 'INSERT')"), false),
                    (
                        &format!("has_table_privilege('{r}', 't', 'SELECT WITH GRANT OPTION')"),
                        false,
                    ),
                    (&format!("has_table_privilege('{r}', 'u', 'SELECT')"), false),
                    (&format!("has_table_privilege('{r}', 'u', 'INSERT')"), false),
                    (&format!("has_table_privilege('{r}', 'u', 'DELETE')"), false),
                ]);
                // The kept privilege is never revoked, not even for a moment.
                let sql = provider_log::take_sql(ws);
                assert!(
                    !sql.iter().any(|s| s.contains("\"t\"")
                        && s.starts_with("REVOKE ")
                        && !s.starts_with("REVOKE GRANT OPTION")
                        && s.contains("SELECT")),
                    "{sql:#?}"
                );
            }),
        )
        .run();
    drop(db);
    acc.sql(&format!("DROP ROLE {r}"));
}
