//! postgresql_default_privileges acceptance tests, each in a database of
//! its own: a table created by the owner after the apply is usable at once,
//! in-place changes by difference, drift from pg_default_acl, import,
//! destroy.

use crate::support::{provider_log, unique_name, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// A database with schema `s` owned by `owner`, where `reader` has USAGE.
struct Fixture<'a> {
    acc: &'a Acc,
    db: TestDb<'a>,
    owner: String,
    reader: String,
}

fn fixture(acc: &Acc) -> Fixture<'_> {
    let owner = unique_name("defpriv_owner");
    let reader = unique_name("defpriv_reader");
    acc.sql(&format!("CREATE ROLE {owner}; CREATE ROLE {reader};"));
    let db = acc.database("defpriv_db");
    db.exec(&format!(
        "CREATE SCHEMA s AUTHORIZATION {owner}; GRANT USAGE ON SCHEMA s TO {reader};"
    ));
    Fixture {
        acc,
        db,
        owner,
        reader,
    }
}

impl Fixture<'_> {
    /// Default privileges on tables in `s` (with `table_privs`), on
    /// sequences everywhere (with grant option) and on functions for PUBLIC.
    fn config(&self, table_privs: &str) -> String {
        let (reader, owner, dbn) = (&self.reader, &self.owner, &self.db.name);
        format!(
            r#"
resource "postgresql_default_privileges" "tables" {{
  role        = "{reader}"
  database    = "{dbn}"
  owner       = "{owner}"
  schema      = "s"
  object_type = "table"
  privileges  = [{table_privs}]
}}
resource "postgresql_default_privileges" "sequences" {{
  role              = "{reader}"
  database          = "{dbn}"
  owner             = "{owner}"
  object_type       = "sequence"
  privileges        = ["ALL"]
  with_grant_option = true
}}
resource "postgresql_default_privileges" "functions" {{
  role        = "public"
  database    = "{dbn}"
  owner       = "{owner}"
  object_type = "function"
  privileges  = ["EXECUTE"]
}}
"#
        )
    }

    fn case(&self) -> TestCase<'_> {
        TestCase::new(self.acc.cluster.provider_block()).check_destroy(|| self.nothing_left())
    }

    /// Destroy leaves no default privilege for the reader.
    fn nothing_left(&self) {
        self.db.expect(&[(
            &format!(
                "NOT EXISTS (SELECT 1 FROM pg_default_acl d, aclexplode(d.defaclacl) a \
                 WHERE a.grantee = '{}'::regrole)",
                self.reader
            ),
            true,
        )]);
    }

    fn finish(self) {
        let Fixture {
            acc,
            db,
            owner,
            reader,
        } = self;
        drop(db);
        acc.sql(&format!("DROP ROLE {reader}; DROP ROLE {owner};"));
    }
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn default_privileges_apply_to_objects_created_later() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let (owner, reader) = (&f.owner, &f.reader);
    f.case()
        .step(Step::apply(f.config(r#""SELECT""#)).check(|ws, _| {
            f.db.exec(&format!(
                "SET ROLE {owner}; CREATE TABLE s.later (id serial, x int); \
                 CREATE FUNCTION s.fn() RETURNS int LANGUAGE sql AS 'SELECT 1'; RESET ROLE;"
            ));
            f.db.expect(&[
                (
                    &format!("has_table_privilege('{reader}', 's.later', 'SELECT')"),
                    true,
                ),
                (
                    &format!("has_table_privilege('{reader}', 's.later', 'INSERT')"),
                    false,
                ),
                (
                    &format!(
                        "has_sequence_privilege('{reader}', 's.later_id_seq', 'USAGE WITH GRANT OPTION')"
                    ),
                    true,
                ),
                (
                    &format!("has_function_privilege('{reader}', 's.fn()', 'EXECUTE')"),
                    true,
                ),
            ]);
            acc.sql(&format!("ALTER ROLE {reader} LOGIN PASSWORD 'pw-reader'"));
            let as_reader = acc.block(acc.cluster.connect(&f.db.name, reader, "pw-reader"));
            acc.block(crate::support::exec(&as_reader, "SELECT count(*) FROM s.later"));
            // New objects are no drift.
            ws.assert_no_changes();
        }))
        .run();
    f.finish();
}

/// SELECT stays, INSERT is added: one GRANT, no REVOKE.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn default_privileges_change_in_place_by_difference() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    f.case()
        .step(Step::apply(f.config(r#""SELECT""#)))
        .step(
            Step::apply(f.config(r#""select", "INSERT""#))
                .before(provider_log::enable)
                .plan_check(|plan| {
                    assert!(
                        plan.contains("update in-place") && !plan.contains("must be replaced"),
                        "{plan}"
                    );
                })
                .check(|ws, _| {
                    let statements = provider_log::take_sql(ws);
                    assert!(
                        statements
                            .iter()
                            .any(|s| s.contains("GRANT INSERT ON TABLES")),
                        "{statements:#?}"
                    );
                    assert!(
                        !statements.iter().any(|s| s.contains("REVOKE")),
                        "{statements:#?}"
                    );
                }),
        )
        .run();
    f.finish();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn default_privileges_drift_from_pg_default_acl_shows() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let config = f.config(r#""select", "INSERT""#);
    f.case()
        .step(Step::apply(config.clone()))
        .step(
            Step::apply(config)
                .before(|_| {
                    f.db.exec(&format!(
                        "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA s REVOKE INSERT ON TABLES FROM {}",
                        f.owner, f.reader
                    ))
                })
                .plan_shows(&["postgresql_default_privileges.tables"]),
        )
        .run();
    f.finish();
}

/// One resource with `terraform import`, the others with import blocks:
/// the plan is then empty and the attributes match.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn default_privileges_import_by_id() {
    let Some(acc) = acc() else { return };
    let f = fixture(&acc);
    let (owner, reader, dbn) = (&f.owner, &f.reader, &f.db.name);
    // The imports' workspaces manage the same default privileges; only the
    // test case's workspace destroys them.
    f.case()
        .step(Step::apply(f.config(r#""select", "INSERT""#)))
        // An import reads privileges in the server's spelling, the state
        // keeps the configuration's.
        .step(
            Step::import(
                "postgresql_default_privileges.tables",
                format!("{reader}/{dbn}/s/{owner}/table"),
            )
            .ignore(&["privileges"]),
        )
        .step(
            Step::import_blocks([
                (
                    "postgresql_default_privileges.sequences",
                    format!("{reader}/{dbn}//{owner}/sequence"),
                ),
                (
                    "postgresql_default_privileges.functions",
                    format!("public/{dbn}//{owner}/function"),
                ),
            ])
            .ignore(&["privileges"]),
        )
        .run();
    f.finish();
}
