//! `postgresql_database` acceptance tests, ported from the reference
//! provider's `resource_postgresql_database_test.go` (Basic, DefaultOwner,
//! Update, GrantOwner, GrantOwnerNotNeeded, AlterObjectOwnership) plus the
//! standard ones: in-place rename and owner change, drift, re-creation,
//! import, awkward and 63-byte names, tablespaces, invalid input, and
//! dropping a database that is in use.
//!
//! Databases and roles are cluster-wide, so every name comes from
//! `unique_name` and tests never look at objects they did not create.

use crate::support::{exec, hcl, ident, query_opt_str, unique_name, Step, TestCase};
use crate::{acc, Acc};

/// A `postgresql_database` block.
fn database(key: &str, name: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_database\" \"{key}\" {{\n  name = {}\n{extra}}}\n",
        hcl(name)
    )
}

/// A `postgresql_role` block. It owns nothing once its databases are
/// dropped, so destroying it skips REASSIGN OWNED (which a provider role
/// that is not a superuser may not run for it on PostgreSQL 16 and later).
fn role(key: &str, name: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n  login = true\n  skip_reassign_owned = true\n}}\n",
        hcl(name)
    )
}

/// `owner|encoding|collate|ctype|tablespace|limit|allow|template` of a
/// database, or `None` when it does not exist.
fn catalog(acc: &Acc, name: &str) -> Option<String> {
    let admin = acc.admin();
    acc.block(async {
        let row = admin
            .query_opt(
                "SELECT concat_ws('|', pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), \
                        d.datcollate, d.datctype, t.spcname, d.datconnlimit, d.datallowconn::text, \
                        d.datistemplate::text) \
                 FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace \
                 WHERE d.datname = $1",
                &[&name],
            )
            .await
            .expect("read pg_database");
        row.map(|r| r.get::<_, String>(0))
    })
}

fn oid(acc: &Acc, name: &str) -> Option<String> {
    let admin = acc.admin();
    acc.block(query_opt_str(
        &admin,
        "SELECT (SELECT oid FROM pg_database WHERE datname = $1)::text",
        &[&name],
    ))
}

