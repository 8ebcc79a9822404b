//! postgresql_publication acceptance tests, each in a database of its own
//! on the shared cluster (publishing needs no `wal_level = logical`; the
//! plan warns about it, `PGW502`): the reference provider's cases (a named
//! database with an owner, tables, publish parameters, owner and name
//! updates, all tables, the conflict and parameter checks), here as
//! changes in place checked by the publication's OID, plus schemas,
//! drift, import, awkward names, the version gates and the lints.

use crate::support::{hcl, ident, literal, unique_name, Step, TestCase};
use crate::{acc, TestDb};

/// A `postgresql_publication` named `key` with the given attribute lines.
fn publication(key: &str, extra: &str) -> String {
    format!("resource \"postgresql_publication\" \"{key}\" {{\n{extra}}}\n")
}

/// The OID of publication `name` in `db`, or `None`.
fn oid(db: &TestDb, name: &str) -> Option<String> {
    db.strings(&format!(
        "SELECT oid::text FROM pg_publication WHERE pubname = {}",
        literal(name)
    ))
    .into_iter()
    .next()
}

/// The tables publication `name` names, as `schema.table`, sorted.
fn published(db: &TestDb, name: &str) -> Vec<String> {
    db.strings(&format!(
        "SELECT n.nspname || '.' || c.relname FROM pg_publication_rel pr \
         JOIN pg_publication p ON p.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = {} ORDER BY 1",
        literal(name)
    ))
}

/// Reference: TestAccPostgresqlPublication_Database, _UpdateTables,
/// _UpdatePublishParams, _UpdateOwner, _UpdateName and
/// _CheckPublishViaRoot, as one publication changed in place (its OID
/// stays), then imported, changed outside Terraform and dropped outside.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn publication_reference_cases_change_in_place() {
    let Some(acc) = acc() else { return };
    let db = acc.database("pub_ref");
    db.exec(
        "CREATE SCHEMA test_schema;
         CREATE TABLE test_schema.test_table_1 (id int);
         CREATE TABLE test_schema.test_table_2 (id int);
         CREATE TABLE test_schema.test_table_3 (id int);",
    );
    let (owner, owner2) = (unique_name("pub_owner"), unique_name("pub_owner_2"));
    let (first, second) = (unique_name("publication_1"), unique_name("publication_2"));
    // Roles made with SQL, so that an import's plan has nothing else to do.
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {} LOGIN",
        ident(&owner),
        ident(&owner2)
    ));
    let base = publication(
        "test",
        &format!(
            "  name     = {}\n  database = {}\n  owner    = {}\n  \
             tables   = [\"test_schema.test_table_1\", \"test_schema.test_table_2\"]\n",
            hcl(&first),
            hcl(&db.name),
            hcl(&owner)
        ),
    );
    let changed = publication(
        "test",
        &format!(
            "  name     = {}\n  database = {}\n  owner    = {}\n  \
             tables   = [\"test_schema.test_table_1\", \"test_schema.test_table_3\"]\n  \
             publish_param = [\"update\", \"truncate\"]\n  \
             publish_via_partition_root_param = true\n",
            hcl(&second),
            hcl(&db.name),
            hcl(&owner2)
        ),
    );
    let first_oid = std::cell::RefCell::new(None);
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(base).check(|ws, out| {
            let s = ws.state_resource("postgresql_publication.test");
            assert_eq!(s["name"], first.as_str());
            assert_eq!(s["owner"], owner.as_str());
            assert_eq!(s["database"], db.name.as_str());
            assert_eq!(s["id"], format!("{}.{first}", db.name));
            assert_eq!(s["all_tables"], false);
            assert_eq!(
                s["publish_param"],
                serde_json::json!(["insert", "update", "delete", "truncate"])
            );
            assert_eq!(s["publish_via_partition_root_param"], false);
            assert_eq!(
                published(&db, &first),
                ["test_schema.test_table_1", "test_schema.test_table_2"]
            );
            // The shared cluster runs with wal_level = replica.
            assert!(out.combined().contains("PGW502"), "{}", out.combined());
            *first_oid.borrow_mut() = oid(&db, &first);
        }))
        .step(
            Step::apply(changed.clone())
                .plan_check(|plan| {
                    assert!(plan.contains("1 to change"), "{plan}");
                    assert!(!plan.contains("must be replaced"), "{plan}");
                })
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_publication.test");
                    assert_eq!(s["name"], second.as_str());
                    assert_eq!(s["owner"], owner2.as_str());
                    assert_eq!(
                        s["publish_param"],
                        serde_json::json!(["update", "truncate"])
                    );
                    assert_eq!(s["publish_via_partition_root_param"], true);
                    assert_eq!(
                        oid(&db, &second),
                        *first_oid.borrow(),
                        "replaced, not changed"
                    );
                    assert_eq!(
                        published(&db, &second),
                        ["test_schema.test_table_1", "test_schema.test_table_3"]
                    );
                    assert_eq!(
                        db.one(&format!(
                            "SELECT pubinsert::text || pubupdate::text || pubdelete::text || \
                             pubtruncate::text || pubviaroot::text FROM pg_publication \
                             WHERE pubname = {}",
                            literal(&second)
                        )),
                        "falsetruefalsetruetrue"
                    );
                }),
        )
        .step(Step::import(
            "postgresql_publication.test",
            format!("{}.{second}", db.name),
        ))
        .step(
            Step::apply(changed.clone())
                .before(|_| {
                    db.exec(&format!(
                        "ALTER PUBLICATION {p} DROP TABLE test_schema.test_table_3;
                         ALTER PUBLICATION {p} SET (publish = 'insert');
                         ALTER PUBLICATION {p} OWNER TO {o};",
                        p = ident(&second),
                        o = ident(&owner)
                    ))
                })
                .plan_shows(&["test_schema.test_table_3", "\"truncate\"", &owner2])
                .check(|_, _| {
                    assert_eq!(
                        published(&db, &second),
                        ["test_schema.test_table_1", "test_schema.test_table_3"]
                    );
                }),
        )
        .step(
            Step::apply(changed)
                .before(|_| db.exec(&format!("DROP PUBLICATION {}", ident(&second))))
                .plan_shows(&["will be created"])
                .check(|_, _| assert!(oid(&db, &second).is_some())),
        )
        .check_destroy(|| assert_eq!(oid(&db, &second), None))
        .run();
    drop(db);
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {}",
        ident(&owner),
        ident(&owner2)
    ));
}

