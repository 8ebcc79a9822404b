//! The read-only data sources `postgresql_roles`, `postgresql_role_members`
//! and `postgresql_schema_access`, against roles, memberships, schemas and
//! grants set up with SQL: outputs compared exactly, filters, changes made
//! outside Terraform read on the next run, and the errors for objects that
//! do not exist.
//!
//! The tests that compare whole lists run on clusters of their own: the
//! lists hold cluster-wide roles, which the tests beside them keep creating.

use serde_json::{json, Value as Json};

use crate::support::{exec, unique_name, ClusterOptions, Step, TestCase, Workspace};
use crate::{acc, acc_own_cluster};

/// `terraform output -json`, parsed, as `{name: value}`.
fn outputs(ws: &Workspace) -> Json {
    let out = ws.run_ok(&["output", "-json", "-no-color"]);
    let all: Json = serde_json::from_str(&out.stdout).expect("output -json is JSON");
    let mut values = serde_json::Map::new();
    for (name, o) in all.as_object().expect("outputs object") {
        values.insert(name.clone(), o["value"].clone());
    }
    Json::Object(values)
}

/// Asserts one output equals the expected JSON, showing both when not.
fn assert_output(out: &Json, name: &str, expected: &Json) {
    assert_eq!(
        &out[name], expected,
        "output {name}:\n  got      {}\n  expected {}",
        out[name], expected
    );
}

fn role(
    name: &str,
    login: bool,
    inherit: bool,
    flags: (bool, bool, bool, bool),
    connection_limit: i64,
    valid_until: &str,
    member_of: &[&str],
) -> Json {
    let (create_database, create_role, replication, bypass) = flags;
    json!({
        "name": name,
        "superuser": false,
        "create_database": create_database,
        "create_role": create_role,
        "inherit": inherit,
        "login": login,
        "replication": replication,
        "bypass_row_level_security": bypass,
        "connection_limit": connection_limit,
        "valid_until": valid_until,
        "member_of": member_of,
    })
}

fn member(name: &str, admin: bool, inherit: bool, set: bool, grantor: Option<&str>) -> Json {
    json!({
        "member": name,
        "admin_option": admin,
        "inherit_option": inherit,
        "set_option": set,
        "grantor": grantor,
    })
}

