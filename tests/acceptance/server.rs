//! postgresql_server acceptance tests, each in a database of its own: the
//! reference provider's cases (basic, update step by step, drop cascade),
//! then awkward names in a named database, drift, import and the plan-time
//! refusals. Skipped, saying so, on a server without `postgres_fdw`.

use crate::support::{hcl, ident, literal, unique_name, Step, TestCase, Workspace};
use crate::{acc, Acc, TestDb};

/// The provider block, connected to `db` instead of `postgres`, so a server
/// without `database` lands in the test's own database.
pub fn provider_on(acc: &Acc, db: &TestDb) -> String {
    acc.cluster.provider_block().replace(
        "database = \"postgres\"",
        &format!("database = {}", hcl(&db.name)),
    )
}

/// Whether the server offers every extension of `names`; says why the test
/// is skipped when not.
pub fn has_extensions(db: &TestDb, names: &[&str]) -> bool {
    for name in names {
        let found = db.strings(&format!(
            "SELECT name FROM pg_available_extensions WHERE name = {}",
            literal(name)
        ));
        if found.is_empty() {
            eprintln!("skipped: this PostgreSQL build has no {name} extension");
            return false;
        }
    }
    true
}

/// `postgresql_extension` resources for `names`, keyed by name.
pub fn extensions(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("resource \"postgresql_extension\" \"{n}\" {{\n  name = \"{n}\"\n}}\n"))
        .collect()
}

/// A `postgresql_server` named `key`, with the given attribute lines,
/// after the `postgres_fdw` extension resource.
fn server(key: &str, lines: &str) -> String {
    format!(
        "resource \"postgresql_server\" \"{key}\" {{\n{lines}  depends_on = \
         [postgresql_extension.postgres_fdw]\n}}\n"
    )
}

/// The same without the extension resource (installed with SQL), so that
/// an import step can target it alone.
fn server_alone(key: &str, lines: &str) -> String {
    format!("resource \"postgresql_server\" \"{key}\" {{\n{lines}}}\n")
}

/// The `myserver_postgres` of the reference tests with `lines` before its
/// options, and the options given (`None`: none).
fn myserver(name: &str, lines: &str, options: Option<&str>) -> String {
    let options = options
        .map(|o| format!("  options = {{\n{o}  }}\n"))
        .unwrap_or_default();
    server(
        "myserver_postgres",
        &format!(
            "  server_name = {}\n  fdw_name = \"postgres_fdw\"\n{lines}{options}",
            hcl(name)
        ),
    )
}

const FOO_OPTIONS: &str = "    host = \"foo\"\n    dbname = \"foodb\"\n    port = \"5432\"\n";

/// `owner|type|version|options` of a server as the catalog has it (no
/// options, NULL or empty, are `<null>`), or `None` when there is none.
fn server_row(db: &TestDb, name: &str) -> Option<String> {
    db.strings(&format!(
        "SELECT pg_get_userbyid(s.srvowner) || '|' || coalesce(s.srvtype, '<null>') || '|' \
                || coalesce(s.srvversion, '<null>') || '|' \
                || coalesce(nullif(array_to_string(ARRAY(SELECT o FROM unnest(s.srvoptions) o ORDER BY o), ','), ''), '<null>') \
         FROM pg_foreign_server s WHERE s.srvname = {}",
        literal(name)
    ))
    .into_iter()
    .next()
}

