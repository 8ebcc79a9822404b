//! Actions with real Terraform (1.14+; skipped, saying so, on older ones):
//! `postgresql_terminate_sessions` invoked with `-invoke` and triggered by a
//! role update under a condition, against real sessions held open by the
//! test; `postgresql_reassign_owned` across two databases, after which
//! `DROP ROLE` succeeds; and refused input that names the attribute.
//!
//! Terraform 1.14 and 1.15 may start an `after_*` action before the
//! triggering change has finished (hashicorp/terraform#37930). The trigger
//! test makes the action's configuration reference the role, the documented
//! way to order it after the role's change, and checks the order in the
//! output.

use std::cell::RefCell;

use crate::support::{hcl, ident, unique_name, Step, TestCase, Workspace};
use crate::{acc, terraform_at_least, Acc};

const PASSWORD: &str = "session-pw-1";

/// `terraform apply -invoke=ADDRESS`.
fn invoke(ws: &Workspace, address: &str) -> crate::support::Output {
    let target = format!("-invoke={address}");
    ws.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &target,
    ])
}

/// An open session as `role`, kept until dropped.
fn session(acc: &Acc, role: &str) -> tokio_postgres::Client {
    acc.block(acc.cluster.connect("postgres", role, PASSWORD))
}

/// Whether a session still answers.
fn alive(acc: &Acc, client: &tokio_postgres::Client) -> bool {
    acc.block(client.simple_query("SELECT 1")).is_ok()
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn terminate_sessions_invoked_and_triggered() {
    let Some(acc) = acc() else { return };
    if !terraform_at_least(14, "actions") {
        return;
    }
    let app = unique_name("ts_app");
    let member = unique_name("ts_member");
    let other = unique_name("ts_other");
    acc.sql(&format!(
        "CREATE ROLE {m} LOGIN PASSWORD {pw}; CREATE ROLE {o} LOGIN PASSWORD {pw};",
        m = ident(&member),
        o = ident(&other),
        pw = crate::support::literal(PASSWORD),
    ));
    let config = |login: bool| {
        format!(
            r#"
locals {{
  app_login = {login}
}}

resource "postgresql_role" "app" {{
  name     = {app}
  login    = local.app_login
  password = {pw}

  lifecycle {{
    action_trigger {{
      events    = [after_update]
      condition = !local.app_login
      actions   = [action.postgresql_terminate_sessions.app]
    }}
  }}
}}

resource "postgresql_grant_role" "member" {{
  role       = {member}
  grant_role = postgresql_role.app.name
}}

# Referencing the role orders the action after the role's change
# (hashicorp/terraform#37930 in Terraform 1.14 and 1.15).
action "postgresql_terminate_sessions" "app" {{
  config {{
    role = postgresql_role.app.name
  }}
}}

action "postgresql_terminate_sessions" "with_members" {{
  config {{
    role            = postgresql_role.app.name
    database        = "postgres"
    include_members = true
  }}
}}
"#,
            app = hcl(&app),
            member = hcl(&member),
            pw = hcl(PASSWORD),
        )
    };
    // Sessions held open across steps, to see which survive.
    let held: RefCell<Vec<(String, tokio_postgres::Client)>> = RefCell::new(Vec::new());
    let open = |roles: &[&str]| {
        let mut h = held.borrow_mut();
        h.clear();
        for r in roles {
            h.push(((*r).to_string(), session(&acc, r)));
        }
    };
    let survivors = || -> Vec<String> {
        held.borrow()
            .iter()
            .filter(|(_, c)| alive(&acc, c))
            .map(|(r, _)| r.clone())
            .collect()
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config(true)).check(|ws, _| {
            // Invoked: only app's session ends.
            open(&[&app, &member, &other]);
            let out = invoke(ws, "action.postgresql_terminate_sessions.app");
            assert!(out.success(), "invoke failed:\n{}", out.combined());
            assert!(
                out.combined().contains(&format!(
                    "terminated 1 session of {app} in database postgres"
                )),
                "no progress line:\n{}",
                out.combined()
            );
            assert_eq!(survivors(), [member.clone(), other.clone()]);
            // With its members: the member's too, and still not the other's.
            open(&[&app, &member, &other]);
            let out = invoke(ws, "action.postgresql_terminate_sessions.with_members");
            assert!(out.success(), "invoke failed:\n{}", out.combined());
            assert!(out
                .combined()
                .contains(&format!("terminated 2 sessions of {app} and its members")));
            assert_eq!(survivors(), std::slice::from_ref(&other));
            // The invocations changed nothing Terraform manages.
            ws.assert_no_changes();
            open(&[&app, &other]);
        }))
        // Triggered: revoking LOGIN ends the session that still holds it.
        .step(
            Step::apply(config(false))
                .plan_shows(&["Actions: 1 to invoke", "Sessions Will End"])
                .check(|_, out| {
                    let text = out.combined();
                    let done = text.find("Modifications complete").expect("role updated");
                    let started = text.find("Action started").expect("action ran");
                    assert!(done < started, "the action ran before the update:\n{text}");
                    assert!(text.contains(&format!("terminated 1 session of {app}")));
                    assert_eq!(survivors(), std::slice::from_ref(&other));
                    acc.expect(&[(
                        format!(
                            "NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = {})",
                            crate::support::literal(&app)
                        )
                        .as_str(),
                        true,
                    )]);
                }),
        )
        .check_destroy(|| {
            held.borrow_mut().clear();
            acc.sql(&format!(
                "DROP ROLE IF EXISTS {}; DROP ROLE IF EXISTS {};",
                ident(&member),
                ident(&other)
            ))
        })
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn a_role_created_in_the_same_apply_is_checked_when_the_action_runs() {
    let Some(acc) = acc() else { return };
    if !terraform_at_least(14, "actions") {
        return;
    }
    let fresh = unique_name("ts_fresh");
    let config = format!(
        r#"
resource "postgresql_role" "fresh" {{
  name  = {fresh}
  login = true

  lifecycle {{
    action_trigger {{
      events  = [after_create]
      actions = [action.postgresql_terminate_sessions.fresh]
    }}
  }}
}}

action "postgresql_terminate_sessions" "fresh" {{
  config {{
    role = postgresql_role.fresh.name
  }}
}}
"#,
        fresh = hcl(&fresh),
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config)
                // Not "Role Not Found": the role does not exist at plan time.
                .plan_shows(&["Checked When The Action Runs", "Actions: 1 to invoke"])
                .check(|_, out| {
                    assert!(
                        out.combined()
                            .contains(&format!("no session of {fresh} was open; nothing to end")),
                        "{}",
                        out.combined()
                    );
                }),
        )
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn reassign_owned_across_two_databases_then_drop_role() {
    let Some(acc) = acc() else { return };
    if !terraform_at_least(14, "actions") {
        return;
    }
    let old = unique_name("ra_old");
    let heir = unique_name("ra_heir");
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {};",
        ident(&old),
        ident(&heir)
    ));
    let one = acc.database("ra_one");
    let two = acc.database("ra_two");
    for db in [&one, &two] {
        db.exec(&format!(
            "CREATE TABLE owned (id int); ALTER TABLE owned OWNER TO {o}; \
             INSERT INTO owned VALUES (1); \
             CREATE TABLE shared (id int); GRANT SELECT ON shared TO {o};",
            o = ident(&old)
        ));
    }
    let config = format!(
        r#"
action "postgresql_reassign_owned" "retire" {{
  config {{
    role       = {old}
    new_owner  = {heir}
    databases  = [{one}, {two}]
    drop_owned = true
  }}
}}
"#,
        old = hcl(&old),
        heir = hcl(&heir),
        one = hcl(&one.name),
        two = hcl(&two.name),
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            // Before: DROP ROLE is refused.
            let admin = acc.admin();
            let refused = acc.block(admin.batch_execute(&format!("DROP ROLE {}", ident(&old))));
            assert!(refused.is_err(), "the role should still be held");
            let out = invoke(ws, "action.postgresql_reassign_owned.retire");
            let text = out.combined();
            assert!(out.success(), "invoke failed:\n{text}");
            for db in [&one.name, &two.name] {
                assert!(
                    text.contains(&format!("{db}: reassigned what {old} owned to {heir}")),
                    "no report for {db}:\n{text}"
                );
            }
            assert!(
                text.contains(&format!("nothing holds {old} any more")),
                "{text}"
            );
            for db in [&one, &two] {
                assert_eq!(
                    db.one("SELECT tableowner::text FROM pg_tables WHERE tablename = 'owned'"),
                    heir
                );
                assert_eq!(db.one("SELECT count(*)::text FROM owned"), "1");
            }
            acc.block(admin.batch_execute(&format!("DROP ROLE {}", ident(&old))))
                .expect("DROP ROLE succeeds after the action");
        }))
        .check_destroy(|| {
            for db in [&one, &two] {
                db.exec("DROP TABLE owned; DROP TABLE shared;");
            }
            acc.sql(&format!("DROP ROLE IF EXISTS {}", ident(&heir)));
        })
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn actions_refuse_bad_input_naming_the_attribute() {
    let Some(acc) = acc() else { return };
    if !terraform_at_least(14, "actions") {
        return;
    }
    let missing = unique_name("ghost");
    let real = unique_name("bad_input");
    acc.sql(&format!("CREATE ROLE {} LOGIN", ident(&real)));
    // Actions alone: nothing to plan, each invoked on its own.
    let config = format!(
        r#"
action "postgresql_terminate_sessions" "missing_role" {{
  config {{
    role = {missing}
  }}
}}

action "postgresql_terminate_sessions" "missing_database" {{
  config {{
    role     = {real}
    database = "no_such_database"
  }}
}}

action "postgresql_reassign_owned" "missing_database" {{
  config {{
    role      = {real}
    new_owner = "postgres"
    databases = ["postgres", "no_such_database"]
  }}
}}
"#,
        missing = hcl(&missing),
        real = hcl(&real),
    );
    let cases = [
        (
            "action.postgresql_terminate_sessions.missing_role",
            "Role Not Found",
            "role = ",
        ),
        (
            "action.postgresql_terminate_sessions.missing_database",
            "Database Not Found",
            "database = ",
        ),
        (
            "action.postgresql_reassign_owned.missing_database",
            "Database Not Found",
            "databases = ",
        ),
    ];
    TestCase::new(acc.cluster.provider_block())
        .step(Step::plan_only(config).check(|ws, _| {
            for (address, summary, attribute) in cases {
                let out = invoke(ws, address);
                let text = out.combined();
                assert!(!out.success(), "{address} should fail:\n{text}");
                assert!(text.contains(summary), "{address}: no {summary}:\n{text}");
                // Terraform quotes the configuration line of the attribute
                // named.
                assert!(
                    text.contains(attribute),
                    "{address}: not at {attribute}:\n{text}"
                );
            }
        }))
        .run();
    acc.sql(&format!("DROP ROLE {}", ident(&real)));
}
