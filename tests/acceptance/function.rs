//! postgresql_function acceptance tests, each in a database of its own: the
//! reference provider's cases (basic, a named database, several arguments,
//! an in-place update), and what this provider adds: other spellings of the
//! same definition plan no change, renames and moves in place, replacement
//! only where PostgreSQL needs it, drift, import, awkward names, the
//! SECURITY DEFINER warning, and bad input refused at plan time.

use crate::support::{flat, hcl, ident, literal, Step, TestCase, Workspace};
use crate::{acc, Acc, TestDb};

/// The provider block, connected to `db` instead of `postgres`.
fn provider_on(acc: &Acc, db: &TestDb) -> String {
    acc.cluster.provider_block().replace(
        "database = \"postgres\"",
        &format!("database = {}", hcl(&db.name)),
    )
}

/// A `postgresql_function` named `key` with the given attribute lines.
fn function(key: &str, extra: &str) -> String {
    format!("resource \"postgresql_function\" \"{key}\" {{\n{extra}}}\n")
}

/// `body = <<-EOF ... EOF` with the given lines, indented as in the
/// reference's tests (the heredoc strips the indentation).
fn heredoc(lines: &[&str]) -> String {
    let mut s = String::from("  body = <<-EOF\n");
    for l in lines {
        s.push_str("        ");
        s.push_str(l);
        s.push('\n');
    }
    s.push_str("    EOF\n");
    s
}

/// The reference's `basic_function`: returns 1.
fn basic(key: &str, name: &str, extra: &str) -> String {
    function(
        key,
        &format!(
            "  name = {}\n  returns = \"integer\"\n  language = \"plpgsql\"\n{extra}{}",
            hcl(name),
            heredoc(&["BEGIN", "    RETURN 1;", "END;"])
        ),
    )
}

/// `to_regprocedure(signature)` as text, or `None`.
fn regprocedure(db: &TestDb, signature: &str) -> Option<String> {
    db.strings(&format!(
        "SELECT p::oid::text FROM to_regprocedure({}) p WHERE p IS NOT NULL",
        literal(signature)
    ))
    .into_iter()
    .next()
}

/// One column of the function's `pg_proc` row, as text.
fn proc_column(db: &TestDb, signature: &str, column: &str) -> String {
    db.one(&format!(
        "SELECT {column}::text FROM pg_proc WHERE oid = to_regprocedure({})",
        literal(signature)
    ))
}

/// Reference: TestAccPostgresqlFunction_Basic, then imported by its ID.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_basic() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_basic");
    let id = format!("{}.public.basic_function()", db.name);
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(basic("f", "basic_function", "")).check(|ws, _| {
                let s = ws.state_resource("postgresql_function.f");
                assert_eq!(s["name"], "basic_function");
                assert_eq!(s["schema"], "public");
                assert_eq!(s["language"], "plpgsql");
                assert_eq!(s["database"], db.name.as_str());
                assert_eq!(s["id"], id.as_str());
                assert_eq!(s["body"], "BEGIN\n    RETURN 1;\nEND;\n");
                assert_eq!(s["arg"], serde_json::json!([]));
                assert!(regprocedure(&db, "public.basic_function()").is_some());
                assert_eq!(db.one("SELECT public.basic_function()::text"), "1");
            }),
        )
        .step(Step::import("postgresql_function.f", id.clone()))
        .step(Step::import(
            "postgresql_function.f",
            "public.basic_function()",
        ))
        .check_destroy(|| assert_eq!(regprocedure(&db, "public.basic_function()"), None))
        .run();
}

/// Reference: TestAccPostgresqlFunction_SpecificDatabase.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_in_a_named_database() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_database");
    let config = basic(
        "f",
        "basic_function",
        &format!("  database = {}\n", hcl(&db.name)),
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let s = ws.state_resource("postgresql_function.f");
            assert_eq!(s["database"], db.name.as_str());
            assert_eq!(s["schema"], "public");
            assert!(regprocedure(&db, "public.basic_function()").is_some());
        }))
        .step(Step::import(
            "postgresql_function.f",
            format!("{}.public.basic_function()", db.name),
        ))
        .check_destroy(|| assert_eq!(regprocedure(&db, "public.basic_function()"), None))
        .run();
}