/// Every attribute of every listed role and membership, the filters, and
/// a membership granted outside Terraform on the next read.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_roles_and_role_members_read_the_catalog() {
    // Data sources list cluster-wide roles, which other tests keep creating.
    let Some(acc) = acc_own_cluster(ClusterOptions::default()) else {
        return;
    };
    let pg16 = acc.cluster.major_version() >= 16;
    let p = unique_name("dsr");
    let admin = acc.admin();
    let (grp_read, grp_write) = (format!("{p}_grp_read"), format!("{p}_grp_write"));
    let (alice, bob, carol) = (
        format!("{p}_alice"),
        format!("{p}_bob"),
        format!("{p}_carol"),
    );
    acc.block(exec(
        &admin,
        &format!(
            "CREATE ROLE {grp_read}; CREATE ROLE {grp_write};
             CREATE ROLE {alice} LOGIN;
             CREATE ROLE {bob} LOGIN NOINHERIT REPLICATION CONNECTION LIMIT 3
                 VALID UNTIL '2030-01-01 12:34:56.5+02';
             CREATE ROLE {carol} CREATEDB CREATEROLE BYPASSRLS;
             GRANT {grp_read} TO {alice};
             GRANT {grp_read} TO {bob} WITH ADMIN OPTION;
             GRANT {grp_write} TO {carol};
             GRANT {grp_write} TO {bob};"
        ),
    ));
    if pg16 {
        // Two grants of the same role to carol, by different grantors, with
        // different options.
        acc.block(exec(
            &admin,
            &format!(
                "GRANT {grp_read} TO {carol} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE;
                 SET ROLE {bob}; GRANT {grp_read} TO {carol}; RESET ROLE;"
            ),
        ));
    } else {
        // Before 16 the grantor is free text that may outlive its role.
        acc.block(exec(
            &admin,
            &format!(
                "GRANT {grp_read} TO {carol} WITH ADMIN OPTION GRANTED BY {bob};
                 CREATE ROLE {p}_gone;
                 GRANT {grp_write} TO {alice} GRANTED BY {p}_gone;
                 DROP ROLE {p}_gone;"
            ),
        ));
    }

    let config = format!(
        r#"
data "postgresql_roles" "all" {{
  name_pattern = "{p}\\_%"
}}
data "postgresql_roles" "login" {{
  name_pattern = "{p}\\_%"
  login        = true
}}
data "postgresql_roles" "nologin" {{
  name_pattern = "{p}\\_%"
  login        = false
}}
data "postgresql_roles" "system" {{
  name_pattern   = "pg\\_signal\\_backend"
  include_system = true
}}
data "postgresql_roles" "no_system" {{
  name_pattern = "pg\\_%"
}}
data "postgresql_role_members" "read" {{
  role = "{grp_read}"
}}
data "postgresql_role_members" "write" {{
  role = "{grp_write}"
}}
data "postgresql_role_members" "none" {{
  role = "{alice}"
}}
output "all" {{ value = data.postgresql_roles.all.roles }}
output "all_id" {{ value = data.postgresql_roles.all.id }}
output "all_include_system" {{ value = data.postgresql_roles.all.include_system }}
output "login" {{ value = [for r in data.postgresql_roles.login.roles : r.name] }}
output "nologin" {{ value = [for r in data.postgresql_roles.nologin.roles : r.name] }}
output "system" {{ value = data.postgresql_roles.system.roles }}
output "no_system" {{ value = data.postgresql_roles.no_system.roles }}
output "read" {{ value = data.postgresql_role_members.read.members }}
output "read_id" {{ value = data.postgresql_role_members.read.id }}
output "write" {{ value = data.postgresql_role_members.write.members }}
output "none" {{ value = data.postgresql_role_members.none.members }}
"#
    );

    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()).check(|ws, _| {
            let out = outputs(ws);
            let no_flags = (false, false, false, false);
            let alice_of: Vec<&str> = if pg16 {
                vec![&grp_read]
            } else {
                vec![&grp_read, &grp_write]
            };
            let expected_all = json!([
                role(&alice, true, true, no_flags, -1, "infinity", &alice_of),
                role(
                    &bob,
                    true,
                    false,
                    (false, false, true, false),
                    3,
                    "2030-01-01T10:34:56.5Z",
                    &[&grp_read, &grp_write]
                ),
                role(
                    &carol,
                    false,
                    true,
                    (true, true, false, true),
                    -1,
                    "infinity",
                    &[&grp_read, &grp_write]
                ),
                role(&grp_read, false, true, no_flags, -1, "infinity", &[]),
                role(&grp_write, false, true, no_flags, -1, "infinity", &[]),
            ]);
            assert_output(&out, "all", &expected_all);
            assert_output(
                &out,
                "all_id",
                &json!(format!(
                    r#"{{"name_pattern":"{p}\\_%","login":null,"include_system":false}}"#
                )),
            );
            assert_output(&out, "all_include_system", &json!(false));
            assert_output(&out, "login", &json!([alice, bob]));
            assert_output(&out, "nologin", &json!([carol, grp_read, grp_write]));
            assert_output(
                &out,
                "system",
                &json!([role(
                    "pg_signal_backend",
                    false,
                    true,
                    no_flags,
                    -1,
                    "infinity",
                    &[]
                )]),
            );
            assert_output(&out, "no_system", &json!([]));

            // Members sorted by member, then grantor name.
            let expected_read = if pg16 {
                json!([
                    member(&alice, false, true, true, Some("postgres")),
                    // bob is NOINHERIT: his grant's INHERIT option defaulted to false.
                    member(&bob, true, false, true, Some("postgres")),
                    member(&carol, false, true, true, Some(&bob)),
                    member(&carol, true, false, false, Some("postgres")),
                ])
            } else {
                json!([
                    member(&alice, false, true, true, Some("postgres")),
                    // inherit_option is bob's own NOINHERIT; set_option always true.
                    member(&bob, true, false, true, Some("postgres")),
                    member(&carol, true, true, true, Some(&bob)),
                ])
            };
            assert_output(&out, "read", &expected_read);
            assert_output(&out, "read_id", &json!(grp_read));
            let mut expected_write = vec![
                member(&bob, false, false, true, Some("postgres")),
                member(&carol, false, true, true, Some("postgres")),
            ];
            if !pg16 {
                expected_write.insert(0, member(&alice, false, true, true, None));
            }
            assert_output(&out, "write", &json!(expected_write));
            assert_output(&out, "none", &json!([]));
        }))
        // A membership granted outside Terraform shows up on the next read.
        .step(
            Step::apply(config)
                .before(|_| acc.block(exec(&admin, &format!("GRANT {grp_write} TO {grp_read}"))))
                .check(|ws, _| {
                    let out = outputs(ws);
                    assert_eq!(
                        out["all"][3]["member_of"],
                        json!([grp_write]),
                        "{}",
                        out["all"]
                    );
                }),
        )
        .run();

    acc.block(exec(
        &admin,
        &format!("DROP ROLE {alice}, {bob}, {carol}, {grp_read}, {grp_write}"),
    ));
}

