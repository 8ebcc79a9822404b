//! `postgresql_role.parameters` and `database_parameters` acceptance tests:
//! `ALTER ROLE … [IN DATABASE …] SET` applied, changed and reset in place,
//! drift, import, list parameters, canonical spelling, and the plan errors
//! for a parameter set twice or a name that is not one.

use crate::support::{hcl, ident, query_strings, unique_name, Step, TestCase};
use crate::{acc, Acc};

/// A name with quotes, a space, upper case and a non-ASCII letter.
fn awkward_role() -> String {
    format!("{} \"Q\" é", unique_name("Prm"))
}

fn role(name: &str, body: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"r\" {{\n  name = {}\n{body}}}\n",
        hcl(name)
    )
}

/// The role's cluster-wide settings, sorted, as `name=value` entries.
fn rolconfig(acc: &Acc, name: &str) -> Vec<String> {
    let admin = acc.admin();
    acc.block(query_strings(
        &admin,
        "SELECT unnest(rolconfig) FROM pg_roles WHERE rolname = $1 ORDER BY 1",
        &[&name],
    ))
}

/// The role's settings in database `db`.
fn setconfig(acc: &Acc, name: &str, db: &str) -> Vec<String> {
    let admin = acc.admin();
    acc.block(query_strings(
        &admin,
        "SELECT unnest(s.setconfig) FROM pg_db_role_setting s \
         JOIN pg_roles r ON r.oid = s.setrole JOIN pg_database d ON d.oid = s.setdatabase \
         WHERE r.rolname = $1 AND d.datname = $2 ORDER BY 1",
        &[&name, &db],
    ))
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_parameters_are_set_changed_and_reset_in_place() {
    let Some(acc) = acc() else { return };
    let name = awkward_role();
    let first = role(
        &name,
        "  parameters = {\n    work_mem = \"32MB\"\n    \"myapp.tenant\" = \"acme\"\n    datestyle = \"ISO, DMY\"\n  }\n",
    );
    let second = role(
        &name,
        "  parameters = {\n    work_mem = \"64MB\"\n    DateStyle = \"ISO, DMY\"\n  }\n",
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(first).check(|_, _| {
            // PostgreSQL stores a known parameter's canonical spelling.
            assert_eq!(
                rolconfig(&acc, &name),
                vec!["DateStyle=ISO, DMY", "myapp.tenant=acme", "work_mem=32MB"]
            );
        }))
        .step(Step::apply(second.clone()).check(|ws, _| {
            assert_eq!(
                rolconfig(&acc, &name),
                vec!["DateStyle=ISO, DMY", "work_mem=64MB"]
            );
            let state = ws.state_resource("postgresql_role.r");
            assert_eq!(state["parameters"]["DateStyle"], "ISO, DMY");
        }))
        .step(
            Step::apply(second.clone())
                .before(|_| {
                    acc.sql(&format!(
                        "ALTER ROLE {} SET work_mem = '1MB'; ALTER ROLE {0} SET lock_timeout = '5s'",
                        ident(&name)
                    ))
                })
                .plan_shows(&["work_mem", "lock_timeout"])
                .check(|_, _| {
                    assert_eq!(
                        rolconfig(&acc, &name),
                        vec!["DateStyle=ISO, DMY", "work_mem=64MB"]
                    );
                }),
        )
        .step(Step::import("postgresql_role.r", name.clone()))
        .step(
            Step::apply(role(&name, "  parameters = {}\n"))
                .check(|_, _| assert!(rolconfig(&acc, &name).is_empty())),
        )
        .run();
}

/// Left out, `parameters` means none beyond what the typed attributes set,
/// as for every optional attribute: one set outside Terraform shows in the
/// plan and is reset.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_parameters_unset_reset_what_is_set_outside() {
    let Some(acc) = acc() else { return };
    let name = unique_name("prm_unset");
    let config = role(&name, "  statement_timeout = 1000\n");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()).check(|ws, _| {
            assert!(ws.state_resource("postgresql_role.r")["parameters"].is_null());
        }))
        .step(
            Step::apply(config)
                .before(|_| acc.sql(&format!("ALTER ROLE {} SET work_mem = '1MB'", ident(&name))))
                .plan_shows(&["work_mem"])
                .check(|_, _| {
                    assert_eq!(rolconfig(&acc, &name), vec!["statement_timeout=1000"]);
                }),
        )
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_database_parameters_apply_in_one_database() {
    let Some(acc) = acc() else { return };
    let db = acc.database("prmdb");
    let name = awkward_role();
    let body = |path: &str| {
        format!(
            "  database_parameters = {{\n    {} = {{\n      search_path = {}\n      work_mem = \"8MB\"\n    }}\n  }}\n",
            hcl(&db.name),
            hcl(path)
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(role(&name, &body("app, \"Tenant Schema\""))).check(|_, _| {
                // A list parameter is sent element by element.
                assert_eq!(
                    setconfig(&acc, &name, &db.name),
                    vec!["search_path=app, \"Tenant Schema\"", "work_mem=8MB"]
                );
                assert!(rolconfig(&acc, &name).is_empty());
            }),
        )
        .step(Step::import("postgresql_role.r", name.clone()))
        // The same list written differently: the update sends nothing, and
        // the state keeps the configuration's spelling.
        .step(
            Step::apply(role(&name, &body("app,\"Tenant Schema\""))).check(|_, _| {
                assert_eq!(
                    setconfig(&acc, &name, &db.name),
                    vec!["search_path=app, \"Tenant Schema\"", "work_mem=8MB"]
                );
            }),
        )
        .step(
            Step::apply(role(&name, &body("app")))
                .before(|_| {
                    db.exec(&format!(
                        "ALTER ROLE {} IN DATABASE {} RESET work_mem",
                        ident(&name),
                        ident(&db.name)
                    ))
                })
                .plan_shows(&["work_mem"])
                .check(|_, _| {
                    assert_eq!(
                        setconfig(&acc, &name, &db.name),
                        vec!["search_path=app", "work_mem=8MB"]
                    );
                }),
        )
        .step(
            Step::apply(role(&name, "  database_parameters = {}\n"))
                .check(|_, _| assert!(setconfig(&acc, &name, &db.name).is_empty())),
        )
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_parameter_moves_between_typed_attribute_and_map() {
    let Some(acc) = acc() else { return };
    let name = unique_name("prm_move");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(role(&name, "  statement_timeout = 5000\n")))
        .step(
            Step::apply(role(
                &name,
                "  parameters = { statement_timeout = \"7s\" }\n",
            ))
            .check(|ws, _| {
                assert_eq!(rolconfig(&acc, &name), vec!["statement_timeout=7s"]);
                assert_eq!(
                    ws.state_resource("postgresql_role.r")["statement_timeout"],
                    0
                );
            }),
        )
        .step(
            Step::apply(role(
                &name,
                "  statement_timeout = 3000\n  parameters = {}\n",
            ))
            .check(|_, _| assert_eq!(rolconfig(&acc, &name), vec!["statement_timeout=3000"])),
        )
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_parameter_mistakes_fail_at_plan() {
    let Some(acc) = acc() else { return };
    let name = unique_name("prm_bad");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            role(
                &name,
                "  statement_timeout = 1000\n  parameters = { statement_timeout = \"2s\" }\n",
            ),
            "Parameter Set Twice",
        ))
        .step(Step::fails(
            role(
                &name,
                "  parameters = { \"work_mem; DROP ROLE x\" = \"1MB\" }\n",
            ),
            "Invalid Parameter Name",
        ))
        .step(Step::fails(
            role(
                &name,
                "  parameters = { work_mem = \"1MB\", WORK_MEM = \"2MB\" }\n",
            ),
            "Parameter Set Twice",
        ))
        .step(Step::fails(
            role(&name, "  parameters = { work_mem = \"lots\" }\n"),
            "work_mem",
        ))
        .run();
    // The failed apply left nothing behind: it ran in one transaction.
    let exists = acc.block(query_strings(
        &acc.admin(),
        "SELECT rolname::text FROM pg_roles WHERE rolname = $1",
        &[&name],
    ));
    assert!(exists.is_empty(), "{exists:?}");
}