/// Reference: TestAccPostgresqlServer_Basic (postgres_fdw and file_fdw
/// servers, one with an owner, one with a type, one with a version), then
/// imported by the reference provider's ID and by this one's. The
/// extensions are installed with SQL, so that an import targets a server
/// alone (the reference test created them as resources, which the other
/// tests here do).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn server_reference_basic() {
    let Some(acc) = acc() else { return };
    let db = acc.database("srv_basic");
    if !has_extensions(&db, &["postgres_fdw", "file_fdw"]) {
        return;
    }
    db.exec("CREATE EXTENSION postgres_fdw; CREATE EXTENSION file_fdw");
    let owner = unique_name("srv_owner");
    let config = format!(
        "{p}{f}resource \"postgresql_role\" \"owner\" {{\n  name = {owner}\n}}\n{o}{t}{v}",
        p = server_alone(
            "myserver_postgres",
            &format!(
                "  server_name = \"myserver_postgres\"\n  fdw_name = \"postgres_fdw\"\n  \
                 options = {{\n{FOO_OPTIONS}  }}\n"
            )
        ),
        f = server_alone(
            "myserver_file",
            "  server_name = \"myserver_file\"\n  fdw_name = \"file_fdw\"\n"
        ),
        owner = hcl(&owner),
        o = server_alone(
            "myserver_with_owner",
            &format!(
                "  server_name = \"with_owner\"\n  server_owner = postgresql_role.owner.name\n  \
                 fdw_name = \"postgres_fdw\"\n  options = {{\n{FOO_OPTIONS}  }}\n"
            )
        ),
        t = server_alone(
            "myserver_with_type",
            &format!(
                "  server_name = \"myserver_with_type\"\n  server_type = \"slave\"\n  \
                 fdw_name = \"postgres_fdw\"\n  options = {{\n{FOO_OPTIONS}  }}\n"
            )
        ),
        v = server_alone(
            "myserver_with_version",
            &format!(
                "  server_name = \"myserver_with_version\"\n  server_version = \"1.1.1\"\n  \
                 fdw_name = \"postgres_fdw\"\n  options = {{\n{FOO_OPTIONS}  }}\n"
            )
        ),
    );
    let superuser = acc.cluster.superuser();
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(config).check(|ws, _| {
            let p = ws.state_resource("postgresql_server.myserver_postgres");
            assert_eq!(p["server_name"], "myserver_postgres");
            assert_eq!(p["server_owner"], superuser);
            assert_eq!(p["fdw_name"], "postgres_fdw");
            assert_eq!(p["options"]["host"], "foo");
            assert_eq!(p["options"]["dbname"], "foodb");
            assert_eq!(p["options"]["port"], "5432");
            assert_eq!(p["database"], db.name.as_str());
            assert_eq!(p["id"], format!("{}.myserver_postgres", db.name));
            let f = ws.state_resource("postgresql_server.myserver_file");
            assert_eq!(f["server_owner"], superuser);
            assert_eq!(f["fdw_name"], "file_fdw");
            assert!(f["options"].is_null());
            let o = ws.state_resource("postgresql_server.myserver_with_owner");
            assert_eq!(o["server_owner"], owner.as_str());
            let t = ws.state_resource("postgresql_server.myserver_with_type");
            assert_eq!(t["server_type"], "slave");
            let v = ws.state_resource("postgresql_server.myserver_with_version");
            assert_eq!(v["server_version"], "1.1.1");
            assert_eq!(
                server_row(&db, "myserver_postgres").unwrap(),
                format!("{superuser}|<null>|<null>|dbname=foodb,host=foo,port=5432")
            );
            assert_eq!(
                server_row(&db, "with_owner").unwrap(),
                format!("{owner}|<null>|<null>|dbname=foodb,host=foo,port=5432")
            );
            assert!(server_row(&db, "myserver_with_type")
                .unwrap()
                .contains("|slave|<null>|"));
            assert!(server_row(&db, "myserver_with_version")
                .unwrap()
                .contains("|<null>|1.1.1|"));
        }))
        .step(Step::import(
            "postgresql_server.myserver_postgres",
            "myserver_postgres",
        ))
        .step(Step::import(
            "postgresql_server.myserver_with_type",
            format!("{}.myserver_with_type", db.name),
        ))
        .check_destroy(|| {
            for s in ["myserver_postgres", "myserver_file", "with_owner"] {
                assert_eq!(server_row(&db, s), None, "{s}");
            }
        })
        .run();
}

