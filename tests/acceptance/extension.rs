//! postgresql_extension acceptance tests, each in a database of its own:
//! the reference provider's cases (basic, a named database, the schema
//! rename, drop and create cascade), plus in-place schema moves and version
//! updates, adoption, drift, import and the plan-time checks.

use crate::support::{hcl, ident, literal, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// The provider block, connected to `db` instead of `postgres`, so an
/// extension without `database` lands in the test's own database.
fn provider_on(acc: &Acc, db: &TestDb) -> String {
    acc.cluster.provider_block().replace(
        "database = \"postgres\"",
        &format!("database = {}", hcl(&db.name)),
    )
}

/// A `postgresql_extension` named `key` with the given attribute lines.
fn extension(key: &str, name: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_extension\" \"{key}\" {{\n  name = {}\n{extra}}}\n",
        hcl(name)
    )
}

/// `schema,version` of an installed extension, or `None`.
fn installed(db: &TestDb, name: &str) -> Option<String> {
    db.strings(&format!(
        "SELECT n.nspname || ',' || e.extversion FROM pg_extension e \
         JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = {}",
        literal(name)
    ))
    .into_iter()
    .next()
}

/// Two versions of `name` the server offers with an update path from the
/// first to the second, or `None` (the test then skips, saying why).
fn two_versions(db: &TestDb, name: &str) -> Option<(String, String)> {
    let pair = db.strings(&format!(
        "SELECT source || ',' || target FROM pg_extension_update_paths({}) \
         WHERE path IS NOT NULL AND source <> target \
           AND source IN (SELECT version FROM pg_available_extension_versions WHERE name = {0}) \
         ORDER BY source, target LIMIT 1",
        literal(name)
    ));
    let pair = pair.into_iter().next()?;
    let (a, b) = pair.split_once(',')?;
    Some((a.to_string(), b.to_string()))
}

fn available(db: &TestDb, name: &str) -> bool {
    !db.strings(&format!(
        "SELECT name FROM pg_available_extensions WHERE name = {}",
        literal(name)
    ))
    .is_empty()
}

/// Skips (with the reason printed) when the server lacks one of `names`.
fn has_extensions(db: &TestDb, names: &[&str]) -> bool {
    for name in names {
        if !available(db, name) {
            eprintln!("skipped: this PostgreSQL build has no {name} extension");
            return false;
        }
    }
    true
}

/// Reference: TestAccPostgresqlExtension_Basic, with the provider's own
/// database (here the test's), then imported both ways.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_installs_in_the_provider_database() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_basic");
    if !has_extensions(&db, &["pg_trgm"]) {
        return;
    }
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(extension("trgm", "pg_trgm", "")).check(|ws, _| {
                let s = ws.state_resource("postgresql_extension.trgm");
                assert_eq!(s["name"], "pg_trgm");
                assert_eq!(s["schema"], "public");
                assert_eq!(s["database"], db.name.as_str());
                assert_eq!(s["id"], format!("{}.pg_trgm", db.name));
                assert_eq!(s["drop_cascade"], false);
                assert_eq!(s["create_cascade"], false);
                let version = s["version"].as_str().unwrap().to_string();
                assert!(!version.is_empty());
                assert_eq!(installed(&db, "pg_trgm"), Some(format!("public,{version}")));
            }),
        )
        .step(Step::import(
            "postgresql_extension.trgm",
            format!("{}.pg_trgm", db.name),
        ))
        .step(Step::import("postgresql_extension.trgm", "pg_trgm"))
        .check_destroy(|| assert_eq!(installed(&db, "pg_trgm"), None))
        .run();
}

/// Reference: TestAccPostgresqlExtension_Database. The database and schema
/// names need quoting everywhere: upper case, spaces, quotes, non-ASCII, and
/// a 63-byte schema name.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_in_a_named_database_with_awkward_names() {
    let Some(acc) = acc() else { return };
    let db = acc.database("Ext \"DB\" é");
    if !has_extensions(&db, &["pg_trgm"]) {
        return;
    }
    let schema = format!("Sch \"é\" {}", "x".repeat(63 - "Sch \"é\" ".len()));
    assert_eq!(schema.len(), 63);
    db.exec(&format!("CREATE SCHEMA {}", ident(&schema)));
    let config = extension(
        "trgm",
        "pg_trgm",
        &format!(
            "  database = {}\n  schema = {}\n",
            hcl(&db.name),
            hcl(&schema)
        ),
    );
    let id = format!("\"{}\".pg_trgm", db.name.replace('"', "\"\""));
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let s = ws.state_resource("postgresql_extension.trgm");
            assert_eq!(s["database"], db.name.as_str());
            assert_eq!(s["schema"], schema.as_str());
            assert_eq!(s["id"], id.as_str());
            assert!(installed(&db, "pg_trgm")
                .unwrap()
                .starts_with(&format!("{schema},")));
        }))
        .step(Step::import("postgresql_extension.trgm", id.clone()))
        .check_destroy(|| assert_eq!(installed(&db, "pg_trgm"), None))
        .run();
}