/// Reference: TestAccPostgresqlFunction_MultipleArgs (the schema created
/// with SQL). `returns` is derived from the OUT argument.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_multiple_args() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_args");
    db.exec("CREATE SCHEMA test");
    let config = function(
        "increment",
        &format!(
            "  schema = \"test\"\n  name = \"increment\"\n\
             \x20 arg {{\n    name = \"i\"\n    type = \"integer\"\n    default = \"7\"\n  }}\n\
             \x20 arg {{\n    name = \"result\"\n    type = \"integer\"\n    mode = \"OUT\"\n  }}\n\
             \x20 language = \"plpgsql\"\n  parallel = \"RESTRICTED\"\n  strict = true\n\
             \x20 security_definer = true\n  volatility = \"STABLE\"\n{}",
            heredoc(&["BEGIN", "    result = i + 1;", "END;"])
        ),
    );
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(config).check(|ws, _| {
            let s = ws.state_resource("postgresql_function.increment");
            assert_eq!(s["schema"], "test");
            assert_eq!(s["strict"], true);
            assert_eq!(s["parallel"], "RESTRICTED");
            assert_eq!(s["security_definer"], true);
            assert_eq!(s["volatility"], "STABLE");
            assert_eq!(s["returns"], "integer");
            assert_eq!(s["id"], format!("{}.test.increment(integer)", db.name));
            assert_eq!(
                s["arg"],
                serde_json::json!([
                    {"name": "i", "type": "integer", "mode": "IN", "default": "7"},
                    {"name": "result", "type": "integer", "mode": "OUT", "default": null},
                ])
            );
            assert_eq!(db.one("SELECT test.increment()::text"), "8");
            assert_eq!(
                proc_column(
                    &db,
                    "test.increment(integer)",
                    "provolatile::text || proparallel::text || proisstrict::text || prosecdef::text"
                ),
                "srtruetrue"
            );
        }))
        .step(Step::import(
            "postgresql_function.increment",
            format!("{}.test.increment(integer)", db.name),
        ))
        .run();
}

/// Reference: TestAccPostgresqlFunction_Update: volatility and body change
/// in place (the same function, by OID).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_update_in_place() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_update");
    let oid = std::cell::RefCell::new(String::new());
    let two = function(
        "func",
        &format!(
            "  name = \"func\"\n  returns = \"integer\"\n  language = \"plpgsql\"\n  volatility = \"IMMUTABLE\"\n{}",
            heredoc(&["BEGIN", "    RETURN 2;", "END;"])
        ),
    );
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(basic("func", "func", "")).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_function.func")["volatility"],
                "VOLATILE"
            );
            *oid.borrow_mut() = regprocedure(&db, "public.func()").unwrap();
        }))
        .step(
            Step::apply(two)
                .plan_shows(&["~ volatility", "~ body", "1 to change"])
                .check(|ws, _| {
                    assert_eq!(
                        ws.state_resource("postgresql_function.func")["volatility"],
                        "IMMUTABLE"
                    );
                    assert_eq!(db.one("SELECT public.func()::text"), "2");
                    assert_eq!(regprocedure(&db, "public.func()").unwrap(), *oid.borrow());
                }),
        )
        .run();
}

/// A body in its own dollar quotes (any tag, optionally after AS, with a
/// trailing `;`) is stored without them, and switching between such
/// spellings, or to the bare body, plans no change.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_body_spellings_plan_no_change() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_body");
    let with = |lines: &[&str]| {
        function(
            "f",
            &format!(
                "  name = \"f\"\n  returns = \"integer\"\n{}",
                heredoc(lines)
            ),
        )
    };
    let stored = "BEGIN\n    RETURN 1;\nEND;";
    let no_change = |ws: &Workspace| ws.assert_no_changes();
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(with(&["$$", "BEGIN", "    RETURN 1;", "END;", "$$"])).check(|ws, _| {
                assert_eq!(ws.state_resource("postgresql_function.f")["body"], stored);
                assert_eq!(proc_column(&db, "public.f()", "prosrc"), stored);
            }),
        )
        .step(
            Step::apply(with(&[
                "AS $body$",
                "BEGIN",
                "    RETURN 1;",
                "END;",
                "$body$;",
            ]))
            .before(no_change),
        )
        .step(
            Step::apply(function(
                "f",
                &format!(
                    "  name = \"f\"\n  returns = \"integer\"\n  body = {}\n",
                    hcl(stored)
                ),
            ))
            .before(no_change),
        )
        // The trailing newline of a bare heredoc is part of the body.
        .step(
            Step::apply(with(&["BEGIN", "    RETURN 1;", "END;"]))
                .plan_shows(&["~ body", "1 to change"]),
        )
        .run();
}