/// Reference: TestAccPostgresqlServer_Update: a rename in place, a type
/// (which replaces the server), a version, options changed, added and
/// removed one by one, then all of them.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn server_reference_update() {
    let Some(acc) = acc() else { return };
    let db = acc.database("srv_update");
    if !has_extensions(&db, &["postgres_fdw"]) {
        return;
    }
    let ext = extensions(&["postgres_fdw"]);
    let step = |name: &str, lines: &str, options: Option<&str>| {
        format!("{ext}{}", myserver(name, lines, options))
    };
    let oid = |name: &str| {
        db.one(&format!(
            "SELECT oid::text FROM pg_foreign_server WHERE srvname = {}",
            literal(name)
        ))
    };
    let first = std::cell::RefCell::new(String::new());
    let local = "    host = \"local\"\n    dbname = \"mydb\"\n    port = \"25432\"\n";
    let with_ssl = format!("{local}    sslmode = \"require\"\n");
    let updated = "myserver_postgres_updated";
    let version = "  server_version = \"1.2.3\"\n";
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(step("myserver_postgres", "", Some(FOO_OPTIONS))).check(|_, _| {
                *first.borrow_mut() = oid("myserver_postgres");
            }),
        )
        .step(
            Step::apply(step(updated, "", Some(FOO_OPTIONS)))
                .plan_shows(&["1 to change"])
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_server.myserver_postgres");
                    assert_eq!(s["server_name"], updated);
                    assert_eq!(s["id"], format!("{}.{updated}", db.name));
                    // Renamed, not re-created.
                    assert_eq!(oid(updated), *first.borrow());
                    assert_eq!(server_row(&db, "myserver_postgres"), None);
                }),
        )
        .step(
            Step::apply(step(
                updated,
                "  server_type = \"custom\"\n",
                Some(FOO_OPTIONS),
            ))
            .plan_shows(&["must be replaced", "1 to add", "1 to destroy"])
            .check(|ws, _| {
                let s = ws.state_resource("postgresql_server.myserver_postgres");
                assert_eq!(s["server_type"], "custom");
            }),
        )
        .step(
            Step::apply(step(updated, version, Some(FOO_OPTIONS))).check(|ws, _| {
                let s = ws.state_resource("postgresql_server.myserver_postgres");
                assert_eq!(s["server_version"], "1.2.3");
                assert!(s["server_type"].is_null());
                *first.borrow_mut() = oid(updated);
            }),
        )
        .step(
            Step::apply(step(updated, version, Some(local)))
                .plan_shows(&["1 to change"])
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_server.myserver_postgres");
                    assert_eq!(s["options"]["host"], "local");
                    assert_eq!(s["options"]["dbname"], "mydb");
                    assert_eq!(s["options"]["port"], "25432");
                    assert!(server_row(&db, updated)
                        .unwrap()
                        .ends_with("|1.2.3|dbname=mydb,host=local,port=25432"));
                }),
        )
        .step(
            Step::apply(step(updated, version, Some(&with_ssl))).check(|ws, _| {
                let s = ws.state_resource("postgresql_server.myserver_postgres");
                assert_eq!(s["options"]["sslmode"], "require");
            }),
        )
        .step(
            Step::apply(step(updated, version, Some(local))).check(|_, _| {
                assert!(server_row(&db, updated)
                    .unwrap()
                    .ends_with("|dbname=mydb,host=local,port=25432"));
            }),
        )
        .step(Step::apply(step(updated, version, None)).check(|ws, _| {
            let s = ws.state_resource("postgresql_server.myserver_postgres");
            assert!(s["options"].is_null());
            assert!(server_row(&db, updated).unwrap().ends_with("|1.2.3|<null>"));
            // Every change since the type went back was made in place.
            assert_eq!(oid(updated), *first.borrow());
        }))
        // The version is unset in place (`VERSION NULL`).
        .step(Step::apply(step(updated, "", None)).check(|_, _| {
            assert!(server_row(&db, updated)
                .unwrap()
                .ends_with("|<null>|<null>"));
            assert_eq!(oid(updated), *first.borrow());
        }))
        .run();
}

/// Reference: TestAccPostgresqlServer_DropCascade: a user mapping made
/// outside Terraform depends on the server, and `drop_cascade` drops it
/// with the server. Without it the destroy fails, saying what to do, and
/// the server stays.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn server_drop_cascade_drops_user_mappings() {
    let Some(acc) = acc() else { return };
    let db = acc.database("srv_cascade");
    if !has_extensions(&db, &["postgres_fdw"]) {
        return;
    }
    let ext = extensions(&["postgres_fdw"]);
    let map = "CREATE USER MAPPING FOR CURRENT_USER SERVER myserver \
               OPTIONS (user 'admin', password 'admin')";
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(format!(
                "{ext}{}",
                myserver("myserver", "  drop_cascade = true\n", Some(FOO_OPTIONS))
            ))
            .check(|_, _| db.exec(map)),
        )
        .check_destroy(|| {
            assert_eq!(server_row(&db, "myserver"), None);
            assert_eq!(db.one("SELECT count(*)::text FROM pg_user_mappings"), "0");
        })
        .run();

    let ws = Workspace::new();
    ws.write_config(&format!(
        "{}{ext}{}",
        provider_on(&acc, &db),
        myserver("myserver", "", Some(FOO_OPTIONS))
    ));
    ws.apply_clean();
    db.exec(map);
    let out = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert!(!out.success(), "destroy should fail:\n{}", out.combined());
    assert!(
        out.combined().contains("Objects Still Depend On It"),
        "{}",
        out.combined()
    );
    assert!(server_row(&db, "myserver").is_some());
    db.exec("DROP USER MAPPING FOR CURRENT_USER SERVER myserver");
    ws.destroy();
}