/// Reference: TestAccPostgresqlExtension_SchemaRename: the schema is renamed
/// (here with SQL, since schemas are another resource), which moves the
/// extension with it; the configuration following the rename plans no
/// change. Then a real move to another schema happens in place.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_follows_a_schema_rename_and_moves_in_place() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_move");
    if !has_extensions(&db, &["pg_trgm"]) {
        return;
    }
    db.exec("CREATE SCHEMA foo; CREATE SCHEMA baz;");
    let oid = || db.one("SELECT oid::text FROM pg_extension WHERE extname = 'pg_trgm'");
    let in_schema = |s: &str| extension("trgm", "pg_trgm", &format!("  schema = \"{s}\"\n"));
    let first_oid = std::cell::RefCell::new(String::new());
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(in_schema("foo")).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_extension.trgm")["schema"],
                "foo"
            );
            *first_oid.borrow_mut() = oid();
        }))
        .step(
            Step::apply(in_schema("bar"))
                .before(|_| db.exec("ALTER SCHEMA foo RENAME TO bar"))
                .check(|ws, _| {
                    assert_eq!(
                        ws.state_resource("postgresql_extension.trgm")["schema"],
                        "bar"
                    );
                }),
        )
        .step(
            Step::apply(in_schema("baz"))
                .plan_shows(&["~ schema", "\"bar\" -> \"baz\"", "1 to change"])
                .check(|_, _| {
                    assert!(installed(&db, "pg_trgm").unwrap().starts_with("baz,"));
                    // Moved, not re-created.
                    assert_eq!(oid(), *first_oid.borrow());
                }),
        )
        .run();
}

/// A configured version is installed, and changing it updates the
/// extension in place (ALTER EXTENSION ... UPDATE TO).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_version_updates_in_place() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_version");
    if !has_extensions(&db, &["hstore"]) {
        return;
    }
    let Some((from, to)) = two_versions(&db, "hstore") else {
        eprintln!("skipped: hstore offers no update path on this server");
        return;
    };
    let with_version = |v: &str| extension("h", "hstore", &format!("  version = {}\n", hcl(v)));
    let oid = || db.one("SELECT oid::text FROM pg_extension WHERE extname = 'hstore'");
    let first_oid = std::cell::RefCell::new(String::new());
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(with_version(&from)).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_extension.h")["version"],
                from.as_str()
            );
            assert_eq!(installed(&db, "hstore"), Some(format!("public,{from}")));
            *first_oid.borrow_mut() = oid();
        }))
        .step(
            Step::apply(with_version(&to))
                .plan_shows(&["~ version", "1 to change"])
                .check(|_, _| {
                    assert_eq!(installed(&db, "hstore"), Some(format!("public,{to}")));
                    assert_eq!(oid(), *first_oid.borrow());
                }),
        )
        // Going back has no update path: refused at plan time.
        .step(Step::fails(with_version(&from), "No Update Path"))
        .run();
}

/// Reference: TestAccPostgresqlExtension_DropCascade. A table default using
/// a pgcrypto function depends on the extension; destroying with
/// `drop_cascade` drops that default too. (The reference used
/// gen_random_uuid(), which PostgreSQL 13 moved into the core, so it no
/// longer depends on pgcrypto.)
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_drop_cascade_drops_dependents() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_cascade");
    if !has_extensions(&db, &["pgcrypto"]) {
        return;
    }
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(extension("c", "pgcrypto", "  drop_cascade = true\n")).check(|_, _| {
                db.exec(
                    "CREATE TABLE test_extension_cascade \
                     (h bytea DEFAULT digest('x', 'sha256'))",
                )
            }),
        )
        .check_destroy(|| {
            assert_eq!(installed(&db, "pgcrypto"), None);
            assert_eq!(
                db.one(
                    "SELECT count(*)::text FROM pg_attrdef \
                     WHERE adrelid = 'test_extension_cascade'::regclass"
                ),
                "0"
            );
        })
        .run();
}

