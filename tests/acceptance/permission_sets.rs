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
use crate::grant::{connect, exec_each, expect};
use crate::support::{exec, unique_name, Workspace};

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read example dir") {
        let entry = entry.expect("dir entry");
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if skip.contains(&name.as_ref()) || !name.ends_with(".tf") {
            continue;
        }
        std::fs::copy(entry.path(), to.join(&*name)).expect("copy file");
    }
}

#[test]
fn permission_sets_module_example() {
    let Some(acc) = acc() else { return };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = unique_name("ps");
    let (lausanne, zurich) = (format!("{p}_lausanne"), format!("{p}_zurich"));
    let owner = format!("{p}_migrator");
    let (viewer, editor) = (format!("{p}_viewer"), format!("{p}_editor"));
    let (alice, bob) = (format!("{p}_alice"), format!("{p}_bob"));
    let admin = acc.admin();
    exec_each(
        &acc,
        &admin,
        &format!("CREATE ROLE {owner}; CREATE DATABASE {lausanne}; CREATE DATABASE {zurich};"),
    );
    for dbn in [&lausanne, &zurich] {
        let db = connect(&acc, dbn);
        acc.block(exec(
            &db,
            &format!(
                "CREATE SCHEMA data AUTHORIZATION {owner}; SET ROLE {owner}; \
                 CREATE TABLE data.items (id serial PRIMARY KEY, name text); \
                 INSERT INTO data.items (name) VALUES ('first');"
            ),
        ));
    }

    let ws = Workspace::new();
    copy_dir(
        &repo.join("examples/schema-permission-sets"),
        ws.path(),
        &["access.tf"],
    );
    copy_dir(
        &repo.join("examples/modules/schema-permissions"),
        &ws.path().join("modules/schema-permissions"),
        &[],
    );
    let main = std::fs::read_to_string(ws.path().join("main.tf")).expect("read main.tf");
    ws.write_file(
        "main.tf",
        &main.replace(
            "../modules/schema-permissions",
            "./modules/schema-permissions",
        ),
    );
    ws.run_ok(&["get", "-no-color"]);
    let vars: Vec<String> = [
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
    ]
    .iter()
    .flat_map(|(k, v)| ["-var".to_string(), format!("{k}={v}")])
    .collect();
    let with_vars = |cmd: &[&str]| -> Vec<String> {
        cmd.iter()
            .map(|s| s.to_string())
            .chain(vars.iter().cloned())
            .collect()
    };
    let run = |cmd: &[&str]| {
        let args = with_vars(cmd);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ws.run(&args)
    };
    let ok = |cmd: &[&str]| {
        let out = run(cmd);
        assert!(
            out.success(),
            "terraform {cmd:?} failed:\n{}",
            out.combined()
        );
        out
    };
    ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let plan = run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(plan.status, 0, "plan after apply:\n{}", plan.combined());

    // Roles and memberships.
    expect(
        &acc,
        &admin,
        &[
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
        ],
    );

    // The reader reads Lausanne and cannot write; the writer writes Zurich.
    let alice_db = acc.block(acc.cluster.connect(&lausanne, &alice, "alice-pw"));
    acc.block(exec(&alice_db, "SELECT name FROM data.items"));
    let denied = acc.block(alice_db.batch_execute("INSERT INTO data.items (name) VALUES ('x')"));
    assert!(denied.is_err(), "the reader must not write");
    let bob_db = acc.block(acc.cluster.connect(&zurich, &bob, "bob-pw"));
    acc.block(exec(
        &bob_db,
        "INSERT INTO data.items (name) VALUES ('second'); \
         UPDATE data.items SET name = 'changed' WHERE name = 'first'; \
         SELECT count(*) FROM data.items;",
    ));

    // A table the owner creates later is readable at once (default
    // privileges), and the plan stays empty.
    let lausanne_db = connect(&acc, &lausanne);
    acc.block(exec(
        &lausanne_db,
        &format!("SET ROLE {owner}; CREATE TABLE data.later (id serial, v text); RESET ROLE;"),
    ));
    acc.block(exec(&alice_db, "SELECT count(*) FROM data.later"));
    let plan = run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(
        plan.status,
        0,
        "plan after a new table:\n{}",
        plan.combined()
    );

    drop((alice_db, bob_db, lausanne_db));
    ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    expect(
        &acc,
        &admin,
        &[(
            &format!("NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname LIKE '{p}\\_%' AND rolname <> '{owner}')"),
            true,
        )],
    );
    exec_each(
        &acc,
        &admin,
        &format!("DROP DATABASE {lausanne} WITH (FORCE); DROP DATABASE {zurich} WITH (FORCE); DROP ROLE {owner};"),
    );
}
