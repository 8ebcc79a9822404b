//! The ephemeral `postgresql_temporary_role` with real Terraform (1.10+;
//! skipped, saying so, on older ones): a second provider block logs in as
//! it (the server log shows the login), it is gone after the run, and its
//! name and password reach neither the state nor a plan file; a table it
//! created survives its Close under `reassign_to`; a `ttl` that is not a
//! duration is refused naming the attribute.

use std::time::{Duration, Instant};

use pgwarden::pg::conn::locks::OWNED_OBJECTS_KEY;

use crate::support::{hcl, provider_log, ClusterOptions, Step, TestCase};
use crate::{acc, acc_own_cluster, terraform_at_least, Acc};

/// A cluster that logs every login, so the test sees who logged in.
fn logging_cluster() -> Option<Acc> {
    acc_own_cluster(ClusterOptions {
        settings: vec![("log_connections".into(), "on".into())],
        ..ClusterOptions::default()
    })
}

/// The temporary roles that logged in, from the server log.
fn logged_in_temporary_roles(acc: &Acc) -> Vec<String> {
    let mut names: Vec<String> = acc
        .cluster
        .log_contents()
        .lines()
        .filter_map(|l| l.split_once("connection authorized: user=tmp_"))
        .map(|(_, rest)| format!("tmp_{}", rest.split_whitespace().next().unwrap_or_default()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// An ephemeral temporary role, a provider block logging in as it, and a
/// data source read through that provider.
fn job_config(acc: &Acc, member_of: &str, extra: &str) -> String {
    format!(
        r#"
ephemeral "postgresql_temporary_role" "job" {{
  member_of = [{member_of}]
  ttl       = "15m"
  {extra}
}}

provider "postgresql" {{
  alias    = "job"
  host     = {host}
  port     = {port}
  database = "postgres"
  username = ephemeral.postgresql_temporary_role.job.name
  password = ephemeral.postgresql_temporary_role.job.password
  sslmode  = "disable"
}}

data "postgresql_schemas" "seen_by_job" {{
  provider = postgresql.job
  database = "postgres"
}}
"#,
        host = hcl(acc.cluster.host()),
        port = acc.cluster.port(),
    )
}

fn no_temporary_roles_left(acc: &Acc) {
    acc.expect(&[(
        "NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname LIKE 'tmp\\_%')",
        true,
    )]);
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn temporary_role_logs_in_through_a_second_provider_and_leaves_no_trace() {
    let Some(acc) = logging_cluster() else { return };
    if !terraform_at_least(10, "ephemeral resources") {
        return;
    }
    let config = format!(
        r#"
resource "postgresql_role" "readers" {{
  name = "job_readers"
}}
{}"#,
        job_config(&acc, "postgresql_role.readers.name", "")
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config)
                .before(provider_log::enable)
                .check(|ws, _| {
                    let names = logged_in_temporary_roles(&acc);
                    assert!(
                        !names.is_empty(),
                        "no temporary role logged in:\n{}",
                        acc.cluster.log_contents()
                    );
                    no_temporary_roles_left(&acc);
                    // A plan file too, with the role opened for it.
                    let plan = ws.run(&["plan", "-out=job.tfplan", "-input=false", "-no-color"]);
                    assert!(plan.success(), "{}", plan.combined());
                    let shown = ws.run(&["show", "-json", "job.tfplan"]);
                    assert!(shown.success(), "{}", shown.combined());
                    let raw = std::fs::read(ws.path().join("job.tfplan")).expect("plan file");
                    let raw = String::from_utf8_lossy(&raw);
                    let names = logged_in_temporary_roles(&acc);
                    assert!(names.len() >= 2, "the plan opened no role: {names:?}");
                    let state = ws.state_raw();
                    for name in &names {
                        assert!(!state.contains(name.as_str()), "{name} is in the state");
                        assert!(!shown.stdout.contains(name.as_str()), "{name} in the plan");
                        assert!(!raw.contains(name.as_str()), "{name} in the plan file");
                    }
                    assert!(!state.contains("tmp_") && !shown.stdout.contains("tmp_"));
                    no_temporary_roles_left(&acc);
                    // Only the verifier was sent, and the log shows neither.
                    let log = provider_log::read(ws);
                    assert!(
                        log.contains("PASSWORD '[redacted]'"),
                        "no CREATE ROLE logged"
                    );
                    assert!(
                        !log.contains("SCRAM-SHA-256$"),
                        "a verifier reached the log"
                    );
                    assert!(
                        acc.cluster
                            .log_contents()
                            .contains("PASSWORD 'SCRAM-SHA-256$"),
                        "the server got something other than a verifier"
                    );
                }),
        )
        .check_destroy(|| no_temporary_roles_left(&acc))
        .run();
}

/// Waits until `sql` (a boolean query as the superuser) holds.
fn wait_for(acc: &Acc, sql: &str, what: &str) {
    let admin = acc.admin();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let row = acc.block(admin.query_one(sql, &[])).expect("query");
        if row.get::<_, bool>(0) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn temporary_role_table_survives_close_under_reassign_to() {
    let Some(acc) = logging_cluster() else { return };
    if !terraform_at_least(10, "ephemeral resources") {
        return;
    }
    acc.sql("CREATE ROLE migrators; CREATE SCHEMA work AUTHORIZATION migrators;");
    // Close hands over what the role owns under the provider's ACL lock:
    // holding it keeps the role in Close while the "job" creates a table.
    let holder = acc.admin();
    let admin = acc.admin();
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(job_config(
                &acc,
                "\"migrators\"",
                "reassign_to = \"migrators\"",
            ))
            .before(|_| {
                acc.block(
                    holder.batch_execute(&format!("SELECT pg_advisory_lock({OWNED_OBJECTS_KEY})")),
                )
                .expect("lock")
            })
            .during(|_| {
                wait_for(
                    &acc,
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)",
                    "Close to wait for the lock",
                );
                let name: String = acc
                    .block(admin.query_one(
                        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'tmp\\_%'",
                        &[],
                    ))
                    .expect("one temporary role in Close")
                    .get(0);
                let job = format!(
                    "SET ROLE {}; CREATE TABLE work.job_output (id int); \
                     INSERT INTO work.job_output VALUES (42); RESET ROLE;",
                    crate::support::ident(&name)
                );
                acc.block(admin.batch_execute(&job))
                    .expect("the job's table");
                acc.expect(&[(
                    format!(
                        "(SELECT tableowner FROM pg_tables WHERE tablename = 'job_output') = {}",
                        crate::support::literal(&name)
                    )
                    .as_str(),
                    true,
                )]);
                acc.block(
                    holder
                        .batch_execute(&format!("SELECT pg_advisory_unlock({OWNED_OBJECTS_KEY})")),
                )
                .expect("unlock");
            })
            .check(|_, _| {
                acc.expect(&[
                    (
                        "(SELECT tableowner FROM pg_tables WHERE tablename = 'job_output') = 'migrators'",
                        true,
                    ),
                    ("(SELECT sum(id) FROM work.job_output) = 42", true),
                ]);
                no_temporary_roles_left(&acc);
            }),
        )
        .check_destroy(|| no_temporary_roles_left(&acc))
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn temporary_role_refuses_a_ttl_that_is_not_a_duration() {
    let Some(acc) = acc() else { return };
    if !terraform_at_least(10, "ephemeral resources") {
        return;
    }
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(
                r#"
ephemeral "postgresql_temporary_role" "job" {
  ttl = "soon"
}
"#,
                "Invalid Duration",
            )
            .check(|_, out| {
                let text = out.combined();
                assert!(text.contains("ttl = \"soon\""), "not at ttl:\n{text}");
                assert!(text.contains("\"15m\""), "no advice:\n{text}");
            }),
        )
        .run();
}
