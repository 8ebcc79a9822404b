//! `postgresql_schema` acceptance tests, ported from the reference
//! provider's `resource_postgresql_schema_test.go` (Basic, AddPolicy,
//! Database, DropCascade, AlreadyExists) plus the standard ones: in-place
//! rename and owner change, drift of the owner and of the privileges the
//! `policy` blocks grant, re-creation, import, awkward names, invalid
//! input, the deprecation warning, and a provider role that is not a
//! superuser.
//!
//! Each test works in a database of its own; roles are cluster-wide, so
//! their names come from `unique_name`.

use crate::support::{hcl, ident, query_strings, unique_name, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// A `postgresql_schema` block in `db`.
fn schema(db: &TestDb, key: &str, name: &str, extra: &str) -> String {
    schema_in(&db.name, key, name, extra)
}

/// A `postgresql_schema` block in the database named `database`.
fn schema_in(database: &str, key: &str, name: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_schema\" \"{key}\" {{\n  database = {}\n  name = {}\n{extra}}}\n",
        hcl(database),
        hcl(name)
    )
}

/// A `policy` block.
fn policy(role: &str, privileges: &[&str]) -> String {
    let mut out = format!("  policy {{\n    role = {role}\n");
    for p in privileges {
        out.push_str(&format!("    {p} = true\n"));
    }
    out + "  }\n"
}

/// A `postgresql_role` block. It owns nothing once the schemas are gone,
/// so destroying it skips REASSIGN OWNED (which a provider role that is
/// not a superuser may not run for it on PostgreSQL 16 and later).
fn role(key: &str, name: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n  skip_reassign_owned = true\n}}\n",
        hcl(name)
    )
}

/// The schema's owner, or `None` when it does not exist.
fn owner(db: &TestDb, name: &str) -> Option<String> {
    let rows = db.strings(&format!(
        "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = {}",
        crate::support::literal(name)
    ));
    rows.into_iter().next()
}

/// `grantee:PRIVILEGE[*]` entries of the schema's ACL, sorted, without
/// the owner's; `*` marks the grant option, PUBLIC is `public`.
fn acl(db: &TestDb, name: &str) -> Vec<String> {
    sorted(db.strings(&acl_sql(name)))
}

/// The query behind [`acl`].
fn acl_sql(name: &str) -> String {
    format!(
        "SELECT coalesce(r.rolname::text, 'public') || ':' || a.privilege_type || \
                CASE WHEN a.is_grantable THEN '*' ELSE '' END \
         FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a \
         LEFT JOIN pg_roles r ON r.oid = a.grantee \
         WHERE n.nspname = {} AND a.grantee <> n.nspowner",
        crate::support::literal(name)
    )
}

/// `v`, sorted the way [`acl`] sorts (byte order).
fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn oid(db: &TestDb, name: &str) -> Vec<String> {
    db.strings(&format!(
        "SELECT oid::text FROM pg_namespace WHERE nspname = {}",
        crate::support::literal(name)
    ))
}