/// The reference provider's Basic and DefaultOwner cases: every option as
/// configured, `DEFAULT` accepted everywhere (where the reference needed
/// `ignore_changes`), template databases dropped on destroy.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_options_are_created_as_configured() {
    let Some(acc) = acc() else { return };
    let owner = unique_name("db_owner");
    let [mydb, default_opts, modified, pathological, pg_defaults, default_owner] = [
        "mydb",
        "default_opts",
        "modified",
        "pathological",
        "pg_defaults",
        "default_owner",
    ]
    .map(unique_name);
    let config = role("owner", &owner)
        + &database("mydb", &mydb, "  owner = postgresql_role.owner.name\n")
        + &database(
            "default_opts",
            &default_opts,
            "  owner = postgresql_role.owner.name\n  template = \"template0\"\n  encoding = \"UTF8\"\n  lc_collate = \"C\"\n  lc_ctype = \"C\"\n  tablespace_name = \"pg_default\"\n  connection_limit = -1\n  is_template = false\n",
        )
        + &database(
            "modified",
            &modified,
            "  owner = postgresql_role.owner.name\n  template = \"template0\"\n  encoding = \"UTF8\"\n  lc_collate = \"C.UTF-8\"\n  lc_ctype = \"C.UTF-8\"\n  tablespace_name = \"pg_default\"\n  connection_limit = 10\n  is_template = true\n  alter_object_ownership = true\n",
        )
        + &database(
            "pathological",
            &pathological,
            "  owner = postgresql_role.owner.name\n  template = \"template0\"\n  encoding = \"LATIN1\"\n  lc_collate = \"C\"\n  lc_ctype = \"C\"\n  tablespace_name = \"pg_default\"\n  connection_limit = 0\n  is_template = true\n",
        )
        + &database(
            "pg_defaults",
            &pg_defaults,
            "  owner = postgresql_role.owner.name\n  template = \"DEFAULT\"\n  encoding = \"DEFAULT\"\n  lc_collate = \"DEFAULT\"\n  lc_ctype = \"DEFAULT\"\n  tablespace_name = \"DEFAULT\"\n  connection_limit = 0\n  is_template = true\n",
        )
        + &database("default_owner", &default_owner, "");
    let all = [
        &mydb,
        &default_opts,
        &modified,
        &pathological,
        &pg_defaults,
        &default_owner,
    ];
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let o = &owner;
            assert_eq!(
                catalog(&acc, &mydb).unwrap(),
                format!("{o}|UTF8|C|C|pg_default|-1|true|false")
            );
            assert_eq!(
                catalog(&acc, &default_opts).unwrap(),
                format!("{o}|UTF8|C|C|pg_default|-1|true|false")
            );
            assert_eq!(
                catalog(&acc, &modified).unwrap(),
                format!("{o}|UTF8|C.UTF-8|C.UTF-8|pg_default|10|true|true")
            );
            assert_eq!(
                catalog(&acc, &pathological).unwrap(),
                format!("{o}|LATIN1|C|C|pg_default|0|true|true")
            );
            assert_eq!(
                catalog(&acc, &pg_defaults).unwrap(),
                format!("{o}|UTF8|C|C|pg_default|0|true|true")
            );
            assert_eq!(
                catalog(&acc, &default_owner).unwrap(),
                "postgres|UTF8|C|C|pg_default|-1|true|false"
            );
            let s = ws.state_resource("postgresql_database.default_opts");
            assert_eq!(s["id"], default_opts.as_str());
            assert_eq!(s["template"], "template0");
            assert_eq!(s["encoding"], "UTF8");
            assert_eq!(s["tablespace_name"], "pg_default");
            assert_eq!(s["connection_limit"], -1);
            assert_eq!(s["allow_connections"], true);
            assert_eq!(s["is_template"], false);
            assert_eq!(s["alter_object_ownership"], false);
            let s = ws.state_resource("postgresql_database.modified");
            assert_eq!(s["lc_collate"], "C.UTF-8");
            assert_eq!(s["alter_object_ownership"], true);
            // `DEFAULT` stays as written, so it plans no perpetual change.
            let s = ws.state_resource("postgresql_database.pg_defaults");
            for attr in [
                "template",
                "encoding",
                "lc_collate",
                "lc_ctype",
                "tablespace_name",
            ] {
                assert_eq!(s[attr], "DEFAULT", "{attr}");
            }
            let s = ws.state_resource("postgresql_database.default_owner");
            assert_eq!(s["owner"], "postgres");
            assert_eq!(s["template"], "template0");
        }))
        .check_destroy(|| {
            for name in all {
                assert_eq!(catalog(&acc, name), None, "{name} survived destroy");
            }
        })
        .run();
}

/// The reference provider's Update case: connection_limit and
/// allow_connections change in place.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_settings_change_in_place() {
    let Some(acc) = acc() else { return };
    let name = unique_name("db_update");
    let before = std::cell::RefCell::new(None);
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(database("d", &name, "  allow_connections = true\n")).check(|ws, _| {
                let s = ws.state_resource("postgresql_database.d");
                assert_eq!(s["connection_limit"], -1);
                assert_eq!(s["allow_connections"], true);
                *before.borrow_mut() = oid(&acc, &name);
            }),
        )
        .step(
            Step::apply(database(
                "d",
                &name,
                "  connection_limit = 2\n  allow_connections = false\n  is_template = true\n",
            ))
            .plan_shows(&["~ connection_limit", "~ allow_connections", "~ is_template"])
            .check(|_, _| {
                assert_eq!(
                    catalog(&acc, &name).unwrap(),
                    "postgres|UTF8|C|C|pg_default|2|false|true"
                );
                assert_eq!(oid(&acc, &name), *before.borrow(), "not replaced");
            }),
        )
        .check_destroy(|| assert_eq!(catalog(&acc, &name), None))
        .run();
}