/// A missing role is an error naming it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_role_members_of_a_missing_role_fails() {
    let Some(acc) = acc() else { return };
    let p = unique_name("dsr");
    let nobody = format!("{p}_nobody");
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(
                format!("\ndata \"postgresql_role_members\" \"missing\" {{\n  role = \"{nobody}\"\n}}\n"),
                "Role Not Found",
            )
            .check(|_, out| {
                let err = out.combined();
                assert!(err.contains(&nobody), "{err}");
            }),
        )
        .run();
}

/// A LIKE pattern ending in a lone escape is refused.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_roles_with_an_invalid_pattern_fails() {
    let Some(acc) = acc() else { return };
    let p = unique_name("dsr");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            format!(
                r#"
data "postgresql_roles" "bad" {{
  name_pattern = "{p}\\"
}}
"#
            ),
            "Invalid Name Pattern",
        ))
        .run();
}

/// The shipped `examples/data-sources/*/data-source.tf` work as written.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_source_examples_apply() {
    // The examples list cluster-wide roles and members, which other tests
    // keep creating.
    let Some(acc) = acc_own_cluster(ClusterOptions::default()) else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data-sources");
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply("")
                .before(|ws| {
                    for name in [
                        "postgresql_roles",
                        "postgresql_role_members",
                        "postgresql_schema_access",
                    ] {
                        let path = dir.join(name).join("data-source.tf");
                        let hcl = std::fs::read_to_string(&path)
                            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                        ws.write_file(&format!("{name}.tf"), &hcl);
                    }
                })
                .check(|ws, applied| {
                    let applied = applied.combined();
                    assert!(!applied.contains("Warning: Check block"), "{applied}");
                    let out = outputs(ws);
                    assert!(
                        out["superusers"]
                            .as_array()
                            .is_some_and(|a| a.contains(&json!("postgres"))),
                        "{out}"
                    );
                    assert_output(&out, "monitoring_members", &json!([]));
                    assert!(
                        out["public_readers"]
                            .as_array()
                            .is_some_and(|a| a.contains(&json!("postgres"))),
                        "{out}"
                    );
                }),
        )
        .run();
}

fn access(schema: &str, role: &str, read: bool, write: bool, login: bool, su: bool) -> Json {
    json!({
        "schema": schema,
        "role": role,
        "can_read": read,
        "can_write": write,
        "is_login": login,
        "is_superuser": su,
    })
}

/// The role of an access entry, for sorting expectations as the server does.
fn by_role(e: &Json) -> &str {
    e["role"].as_str().unwrap_or_default()
}

/// Keeps the entries of roles this test created (and the bootstrap
/// superuser): other tests sharing the cluster may add roles of their own,
/// which see schemas through PUBLIC.
fn own_entries(all: &Json, prefix: &str) -> Json {
    Json::Array(
        all.as_array()
            .expect("access list")
            .iter()
            .filter(|e| {
                let role = e["role"].as_str().unwrap_or_default();
                role.starts_with(prefix) || role == "postgres"
            })
            .cloned()
            .collect(),
    )
}