/// The reference provider's Basic case: a bare schema, one with an owner
/// and one policy, one with two policies, one of them with grant options.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_with_owner_and_policies_is_created() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    let (without, with) = (
        unique_name("all_without_grant"),
        unique_name("all_with_grant"),
    );
    let config = role("without", &without)
        + &role("with", &with)
        + &schema(&db, "foo", "foo", "")
        + &schema(
            &db,
            "bar",
            "bar",
            &format!(
                "  owner = postgresql_role.without.name\n  if_not_exists = false\n{}",
                policy("postgresql_role.without.name", &["create", "usage"])
            ),
        )
        + &schema(
            &db,
            "baz",
            "baz",
            &format!(
                "  if_not_exists = true\n{}{}",
                policy(
                    "postgresql_role.with.name",
                    &["create_with_grant", "usage_with_grant"]
                ),
                policy("postgresql_role.without.name", &["create", "usage"])
            ),
        );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, out| {
            assert!(
                out.combined().contains("Deprecated Attribute"),
                "{}",
                out.combined()
            );
            let foo = ws.state_resource("postgresql_schema.foo");
            assert_eq!(foo["id"], format!("{}.foo", db.name));
            assert_eq!(foo["owner"], "postgres");
            assert_eq!(foo["database"], db.name.as_str());
            assert_eq!(foo["if_not_exists"], true);
            assert_eq!(foo["drop_cascade"], false);
            assert_eq!(foo["policy"], serde_json::json!([]));
            assert!(acl(&db, "foo").is_empty());
            let bar = ws.state_resource("postgresql_schema.bar");
            assert_eq!(bar["owner"], without.as_str());
            assert_eq!(bar["if_not_exists"], false);
            assert_eq!(bar["policy"].as_array().map(Vec::len), Some(1));
            assert_eq!(owner(&db, "bar").as_deref(), Some(without.as_str()));
            // The owner's own privileges are implicit: nothing to grant.
            assert!(acl(&db, "bar").is_empty(), "{:?}", acl(&db, "bar"));
            let baz = ws.state_resource("postgresql_schema.baz");
            assert_eq!(baz["policy"].as_array().map(Vec::len), Some(2));
            assert_eq!(
                acl(&db, "baz"),
                [
                    format!("{with}:CREATE*"),
                    format!("{with}:USAGE*"),
                    format!("{without}:CREATE"),
                    format!("{without}:USAGE"),
                ]
            );
        }))
        .check_destroy(|| {
            for s in ["foo", "bar", "baz"] {
                assert_eq!(owner(&db, s), None, "{s}");
            }
        })
        .run();
}

/// The reference provider's AddPolicy case: blocks removed (also with their
/// role), moved to grant options, and added, in place; unlike the
/// reference, what a removed block granted is revoked.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_policies_change_in_place() {
    let Some(acc) = acc() else { return };
    // In the provider's database, as in the reference test: dropping a role
    // there (REASSIGN OWNED, DROP OWNED) also takes its privileges on the
    // schema, whichever Terraform does first.
    let test4 = unique_name("test4");
    let acl = |name: &str| {
        let admin = acc.admin();
        sorted(acc.block(query_strings(&admin, &acl_sql(name), &[])))
    };
    let [stay, drop_with, drop_without, moved, new, compose] = [
        "all_without_grant_stay",
        "all_with_grantdrop",
        "all_without_grant_drop",
        "policy_move",
        "policy_new",
        "policy_compose",
    ]
    .map(unique_name);
    // Destroying a role runs DROP OWNED here, which revokes its privileges.
    let roles = |names: &[(&str, &String)]| -> String {
        names
            .iter()
            .map(|(key, n)| {
                format!(
                    "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n}}\n",
                    hcl(n)
                )
            })
            .collect()
    };
    let r = |n: &str| hcl(n);
    let step1 = roles(&[
        ("stay", &stay),
        ("drop_with", &drop_with),
        ("drop_without", &drop_without),
        ("moved", &moved),
        ("compose", &compose),
    ]) + &schema_in(
        "postgres",
        "s",
        &test4,
        &format!(
            "  owner = {}\n{}{}{}{}{}{}{}  depends_on = [postgresql_role.stay, postgresql_role.drop_with, postgresql_role.drop_without, postgresql_role.moved, postgresql_role.compose]\n",
            r(&stay),
            policy(&r(&stay), &["create", "usage"]),
            policy(&r(&drop_with), &["create_with_grant", "usage_with_grant"]),
            policy(&r(&drop_without), &["create", "usage"]),
            policy(&r(&moved), &["create", "usage"]),
            policy(&r(&compose), &["create", "usage"]),
            policy(&r(&compose), &["create_with_grant", "usage_with_grant"]),
            policy("\"\"", &["usage"]),
        ),
    );
    let step2 = roles(&[
        ("stay", &stay),
        ("drop_without", &drop_without),
        ("moved", &moved),
        ("new", &new),
        ("compose", &compose),
    ]) + &schema_in(
        "postgres",
        "s",
        &test4,
        &format!(
            "  owner = {}\n{}{}{}{}  depends_on = [postgresql_role.stay, postgresql_role.drop_without, postgresql_role.moved, postgresql_role.new, postgresql_role.compose]\n",
            r(&stay),
            policy(&r(&stay), &["create", "usage"]),
            policy(&r(&moved), &["create_with_grant", "usage_with_grant"]),
            policy(&r(&new), &["usage"]),
            policy(&r(&compose), &["create_with_grant", "usage_with_grant"]),
        ),
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(step1).check(|ws, _| {
            let s = ws.state_resource("postgresql_schema.s");
            assert_eq!(s["policy"].as_array().map(Vec::len), Some(7));
            assert_eq!(
                acl(&test4),
                sorted(vec![
                    format!("{drop_with}:CREATE*"),
                    format!("{drop_with}:USAGE*"),
                    format!("{drop_without}:CREATE"),
                    format!("{drop_without}:USAGE"),
                    format!("{moved}:CREATE"),
                    format!("{moved}:USAGE"),
                    format!("{compose}:CREATE*"),
                    format!("{compose}:USAGE*"),
                    "public:USAGE".to_string(),
                ])
            );
        }))
        .step(
            Step::apply(step2)
                .plan_shows(&["1 to add, 1 to change, 1 to destroy"])
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_schema.s");
                    assert_eq!(s["policy"].as_array().map(Vec::len), Some(4));
                    assert_eq!(
                        acl(&test4),
                        sorted(vec![
                            format!("{moved}:CREATE*"),
                            format!("{moved}:USAGE*"),
                            format!("{new}:USAGE"),
                            format!("{compose}:CREATE*"),
                            format!("{compose}:USAGE*"),
                        ])
                    );
                }),
        )
        .run();
}

