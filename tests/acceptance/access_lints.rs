//! Each plan-time lint with its stable code, on a concrete configuration:
//! the warning's text when the risk is there, and silence when it is not.
//! Plans only: a lint is a plan warning, and nothing needs applying.

use crate::access_review::{expect_all, flat, provider_in, Roles};
use crate::support::{hcl, Workspace};
use crate::{acc, Acc, TestDb};

/// The plan output of `config` (after the provider block on `db`).
fn plan(acc: &Acc, db: &TestDb, config: &str) -> String {
    let ws = Workspace::new();
    ws.write_config(&(provider_in(acc, db) + config));
    let (code, out) = ws.plan_exit_code();
    assert_ne!(code, 1, "the plan failed:\n{}", out.combined());
    out.combined()
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

/// PGW101: RLS on, no policy on the table and none planned.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_rls_without_policy() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    let text = plan(&acc, &db, &rls("k", false));
    expect_all(
        &text,
        &[
            "Warning: PGW101: Row-Level Security Without Any Policy",
            "Row-level security is enabled on \"app\".\"k\", which has no policy",
        ],
    );
    // A policy planned alongside silences it.
    let text = plan(
        &acc,
        &db,
        &(rls("k", false) + &policy("p", "k", "  using = \"tenant_id = 1\"\n")),
    );
    assert!(!text.contains("PGW101"), "{text}");
}

/// PGW102: a policy on a table whose RLS is off.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn lint_policy_on_table_without_rls() {
    let Some(acc) = acc() else { return };
    let (_r, db) = estate(&acc);
    let text = plan(
        &acc,
        &db,
        &policy("p", "k", "  using = \"tenant_id = 1\"\n"),
    );
    expect_all(&text, &["Warning: PGW102: Row-Level Security Not Enabled"]);
}

/// PGW103: the owner can log in and FORCE is off; not when forced or when
/// the owner cannot log in.
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
            &format!("\"app\".\"t\" is owned by \"{owner}\", which can log in, and forced = false"),
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