/// Other spellings of types, defaults and the result type (`int`,
/// `varchar(10)`, a default that PostgreSQL stores with a cast, `TABLE`
/// columns) plan no change after apply, refresh and import.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_type_spellings_plan_no_change() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_types");
    let config = function(
        "f",
        "  name = \"f\"\n  language = \"sql\"\n\
         \x20 arg {\n    name = \"a\"\n    type = \"int\"\n  }\n\
         \x20 arg {\n    name = \"b\"\n    type = \"varchar(10)\"\n    default = \"'x'\"\n  }\n\
         \x20 returns = \"TABLE (n int, t varchar)\"\n\
         \x20 body = \"SELECT a, b\"\n",
    );
    let scalar = function(
        "g",
        "  name = \"g\"\n  language = \"SQL\"\n\
         \x20 arg {\n    type = \"timestamptz\"\n  }\n\
         \x20 returns = \"SETOF bool\"\n  body = \"SELECT true\"\n",
    );
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(config.clone() + &scalar).check(|ws, _| {
            let s = ws.state_resource("postgresql_function.f");
            // The configured spelling is kept.
            assert_eq!(s["arg"][0]["type"], "int");
            assert_eq!(s["arg"][1]["default"], "'x'");
            assert_eq!(s["id"], format!("{}.public.f(int,varchar(10))", db.name));
            assert_eq!(
                db.one("SELECT string_agg(n::text || t, ',') FROM public.f(1)"),
                "1x"
            );
        }))
        // Imported in PostgreSQL's spelling; the configuration still plans
        // no change.
        .step(
            Step::import(
                "postgresql_function.f",
                format!("{}.public.f(integer, character varying)", db.name),
            )
            .ignore(&["arg", "returns", "id"])
            .check(|ws, _| {
                let s = ws.state_resource("postgresql_function.f");
                assert_eq!(s["arg"][0]["type"], "integer");
                assert_eq!(s["arg"][1]["default"], "'x'::character varying");
                assert_eq!(s["returns"], "TABLE(n integer, t character varying)");
            }),
        )
        .step(
            Step::import(
                "postgresql_function.g",
                "public.g(timestamp with time zone)",
            )
            .ignore(&["arg", "returns", "id", "language"]),
        )
        .run();
}

/// A new name or schema is applied in place: same OID, grants kept.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_rename_and_move_in_place() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_rename");
    let role = crate::support::unique_name("fn_rename_reader");
    acc.sql(&format!("CREATE ROLE {role}"));
    db.exec("CREATE SCHEMA a; CREATE SCHEMA b;");
    let at = |schema: &str, name: &str| basic("f", name, &format!("  schema = {}\n", hcl(schema)));
    let oid = std::cell::RefCell::new(String::new());
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(at("a", "f")).check(|_, _| {
            *oid.borrow_mut() = regprocedure(&db, "a.f()").unwrap();
            db.exec(&format!("GRANT EXECUTE ON FUNCTION a.f() TO {role}"));
        }))
        .step(
            Step::apply(at("b", "g"))
                .plan_shows(&["~ name", "~ schema", "1 to change"])
                .check(|ws, _| {
                    assert_eq!(regprocedure(&db, "a.f()"), None);
                    assert_eq!(regprocedure(&db, "b.g()").unwrap(), *oid.borrow());
                    assert_eq!(
                        db.one(&format!(
                            "SELECT has_function_privilege({}, 'b.g()', 'EXECUTE')::text",
                            literal(&role)
                        )),
                        "true"
                    );
                    assert_eq!(
                        ws.state_resource("postgresql_function.f")["id"],
                        format!("{}.b.g()", db.name)
                    );
                }),
        )
        .run();
    acc.sql(&format!("DROP ROLE {role}"));
}