/// Without `drop_cascade`, dependents block the destroy with an error that
/// says what to do, and the extension stays.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_without_drop_cascade_keeps_dependents() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_restrict");
    if !has_extensions(&db, &["pgcrypto"]) {
        return;
    }
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(extension("c", "pgcrypto", "")))
        .step(
            Step::destroy_fails("Objects Still Depend On It")
                .before(|_| db.exec("CREATE TABLE t (h bytea DEFAULT digest('x', 'sha256'))"))
                .check(|_, _| {
                    assert!(installed(&db, "pgcrypto").is_some());
                    db.exec("DROP TABLE t");
                }),
        )
        .run();
}

/// Reference: TestAccPostgresqlExtension_CreateCascade: earthdistance needs
/// cube, which `create_cascade` installs too.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_create_cascade_installs_requirements() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_create_cascade");
    if !has_extensions(&db, &["earthdistance", "cube"]) {
        return;
    }
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(extension("e", "earthdistance", "  create_cascade = true\n")).check(
                |_, _| {
                    assert!(installed(&db, "earthdistance").is_some());
                    assert!(installed(&db, "cube").is_some());
                },
            ),
        )
        .run();
    // Installed by cascade, cube is not the resource's to drop.
    assert!(installed(&db, "cube").is_some());
}

/// Changes outside Terraform: with `version` set, another installed version
/// is planned back; with it unset, whatever is installed is simply read; an
/// extension dropped is planned for re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_drift_shows_in_the_plan() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_drift");
    if !has_extensions(&db, &["hstore"]) {
        return;
    }
    let Some((from, to)) = two_versions(&db, "hstore") else {
        eprintln!("skipped: hstore offers no update path on this server");
        return;
    };
    let reinstall_old = || {
        db.exec(&format!(
            "DROP EXTENSION hstore; CREATE EXTENSION hstore VERSION {}",
            literal(&from)
        ))
    };
    let unset = extension("h", "hstore", "");
    let pinned = extension("h", "hstore", &format!("  version = {}\n", hcl(&to)));
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(pinned.clone()))
        .step(
            Step::apply(pinned)
                .before(|_| reinstall_old())
                .plan_shows(&["~ version", "1 to change"])
                .check(|_, _| assert_eq!(installed(&db, "hstore"), Some(format!("public,{to}")))),
        )
        .step(
            Step::apply(unset.clone())
                .before(|_| reinstall_old())
                .check(|ws, _| {
                    assert_eq!(
                        ws.state_resource("postgresql_extension.h")["version"],
                        from.as_str()
                    )
                }),
        )
        .step(
            Step::apply(unset)
                .before(|_| db.exec("DROP EXTENSION hstore"))
                .plan_shows(&["will be created"]),
        )
        .run();
}

/// An extension installed before Terraform manages it (here: in another
/// schema) is adopted, and moved to the configured schema in the same apply.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_already_installed_is_adopted() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_adopt");
    if !has_extensions(&db, &["pg_trgm"]) {
        return;
    }
    db.exec("CREATE SCHEMA old; CREATE SCHEMA new; CREATE EXTENSION pg_trgm SCHEMA old;");
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(extension("t", "pg_trgm", "  schema = \"new\"\n"))
                .check(|_, _| assert!(installed(&db, "pg_trgm").unwrap().starts_with("new,"))),
        )
        .run();
}

/// Bad input is refused at plan time, naming the attribute: an unknown
/// extension, a version the server does not offer, moving an extension that
/// is not relocatable (plpgsql, adopted from pg_catalog), a bad name.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn extension_bad_input_is_refused_at_plan_time() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ext_bad");
    TestCase::new(provider_on(&acc, &db))
        .step(Step::fails(
            extension("x", "no_such_extension", ""),
            "Extension Not Available",
        ))
        .step(Step::fails(
            extension("x", "plpgsql", "  version = \"0.0.1\"\n"),
            "Extension Version Not Available",
        ))
        .step(Step::fails(extension("x", "", ""), "Empty Extension Name"))
        .step(Step::fails(
            extension("x", &"e".repeat(64), ""),
            "Extension Name Too Long",
        ))
        .step(Step::apply(extension("pl", "plpgsql", "")).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_extension.pl")["schema"],
                "pg_catalog"
            )
        }))
        .step(
            Step::fails(
                extension("pl", "plpgsql", "  schema = \"public\"\n"),
                "Extension Cannot Move",
            )
            .check(|_, out| assert!(out.combined().contains("schema"), "{}", out.combined())),
        )
        .step(Step::fails(
            "resource \"postgresql_extension\" \"i\" {\n  name = \"pg_trgm\"\n  database = \"\"\n}\n",
            "Empty Database Name",
        ))
        .run();
}
