//! Refresh cost in round trips: a plan of many roles, grants, schemas and
//! databases reads each kind of object from a catalog snapshot (one query
//! per type and database) instead of one query per resource. Counted from
//! the server's own log (`log_statement=all`, statements tagged with the
//! provider's `application_name`) on a cluster of the test's own; run it on
//! each PostgreSQL major with `PG_BIN`.

use crate::acc_own_cluster;
use crate::support::{ClusterOptions, Step, TestCase};

/// Roles and grants: enough that one query each would stand out.
const N: usize = 150;
/// Schemas and databases (each CREATE DATABASE copies a template, so fewer).
const SCHEMAS: usize = 30;
const DATABASES: usize = 5;

/// The statements the provider sent since the log was `from` bytes long.
fn provider_statements(log: &str, from: usize) -> Vec<String> {
    log.get(from..)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("terraform-provider-postgresql:LOG:  "))
        .filter(|l| l.contains("statement: ") || l.contains("execute "))
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn refresh_reads_snapshots_not_one_query_per_resource() {
    let Some(acc) = acc_own_cluster(ClusterOptions {
        settings: vec![("log_line_prefix".into(), "%a:".into())],
        ..ClusterOptions::default()
    }) else {
        return;
    };
    let db = "rt";
    acc.sql(&format!("CREATE DATABASE {db}"));
    acc.sql("CREATE ROLE rt_reader");
    let conn = acc.connect(db);
    acc.block(crate::support::exec(
        &conn,
        &format!(
            "CREATE SCHEMA s; DO $$ BEGIN FOR i IN 0..{} LOOP \
             EXECUTE format('CREATE TABLE s.%I (id int)', 't' || i); END LOOP; END $$;",
            N - 1
        ),
    ));
    let config = format!(
        r#"
resource "postgresql_role" "r" {{
  count = {N}
  name  = "rt_role_${{count.index}}"
}}

resource "postgresql_grant" "g" {{
  count       = {N}
  role        = "rt_reader"
  database    = "{db}"
  schema      = "s"
  object_type = "table"
  objects     = ["t${{count.index}}"]
  privileges  = ["SELECT"]
}}

resource "postgresql_schema" "s" {{
  count    = {SCHEMAS}
  name     = "rt_schema_${{count.index}}"
  database = "{db}"
}}

resource "postgresql_database" "d" {{
  count = {DATABASES}
  name  = "rt_db_${{count.index}}"
}}
"#
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let from = acc.cluster.log_contents().len();
            ws.assert_no_changes();
            let refresh = provider_statements(&acc.cluster.log_contents(), from);
            let from = acc.cluster.log_contents().len();
            ws.run_ok(&["plan", "-refresh=false", "-no-color", "-input=false"]);
            let no_refresh = provider_statements(&acc.cluster.log_contents(), from);
            eprintln!(
                "PostgreSQL {}: plan of {N} roles + {N} grants + {SCHEMAS} schemas + {DATABASES} \
                 databases sent {} statements, plan -refresh=false {}",
                acc.cluster.major_version(),
                refresh.len(),
                no_refresh.len()
            );
            // Per connection (one per database) the session settings and the
            // server facts, then one read per kind (roles, databases, objects with
            // their privileges, schemas among them), and nothing per resource.
            assert!(
                refresh.len() <= 7,
                "{} statements for a refresh:\n{}",
                refresh.len(),
                refresh.join("\n")
            );
            // Without refresh only configuring the provider talks to the server.
            assert!(
                no_refresh.len() <= 2,
                "{} statements for plan -refresh=false:\n{}",
                no_refresh.len(),
                no_refresh.join("\n")
            );
        }))
        .run();
}