/// Who can read and write each schema, through grants, memberships,
/// PUBLIC and superuser, in another database and the provider's; a grant
/// made outside Terraform on the next read.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_schema_access_reads_the_privileges() {
    // Data sources list cluster-wide roles, which other tests keep creating.
    let Some(acc) = acc_own_cluster(ClusterOptions::default()) else {
        return;
    };
    let p = unique_name("dsa");
    let admin = acc.admin();
    let r = |s: &str| format!("{p}_{s}");
    acc.block(exec(
        &admin,
        &format!(
            "CREATE ROLE {reader}; CREATE ROLE {writer};
             CREATE ROLE {both} IN ROLE {reader}, {writer};
             CREATE ROLE {app} LOGIN IN ROLE {reader};
             CREATE ROLE {noinh} LOGIN NOINHERIT IN ROLE {writer};
             CREATE ROLE {root} SUPERUSER;
             CREATE ROLE {usage_only}; CREATE ROLE {nothing};
             CREATE SCHEMA {p}_here; GRANT USAGE ON SCHEMA {p}_here TO {reader};",
            reader = r("reader"),
            writer = r("writer"),
            both = r("both"),
            app = r("app"),
            noinh = r("noinh"),
            root = r("root"),
            usage_only = r("usage_only"),
            nothing = r("nothing"),
        ),
    ));
    let test_db = acc.database("dsa_db");
    let db = test_db.name.clone();
    test_db.exec(&format!(
        r#"CREATE SCHEMA s_one; CREATE SCHEMA "S-Two"; CREATE SCHEMA s_empty;
               CREATE TABLE s_one.t1 (a int); CREATE TABLE s_one.t2 (a int);
               CREATE VIEW s_one.v AS SELECT 1 AS one;
               GRANT USAGE ON SCHEMA s_one TO {reader}, {writer}, {usage_only};
               GRANT SELECT ON ALL TABLES IN SCHEMA s_one TO {reader};
               GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA s_one TO {writer};
               CREATE TABLE "S-Two".pt (a int) PARTITION BY RANGE (a);
               CREATE TABLE "S-Two".pt_a PARTITION OF "S-Two".pt FOR VALUES FROM (0) TO (10);
               GRANT USAGE ON SCHEMA "S-Two" TO PUBLIC;
               GRANT SELECT ON "S-Two".pt TO PUBLIC;
               GRANT INSERT, UPDATE, DELETE ON "S-Two".pt TO {writer};
               GRANT USAGE ON SCHEMA s_empty TO {usage_only};"#,
        reader = r("reader"),
        writer = r("writer"),
        usage_only = r("usage_only"),
    ));

    let config = format!(
        r#"
data "postgresql_schema_access" "db" {{
  database = "{db}"
  schemas  = ["s_one", "S-Two", "s_empty", "s_one"]
}}
data "postgresql_schema_access" "default_db" {{
  schemas = ["{p}_here"]
}}
output "db" {{ value = data.postgresql_schema_access.db.access }}
output "db_id" {{ value = data.postgresql_schema_access.db.id }}
output "db_database" {{ value = data.postgresql_schema_access.db.database }}
output "db_schemas" {{ value = data.postgresql_schema_access.db.schemas }}
output "default_db" {{ value = data.postgresql_schema_access.default_db.access }}
output "default_db_database" {{ value = data.postgresql_schema_access.default_db.database }}
"#
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()).check(|ws, _| {
            let out = outputs(ws);
            check_access(&out, &p, &db);
        }))
        // A grant made outside any configuration shows up on the next read.
        .step(
            Step::apply(config)
                .before(|_| {
                    test_db.exec(&format!(
                        "GRANT SELECT ON ALL TABLES IN SCHEMA s_one TO {}",
                        r("usage_only")
                    ))
                })
                .check(|ws, _| {
                    let out = outputs(ws);
                    assert!(
                        out["db"].as_array().expect("list").contains(&access(
                            "s_one",
                            &r("usage_only"),
                            true,
                            false,
                            false,
                            false
                        )),
                        "{}",
                        out["db"]
                    );
                }),
        )
        .run();
    drop(test_db);
    acc.block(exec(
        &admin,
        &format!(
            "DROP SCHEMA {p}_here; DROP ROLE {}",
            [
                "app",
                "noinh",
                "both",
                "reader",
                "writer",
                "root",
                "usage_only",
                "nothing"
            ]
            .map(r)
            .join(", ")
        ),
    ));
}