/// A rename and an owner change are one in-place update, for names that
/// need quoting: upper case, spaces, quotes, non-ASCII, 63 bytes. (The
/// owners are made outside Terraform so that the import step plans this
/// database alone.)
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_rename_and_owner_change_in_place() {
    let Some(acc) = acc() else { return };
    let first = format!("{} Ünïcode \"q\"", unique_name("Db"));
    // 63 bytes exactly, ending in a two-byte character.
    let mut long = unique_name("long_db_é");
    while long.len() < 61 {
        long.push('x');
    }
    long.push('é');
    assert_eq!(long.len(), 63);
    let (a, b) = (unique_name("db_owner_a"), unique_name("Owner B"));
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {}",
        ident(&a),
        ident(&b)
    ));
    let before = std::cell::RefCell::new(None);
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(database("d", &first, &format!("  owner = {}\n", hcl(&a)))).check(
                |ws, _| {
                    assert!(catalog(&acc, &first).unwrap().starts_with(&format!("{a}|")));
                    assert_eq!(
                        ws.state_resource("postgresql_database.d")["id"],
                        first.as_str()
                    );
                    *before.borrow_mut() = oid(&acc, &first);
                },
            ),
        )
        .step(
            Step::apply(database("d", &long, &format!("  owner = {}\n", hcl(&b))))
                .plan_shows(&["~ name", "~ owner", "1 to change"])
                .check(|ws, _| {
                    assert_eq!(catalog(&acc, &first), None);
                    assert!(catalog(&acc, &long).unwrap().starts_with(&format!("{b}|")));
                    assert_eq!(oid(&acc, &long), *before.borrow(), "renamed in place");
                    assert_eq!(
                        ws.state_resource("postgresql_database.d")["id"],
                        long.as_str()
                    );
                }),
        )
        .step(Step::import("postgresql_database.d", long.clone()).ignore(&["template"]))
        .check_destroy(|| assert_eq!(catalog(&acc, &long), None))
        .run();
    acc.sql(&format!("DROP ROLE {}; DROP ROLE {}", ident(&a), ident(&b)));
}

/// Changes made outside Terraform show in the next plan (the owner, the
/// connection settings, the template flag); a database dropped outside
/// Terraform is planned for re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_drift_shows_and_dropped_database_is_recreated() {
    let Some(acc) = acc() else { return };
    let name = unique_name("db_drift");
    let (o, other) = (unique_name("db_drift_owner"), unique_name("db_drift_other"));
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {}",
        ident(&o),
        ident(&other)
    ));
    let config = database(
        "d",
        &name,
        &format!(
            "  owner = {}\n  connection_limit = 5\n  is_template = false\n",
            hcl(&o)
        ),
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()))
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    acc.sql(&format!(
                        "ALTER DATABASE {} CONNECTION LIMIT 7 IS_TEMPLATE true",
                        ident(&name)
                    ))
                })
                .plan_shows(&["~ connection_limit", "7 -> 5", "~ is_template"])
                .check(|_, _| {
                    assert!(catalog(&acc, &name).unwrap().ends_with("|5|true|false"));
                }),
        )
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    acc.sql(&format!(
                        "ALTER DATABASE {n} OWNER TO {x}; ALTER DATABASE {n} ALLOW_CONNECTIONS false",
                        n = ident(&name),
                        x = ident(&other)
                    ))
                })
                .plan_check(|plan| {
                    assert!(
                        plan.contains("~ owner") && plan.contains(&other),
                        "{plan}"
                    );
                    assert!(plan.contains("~ allow_connections"), "{plan}");
                    assert!(plan.contains("1 to change"), "{plan}");
                })
                .check(|_, _| {
                    let row = catalog(&acc, &name).unwrap();
                    assert!(row.starts_with(&format!("{o}|")), "{row}");
                    assert!(row.ends_with("|5|true|false"), "{row}");
                }),
        )
        .step(
            Step::apply(config)
                .before(|_| acc.sql(&format!("DROP DATABASE {}", ident(&name))))
                .plan_shows(&["will be created"])
                .check(|_, _| assert!(catalog(&acc, &name).is_some())),
        )
        .run();
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {}",
        ident(&o),
        ident(&other)
    ));
}