/// What PostgreSQL cannot change in place replaces the function: another
/// argument type, another result type, a removed default. Changing a
/// default is in place.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_replacement_only_where_needed() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_replace");
    let with = |ty: &str, default: Option<&str>, returns: &str| {
        let default = default.map_or(String::new(), |d| format!("    default = {}\n", hcl(d)));
        function(
            "f",
            &format!(
                "  name = \"f\"\n  language = \"sql\"\n  arg {{\n    name = \"i\"\n    type = {}\n{default}  }}\n  returns = {}\n  body = \"SELECT i::{returns}\"\n",
                hcl(ty),
                hcl(returns)
            ),
        )
    };
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(with("integer", Some("7"), "integer")))
        .step(
            Step::apply(with("integer", Some("8"), "integer"))
                .plan_shows(&["~ default", "1 to change"])
                .check(|_, _| assert_eq!(db.one("SELECT public.f()::text"), "8")),
        )
        .step(
            Step::apply(with("integer", None, "integer"))
                .plan_shows(&["must be replaced", "1 to add, 0 to change, 1 to destroy"]),
        )
        .step(
            Step::apply(with("bigint", None, "bigint"))
                .plan_shows(&["must be replaced"])
                .check(|_, _| {
                    assert_eq!(regprocedure(&db, "public.f(integer)"), None);
                    assert!(regprocedure(&db, "public.f(bigint)").is_some());
                }),
        )
        .step(
            Step::apply(with("bigint", None, "numeric"))
                .plan_shows(&["# forces replacement"])
                .check(|_, _| {
                    assert_eq!(
                        proc_column(&db, "public.f(bigint)", "prorettype::regtype"),
                        "numeric"
                    )
                }),
        )
        .run();
}

/// Changes outside Terraform show in the plan and are undone; a function
/// dropped outside is planned for re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_drift_shows_in_the_plan() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_drift");
    let config = basic("f", "f", "");
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(config.clone()))
        .step(
            Step::apply(config.clone())
                .before(|_| {
                    db.exec(
                        "CREATE OR REPLACE FUNCTION public.f() RETURNS integer LANGUAGE plpgsql \
                         AS $$BEGIN RETURN 42; END;$$",
                    )
                })
                .plan_shows(&["~ body"])
                .check(|_, _| assert_eq!(db.one("SELECT public.f()::text"), "1")),
        )
        .step(
            Step::apply(config.clone())
                .before(|_| db.exec("ALTER FUNCTION public.f() STABLE STRICT SECURITY DEFINER"))
                .plan_shows(&["~ volatility", "~ strict", "~ security_definer"]),
        )
        .step(
            Step::apply(config)
                .before(|_| db.exec("DROP FUNCTION public.f()"))
                .plan_shows(&["will be created"]),
        )
        .run();
}

/// Quotes, spaces, upper case and non-ASCII characters in the schema,
/// function and argument names, a 63-byte function name, and an import ID
/// that quotes them.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_awkward_names() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_names");
    let schema = "My \"Schema\".é";
    let name = format!("Fn (\"é\") {}", "x".repeat(63 - "Fn (\"é\") ".len()));
    assert_eq!(name.len(), 63);
    db.exec(&format!("CREATE SCHEMA {}", ident(schema)));
    let config = function(
        "f",
        &format!(
            "  schema = {}\n  name = {}\n  language = \"sql\"\n\
             \x20 arg {{\n    name = \"Arg \\\"1\\\"\"\n    type = \"text\"\n  }}\n\
             \x20 returns = \"text\"\n  body = \"SELECT $1 || '!'\"\n",
            hcl(schema),
            hcl(&name)
        ),
    );
    let id = format!(
        "{}.\"{}\".\"{}\"(text)",
        db.name,
        schema.replace('"', "\"\""),
        name.replace('"', "\"\"")
    );
    let signature = format!("{}.{}(text)", ident(schema), ident(&name));
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(config).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_function.f")["id"],
                id.as_str()
            );
            assert_eq!(
                db.one(&format!("SELECT {}.{}('hi')", ident(schema), ident(&name))),
                "hi!"
            );
            assert_eq!(proc_column(&db, &signature, "proargnames[1]"), "Arg \"1\"");
        }))
        .step(Step::import("postgresql_function.f", id.clone()))
        .run();
}

