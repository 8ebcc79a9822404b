//! Each plan-time lint with its stable code, on a concrete configuration:
//! the warning's text when the risk is there, and silence when it is not;
//! and the findings no plan can decide (they depend on other resources of
//! the configuration), which the `postgresql_lints` data source reports in
//! a `check` block after apply.

use crate::access_review::{provider_in, Roles};
use crate::support::{expect_all, flat};
use std::cell::RefCell;

use crate::support::{hcl, Output, Step, TestCase, Workspace};
use crate::{acc, Acc, TestDb};

/// The plan output of `config` (after the provider block on `db`).
fn plan(acc: &Acc, db: &TestDb, config: &str) -> String {
    let text = RefCell::new(String::new());
    TestCase::new(provider_in(acc, db))
        .step(Step::plan(config).check(|_, out| *text.borrow_mut() = out.combined()))
        .run();
    text.into_inner()
}

fn rls(table: &str, forced: bool) -> String {
    format!(
        "resource \"postgresql_row_level_security\" \"{table}\" {{\n  schema = \"app\"\n  table = \"{table}\"\n  forced = {forced}\n}}\n"
    )
}

fn policy(key: &str, table: &str, body: &str) -> String {
    format!(
        "resource \"postgresql_policy\" \"{key}\" {{\n  schema = \"app\"\n  table = \"{table}\"\n  name = \"{key}\"\n{body}}}\n"
    )
}

/// Tables owned by a login role (`owner`) and by a NOLOGIN one (`keeper`).
fn estate(acc: &Acc) -> (Roles<'_>, TestDb<'_>) {
    let roles = Roles::new(
        acc,
        "lint",
        &[("owner", "LOGIN"), ("keeper", "NOLOGIN"), ("app", "LOGIN")],
    );
    let db = acc.database("lintdb");
    db.exec(&format!(
        "CREATE SCHEMA app;
         CREATE TABLE app.t (id int, tenant_id int);
         CREATE TABLE app.u (id int, tenant_id int);
         CREATE TABLE app.k (id int, tenant_id int);
         ALTER TABLE app.t OWNER TO {o};
         ALTER TABLE app.u OWNER TO {o};
         ALTER TABLE app.k OWNER TO {k};
         GRANT USAGE ON SCHEMA app TO {a};
         GRANT SELECT ON app.t, app.u, app.k TO {a};",
        o = roles.n("owner"),
        k = roles.n("keeper"),
        a = roles.n("app"),
    ));
    (roles, db)
}

/// The five ways a policy and the `postgresql_row_level_security` of its
/// table can sit in one configuration: independent, either one
/// `depends_on` the other, either one referencing the other. None of them
/// may warn PGW101 or PGW102 at plan (or apply) time: whether the table
/// ends up with both depends on the sibling, which a plan cannot see (a
/// referencing resource is planned only after the one it references).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn rls_and_policy_in_any_order_plan_without_pgw101_or_pgw102() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let tables = ["o1", "o2", "o3", "o4", "o5"];
    for t in tables {
        db.exec(&format!(
            "CREATE TABLE app.{t} (id int, tenant_id int); ALTER TABLE app.{t} OWNER TO {};",
            r.n("keeper")
        ));
    }
    let rls_block = |t: &str, table: &str, extra: &str| {
        format!(
            "resource \"postgresql_row_level_security\" \"{t}\" {{\n  schema = \"app\"\n  table = {table}\n{extra}}}\n"
        )
    };
    let policy_block = |t: &str, table: &str, extra: &str| {
        format!(
            "resource \"postgresql_policy\" \"{t}\" {{\n  schema = \"app\"\n  table = {table}\n  name = \"p\"\n  using = \"tenant_id = 1\"\n{extra}}}\n"
        )
    };
    let config = [
        // Independent.
        rls_block("o1", "\"o1\"", ""),
        policy_block("o1", "\"o1\"", ""),
        // The policy depends_on the switch.
        rls_block("o2", "\"o2\"", ""),
        policy_block(
            "o2",
            "\"o2\"",
            "  depends_on = [postgresql_row_level_security.o2]\n",
        ),
        // The switch depends_on the policy.
        rls_block("o3", "\"o3\"", "  depends_on = [postgresql_policy.o3]\n"),
        policy_block("o3", "\"o3\"", ""),
        // The policy references the switch.
        rls_block("o4", "\"o4\"", ""),
        policy_block("o4", "postgresql_row_level_security.o4.table", ""),
        // The switch references the policy.
        rls_block("o5", "postgresql_policy.o5.table", ""),
        policy_block("o5", "\"o5\"", ""),
    ]
    .concat();
    let quiet = |text: &str| {
        for code in ["PGW101", "PGW102"] {
            assert!(!text.contains(code), "{code} in:\n{text}");
        }
    };
    let applied = |_: &Workspace, out: &Output| {
        quiet(&out.combined());
        for t in tables {
            assert_eq!(
                db.one(&format!(
                    "SELECT relrowsecurity::text || ',' || \
                     (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid)::text \
                     FROM pg_class c WHERE oid = 'app.{t}'::regclass"
                )),
                "true,1",
                "{t}"
            );
        }
    };
    TestCase::new(provider_in(&acc, &db))
        .step(Step::apply(config).plan_check(quiet).check(applied))
        .run();
}