/// Import by name reads every attribute but the template, which
/// PostgreSQL does not record; naming one afterwards changes nothing.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_import_by_name() {
    let Some(acc) = acc() else { return };
    let name = unique_name("db_import");
    let config = database(
        "d",
        &name,
        "  encoding = \"LATIN1\"\n  lc_collate = \"C\"\n  connection_limit = 3\n",
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config))
        .step(
            Step::import("postgresql_database.d", name.clone())
                .ignore(&["template"])
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_database.d");
                    assert!(s["template"].is_null());
                    assert_eq!(s["encoding"], "LATIN1");
                    assert_eq!(s["lc_ctype"], "C");
                    // Naming the template of an imported database describes
                    // it: an in-place change, not a replacement.
                    ws.write_config(&format!(
                        "{}{}",
                        acc.cluster.provider_block(),
                        database(
                            "d",
                            &name,
                            "  template = \"template0\"\n  encoding = \"LATIN1\"\n  lc_collate = \"C\"\n  connection_limit = 3\n",
                        )
                    ));
                    let plan = ws.assert_changes();
                    assert!(plan.contains("1 to change, 0 to destroy"), "{plan}");
                }),
        )
        .step(
            Step::import_fails("postgresql_database.d", "no such db", "Database Not Found")
                .config(database("d", "nosuchdb", "")),
        )
        .run();
}

/// Changing what is fixed at creation replaces the database.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_encoding_change_replaces_it() {
    let Some(acc) = acc() else { return };
    let name = unique_name("db_replace");
    let before = std::cell::RefCell::new(None);
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(database("d", &name, "  encoding = \"utf-8\"\n")).check(|ws, _| {
                // Another spelling of the server's UTF8 stays as written.
                assert_eq!(
                    ws.state_resource("postgresql_database.d")["encoding"],
                    "utf-8"
                );
                *before.borrow_mut() = oid(&acc, &name);
            }),
        )
        .step(
            Step::apply(database("d", &name, "  encoding = \"SQL_ASCII\"\n"))
                .plan_shows(&["must be replaced"])
                .check(|_, _| {
                    assert!(catalog(&acc, &name).unwrap().contains("|SQL_ASCII|"));
                    assert_ne!(oid(&acc, &name), *before.borrow());
                }),
        )
        .run();
}

/// A tablespace change moves the database in place; `DEFAULT` moves it
/// back to pg_default.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_tablespace_moves_in_place() {
    let Some(acc) = acc() else { return };
    let dir = tempfile::Builder::new()
        .prefix("pgwarden-ts-")
        .tempdir_in("/tmp")
        .expect("tablespace dir");
    crate::support::cluster::give_to_server_user(dir.path());
    let ts = unique_name("db_ts");
    acc.sql(&format!(
        "CREATE TABLESPACE {} LOCATION '{}'",
        ident(&ts),
        dir.path().display()
    ));
    let name = unique_name("db_moved");
    let before = std::cell::RefCell::new(None);
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(database("d", &name, "")).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_database.d")["tablespace_name"],
                "pg_default"
            );
            *before.borrow_mut() = oid(&acc, &name);
        }))
        .step(
            Step::apply(database(
                "d",
                &name,
                &format!("  tablespace_name = {}\n", hcl(&ts)),
            ))
            .plan_shows(&["~ tablespace_name"])
            .check(|_, _| {
                assert!(catalog(&acc, &name).unwrap().contains(&format!("|{ts}|")));
                assert_eq!(oid(&acc, &name), *before.borrow());
            }),
        )
        .step(
            Step::apply(database("d", &name, "  tablespace_name = \"DEFAULT\"\n"))
                .check(|_, _| assert!(catalog(&acc, &name).unwrap().contains("|pg_default|"))),
        )
        .run();
    acc.sql(&format!("DROP TABLESPACE {}", ident(&ts)));
}

/// Bad values are refused at plan time, naming the attribute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_invalid_input_is_refused_before_apply() {
    let Some(acc) = acc() else { return };
    let name = unique_name("db_invalid");
    let too_long = "d".repeat(64);
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(database(
            "d",
            &name,
            "  connection_limit = 1\n",
        )))
        .step(Step::fails(
            database("d", &name, "  connection_limit = -2\n"),
            "connection_limit",
        ))
        .step(Step::fails(
            database("d", &name, "  encoding = \"\"\n"),
            "encoding must not be empty",
        ))
        .step(Step::fails(
            database("d", &too_long, ""),
            "Database Name Too Long",
        ))
        .step(Step::fails(
            database("d", &name, &format!("  owner = {}\n", hcl(&"o".repeat(64)))),
            "owner is 64 bytes long",
        ))
        .step(Step::fails(
            database("d", &name, "  lc_ctype = \"\"\n"),
            "lc_ctype must not be empty",
        ))
        .step(Step::fails(
            database("d", &name, "  template = \"\"\n"),
            "template must not be empty",
        ))
        .step(Step::fails(
            database(
                "d",
                &name,
                &format!("  tablespace_name = {}\n", hcl(&"t".repeat(64))),
            ),
            "tablespace_name is 64 bytes long",
        ))
        .step(Step::fails(
            database("d", &name, "  connection_limit = 2147483648\n"),
            "connection_limit",
        ))
        .check_destroy(|| assert_eq!(catalog(&acc, &name), None))
        .run();
}