/// A SECURITY DEFINER function that PUBLIC can execute is warned about;
/// revoking PUBLIC's EXECUTE with postgresql_grant silences it, and so do
/// default privileges that keep PUBLIC from new functions.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_security_definer_public_execute_warning() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_secdef");
    const WARNING: &str = "PGW301: PUBLIC Can Execute A SECURITY DEFINER Function";
    let definer = basic("f", "f", "  security_definer = true\n");
    let revoke = format!(
        "resource \"postgresql_grant\" \"revoke\" {{\n  database = {}\n  role = \"public\"\n  schema = \"public\"\n  object_type = \"function\"\n  objects = [\"f()\"]\n  privileges = []\n  depends_on = [postgresql_function.f]\n}}\n",
        hcl(&db.name)
    );
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(definer.clone()).check(|ws, out| {
            let text = flat(&out.combined());
            assert!(text.contains(WARNING), "{text}");
            assert!(
                text.contains("REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC"),
                "{text}"
            );
            assert!(text.contains("role = \"public\""), "{text}");
            let (_, plan) = ws.plan_exit_code();
            assert!(plan.combined().contains(WARNING), "{}", plan.combined());
        }))
        .step(Step::apply(definer.clone() + &revoke).check(|ws, _| {
            assert_eq!(
                db.one("SELECT has_function_privilege('public', 'public.f()', 'EXECUTE')::text"),
                "false"
            );
            let (_, plan) = ws.plan_exit_code();
            assert!(!plan.combined().contains(WARNING), "{}", plan.combined());
        }))
        .run();
    // A role whose new functions PUBLIC cannot execute gets no warning.
    db.exec("ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
    let no_warning = |plan: &str| assert!(!plan.contains(WARNING), "{plan}");
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(basic("g", "g", "  security_definer = true\n")).plan_check(no_warning))
        // Nor does a function that is not SECURITY DEFINER.
        .step(
            Step::apply(basic("g", "g", ""))
                .before(|_| {
                    db.exec(
                        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT EXECUTE ON FUNCTIONS \
                         TO PUBLIC",
                    )
                })
                .plan_check(no_warning),
        )
        .run();
}

/// `drop_cascade` drops what depends on the function; without it the
/// destroy fails with advice and the function stays.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_drop_cascade() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_cascade");
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::apply(basic("f", "f", "  drop_cascade = true\n"))
                .check(|_, _| db.exec("CREATE TABLE t (n int DEFAULT public.f())")),
        )
        .check_destroy(|| {
            assert_eq!(regprocedure(&db, "public.f()"), None);
            assert_eq!(
                db.one("SELECT count(*)::text FROM pg_attrdef WHERE adrelid = 't'::regclass"),
                "0"
            );
        })
        .run();
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(basic("g", "g", "")))
        .step(
            Step::destroy_fails("Objects Still Depend On It")
                .before(|_| db.exec("CREATE TABLE u (n int DEFAULT public.g())"))
                .check(|_, _| {
                    assert!(regprocedure(&db, "public.g()").is_some());
                    db.exec("DROP TABLE u");
                }),
        )
        .run();
}