/// The reference provider's Database and DropCascade cases: a schema in
/// another database, dropped with the table created in it; without
/// drop_cascade the drop is refused with advice.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_drop_cascade_drops_its_objects() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(schema(&db, "s", "foo", "  drop_cascade = true\n")).check(|ws, _| {
                assert_eq!(
                    ws.state_resource("postgresql_schema.s")["database"],
                    db.name.as_str()
                );
                db.exec("CREATE TABLE foo.test_table (id serial)");
            }),
        )
        .check_destroy(|| assert_eq!(owner(&db, "foo"), None))
        .run();

    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(schema(&db, "s", "kept", "")))
        .step(
            Step::destroy_fails("Schema Not Empty")
                .before(|_| db.exec("CREATE TABLE kept.t (id int)"))
                .check(|_, out| {
                    assert!(
                        out.combined().contains("drop_cascade"),
                        "{}",
                        out.combined()
                    );
                    assert!(owner(&db, "kept").is_some());
                    db.exec("DROP TABLE kept.t");
                }),
        )
        .run();
}

/// The reference provider's AlreadyExists case: an existing schema
/// (`public`) is taken over and given the configured owner; with
/// if_not_exists = false it is refused instead, with the import command.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_that_already_exists_is_taken_over_unless_told_not_to() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    let r = unique_name("tf_tests_role");
    acc.sql(&format!("CREATE ROLE {}", ident(&r)));
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            schema(
                &db,
                "p",
                "public",
                &format!("  owner = {}\n  if_not_exists = false\n", hcl(&r)),
            ),
            "Schema Already Exists",
        ))
        .step(
            Step::apply(schema(
                &db,
                "p",
                "public",
                &format!("  owner = {}\n", hcl(&r)),
            ))
            .check(|_, _| assert_eq!(owner(&db, "public").as_deref(), Some(r.as_str()))),
        )
        .run();
    acc.sql(&format!("DROP ROLE {}", ident(&r)));
}