/// The assertion of the guide's `check` recipe on `data.postgresql_lints.app`.
const LINTS_ASSERT: &str = "  assert {\n    condition = length(data.postgresql_lints.app.findings) == 0\n    error_message = join(\"\\n\", [for f in data.postgresql_lints.app.findings : \"${f.code} ${f.object}: ${f.message}\"])\n  }\n";

/// The guide's `check` recipe: `postgresql_lints` read inside the check
/// block, after the resources in `depends_on` are applied.
fn lints_check(depends_on: &str) -> String {
    format!(
        "check \"rls\" {{\n  data \"postgresql_lints\" \"app\" {{\n    schema = \"app\"\n    depends_on = [{depends_on}]\n  }}\n{LINTS_ASSERT}}}\n"
    )
}

/// The guide's variant for pipelines that read `plan -detailed-exitcode`:
/// the data source outside the check block, which Terraform does not plan
/// to read again at every apply.
fn lints_check_outside(depends_on: &str) -> String {
    format!(
        "data \"postgresql_lints\" \"app\" {{\n  schema = \"app\"\n  depends_on = [{depends_on}]\n}}\n\
         check \"rls\" {{\n{LINTS_ASSERT}}}\n"
    )
}

/// RLS alone on `k` (PGW101) and a policy alone on `u` (PGW102), then the
/// same fixed, each followed by `check` built by `check`, with its
/// `depends_on`.
fn alone_and_fixed(check: fn(&str) -> String) -> (String, String) {
    let alone = rls("k", false)
        + &policy("p", "u", "  using = \"tenant_id = 1\"\n")
        + &check("postgresql_row_level_security.k, postgresql_policy.p");
    let fixed = rls("k", false)
        + &policy("q", "k", "  using = \"tenant_id = 1\"\n")
        + &rls("u", true)
        + &policy("p", "u", "  using = \"tenant_id = 1\"\n")
        + &check(
            "postgresql_row_level_security.k, postgresql_row_level_security.u, \
             postgresql_policy.p, postgresql_policy.q",
        );
    (alone, fixed)
}

/// What the apply of the "alone" configuration must show, and the plan
/// before it must not.
fn assert_reported_after_apply(plan: &str, apply: &str) {
    assert!(!plan.contains("PGW101"), "{plan}");
    assert!(!plan.contains("PGW102"), "{plan}");
    expect_all(
        apply,
        &[
            "Warning: Check block assertion failed",
            "PGW101 app.k: Row-level security is enabled on \"app\".\"k\", which has no policy",
            "PGW102 app.u: Row-level security is not enabled on \"app\".\"u\", which has a policy",
        ],
    );
}