/// Bad input is refused before anything is changed, naming the attribute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_bad_input_is_refused() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_bad");
    let with = |extra: &str| basic("f", "f", extra);
    let arg = |a: &str| basic("f", "f", &format!("  arg {{\n{a}  }}\n"));
    TestCase::new(provider_on(&acc, &db))
        .step(Step::fails(with("  volatility = \"volatile\"\n"), "Invalid volatility"))
        .step(Step::fails(with("  parallel = \"MAYBE\"\n"), "Invalid parallel"))
        .step(Step::fails(
            function("f", "  name = \"f\"\n  language = \"pl pgsql\"\n  body = \"x\"\n"),
            "Invalid Language",
        ))
        .step(Step::fails(
            arg("    type = \"integer\"\n    mode = \"IN OUT\"\n"),
            "Invalid mode",
        ))
        .step(Step::fails(
            arg("    type = \"integer\"\n    mode = \"OUT\"\n    default = \"1\"\n"),
            "Default On An OUT Argument",
        ))
        .step(Step::fails(arg("    type = \" \"\n"), "Empty Argument Type"))
        .step(Step::fails(basic("f", &"f".repeat(64), ""), "Function Name Too Long"))
        .step(Step::fails(with("  database = \"\"\n"), "Empty Database Name"))
        // A body PostgreSQL refuses fails the apply with its message, and
        // nothing is left behind.
        .step(Step::fails(
            function("f", "  name = \"f\"\n  language = \"sql\"\n  returns = \"integer\"\n  body = \"SELECT 'x' +\"\n"),
            "syntax error",
        ))
        .check_destroy(|| assert_eq!(regprocedure(&db, "public.f()"), None))
        .run();
}

/// A function created outside Terraform is not adopted: the apply fails
/// and suggests the import, which then works.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_that_exists_is_refused_with_the_import_command() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_exists");
    db.exec("CREATE FUNCTION public.f() RETURNS integer LANGUAGE plpgsql AS $$BEGIN\n    RETURN 1;\nEND;\n$$");
    let id = format!("{}.public.f()", db.name);
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::fails(basic("f", "f", ""), "Function Already Exists").check(|_, out| {
                assert!(
                    flat(&out.combined()).contains(&format!(
                        "terraform import postgresql_function.<resource name> '{id}'"
                    )),
                    "{}",
                    out.combined()
                )
            }),
        )
        // Imported, the function plans no change, and the destroy drops it.
        .step(Step::apply(basic("f", "f", "")).before(|ws| {
            ws.import("postgresql_function.f", &id);
        }))
        .check_destroy(|| assert_eq!(regprocedure(&db, "public.f()"), None))
        .run();
}

/// A procedure is not a function: importing one says so.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_import_of_a_procedure_is_refused() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_proc");
    db.exec("CREATE PROCEDURE public.p() LANGUAGE sql AS $$SELECT 1$$");
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::import_fails("postgresql_function.p", "public.p()", "is a procedure")
                .config(basic("p", "p", "")),
        )
        .run();
}

/// Values spliced into the DDL are checked at plan time against the grammar
/// of a type or of one expression, and the refusal names the attribute:
/// nothing reaches the server.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_spliced_values_are_refused_at_plan() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_spliced");
    let refused = |config: String, text: &'static str, path: &'static str| {
        let db = &db;
        Step::fails(config, text).check(move |_, out| {
            let all = flat(&out.combined());
            assert!(all.contains(path), "{path} not named:\n{all}");
            assert!(!all.contains("Creating..."), "it reached the apply:\n{all}");
            assert_eq!(regprocedure(db, "public.f()"), None);
            assert_eq!(regprocedure(db, "public.f(integer)"), None);
        })
    };
    let arg = |a: &str| basic("f", "f", &format!("  arg {{\n{a}  }}\n"));
    TestCase::new(provider_on(&acc, &db))
        .step(refused(
            function(
                "f",
                "  name = \"f\"\n  language = \"sql\"\n  \
                 returns = \"integer SET search_path = pg_temp\"\n  body = \"SELECT 1\"\n",
            ),
            "Invalid Result Type",
            "returns \"integer SET search_path = pg_temp\" is not a result type: `SET` follows \
             the complete type `integer`",
        ))
        .step(refused(
            arg("    name = \"a\"\n    type = \"int, extra int\"\n"),
            "Invalid Argument Type",
            "arg[0].type \"int, extra int\" is not a single type: `,` follows the type `int`",
        ))
        .step(refused(
            basic(
                "f",
                "f",
                "  arg {\n    type = \"integer\"\n  }\n  \
                 arg {\n    type = \"text\"\n    default = \"'a') RETURNS int AS $$ x $$ --\"\n  }\n",
            ),
            "Malformed Default",
            "arg[1].default must be a single SQL expression",
        ))
        .step(refused(
            arg("    type = \"integer\"\n    default = \"1, extra int\"\n"),
            "Malformed Default",
            "arg[0].default must be a single SQL expression, but it contains a ',' outside \
             parentheses",
        ))
        .step(refused(
            arg("    type = \"SETOF integer\"\n"),
            "Invalid Argument Type",
            "arg[0].type \"SETOF integer\"",
        ))
        .check_destroy(|| assert_eq!(regprocedure(&db, "public.f()"), None))
        .run();
}