/// A rename and an owner change are one in-place update, for names that
/// need quoting; import by `database.schema` (quoted where needed) and by
/// the schema name alone.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_rename_and_owner_change_in_place_then_import() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    let first = "Sch \"ë\" one".to_string();
    let mut second = String::from("s.ü.");
    while second.len() < 63 {
        second.push('x');
    }
    let (a, b) = (unique_name("schema_owner_a"), unique_name("Schema Owner B"));
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {}",
        ident(&a),
        ident(&b)
    ));
    let before = std::cell::RefCell::new(Vec::new());
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(schema(
                &db,
                "s",
                &first,
                &format!("  owner = {}\n", hcl(&a)),
            ))
            .check(|ws, _| {
                assert_eq!(owner(&db, &first).as_deref(), Some(a.as_str()));
                assert_eq!(
                    ws.state_resource("postgresql_schema.s")["id"],
                    format!("{}.\"Sch \"\"ë\"\" one\"", db.name)
                );
                *before.borrow_mut() = oid(&db, &first);
            }),
        )
        .step(
            Step::apply(schema(
                &db,
                "s",
                &second,
                &format!("  owner = {}\n", hcl(&b)),
            ))
            .plan_shows(&["~ name", "~ owner", "~ id", "1 to change"])
            .check(|_, _| {
                assert_eq!(owner(&db, &first), None);
                assert_eq!(owner(&db, &second).as_deref(), Some(b.as_str()));
                assert_eq!(oid(&db, &second), *before.borrow());
            }),
        )
        .step(Step::import(
            "postgresql_schema.s",
            format!("{}.\"{second}\"", db.name),
        ))
        .run();
    acc.sql(&format!("DROP ROLE {}; DROP ROLE {}", ident(&a), ident(&b)));

    // A schema in the provider's own database, imported by its name.
    let name = unique_name("schema_in_provider_db");
    let config = format!(
        "resource \"postgresql_schema\" \"s\" {{\n  name = {}\n}}\n",
        hcl(&name)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_schema.s")["id"],
                format!("postgres.{name}")
            );
        }))
        .step(Step::import("postgresql_schema.s", name.clone()))
        .step(Step::import(
            "postgresql_schema.s",
            format!("postgres.{name}"),
        ))
        .run();
}

/// The owner and the policy privileges changed outside Terraform show in
/// the next plan; a schema dropped outside Terraform is planned for
/// re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_drift_shows_and_dropped_schema_is_recreated() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    let (o, r, other) = (
        unique_name("drift_owner"),
        unique_name("drift_reader"),
        unique_name("drift_other"),
    );
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {}; CREATE ROLE {}",
        ident(&o),
        ident(&r),
        ident(&other)
    ));
    let config = schema(
        &db,
        "s",
        "drifting",
        &format!("  owner = {}\n{}", hcl(&o), policy(&hcl(&r), &["usage"])),
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()))
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    db.exec(&format!(
                        "ALTER SCHEMA drifting OWNER TO {}; REVOKE USAGE ON SCHEMA drifting FROM {}",
                        ident(&other),
                        ident(&r)
                    ))
                })
                .plan_shows(&["~ owner", "+ policy"])
                .check(|_, _| {
                    assert_eq!(owner(&db, "drifting").as_deref(), Some(o.as_str()));
                    assert_eq!(acl(&db, "drifting"), [format!("{r}:USAGE")]);
                }),
        )
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    db.exec(&format!(
                        "GRANT CREATE ON SCHEMA drifting TO {}",
                        ident(&r)
                    ))
                })
                .plan_shows(&["- policy", "+ policy"])
                .check(|_, _| assert_eq!(acl(&db, "drifting"), [format!("{r}:USAGE")])),
        )
        .step(
            Step::apply(config)
                .before(|_| db.exec("DROP SCHEMA drifting"))
                .plan_shows(&["will be created"])
                .check(|_, _| assert!(owner(&db, "drifting").is_some())),
        )
        .run();
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {}; DROP ROLE {}",
        ident(&o),
        ident(&r),
        ident(&other)
    ));
}