/// Reference: TestAccPostgresqlPublication_Basic (all tables, with an
/// owner: every table is listed in `tables`), plus `FOR TABLES IN SCHEMA`
/// (PostgreSQL 15) added in place, and the row-level security lint of
/// both.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn publication_of_all_tables_and_of_schemas() {
    let Some(acc) = acc() else { return };
    let db = acc.database("pub_all");
    db.exec(
        "CREATE SCHEMA test_schema; CREATE SCHEMA other;
         CREATE TABLE test_schema.test_table_1 (id int);
         CREATE TABLE test_schema.test_table_2 (id int);
         CREATE TABLE test_schema.test_table_3 (id int);
         CREATE TABLE other.secret (id int);
         ALTER TABLE test_schema.test_table_2 ENABLE ROW LEVEL SECURITY;",
    );
    let owner = unique_name("pub_all_owner");
    acc.sql(&format!("CREATE ROLE {} LOGIN", ident(&owner)));
    let all = publication(
        "test",
        &format!(
            "  name       = \"publication\"\n  database   = {}\n  owner      = {}\n  \
             all_tables = true\n",
            hcl(&db.name),
            hcl(&owner)
        ),
    );
    let by_schema = |schemas: &str| {
        publication(
            "schemas",
            &format!(
                "  name     = \"by_schema\"\n  database = {}\n  schemas  = {schemas}\n  \
                 tables   = [\"test_schema.test_table_1\"]\n",
                hcl(&db.name)
            ),
        )
    };
    let since_15 = acc.cluster.major_version() >= 15;
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(all.clone())
                .plan_shows(&[
                    "PGW501: Publication Bypasses Row-Level Security",
                    "\"test_schema\".\"test_table_2\"",
                ])
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_publication.test");
                    assert_eq!(s["all_tables"], true);
                    assert_eq!(s["owner"], owner.as_str());
                    assert_eq!(
                        s["tables"],
                        serde_json::json!([
                            "other.secret",
                            "test_schema.test_table_1",
                            "test_schema.test_table_2",
                            "test_schema.test_table_3"
                        ])
                    );
                    assert_eq!(
                        s["publish_param"],
                        serde_json::json!(["insert", "update", "delete", "truncate"])
                    );
                }),
        )
        .step(Step::import(
            "postgresql_publication.test",
            format!("{}.publication", db.name),
        ))
        .step_if(
            since_15,
            Step::apply(format!("{all}{}", by_schema("[\"other\"]"))).check(|ws, _| {
                let s = ws.state_resource("postgresql_publication.schemas");
                assert_eq!(s["schemas"], serde_json::json!(["other"]));
                assert_eq!(s["tables"], serde_json::json!(["test_schema.test_table_1"]));
            }),
        )
        .step_if(
            since_15,
            Step::apply(format!(
                "{all}{}",
                by_schema("[\"other\", \"test_schema\"]")
            ))
            .plan_check(|plan| {
                assert!(plan.contains("1 to change"), "{plan}");
                assert!(
                    plan.contains("PGW501") && plan.contains("with postgresql_publication.schemas"),
                    "{plan}"
                );
            })
            .check(|_, _| {
                assert_eq!(
                    db.strings(
                        "SELECT n.nspname FROM pg_publication_namespace pn \
                             JOIN pg_namespace n ON n.oid = pn.pnnspid \
                             JOIN pg_publication p ON p.oid = pn.pnpubid \
                             WHERE p.pubname = 'by_schema' ORDER BY 1"
                    ),
                    ["other", "test_schema"]
                );
            }),
        )
        .step_if(
            since_15,
            Step::import(
                "postgresql_publication.schemas",
                format!("{}.by_schema", db.name),
            ),
        )
        .check_destroy(|| {
            assert!(db.strings("SELECT pubname FROM pg_publication").is_empty());
        })
        .run();
    drop(db);
    acc.sql(&format!("DROP ROLE {}", ident(&owner)));
}