/// Destroy ends the sessions still connected to the database.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_destroy_ends_open_sessions() {
    let Some(acc) = acc() else { return };
    let name = unique_name("db_busy");
    let session = std::cell::RefCell::new(None);
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(database("d", &name, "")).check(|_, _| {
            let c = acc.block(acc.cluster.connect(
                &name,
                acc.cluster.superuser(),
                acc.cluster.password(),
            ));
            *session.borrow_mut() = Some(c);
        }))
        .check_destroy(|| {
            assert_eq!(catalog(&acc, &name), None);
            let c = session.borrow_mut().take().expect("session");
            assert!(
                acc.block(c.simple_query("SELECT 1")).is_err(),
                "session ended"
            );
        })
        .run();
}

/// A provider role without SUPERUSER cannot end a superuser's session, so
/// DROP DATABASE ... WITH (FORCE) fails: the error names that session, and
/// the database is left as it was (connections still allowed).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_destroy_blocked_by_a_session_names_it() {
    let Some(acc) = acc() else { return };
    let admin = unique_name("db_admin");
    acc.sql(&format!(
        "CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD 'pw'",
        ident(&admin)
    ));
    let name = unique_name("db_blocked");
    // A session of another user in the database, open while the destroy runs.
    let blocker = std::cell::RefCell::new(None);
    let pid = std::cell::Cell::new(0);
    TestCase::new(acc.cluster.provider_block_as(&admin, "pw"))
        .step(Step::apply(database("d", &name, "")))
        .step(
            Step::destroy_fails("Database In Use")
                .before(|_| {
                    let c = acc.block(acc.cluster.connect(
                        &name,
                        acc.cluster.superuser(),
                        acc.cluster.password(),
                    ));
                    let row = acc.block(c.query_one("SELECT pg_backend_pid()", &[]));
                    pid.set(row.expect("backend pid").get::<_, i32>(0));
                    *blocker.borrow_mut() = Some(c);
                })
                .check(|_, out| {
                    let (text, pid) = (out.combined(), pid.get());
                    assert!(
                        text.contains(&format!("session pid {pid}: user \"postgres\"")),
                        "{text}"
                    );
                    assert!(text.contains("\"pgwarden-acceptance\""), "{text}");
                    assert!(
                        catalog(&acc, &name).unwrap().ends_with("|true|false"),
                        "left as it was"
                    );
                    blocker.borrow_mut().take();
                }),
        )
        .run();
    assert_eq!(catalog(&acc, &name), None);
    acc.sql(&format!("DROP ROLE {}", ident(&admin)));
}

/// Whether `member` may SET ROLE to / inherit from `role` through a direct
/// grant (what a temporary grant would leave behind).
fn is_member(acc: &Acc, role: &str, member: &str) -> bool {
    let sql = if acc.cluster.major_version() >= 16 {
        "SELECT (count(*) > 0)::text FROM pg_auth_members WHERE roleid = $1::text::regrole \
         AND member = $2::text::regrole AND (set_option OR inherit_option)"
    } else {
        "SELECT (count(*) > 0)::text FROM pg_auth_members WHERE roleid = $1::text::regrole \
         AND member = $2::text::regrole"
    };
    let admin = acc.admin();
    let (r, m) = (ident(role), ident(member));
    acc.block(query_opt_str(&admin, sql, &[&r, &m])).as_deref() == Some("true")
}