/// A server with a 63-byte name full of quotes, dots and spaces, in a
/// database with an awkward name set through `database`, on a wrapper with
/// an awkward name (one without a validator, so any option goes), owned by
/// an awkward role, with an option name holding a space and a value
/// holding quotes and a backslash: created, imported, then changed outside
/// Terraform (options, owner, version) and dropped, each shown by the next
/// plan and put back.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn server_awkward_names_drift_and_import() {
    let Some(acc) = acc() else { return };
    let db = acc.database("Srv \"DB\" é.x");
    let fdw = "Any \"FDW\"";
    db.exec(&format!("CREATE FOREIGN DATA WRAPPER {}", ident(fdw)));
    let owner = unique_name("Srv \"Owner\"");
    acc.sql(&format!("CREATE ROLE {}", ident(&owner)));
    let name = format!("My \"srv\".é {}", "x".repeat(63 - "My \"srv\".é ".len()));
    assert_eq!(name.len(), 63);
    let value = r#"it's "a" \path"#;
    let config = format!(
        "resource \"postgresql_server\" \"s\" {{\n  database = {d}\n  server_name = {n}\n  \
         fdw_name = {f}\n  server_owner = {o}\n  server_version = \"2\"\n  \
         options = {{\n    host = {v}\n    \"Odd Key\" = \"1\"\n  }}\n}}\n",
        d = hcl(&db.name),
        n = hcl(&name),
        f = hcl(fdw),
        o = hcl(&owner),
        v = hcl(value),
    );
    let id = format!(
        "\"{}\".\"{}\"",
        db.name.replace('"', "\"\""),
        name.replace('"', "\"\"")
    );
    let q = ident(&name);
    let expected = format!("{owner}|<null>|2|Odd Key=1,host={value}");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()).check(|ws, _| {
            let s = ws.state_resource("postgresql_server.s");
            assert_eq!(s["id"], id.as_str());
            assert_eq!(s["options"]["host"], value);
            assert_eq!(server_row(&db, &name).unwrap(), expected);
        }))
        .step(Step::import("postgresql_server.s", id.clone()))
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    db.exec(&format!(
                        "ALTER SERVER {q} OPTIONS (SET host 'elsewhere', ADD extra 'x')"
                    ))
                })
                .plan_shows(&["~ options", "\"elsewhere\"", "extra", "1 to change"])
                .check(|_, _| assert_eq!(server_row(&db, &name).unwrap(), expected)),
        )
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    db.exec(&format!(
                        "ALTER SERVER {q} OWNER TO {}; ALTER SERVER {q} VERSION '3'",
                        acc.cluster.superuser()
                    ))
                })
                .plan_shows(&["~ server_owner", "~ server_version", "1 to change"])
                .check(|_, _| assert_eq!(server_row(&db, &name).unwrap(), expected)),
        )
        .step(
            Step::apply(config)
                .before(|_| db.exec(&format!("DROP SERVER {q}")))
                .plan_shows(&["will be created", "1 to add"])
                .check(|_, _| assert_eq!(server_row(&db, &name).unwrap(), expected)),
        )
        .check_destroy(|| {
            assert_eq!(server_row(&db, &name), None);
            acc.sql(&format!("DROP ROLE {}", ident(&owner)));
        })
        .run();
}

/// Bad input is refused at plan time, naming the attribute: a wrapper the
/// database lacks and no extension provides, an option name with `=`, an
/// empty or too long server name.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn server_bad_input_is_refused_at_plan_time() {
    let Some(acc) = acc() else { return };
    let db = acc.database("srv_refuse");
    let with = |lines: &str| {
        format!("resource \"postgresql_server\" \"s\" {{\n  server_name = \"s\"\n{lines}}}\n")
    };
    TestCase::new(provider_on(&acc, &db))
        .step(Step::fails(
            with("  fdw_name = \"no_such_fdw\"\n"),
            "Foreign-Data Wrapper Not Found",
        ))
        .step(Step::fails(
            with("  fdw_name = \"postgres_fdw\"\n  options = { \"a=b\" = \"1\" }\n"),
            "Invalid Option Name",
        ))
        .step(Step::fails(
            "resource \"postgresql_server\" \"s\" {\n  server_name = \"\"\n  fdw_name = \"postgres_fdw\"\n}\n",
            "Empty Server Name",
        ))
        .step(Step::fails(
            format!(
                "resource \"postgresql_server\" \"s\" {{\n  server_name = \"{}\"\n  fdw_name = \"postgres_fdw\"\n}}\n",
                "s".repeat(64)
            ),
            "Server Name Too Long",
        ))
        .run();
}