/// A value not known at plan time is checked once it is: a bad one fails
/// the apply before any SQL, a good one applies.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_unknown_result_type_is_checked_when_known() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_unknown_type");
    let config = |returns: &str| {
        format!(
            "resource \"terraform_data\" \"returns\" {{\n  input = {}\n}}\n{}",
            hcl(returns),
            function(
                "f",
                "  name = \"f\"\n  language = \"sql\"\n  \
                 returns = terraform_data.returns.output\n  body = \"SELECT 1\"\n",
            )
        )
    };
    TestCase::new(provider_on(&acc, &db))
        .step(
            Step::fails(config("integer SECURITY DEFINER"), "Invalid Result Type").check(
                |_, out| {
                    let all = flat(&out.combined());
                    assert!(
                        all.contains("terraform_data.returns: Creation complete"),
                        "{all}"
                    );
                    assert_eq!(regprocedure(&db, "public.f()"), None);
                },
            ),
        )
        .step(Step::apply(config("integer")).check(|_, _| {
            assert_eq!(db.one("SELECT public.f()::text"), "1");
        }))
        .run();
}

/// A signature using every form of the type grammar applies, and plans no
/// change after apply and refresh.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_complex_signature_applies_and_plans_clean() {
    let Some(acc) = acc() else { return };
    let db = acc.database("fn_complex");
    db.exec(
        "CREATE SCHEMA \"My Schema\"; CREATE TYPE \"My Schema\".\"T\" AS (a int); \
         CREATE TABLE public.items (id bigint)",
    );
    let arg = |name: &str, ty: &str, default: &str| {
        let default = if default.is_empty() {
            String::new()
        } else {
            format!("    default = {}\n", hcl(default))
        };
        format!(
            "  arg {{\n    name = {}\n    type = {}\n{default}  }}\n",
            hcl(name),
            hcl(ty)
        )
    };
    let args = [
        arg("a", "numeric(10,2)", ""),
        arg("b", "\"My Schema\".\"T\"", ""),
        arg("c", "timestamp(3) with time zone", ""),
        arg("d", "interval day to second(3)", ""),
        arg("e", "character varying(10)[]", ""),
        arg("f", "double precision ARRAY", ""),
        arg("g", "bit varying(4)", "B'1010'"),
        arg("h", "int[]", "ARRAY[1, 2]"),
        arg(
            "i",
            "text",
            "coalesce(current_setting('app.x', true), 'a,b')",
        ),
    ]
    .concat();
    let table = function(
        "t",
        &format!(
            "  name = \"t\"\n  language = \"sql\"\n{args}  \
             returns = \"TABLE (\\\"My Col\\\" numeric(10,2), n pg_catalog.int4[])\"\n  \
             body = \"SELECT a, h\"\n"
        ),
    );
    let column = function(
        "c",
        "  name = \"c\"\n  language = \"sql\"\n  returns = \"SETOF public.items.id%TYPE\"\n  \
         body = \"SELECT id FROM public.items\"\n",
    );
    TestCase::new(provider_on(&acc, &db))
        .step(Step::apply(table + &column).check(|ws, _| {
            let s = ws.state_resource("postgresql_function.t");
            assert_eq!(s["arg"][1]["type"], "\"My Schema\".\"T\"");
            assert_eq!(s["arg"][7]["default"], "ARRAY[1, 2]");
            assert_eq!(
                db.one(
                    "SELECT n::text FROM public.t(1.5, ROW(1)::\"My Schema\".\"T\", now(), \
                     '1 day', '{}', '{}')"
                ),
                "{1,2}"
            );
            assert_eq!(
                ws.state_resource("postgresql_function.c")["returns"],
                "SETOF public.items.id%TYPE"
            );
        }))
        .run();
}
