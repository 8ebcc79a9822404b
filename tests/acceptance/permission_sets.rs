//! The `examples/schema-permission-sets` scenario end to end, through the
//! `examples/modules/schema-permissions` module: two databases with suffixed
//! roles, generic roles on top, a reading and a writing login user who can
//! do exactly that, and a table created later usable without an apply.
//!
//! The example's `access.tf` (the `postgresql_schema_access` data source,
//! built on another branch) is left out of the copy, so this test only needs
//! the resources of this branch.

use std::path::Path;

use crate::acc;
use crate::support::{exec, fs::copy_dir, unique_name, Step, TestCase};

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn permission_sets_module_example() {
    let Some(acc) = acc() else { return };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = unique_name("ps");
    let owner = format!("{p}_migrator");
    let (viewer, editor) = (format!("{p}_viewer"), format!("{p}_editor"));
    let (alice, bob) = (format!("{p}_alice"), format!("{p}_bob"));
    acc.sql(&format!("CREATE ROLE {owner}"));
    let lausanne_db = acc.database("ps_lausanne");
    let zurich_db = acc.database("ps_zurich");
    let (lausanne, zurich) = (lausanne_db.name.clone(), zurich_db.name.clone());
    for db in [&lausanne_db, &zurich_db] {
        db.exec(&format!(
            "CREATE SCHEMA data AUTHORIZATION {owner}; SET ROLE {owner}; \
             CREATE TABLE data.items (id serial PRIMARY KEY, name text); \
             INSERT INTO data.items (name) VALUES ('first'); RESET ROLE;"
        ));
    }

    // The example's main.tf reads the module from the repository's
    // examples/modules; the workspace gets a copy of it next to main.tf.
    let main = std::fs::read_to_string(repo.join("examples/schema-permission-sets/main.tf"))
        .expect("read main.tf")
        .replace(
            "../modules/schema-permissions",
            "./modules/schema-permissions",
        );
    let vars = [
        ("host", acc.cluster.host().to_string()),
        ("port", acc.cluster.port().to_string()),
        ("username", acc.cluster.superuser().to_string()),
        ("password", acc.cluster.password().to_string()),
        ("lausanne_database", lausanne.clone()),
        ("zurich_database", zurich.clone()),
        ("owner", owner.clone()),
        ("read_role", viewer.clone()),
        ("write_role", editor.clone()),
        ("reader_user", alice.clone()),
        ("writer_user", bob.clone()),
        ("reader_password", "alice-pw".to_string()),
        ("writer_password", "bob-pw".to_string()),
    ];
    let mut case = TestCase::new("").raw();
    for (k, v) in &vars {
        case = case.env(&format!("TF_VAR_{k}"), v);
    }
    case.step(
        Step::apply(main.clone())
            .before(|ws| {
                copy_dir(
                    &repo.join("examples/modules/schema-permissions"),
                    &ws.path().join("modules/schema-permissions"),
                    &[],
                );
                ws.run_ok(&["get", "-no-color"]);
            })
            .check(|_, _| {
                // Roles and memberships.
                acc.expect(&[
                    (
                        &format!("pg_has_role('{alice}', '{viewer}_lausanne', 'USAGE')"),
                        true,
                    ),
                    (
                        &format!("pg_has_role('{alice}', '{viewer}_zurich', 'USAGE')"),
                        false,
                    ),
                    (
                        &format!("pg_has_role('{bob}', '{viewer}_zurich', 'USAGE')"),
                        true,
                    ),
                    (
                        &format!("pg_has_role('{editor}_zurich', '{viewer}_zurich', 'MEMBER')"),
                        true,
                    ),
                    (
                        &format!("pg_has_role('{viewer}', '{viewer}_lausanne', 'MEMBER')"),
                        true,
                    ),
                    (
                        &format!("pg_has_role('{viewer}', '{viewer}_zurich', 'MEMBER')"),
                        true,
                    ),
                    (
                        &format!("pg_has_role('{editor}', '{editor}_zurich', 'MEMBER')"),
                        true,
                    ),
                ]);

                // The reader reads Lausanne and cannot write; the writer
                // writes Zurich.
                let alice_db = acc.block(acc.cluster.connect(&lausanne, &alice, "alice-pw"));
                acc.block(exec(&alice_db, "SELECT name FROM data.items"));
                let denied =
                    acc.block(alice_db.batch_execute("INSERT INTO data.items (name) VALUES ('x')"));
                assert!(denied.is_err(), "the reader must not write");
                let bob_db = acc.block(acc.cluster.connect(&zurich, &bob, "bob-pw"));
                acc.block(exec(
                    &bob_db,
                    "INSERT INTO data.items (name) VALUES ('second'); \
                     UPDATE data.items SET name = 'changed' WHERE name = 'first'; \
                     SELECT count(*) FROM data.items;",
                ));
            }),
    )
    // A table the owner creates later is readable at once (default
    // privileges), and the plan stays empty.
    .step(Step::plan_only(main).before(|_| {
        lausanne_db.exec(&format!(
            "SET ROLE {owner}; CREATE TABLE data.later (id serial, v text); RESET ROLE;"
        ));
        let alice_db = acc.block(acc.cluster.connect(&lausanne, &alice, "alice-pw"));
        acc.block(exec(&alice_db, "SELECT count(*) FROM data.later"));
    }))
    .check_destroy(|| {
        acc.expect(&[(
            &format!(
                "NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname LIKE '{p}\\_%' AND rolname <> '{owner}')"
            ),
            true,
        )])
    })
    .run();
    drop((lausanne_db, zurich_db));
    acc.sql(&format!("DROP ROLE {owner}"));
}