/// Names that need quoting everywhere: the database, the schema and the
/// table (a dot, quotes, upper case, spaces), and a 63-byte publication
/// name; imported with the quoted ID.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn publication_with_awkward_names() {
    let Some(acc) = acc() else { return };
    let db = acc.database("Pub \"DB\" é");
    db.exec("CREATE SCHEMA \"S.x \"\"y\"\"\"; CREATE TABLE \"S.x \"\"y\"\"\".\"Tab.Le\" (id int);");
    let name = format!("P.\"ub\" {}", "x".repeat(63 - "P.\"ub\" ".len()));
    assert_eq!(name.len(), 63);
    let config = publication(
        "p",
        &format!(
            "  name     = {}\n  database = {}\n  tables   = [{}]\n",
            hcl(&name),
            hcl(&db.name),
            hcl("\"S.x \"\"y\"\"\".\"Tab.Le\"")
        ),
    );
    let id = format!(
        "\"{}\".\"{}\"",
        db.name.replace('"', "\"\""),
        name.replace('"', "\"\"")
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let s = ws.state_resource("postgresql_publication.p");
            assert_eq!(s["name"], name.as_str());
            assert_eq!(s["id"], id.as_str());
            assert_eq!(
                s["tables"],
                serde_json::json!(["\"S.x \"\"y\"\"\".\"Tab.Le\""])
            );
            assert_eq!(published(&db, &name), ["S.x \"y\".Tab.Le"]);
        }))
        .step(Step::import("postgresql_publication.p", id.clone()))
        .check_destroy(|| assert_eq!(oid(&db, &name), None))
        .run();
}

/// Reference: TestAccPostgresqlPublication_ConflictTables and
/// _CheckPublishParams (a wrong and a duplicate operation), plus a table
/// without its schema and the version gates, all refused by the plan with
/// the attribute named; on PostgreSQL 18, `publish_generated_columns_param`
/// is applied.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn publication_bad_input_is_refused_by_the_plan() {
    let Some(acc) = acc() else { return };
    let db = acc.database("pub_bad");
    db.exec("CREATE TABLE public.t (id int, twice int GENERATED ALWAYS AS (id * 2) STORED)");
    let with = |extra: &str| {
        publication(
            "test",
            &format!(
                "  name     = \"publication\"\n  database = {}\n{extra}",
                hcl(&db.name)
            ),
        )
    };
    let major = acc.cluster.major_version();
    let mut case = TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            with("  tables = [\"test.table1\", \"test.table2\"]\n  all_tables = true\n"),
            "Conflicting configuration arguments",
        ))
        .step(Step::fails(
            with("  publish_param = [\"insert\", \"wrong_param\"]\n"),
            "Invalid Operation",
        ))
        .step(Step::fails(
            with("  publish_param = [\"insert\", \"insert\"]\n"),
            "Duplicate Operation",
        ))
        .step(Step::fails(
            with("  tables = [\"t\"]\n"),
            "Invalid Table Name",
        ));
    if major < 15 {
        case = case.step(Step::fails(
            with("  schemas = [\"public\"]\n"),
            "schemas Needs PostgreSQL 15",
        ));
    }
    if major < 18 {
        case = case.step(Step::fails(
            with("  publish_generated_columns_param = \"stored\"\n"),
            "publish_generated_columns_param Needs PostgreSQL 18",
        ));
    } else {
        case = case
            .step(
                Step::apply(with(
                    "  tables = [\"public.t\"]\n  publish_generated_columns_param = \"stored\"\n",
                ))
                .check(|_, _| {
                    assert_eq!(db.one("SELECT pubgencols::text FROM pg_publication"), "s");
                }),
            )
            .step(
                Step::apply(with(
                    "  tables = [\"public.t\"]\n  publish_generated_columns_param = \"none\"\n",
                ))
                .check(|_, _| {
                    assert_eq!(db.one("SELECT pubgencols::text FROM pg_publication"), "n");
                }),
            );
    }
    case.step(Step::fails(
        with("  publish_generated_columns_param = \"virtual\"\n"),
        "Invalid publish_generated_columns_param",
    ))
    .run();
}
