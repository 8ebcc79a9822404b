//! postgresql_default_privileges acceptance tests: a table created by the
//! owner after the apply is usable at once, in-place changes by difference,
//! drift from pg_default_acl, import, destroy.

use crate::acc;
use crate::grant::{connect, exec_each, expect, log_sql, logged_sql};
use crate::support::{exec, unique_name, Workspace};

#[test]
fn default_privileges_apply_future_tables_drift_import() {
    let Some(acc) = acc() else { return };
    let dbn = unique_name("defpriv_db");
    let owner = unique_name("defpriv_owner");
    let reader = unique_name("defpriv_reader");
    let admin = acc.admin();
    exec_each(
        &acc,
        &admin,
        &format!("CREATE ROLE {owner}; CREATE ROLE {reader}; CREATE DATABASE {dbn};"),
    );
    let db = connect(&acc, &dbn);
    acc.block(exec(
        &db,
        &format!("CREATE SCHEMA s AUTHORIZATION {owner}; GRANT USAGE ON SCHEMA s TO {reader};"),
    ));
    let config = |table_privs: &str| {
        format!(
            r#"{provider}
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
"#,
            provider = acc.cluster.provider_block(),
        )
    };
    let ws = Workspace::new();
    ws.write_config(&config(r#""SELECT""#));
    ws.apply_clean();

    // Objects the owner creates afterwards are usable without another apply.
    acc.block(exec(
        &db,
        &format!(
            "SET ROLE {owner}; CREATE TABLE s.later (id serial, x int); \
             CREATE FUNCTION s.fn() RETURNS int LANGUAGE sql AS 'SELECT 1'; RESET ROLE;"
        ),
    ));
    expect(
        &acc,
        &db,
        &[
            (&format!("has_table_privilege('{reader}', 's.later', 'SELECT')"), true),
            (&format!("has_table_privilege('{reader}', 's.later', 'INSERT')"), false),
            (
                &format!("has_sequence_privilege('{reader}', 's.later_id_seq', 'USAGE WITH GRANT OPTION')"),
                true,
            ),
            (&format!("has_function_privilege('{reader}', 's.fn()', 'EXECUTE')"), true),
        ],
    );
    let reader_client = {
        acc.block(exec(
            &admin,
            &format!("ALTER ROLE {reader} LOGIN PASSWORD 'pw-reader'"),
        ));
        acc.block(acc.cluster.connect(&dbn, &reader, "pw-reader"))
    };
    acc.block(exec(&reader_client, "SELECT count(*) FROM s.later"));
    ws.assert_no_changes();

    // In place and by difference: SELECT stays, INSERT is added.
    let log = log_sql(&ws);
    ws.write_config(&config(r#""select", "INSERT""#));
    let plan = ws.assert_changes();
    assert!(
        plan.contains("update in-place") && !plan.contains("must be replaced"),
        "{plan}"
    );
    ws.apply();
    let statements = logged_sql(&log);
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
    ws.assert_no_changes();

    // A change made outside Terraform is drift.
    acc.block(exec(
        &db,
        &format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA s REVOKE INSERT ON TABLES FROM {reader}"),
    ));
    let plan = ws.assert_changes();
    assert!(
        plan.contains("postgresql_default_privileges.tables"),
        "{plan}"
    );
    ws.apply();
    ws.assert_no_changes();

    // Import into a fresh workspace gives the same state.
    let imported = Workspace::new();
    let cfg = config(r#""select", "INSERT""#);
    imported.write_config(&cfg);
    imported.import(
        "postgresql_default_privileges.tables",
        &format!("{reader}/{dbn}/s/{owner}/table"),
    );
    imported.write_config(&format!(
        "{cfg}
import {{
  to = postgresql_default_privileges.sequences
  id = \"{reader}/{dbn}//{owner}/sequence\"
}}
import {{
  to = postgresql_default_privileges.functions
  id = \"public/{dbn}//{owner}/function\"
}}
"
    ));
    imported.apply();
    imported.assert_no_changes();
    for name in ["tables", "sequences", "functions"] {
        let addr = format!("postgresql_default_privileges.{name}");
        let (want, got) = (ws.state_resource(&addr), imported.state_resource(&addr));
        for attr in [
            "id",
            "role",
            "owner",
            "schema",
            "object_type",
            "with_grant_option",
        ] {
            assert_eq!(want[attr], got[attr], "{addr}.{attr}");
        }
    }
    drop(imported);

    ws.destroy();
    expect(
        &acc,
        &db,
        &[(
            &format!(
                "NOT EXISTS (SELECT 1 FROM pg_default_acl d, aclexplode(d.defaclacl) a \
                 WHERE a.grantee = '{reader}'::regrole)"
            ),
            true,
        )],
    );
    drop(reader_client);
    drop(db);
    exec_each(
        &acc,
        &admin,
        &format!("DROP DATABASE {dbn} WITH (FORCE); DROP ROLE {reader}; DROP ROLE {owner};"),
    );
}