/// Missing schemas and a missing database are named in the errors.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_schema_access_names_missing_schemas_and_databases() {
    let Some(acc) = acc() else { return };
    let p = unique_name("dsa");
    let db = acc.database("dsa_db");
    db.exec("CREATE SCHEMA s_one");
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(
                format!(
                    r#"
data "postgresql_schema_access" "missing" {{
  database = "{db}"
  schemas  = ["s_one", "{p}_nope", "Nope_Two"]
}}
data "postgresql_schema_access" "nodb" {{
  database = "{p}_nodb"
  schemas  = ["s_one"]
}}
"#,
                    db = db.name
                ),
                "Schemas Not Found",
            )
            .check(|_, out| {
                let err = out.combined();
                assert!(
                    err.contains(&format!("\"{p}_nope\", \"Nope_Two\"")),
                    "{err}"
                );
                assert!(err.contains("Database Not Found"), "{err}");
                assert!(err.contains(&format!("{p}_nodb")), "{err}");
            }),
        )
        .run();
}

/// The expected entries of the access outputs, with the roles of prefix
/// `p` and database `db`.
fn check_access(out: &Json, p: &str, db: &str) {
    let r = |s: &str| format!("{p}_{s}");
    let mut expected = Vec::new();
    // The server sorts role names byte-wise ("C" collation), as Rust does.
    let mut add = |schema: &str, mut rows: Vec<(String, bool, bool, bool, bool)>| {
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        for (role, read, write, login, su) in rows {
            expected.push(access(schema, &role, read, write, login, su));
        }
    };
    let pg = "postgres".to_string();
    // noinh is a member of writer but does not inherit: no access;
    // usage_only lacks SELECT; nothing has nothing.
    add(
        "s_one",
        vec![
            (r("app"), true, false, true, false),
            (r("both"), true, true, false, false),
            (r("reader"), true, false, false, false),
            (r("root"), true, true, false, true),
            (r("writer"), false, true, false, false),
            (pg.clone(), true, true, true, true),
        ],
    );
    // PUBLIC may read it, so everyone can; partition pt_a needs no grant of
    // its own; noinh does not inherit writer's privileges.
    add(
        "S-Two",
        vec![
            (r("app"), true, false, true, false),
            (r("both"), true, true, false, false),
            (r("noinh"), true, false, true, false),
            (r("nothing"), true, false, false, false),
            (r("reader"), true, false, false, false),
            (r("root"), true, true, false, true),
            (r("usage_only"), true, false, false, false),
            (r("writer"), true, true, false, false),
            (pg.clone(), true, true, true, true),
        ],
    );
    // No tables: USAGE is read access, and nobody can write.
    add(
        "s_empty",
        vec![
            (r("root"), true, false, false, true),
            (r("usage_only"), true, false, false, false),
            (pg.clone(), true, false, true, true),
        ],
    );
    assert_eq!(
        own_entries(&out["db"], p),
        Json::Array(expected),
        "{}",
        out["db"]
    );
    for e in out["db"].as_array().expect("list") {
        let role = e["role"].as_str().unwrap_or_default();
        assert!(!role.starts_with("pg_"), "predefined role listed: {e}");
    }
    assert_output(
        out,
        "db_id",
        &json!(format!(
            r#"{{"database":"{db}","schemas":["s_one","S-Two","s_empty","s_one"]}}"#
        )),
    );
    assert_output(out, "db_database", &json!(db));
    assert_output(
        out,
        "db_schemas",
        &json!(["s_one", "S-Two", "s_empty", "s_one"]),
    );
    let here = format!("{p}_here");
    let mut expected_here = vec![
        access(&here, &r("app"), true, false, true, false),
        access(&here, &r("both"), true, false, false, false),
        access(&here, &r("reader"), true, false, false, false),
        access(&here, &r("root"), true, false, false, true),
        access(&here, "postgres", true, false, true, true),
    ];
    expected_here.sort_by(|a, b| by_role(a).cmp(by_role(b)));
    assert_eq!(
        own_entries(&out["default_db"], p),
        Json::Array(expected_here),
        "{}",
        out["default_db"]
    );
    assert_output(out, "default_db_database", &json!("postgres"));
}