/// PGW101 (RLS on, no policy) and PGW102 (a policy, RLS off) are reported
/// after apply by the guide's `check` recipe, not by the plan; fixed, the
/// check passes.
///
/// Terraform plans to read a check block's own data source again at every
/// apply ("config will be reloaded to verify a check block"), so no plan is
/// ever empty: the steps expect that.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lints_check_reports_rls_without_policy_and_policy_without_rls_after_apply() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    let (alone, fixed) = alone_and_fixed(lints_check);
    let plan = RefCell::new(String::new());
    TestCase::new(provider_in(&acc, &db))
        .step(
            Step::apply(alone)
                .expect_non_empty_plan()
                .plan_check(|text| *plan.borrow_mut() = text.to_string())
                .check(|_, out| assert_reported_after_apply(&plan.borrow(), &out.combined())),
        )
        .step(Step::apply(fixed).expect_non_empty_plan().check(|ws, out| {
            let text = out.combined();
            assert!(!text.contains("Check block assertion failed"), "{text}");
            assert!(text.contains("Apply complete!"), "{text}");
            let (_, plan) = ws.plan_exit_code();
            let text = plan.combined();
            assert!(!text.contains("Check block assertion failed"), "{text}");
            assert!(
                text.contains("Plan: 0 to add, 0 to change, 0 to destroy"),
                "{text}"
            );
        }))
        .run();
}

/// The same with the data source outside the check block: reported after
/// apply, and plans after it are empty.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lints_check_outside_reports_after_apply_with_empty_plans() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    let (alone, fixed) = alone_and_fixed(lints_check_outside);
    TestCase::new(provider_in(&acc, &db))
        .step(
            Step::apply(alone)
                .plan_check(|plan| assert!(!plan.contains("PGW10"), "{plan}"))
                .check(|_, out| assert_reported_after_apply("", &out.combined())),
        )
        .step(Step::apply(fixed).check(|ws, out| {
            let text = out.combined();
            assert!(!text.contains("Check block assertion failed"), "{text}");
            let findings = &ws.state_resource("data.postgresql_lints.app")["findings"];
            assert_eq!(findings, &serde_json::json!([]));
        }))
        .run();
}

/// PGW103 when a policy is created on a table whose RLS was enabled
/// earlier, without FORCE, by an owner that can log in: no
/// `postgresql_row_level_security` in the plan. Silent when the table is
/// forced or its owner cannot log in, and when the policy references
/// switches that force it in the same apply.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_owner_bypasses_rls_when_a_policy_is_created() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let owner = r.n("owner");
    db.exec(
        "ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
         ALTER TABLE app.u ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
         ALTER TABLE app.k ENABLE ROW LEVEL SECURITY;",
    );
    let text = plan(
        &acc,
        &db,
        &policy("p", "t", "  using = \"tenant_id = 1\"\n"),
    );
    expect_all(
        &text,
        &[
            "Warning: PGW103: Table Owner Bypasses Row-Level Security",
            &format!("\"app\".\"t\" is owned by \"{owner}\", which can log in"),
            "with postgresql_policy.p",
        ],
    );
    let text = plan(
        &acc,
        &db,
        &(policy("p", "u", "  using = \"tenant_id = 1\"\n")
            + &policy("q", "k", "  using = \"tenant_id = 1\"\n")),
    );
    assert!(!text.contains("PGW103"), "{text}");
    // The policy references the table's switches, which the same apply
    // forces: planned first, they take the finding back.
    let text = plan(
        &acc,
        &db,
        &(rls("t", true)
            + "resource \"postgresql_policy\" \"p\" {\n  schema = \"app\"\n  \
               table = postgresql_row_level_security.t.table\n  name = \"p\"\n  \
               using = \"tenant_id = 1\"\n}\n"),
    );
    assert!(
        text.contains("postgresql_policy.p will be created"),
        "{text}"
    );
    assert!(!text.contains("PGW103"), "{text}");
}

/// PGW103 when the switches are planned: the owner can log in and FORCE is
/// off; not when forced or when the owner cannot log in.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_owner_bypasses_rls() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let owner = r.n("owner");
    let with_policies = |t: &str, forced: bool| {
        rls(t, forced) + &policy(&format!("p_{t}"), t, "  using = \"tenant_id = 1\"\n")
    };
    let text = plan(&acc, &db, &with_policies("t", false));
    expect_all(
        &text,
        &[
            "Warning: PGW103: Table Owner Bypasses Row-Level Security",
            &format!("\"app\".\"t\" is owned by \"{owner}\", which can log in"),
        ],
    );
    let text = plan(
        &acc,
        &db,
        &(with_policies("t", true) + &with_policies("k", false)),
    );
    assert!(!text.contains("PGW103"), "{text}");
}