/// Bad values are refused at plan time, naming the attribute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_invalid_input_is_refused_before_apply() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(schema(&db, "s", "ok", "")))
        .step(Step::fails(
            schema(&db, "s", &"s".repeat(64), ""),
            "Schema Name Too Long",
        ))
        .step(Step::fails(
            schema(&db, "s", "ok", &policy("\"\"", &["usage_with_grant"])),
            "Grant Option For PUBLIC",
        ))
        .step(Step::fails(
            schema(
                &db,
                "s",
                "ok",
                "  policy {\n    role = \"x\"\n    usage = true\n  }\n  policy {\n    role = \"x\"\n    usage = true\n    create = false\n  }\n",
            ),
            "Duplicate Policy Block",
        ))
        .step(Step::fails(
            schema(&db, "s", "ok", &format!("  owner = {}\n", hcl(&"o".repeat(64)))),
            "owner is 64 bytes long",
        ))
        .step(Step::fails(
            schema_in(&"d".repeat(64), "s", "ok", ""),
            "database is 64 bytes long",
        ))
        .step(Step::fails(
            schema(&db, "s", "ok", &policy(&hcl(&"r".repeat(64)), &["usage"])),
            "role is 64 bytes long",
        ))
        .step(Step::fails(schema(&db, "s", "", ""), "name must not be empty"))
        .check_destroy(|| assert_eq!(owner(&db, "ok"), None))
        .run();
}

/// A provider role that is not a superuser (CREATEROLE, CREATE on the
/// database) creates, hands over and drops schemas owned by other roles,
/// holding no membership in them afterwards.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_owned_by_another_role_as_non_superuser() {
    let Some(acc) = acc() else { return };
    let db = acc.database("schemadb");
    let admin = unique_name("schema_admin");
    acc.sql(&format!(
        "CREATE ROLE {a} LOGIN CREATEROLE PASSWORD 'pw'; GRANT CREATE ON DATABASE {d} TO {a}",
        a = ident(&admin),
        d = ident(&db.name)
    ));
    let (o1, o2) = (unique_name("schema_owned_1"), unique_name("schema_owned_2"));
    let config = |owner: &str| {
        role("o1", &o1)
            + &role("o2", &o2)
            + &schema(
                &db,
                "s",
                "app",
                &format!(
                    "  owner = {owner}\n{}",
                    policy("postgresql_role.o1.name", &["usage"])
                ),
            )
    };
    let no_membership = |acc: &Acc| {
        // On PostgreSQL 16 and later CREATEROLE leaves its creator an
        // ADMIN-only grant of each role it creates; that is not one.
        let sql = if acc.cluster.major_version() >= 16 {
            "SELECT count(*)::text FROM pg_auth_members m \
             WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1) \
               AND m.roleid IN (SELECT oid FROM pg_roles WHERE rolname IN ($2, $3)) \
               AND (m.inherit_option OR m.set_option)"
        } else {
            "SELECT count(*)::text FROM pg_auth_members m \
             WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1) \
               AND m.roleid IN (SELECT oid FROM pg_roles WHERE rolname IN ($2, $3))"
        };
        let admin_client = acc.admin();
        let n = acc.block(crate::support::query_one_str(
            &admin_client,
            sql,
            &[&admin, &o1, &o2],
        ));
        assert_eq!(n, "0", "temporary memberships left behind");
    };
    TestCase::new(acc.cluster.provider_block_as(&admin, "pw"))
        .step(
            Step::apply(config("postgresql_role.o1.name")).check(|_, _| {
                assert_eq!(owner(&db, "app").as_deref(), Some(o1.as_str()));
                no_membership(&acc);
            }),
        )
        .step(
            Step::apply(config("postgresql_role.o2.name")).check(|_, _| {
                assert_eq!(owner(&db, "app").as_deref(), Some(o2.as_str()));
                assert_eq!(acl(&db, "app"), [format!("{o1}:USAGE")]);
                no_membership(&acc);
            }),
        )
        .check_destroy(|| {
            assert_eq!(owner(&db, "app"), None);
            no_membership(&acc);
        })
        .run();
    acc.sql(&format!(
        "REVOKE ALL ON DATABASE {} FROM {}; DROP ROLE {}",
        ident(&db.name),
        ident(&admin),
        ident(&admin)
    ));
}