/// The reference provider's GrantOwner and GrantOwnerNotNeeded cases, with
/// a provider role that is not a superuser (CREATEDB, CREATEROLE): it
/// creates, changes and drops databases owned by other roles, holds no
/// membership in them afterwards, and keeps one it had before.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_owned_by_another_role_as_non_superuser() {
    let Some(acc) = acc() else { return };
    let admin = unique_name("db_creator");
    let kept = unique_name("db_kept_owner");
    acc.sql(&format!(
        "CREATE ROLE {a} LOGIN CREATEDB CREATEROLE PASSWORD 'pw'; \
         CREATE ROLE {k}; GRANT {k} TO {a};",
        a = ident(&admin),
        k = ident(&kept)
    ));
    let (owner, owner2) = (unique_name("db_owned_by"), unique_name("db_owned_by2"));
    let (d1, d2) = (unique_name("db_granted"), unique_name("db_not_needed"));
    let config = |first_owner: &str| {
        role("o", &owner)
            + &role("o2", &owner2)
            + &database(
                "d1",
                &d1,
                &format!("  owner = {first_owner}\n  connection_limit = 4\n"),
            )
            + &database("d2", &d2, &format!("  owner = {}\n", hcl(&kept)))
    };
    TestCase::new(acc.cluster.provider_block_as(&admin, "pw"))
        .step(Step::apply(config("postgresql_role.o.name")).check(|_, _| {
            assert!(catalog(&acc, &d1)
                .unwrap()
                .starts_with(&format!("{owner}|")));
            assert!(catalog(&acc, &d2).unwrap().starts_with(&format!("{kept}|")));
            assert!(
                !is_member(&acc, &owner, &admin),
                "temporary membership left"
            );
            assert!(
                is_member(&acc, &kept, &admin),
                "existing membership revoked"
            );
        }))
        .step(
            Step::apply(config("postgresql_role.o2.name")).check(|_, _| {
                assert!(catalog(&acc, &d1)
                    .unwrap()
                    .starts_with(&format!("{owner2}|")));
                assert!(!is_member(&acc, &owner, &admin));
                assert!(!is_member(&acc, &owner2, &admin));
            }),
        )
        .check_destroy(|| {
            assert_eq!(catalog(&acc, &d1), None);
            assert_eq!(catalog(&acc, &d2), None);
            assert!(is_member(&acc, &kept, &admin));
        })
        .run();
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {}",
        ident(&kept),
        ident(&admin)
    ));
}

/// The reference provider's AlterObjectOwnership case: the old owner's
/// objects in the database go to the new owner; unlike the reference, a
/// database elsewhere that the old owner owns keeps its owner.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn database_alter_object_ownership_hands_over_objects() {
    let Some(acc) = acc() else { return };
    let (previous, new) = (unique_name("db_prev_owner"), unique_name("db_new_owner"));
    let (name, elsewhere) = (unique_name("db_ownership"), unique_name("db_elsewhere"));
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {};",
        ident(&previous),
        ident(&new),
    ));
    // CREATE DATABASE cannot share a multi-statement string.
    acc.sql(&format!(
        "CREATE DATABASE {} OWNER {}",
        ident(&elsewhere),
        ident(&previous)
    ));
    let config = |owner: &str| {
        database(
            "d",
            &name,
            &format!(
                "  owner = {}\n  alter_object_ownership = true\n",
                hcl(owner)
            ),
        )
    };
    let table_owner = || {
        let c = acc.block(acc.cluster.connect(
            &name,
            acc.cluster.superuser(),
            acc.cluster.password(),
        ));
        acc.block(query_opt_str(
            &c,
            "SELECT tableowner::text FROM pg_tables WHERE tablename = 'testtable1'",
            &[],
        ))
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config(&previous)).check(|_, _| {
            let c = acc.block(acc.cluster.connect(
                &name,
                acc.cluster.superuser(),
                acc.cluster.password(),
            ));
            acc.block(exec(
                &c,
                &format!(
                    "CREATE TABLE testtable1 (id int); ALTER TABLE testtable1 OWNER TO {}",
                    ident(&previous)
                ),
            ));
        }))
        .step(Step::apply(config(&new)).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_database.d")["owner"],
                new.as_str()
            );
            assert_eq!(table_owner().as_deref(), Some(new.as_str()));
            assert!(catalog(&acc, &elsewhere)
                .unwrap()
                .starts_with(&format!("{previous}|")));
        }))
        .run();
    acc.sql(&format!("DROP DATABASE {}", ident(&elsewhere)));
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {}",
        ident(&previous),
        ident(&new)
    ));
}