/// PGW104: current_setting() in a policy outside a subquery.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_per_row_current_setting() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    let config = rls("t", true)
        + &policy(
            "bare",
            "t",
            "  using = \"tenant_id = current_setting('app.tenant')::int\"\n",
        )
        + &policy(
            "wrapped",
            "u",
            "  using = \"tenant_id = (select current_setting('app.tenant')::int)\"\n",
        );
    let text = plan(&acc, &db, &config);
    expect_all(
        &text,
        &[
            "Warning: PGW104: current_setting() Evaluated Per Row In using",
            "using `tenant_id = current_setting('app.tenant')::int` calls current_setting() \
             outside a subquery",
        ],
    );
    assert_eq!(flat(&text).matches("Warning: PGW104").count(), 1, "{text}");
}

/// PGW105: a permissive USING (true) for a role that cannot already see
/// every row.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_policy_exposes_every_row() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let app = r.n("app");
    let config = rls("t", true)
        + &policy(
            "all",
            "t",
            &format!("  using = \"true\"\n  roles = [{}]\n", hcl(&app)),
        );
    let text = plan(&acc, &db, &config);
    expect_all(
        &text,
        &[
            "Warning: PGW105: Policy Exposes Every Row",
            &format!("\"{app}\" can read every row"),
        ],
    );
}

/// PGW201: SUPERUSER or BYPASSRLS on a role that can log in; not on a
/// NOLOGIN role.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_privileged_login_role() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let role = |key: &str, attrs: &str| {
        format!(
            "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n{attrs}}}\n",
            hcl(&format!("{}_{key}", r.p))
        )
    };
    let config = role("li", "  login = true\n  bypass_row_level_security = true\n")
        + &role("nl", "  bypass_row_level_security = true\n");
    let text = plan(&acc, &db, &config);
    expect_all(
        &text,
        &[&format!(
            "Warning: PGW201: Login Role \"{}_li\" Has BYPASSRLS",
            r.p
        )],
    );
    assert!(!text.contains(&format!("{}_nl\" Has", r.p)), "{text}");
}

/// PGW301: a SECURITY DEFINER function PUBLIC can execute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_security_definer_public() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    let config = format!(
        "resource \"postgresql_function\" \"f\" {{\n  database = {}\n  schema = \"app\"\n  name = \"f\"\n  returns = \"integer\"\n  language = \"sql\"\n  body = \"SELECT 1\"\n  security_definer = true\n}}\n",
        hcl(&db.name)
    );
    let text = plan(&acc, &db, &config);
    expect_all(
        &text,
        &["Warning: PGW301: PUBLIC Can Execute A SECURITY DEFINER Function"],
    );
}

/// PGW301 on `postgresql_grant`: granting EXECUTE to PUBLIC on a SECURITY
/// DEFINER function (one that PUBLIC cannot execute yet).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_security_definer_granted_to_public() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    db.exec(
        "CREATE FUNCTION app.sd() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
         CREATE FUNCTION app.plain() RETURNS int LANGUAGE sql AS 'SELECT 1';
         REVOKE EXECUTE ON FUNCTION app.sd(), app.plain() FROM PUBLIC;",
    );
    let grant = |objects: &str| {
        format!(
            "resource \"postgresql_grant\" \"g\" {{\n  role = \"public\"\n  database = {}\n  schema = \"app\"\n  object_type = \"function\"\n  objects = [{objects}]\n  privileges = [\"EXECUTE\"]\n}}\n",
            hcl(&db.name)
        )
    };
    let text = plan(&acc, &db, &grant("\"sd\""));
    expect_all(
        &text,
        &[
            "Warning: PGW301: PUBLIC Can Execute A SECURITY DEFINER Function",
            "on SECURITY DEFINER functions, which run with the privileges of their owner: app.sd()",
        ],
    );
    let text = plan(&acc, &db, &grant("\"plain()\""));
    assert!(!text.contains("PGW301"), "{text}");
}
