//! `postgresql_role` acceptance tests: every attribute through create,
//! in-place update (including rename), import, drift, re-creation and
//! destroy, checked against the catalog; awkward names; secrets kept out of
//! logs, plan output and state; and invalid input rejected before anything
//! reaches the server.
//!
//! Every test names its roles with `unique_name`, so they run side by side
//! on the shared cluster.

use std::cell::{Cell, RefCell};

use rand::distr::{Alphanumeric, SampleString};
use serde_json::Value as Json;

use crate::support::{
    exists, hcl, hcl_list, ident, literal, provider_log, query_one_str, query_strings, unique_name,
    Step, TestCase, Workspace,
};
use crate::{acc, Acc};

/// A role as the catalog holds it, in the form the tests compare.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CatalogRole {
    oid: u32,
    superuser: bool,
    create_database: bool,
    create_role: bool,
    inherit: bool,
    login: bool,
    replication: bool,
    bypass_row_level_security: bool,
    connection_limit: i32,
    /// `infinity`, `null` (never set) or the instant in UTC as
    /// `YYYY-MM-DD HH24:MI:SS`.
    valid_until: String,
    /// `rolconfig` entries, in order.
    config: Vec<String>,
    /// Names of the roles it is a member of, sorted.
    member_of: Vec<String>,
    /// `pg_authid.rolpassword`.
    password: Option<String>,
}

/// Reads a role straight from `pg_authid` and `pg_auth_members`.
fn catalog_role(acc: &Acc, name: &str) -> Option<CatalogRole> {
    let admin = acc.admin();
    let row = acc
        .block(admin.query_opt(
            "SELECT a.oid, a.rolsuper, a.rolcreatedb, a.rolcreaterole, a.rolinherit, a.rolcanlogin, \
                    a.rolreplication, a.rolbypassrls, a.rolconnlimit, \
                    CASE WHEN a.rolvaliduntil IS NULL THEN 'null' \
                         WHEN a.rolvaliduntil = 'infinity' THEN 'infinity' \
                         ELSE to_char(a.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') END, \
                    coalesce((SELECT r.rolconfig FROM pg_roles r WHERE r.oid = a.oid), '{}'), \
                    ARRAY(SELECT g.rolname::text FROM pg_auth_members m \
                          JOIN pg_authid g ON g.oid = m.roleid WHERE m.member = a.oid ORDER BY 1), \
                    a.rolpassword \
             FROM pg_authid a WHERE a.rolname = $1",
            &[&name],
        ))
        .unwrap_or_else(|e| panic!("reading role {name:?}: {}", crate::support::db_err_text(&e)))?;
    Some(CatalogRole {
        oid: row.get(0),
        superuser: row.get(1),
        create_database: row.get(2),
        create_role: row.get(3),
        inherit: row.get(4),
        login: row.get(5),
        replication: row.get(6),
        bypass_row_level_security: row.get(7),
        connection_limit: row.get(8),
        valid_until: row.get(9),
        config: row.get(10),
        member_of: row.get(11),
        password: row.get(12),
    })
}

fn must_exist(acc: &Acc, name: &str) -> CatalogRole {
    catalog_role(acc, name).unwrap_or_else(|| panic!("role {name:?} does not exist"))
}

fn role_exists(acc: &Acc, name: &str) -> bool {
    catalog_role(acc, name).is_some()
}

/// A password no log or file could contain by chance. Includes characters
/// that need escaping in SQL and HCL, and a non-ASCII one.
fn test_password(tag: &str) -> String {
    format!(
        "{tag}-{}-q'\"ü",
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    )
}

/// Logs in as `user` with `password` and returns `(session_user,
/// current_user, search_path, statement_timeout,
/// idle_in_transaction_session_timeout)` as the session sees them.
fn login(acc: &Acc, user: &str, password: &str) -> Result<[String; 5], String> {
    acc.block(async {
        let client = acc
            .cluster
            .try_connect("postgres", user, password)
            .await
            .map_err(|e| crate::support::db_err_text(&e))?;
        let row = client
            .query_one(
                "SELECT session_user::text, current_user::text, current_setting('search_path'), \
                        current_setting('statement_timeout'), \
                        current_setting('idle_in_transaction_session_timeout')",
                &[],
            )
            .await
            .map_err(|e| crate::support::db_err_text(&e))?;
        Ok([row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)])
    })
}

fn assert_login_fails(acc: &Acc, user: &str, password: &str) {
    if let Ok(seen) = login(acc, user, password) {
        panic!("login as {user:?} with a wrong password succeeded: {seen:?}");
    }
}

/// Whether two timestamps denote the same instant, per the server.
fn same_instant(acc: &Acc, a: &str, b: &str) -> bool {
    let admin = acc.admin();
    acc.block(query_one_str(
        &admin,
        "SELECT ($1::text::timestamptz = $2::text::timestamptz)::text",
        &[&a, &b],
    )) == "true"
}

/// The line of a plan that changes `attr` in place (`~ attr = a -> b`, or
/// `+ attr = b` when it was null).
fn plan_change<'a>(plan: &'a str, attr: &str) -> Option<&'a str> {
    plan.lines().find(|l| {
        let l = l.trim_start();
        l.strip_prefix("~ ")
            .or_else(|| l.strip_prefix("+ "))
            .and_then(|rest| rest.strip_prefix(attr))
            .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('='))
    })
}

fn assert_plan_changes(plan: &str, attr: &str, want: &str) {
    match plan_change(plan, attr) {
        Some(line) => assert!(
            line.contains(want),
            "plan line for {attr} should contain {want:?}: {line}\n{plan}"
        ),
        None => panic!("plan does not change {attr}:\n{plan}"),
    }
}

/// Plans into a file and returns the resource change of `addr` from
/// `terraform show -json`: (actions, before, after).
fn planned_change(ws: &Workspace, addr: &str) -> (Vec<String>, Json, Json) {
    ws.run_ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    let out = ws.run_ok(&["show", "-json", "-no-color", "tfplan"]);
    let plan: Json = serde_json::from_str(&out.stdout).expect("plan JSON");
    let change = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == addr)
        .unwrap_or_else(|| panic!("{addr} not in the plan: {}", out.stdout))["change"]
        .clone();
    let actions = change["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a.as_str().unwrap_or_default().to_string())
        .collect();
    (actions, change["before"].clone(), change["after"].clone())
}

/// Attribute names whose values differ between two state objects.
fn differing_keys(a: &Json, b: &Json) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        panic!("not objects: {a} / {b}");
    };
    let mut keys: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Sorted strings of a JSON array (a set attribute in state).
fn json_strings(v: &Json) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

fn sorted(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The roles of the lifecycle tests: `x`, with every attribute, first
/// named `name` and then `renamed`; a group created with SQL and one by
/// Terraform, both of which `x` joins.
struct Lifecycle<'a> {
    acc: &'a Acc,
    name: String,
    renamed: String,
    grp_sql: String,
    grp_tf: String,
    schema: String,
    pw1: String,
    pw2: String,
}

fn lifecycle(acc: &Acc) -> Lifecycle<'_> {
    let name = unique_name("role_all");
    let l = Lifecycle {
        acc,
        renamed: format!("{name}_renamed"),
        grp_sql: unique_name("role_grp_sql"),
        grp_tf: unique_name("role_grp_tf"),
        schema: format!("My Schema {name}"),
        pw1: test_password("pw1"),
        pw2: test_password("pw2"),
        name,
    };
    acc.sql(&format!("CREATE ROLE {}", ident(&l.grp_sql)));
    l
}

impl Lifecycle<'_> {
    fn group(&self) -> String {
        format!(
            "\nresource \"postgresql_role\" \"group\" {{\n  name = {}\n}}\n",
            hcl(&self.grp_tf)
        )
    }

    /// `x` with every attribute set away from its default.
    fn every_attribute(&self) -> String {
        format!(
            r#"{group}
resource "postgresql_role" "x" {{
  name                                = {name}
  superuser                           = true
  create_database                     = true
  create_role                         = true
  inherit                             = false
  login                               = true
  replication                         = true
  bypass_row_level_security           = true
  connection_limit                    = 7
  valid_until                         = "2031-02-03 04:05:06+02"
  password                            = {pw1}
  roles                               = [{grp_sql}, postgresql_role.group.name]
  search_path                         = {search_path}
  statement_timeout                   = 1500
  idle_in_transaction_session_timeout = 60000
  assume_role                         = {grp_sql}
  skip_drop_role                      = false
  skip_reassign_owned                 = false
}}
"#,
            group = self.group(),
            name = hcl(&self.name),
            pw1 = hcl(&self.pw1),
            grp_sql = hcl(&self.grp_sql),
            search_path = hcl_list(&["$user", self.schema.as_str(), "public"]),
        )
    }

    /// Every attribute of `x` changed, the name included.
    fn updated(&self) -> String {
        format!(
            r#"{group}
resource "postgresql_role" "x" {{
  name                                = {renamed}
  superuser                           = false
  create_database                     = false
  create_role                         = false
  inherit                             = true
  login                               = true
  replication                         = false
  bypass_row_level_security           = false
  connection_limit                    = 3
  valid_until                         = "2032-06-30 23:30:00-07:00"
  password                            = {pw2}
  roles                               = [postgresql_role.group.name]
  search_path                         = ["public"]
  statement_timeout                   = 0
  idle_in_transaction_session_timeout = 2000
  assume_role                         = ""
  skip_drop_role                      = true
  skip_reassign_owned                 = true
}}
"#,
            group = self.group(),
            renamed = hcl(&self.renamed),
            pw2 = hcl(&self.pw2),
        )
    }

    /// `x` renamed, back to the defaults except what the drift, import and
    /// re-creation tests need; `roles` is the list's HCL.
    fn final_x(&self, roles: &str) -> String {
        format!(
            r#"
resource "postgresql_role" "x" {{
  name                                = {renamed}
  login                               = true
  connection_limit                    = 3
  valid_until                         = "2032-06-30 23:30:00-07:00"
  password                            = {pw2}
  roles                               = [{roles}]
  search_path                         = ["public"]
  idle_in_transaction_session_timeout = 2000
}}
"#,
            renamed = hcl(&self.renamed),
            pw2 = hcl(&self.pw2),
        )
    }

    /// The group and the final `x` in both groups.
    fn settled(&self) -> String {
        self.group()
            + &self.final_x(&format!(
                "postgresql_role.group.name, {}",
                hcl(&self.grp_sql)
            ))
    }

    /// A test case whose destroy must drop `x` (under either name) and the
    /// Terraform group.
    fn case(&self) -> TestCase<'_> {
        TestCase::new(self.acc.cluster.provider_block()).check_destroy(|| {
            assert!(!role_exists(self.acc, &self.name));
            assert!(!role_exists(self.acc, &self.renamed));
            assert!(!role_exists(self.acc, &self.grp_tf));
        })
    }

    /// Drops the SQL group (and what else `extra` names).
    fn finish(self, extra: &[&str]) {
        let mut names = vec![ident(&self.grp_sql)];
        names.extend(extra.iter().map(|n| ident(n)));
        self.acc.sql(&format!("DROP ROLE {}", names.join(", ")));
    }
}

/// Every attribute on create: the catalog, an empty plan, login with the
/// configured settings, the state.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_creates_with_every_attribute() {
    let Some(acc) = acc() else { return };
    let l = lifecycle(&acc);
    let (name, grp_sql, grp_tf, schema) = (&l.name, &l.grp_sql, &l.grp_tf, &l.schema);
    l.case()
        .step(Step::apply(l.every_attribute()).check(|ws, _| {
            let created = must_exist(&acc, name);
            assert_eq!(
                created,
                CatalogRole {
                    oid: created.oid,
                    superuser: true,
                    create_database: true,
                    create_role: true,
                    inherit: false,
                    login: true,
                    replication: true,
                    bypass_row_level_security: true,
                    connection_limit: 7,
                    valid_until: "2031-02-03 02:05:06".into(),
                    config: vec![
                        format!("search_path=\"$user\", \"{schema}\", public"),
                        "statement_timeout=1500".into(),
                        "idle_in_transaction_session_timeout=60000".into(),
                        format!("role={grp_sql}"),
                    ],
                    member_of: sorted(&[grp_sql, grp_tf]),
                    password: created.password.clone(),
                }
            );
            let verifier = created.password.clone().unwrap_or_default();
            assert!(
                verifier.starts_with("SCRAM-SHA-256$"),
                "stored password should be a SCRAM verifier: {verifier}"
            );
            assert!(!verifier.contains(&l.pw1));
            let session = login(&acc, name, &l.pw1).expect("login with the configured password");
            assert_eq!(
                session,
                [
                    name.clone(),
                    grp_sql.clone(),
                    format!("\"$user\", \"{schema}\", public"),
                    "1500ms".into(),
                    "1min".into(),
                ]
            );
            assert_login_fails(&acc, name, "wrong");

            let state = ws.state_resource("postgresql_role.x");
            assert_eq!(state["id"], name.as_str());
            assert_eq!(state["valid_until"], "2031-02-03 04:05:06+02");
            assert_eq!(json_strings(&state["roles"]), sorted(&[grp_sql, grp_tf]));
            assert_eq!(
                state["search_path"],
                serde_json::json!(["$user", schema, "public"])
            );
            assert_eq!(state["encrypted_password"], true);
        }))
        .run();
    l.finish(&[]);
}

/// Every attribute changes in place, the name included: the same oid, the
/// old name gone, the new password and settings in effect.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_updates_every_attribute_in_place_keeping_the_oid() {
    let Some(acc) = acc() else { return };
    let l = lifecycle(&acc);
    let (renamed, grp_tf) = (&l.renamed, &l.grp_tf);
    let oid = Cell::new(0);
    l.case()
        .step(Step::apply(l.every_attribute()).check(|_, _| oid.set(must_exist(&acc, &l.name).oid)))
        .step(
            Step::apply(l.updated())
                .plan_check(|plan| {
                    assert!(
                        plan.contains("postgresql_role.x will be updated in-place")
                            && plan.contains("0 to add, 1 to change, 0 to destroy"),
                        "{plan}"
                    )
                })
                .check(|ws, _| {
                    assert!(!role_exists(&acc, &l.name), "the old name is gone");
                    let updated = must_exist(&acc, renamed);
                    assert_eq!(
                        updated,
                        CatalogRole {
                            oid: oid.get(),
                            superuser: false,
                            create_database: false,
                            create_role: false,
                            inherit: true,
                            login: true,
                            replication: false,
                            bypass_row_level_security: false,
                            connection_limit: 3,
                            valid_until: "2032-07-01 06:30:00".into(),
                            config: vec![
                                "search_path=public".into(),
                                "idle_in_transaction_session_timeout=2000".into(),
                            ],
                            member_of: vec![grp_tf.clone()],
                            password: updated.password.clone(),
                        },
                        "the role is altered in place (same oid)"
                    );
                    let session =
                        login(&acc, renamed, &l.pw2).expect("login with the new password");
                    assert_eq!(
                        session,
                        [
                            renamed.clone(),
                            renamed.clone(),
                            "public".into(),
                            "0".into(),
                            "2s".into(),
                        ]
                    );
                    assert_login_fails(&acc, renamed, &l.pw1);
                    let state = ws.state_resource("postgresql_role.x");
                    assert_eq!(state["id"], renamed.as_str(), "the id follows the name");
                    assert_eq!(state["skip_drop_role"], true);
                }),
        )
        // Back to the defaults: skip_drop_role would keep the role at destroy.
        .step(Step::apply(l.settled()))
        .run();
    l.finish(&[]);
}

/// Import into a fresh workspace: every attribute but the password is read
/// back; the same configuration then plans the password alone.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_imports_by_name() {
    let Some(acc) = acc() else { return };
    let l = lifecycle(&acc);
    let state = std::cell::RefCell::new(Json::Null);
    let configured = l.final_x(&format!("{}, {}", hcl(&l.grp_tf), hcl(&l.grp_sql)));
    l.case()
        .step(Step::apply(l.settled()).check(|ws, _| {
            *state.borrow_mut() = ws.state_resource("postgresql_role.x");
        }))
        .step(
            Step::import_expect("postgresql_role.x", l.renamed.clone())
                .config(configured)
                .check(|imported_ws, _| {
                    let state = state.borrow();
                    let imported = imported_ws.state_resource("postgresql_role.x");
                    let differing = differing_keys(&state, &imported);
                    let allowed = ["password", "valid_until"];
                    assert!(
                        differing.iter().all(|k| allowed.contains(&k.as_str())),
                        "imported state differs in {differing:?}:\noriginal {state:#}\nimported \
                         {imported:#}"
                    );
                    assert!(imported["password"].is_null());
                    assert!(same_instant(
                        &acc,
                        imported["valid_until"].as_str().unwrap_or_default(),
                        "2032-06-30 23:30:00-07:00"
                    ));
                    let (actions, before, after) = planned_change(imported_ws, "postgresql_role.x");
                    assert_eq!(actions, ["update"]);
                    assert_eq!(
                        differing_keys(&before, &after),
                        ["password"],
                        "only the password may change after import:\nbefore {before:#}\nafter \
                         {after:#}"
                    );
                }),
        )
        .run();
    l.finish(&[]);
}

/// Changes made outside Terraform show in the plan: attributes, settings,
/// the password, a listed membership revoked and a listed role renamed; the
/// apply puts them back on the same role.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_drift_from_alter_role_shows() {
    let Some(acc) = acc() else { return };
    let l = lifecycle(&acc);
    let (renamed, grp_sql, grp_tf) = (&l.renamed, &l.grp_sql, &l.grp_tf);
    let grp_sql_moved = format!("{grp_sql}_moved");
    let oid = Cell::new(0);
    l.case()
        .step(Step::apply(l.settled()).check(|_, _| oid.set(must_exist(&acc, renamed).oid)))
        .step(
            Step::apply(l.settled())
                .before(|_| {
                    acc.sql(&format!(
                        "ALTER ROLE {r} NOLOGIN CONNECTION LIMIT 5 CREATEDB VALID UNTIL '2040-01-01 00:00:00+00'; \
                         ALTER ROLE {r} SET statement_timeout = '30s'; \
                         ALTER ROLE {r} SET search_path = other; \
                         REVOKE {g} FROM {r}; \
                         ALTER ROLE {s} RENAME TO {m}; \
                         ALTER ROLE {r} PASSWORD {p}",
                        r = ident(renamed),
                        g = ident(grp_tf),
                        s = ident(grp_sql),
                        m = ident(&grp_sql_moved),
                        p = literal("changed-outside"),
                    ))
                })
                .before(|ws| {
                    let plan = ws.assert_changes();
                    assert_plan_changes(&plan, "login", "false -> true");
                    assert_plan_changes(&plan, "connection_limit", "5 -> 3");
                    assert_plan_changes(&plan, "create_database", "true -> false");
                    assert_plan_changes(&plan, "statement_timeout", "30000 -> 0");
                    assert_plan_changes(&plan, "valid_until", "-> \"2032-06-30 23:30:00-07:00\"");
                    assert_plan_changes(&plan, "password", "(sensitive value)");
                    assert!(plan_change(&plan, "roles").is_some(), "{plan}");
                    assert!(plan.contains(&format!("+ {}", hcl(grp_tf))), "{plan}");
                    assert!(plan.contains(&format!("+ {}", hcl(grp_sql))), "{plan}");
                    assert!(plan_change(&plan, "search_path").is_some(), "{plan}");
                    // The renamed role keeps its membership (not managed any
                    // more); a new role under the listed name gets one.
                    acc.sql(&format!("CREATE ROLE {}", ident(grp_sql)));
                })
                .check(|_, _| {
                    let restored = must_exist(&acc, renamed);
                    assert_eq!(restored.oid, oid.get());
                    assert!(restored.login && !restored.create_database);
                    assert_eq!(restored.connection_limit, 3);
                    assert_eq!(restored.valid_until, "2032-07-01 06:30:00");
                    assert_eq!(
                        restored.member_of,
                        sorted(&[grp_sql, &grp_sql_moved, grp_tf])
                    );
                    assert_eq!(
                        restored.config,
                        [
                            "search_path=public",
                            "idle_in_transaction_session_timeout=2000"
                        ]
                    );
                    login(&acc, renamed, &l.pw2).expect("the configured password works again");
                }),
        )
        .run();
    l.finish(&[&grp_sql_moved]);
}

/// A role dropped outside Terraform is planned for re-creation and comes
/// back, a new role with the configured memberships and password.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_recreated_after_drop_outside() {
    let Some(acc) = acc() else { return };
    let l = lifecycle(&acc);
    let (renamed, grp_sql, grp_tf) = (&l.renamed, &l.grp_sql, &l.grp_tf);
    let oid = Cell::new(0);
    l.case()
        .step(Step::apply(l.settled()).check(|_, _| oid.set(must_exist(&acc, renamed).oid)))
        .step(
            Step::apply(l.settled())
                .before(|_| acc.sql(&format!("DROP ROLE {}", ident(renamed))))
                .plan_check(|plan| {
                    assert!(
                        plan.contains("postgresql_role.x will be created")
                            && plan.contains("1 to add, 0 to change, 0 to destroy"),
                        "{plan}"
                    )
                })
                .check(|_, _| {
                    let recreated = must_exist(&acc, renamed);
                    assert_ne!(recreated.oid, oid.get());
                    assert_eq!(recreated.member_of, sorted(&[grp_sql, grp_tf]));
                    login(&acc, renamed, &l.pw2).expect("login after re-creation");
                }),
        )
        .run();
    l.finish(&[]);
}

/// Destroying roles: objects in the connected database are reassigned,
/// skip_drop_role keeps the role, and objects in another database give an
/// error naming that database; once they are gone, destroy completes.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_destroy_reassigns_here_and_names_other_databases() {
    let Some(acc) = acc() else { return };
    let owner_here = unique_name("role_owner_here");
    let kept = unique_name("role_kept");
    let owner_elsewhere = unique_name("role_owner_elsewhere");
    let table_here = unique_name("role_tbl");
    let granted_table = unique_name("role_granted");
    // Roles sharing a privilege on one table: Terraform drops them in
    // parallel, and their DROP OWNED statements all rewrite that table's ACL.
    let sharer = unique_name("role_sharer");
    let sharers: Vec<String> = (0..6).map(|i| format!("{sharer}_{i}")).collect();

    let config = format!(
        r#"
resource "postgresql_role" "owner_here" {{
  name = {owner_here}
}}

resource "postgresql_role" "kept" {{
  name           = {kept}
  skip_drop_role = true
}}

resource "postgresql_role" "owner_elsewhere" {{
  name = {owner_elsewhere}
}}

resource "postgresql_role" "sharer" {{
  count = {count}
  name  = "{sharer}_${{count.index}}"
}}
"#,
        count = sharers.len(),
        owner_here = hcl(&owner_here),
        kept = hcl(&kept),
        owner_elsewhere = hcl(&owner_elsewhere),
    );
    let other = acc.database("role_other_db");
    let admin = acc.admin();
    let objects = || {
        acc.sql(&format!(
            "CREATE TABLE public.{t} (); ALTER TABLE public.{t} OWNER TO {o}; \
         CREATE TABLE public.{g} (); GRANT SELECT ON public.{g} TO {o}, {k}, {s}",
            t = ident(&table_here),
            g = ident(&granted_table),
            o = ident(&owner_here),
            k = ident(&kept),
            s = sharers
                .iter()
                .map(|s| ident(s))
                .collect::<Vec<_>>()
                .join(", "),
        ));
        other.exec(&format!(
            "CREATE TABLE elsewhere (); ALTER TABLE elsewhere OWNER TO {}",
            ident(&owner_elsewhere)
        ));
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config))
        .step(
            Step::destroy_fails("Objects Still Depend On It")
                .before(|_| objects())
                .check(|ws, out| {
                    let text = out.combined();
                    assert!(
                        text.contains(&other.name),
                        "the error should name the other database {}:\n{text}",
                        other.name
                    );
                    assert!(!role_exists(&acc, &owner_here), "{text}");
                    for name in &sharers {
                        assert!(!role_exists(&acc, name), "{name} survived destroy:\n{text}");
                    }
                    assert_eq!(
                        acc.block(query_one_str(
                            &admin,
                            "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = $1::text::regclass",
                            &[&format!("public.{}", ident(&table_here))],
                        )),
                        acc.cluster.superuser(),
                        "the table is reassigned to the provider's user"
                    );
                    assert!(role_exists(&acc, &kept), "skip_drop_role keeps the role");
                    let left: Vec<String> = ws
                        .run_ok(&["state", "list"])
                        .stdout
                        .lines()
                        .map(str::to_string)
                        .collect();
                    assert_eq!(left, ["postgresql_role.owner_elsewhere"], "{text}");
                    assert!(
                        !acc.block(exists(
                            &admin,
                            "SELECT 1 FROM information_schema.role_table_grants WHERE grantee = $1",
                            &[&kept],
                        )),
                        "DROP OWNED revoked the kept role's privileges"
                    );
                    assert!(role_exists(&acc, &owner_elsewhere));
                    // Once the other database is cleaned up, the final
                    // destroy completes.
                    other.exec("DROP TABLE elsewhere");
                }),
        )
        .check_destroy(|| assert!(!role_exists(&acc, &owner_elsewhere)))
        .run();
    drop(other);
    acc.sql(&format!(
        "DROP ROLE {}; DROP TABLE public.{}, public.{}",
        ident(&kept),
        ident(&table_here),
        ident(&granted_table),
    ));
}

/// Names that need quoting, upper case, non-ASCII and exactly 63 bytes, in
/// names, memberships, search_path and assume_role; a name with quotes and
/// spaces imports.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_awkward_names_work_everywhere() {
    let Some(acc) = acc() else { return };
    let u = unique_name("odd");
    let quoted = format!("{u} say \"hi\"");
    let spaced = format!("{u} with  spaces");
    let upper = format!("UPPER_Case_{}", u.to_uppercase());
    let non_ascii = format!("{u}_ñandú_日本語");
    let apostrophe = format!("{u} o'brien\\x");
    let mut long = format!("{u}_é");
    while long.len() < 63 {
        long.push('x');
    }
    assert_eq!(long.len(), 63);
    let pw = test_password("odd");

    let groups = [&quoted, &spaced, &upper, &non_ascii, &apostrophe];
    let mut config = String::new();
    for (i, g) in groups.iter().enumerate() {
        config.push_str(&format!(
            "resource \"postgresql_role\" \"g{i}\" {{\n  name = {}\n}}\n",
            hcl(g)
        ));
    }
    let refs: Vec<String> = (0..groups.len())
        .map(|i| format!("postgresql_role.g{i}.name"))
        .collect();
    config.push_str(&format!(
        r#"
resource "postgresql_role" "long" {{
  name        = {long}
  login       = true
  password    = {pw}
  roles       = [{refs}]
  search_path = {search_path}
  assume_role = postgresql_role.g0.name
}}
"#,
        long = hcl(&long),
        pw = hcl(&pw),
        refs = refs.join(", "),
        search_path = hcl_list(&[&quoted, &non_ascii, &apostrophe]),
    ));
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|_, _| {
            for g in groups {
                let role = must_exist(&acc, g);
                assert!(!role.login, "{g:?}");
            }
            let member = must_exist(&acc, &long);
            let mut want: Vec<String> = groups.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(member.member_of, want);
            let session = login(&acc, &long, &pw).expect("login as the 63-byte role");
            assert_eq!(session[0], long);
            assert_eq!(
                session[1], quoted,
                "assume_role switched to the quoted role"
            );
            assert_eq!(
                session[2],
                format!(
                    "{}, {}, {}",
                    ident(&quoted),
                    ident(&non_ascii),
                    ident(&apostrophe)
                )
            );
        }))
        // Import of a name with quotes and spaces.
        .step(Step::import("postgresql_role.g0", quoted.clone()))
        .check_destroy(|| {
            for name in groups.into_iter().chain([&long]) {
                assert!(!role_exists(&acc, name), "{name:?} survived destroy");
            }
        })
        .run();
}

/// Passwords never reach the server log, the provider's debug log, plan or
/// show output, nor (with password_wo) the state; a pre-computed SCRAM
/// verifier is stored verbatim; password_wo_version rotates the password,
/// and moving from password to password_wo replaces it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_secrets_stay_out_of_logs_output_and_state() {
    let Some(acc) = acc() else { return };
    let in_state = unique_name("role_pw");
    let write_only = unique_name("role_pw_wo");
    let hashed = unique_name("role_pw_hash");
    let pw_state = test_password("state");
    let pw_wo1 = test_password("wo1");
    let pw_wo2 = test_password("wo2");
    let pw_hashed = test_password("hashed");
    let pw_switched = test_password("switched");
    let verifier = pgwarden::pg::scram::new_verifier(&pw_hashed);
    let secrets = [&pw_state, &pw_wo1, &pw_wo2, &pw_hashed, &pw_switched];

    let in_state_password = format!("password = {}", hcl(&pw_state));
    let config = |in_state_password: &str, wo: &str, version: &str| {
        format!(
            r#"
resource "postgresql_role" "in_state" {{
  name  = {in_state}
  login = true
  {in_state_password}
}}

resource "postgresql_role" "write_only" {{
  name                = {write_only}
  login               = true
  password_wo         = {wo}
  password_wo_version = {version}
}}

resource "postgresql_role" "hashed" {{
  name     = {hashed}
  login    = true
  password = {verifier}
}}
"#,
            in_state = hcl(&in_state),
            write_only = hcl(&write_only),
            wo = hcl(wo),
            version = hcl(version),
            hashed = hcl(&hashed),
            verifier = hcl(&verifier),
        )
    };
    let switched = format!(
        "password_wo = {}\n  password_wo_version = \"1\"",
        hcl(&pw_switched)
    );
    // What Terraform printed along the way, searched for secrets at the end.
    let printed: RefCell<Vec<(&str, String)>> = RefCell::new(Vec::new());
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config(&in_state_password, &pw_wo1, "1"))
                .before(provider_log::enable)
                .check(|_, out| {
                    printed.borrow_mut().push(("apply output", out.combined()));
                    login(&acc, &in_state, &pw_state).expect("login with password");
                    login(&acc, &write_only, &pw_wo1).expect("login with password_wo");
                    login(&acc, &hashed, &pw_hashed).expect("login with the pre-hashed password");
                    assert_eq!(
                        must_exist(&acc, &hashed).password.as_deref(),
                        Some(verifier.as_str()),
                        "a valid verifier is stored verbatim"
                    );
                }),
        )
        // A new write-only value alone is invisible to Terraform; a new
        // version sends it.
        .step(Step::plan_only(config(&in_state_password, &pw_wo2, "1")))
        .step(
            Step::apply(config(&in_state_password, &pw_wo2, "2"))
                .plan_check(|plan| {
                    assert_plan_changes(plan, "password_wo_version", "\"1\" -> \"2\"");
                    printed.borrow_mut().push(("plan output", plan.to_string()));
                })
                .check(|_, out| {
                    printed.borrow_mut().push(("apply output", out.combined()));
                    login(&acc, &write_only, &pw_wo2).expect("login with the rotated password");
                    assert_login_fails(&acc, &write_only, &pw_wo1);
                }),
        )
        // Moving from password to password_wo sets the new password and
        // takes the old one out of the state.
        .step(
            Step::apply(config(&switched, &pw_wo2, "2")).check(|ws, out| {
                printed.borrow_mut().push(("apply output", out.combined()));
                login(&acc, &in_state, &pw_switched)
                    .expect("login with the password_wo that replaced password");
                assert_login_fails(&acc, &in_state, &pw_state);

                let show = ws.run_ok(&["show", "-no-color"]);
                printed
                    .borrow_mut()
                    .push(("terraform show", show.combined()));
                let state_file = ws.state_raw();
                assert!(
                    state_file.contains(&write_only),
                    "state file read correctly"
                );
                let server_log = acc.cluster.log_contents();
                assert!(
                    server_log.contains(&format!("CREATE ROLE {}", ident(&write_only))),
                    "the server log records statements (log_statement = all)"
                );
                let provider_log = provider_log::read(ws);
                assert!(
                    provider_log.contains("executing SQL: CREATE ROLE")
                        && provider_log.contains("executing SQL: ALTER ROLE"),
                    "the provider debug log records statements:\n{provider_log}"
                );
                let mut texts = vec![
                    ("the server log", server_log),
                    ("the provider debug log", provider_log.clone()),
                ];
                texts.extend(printed.borrow().iter().cloned());
                for secret in secrets {
                    for (what, text) in &texts {
                        assert!(
                            !text.contains(secret.as_str()),
                            "{what} contains a password"
                        );
                    }
                }
                assert!(
                    !provider_log.contains(acc.cluster.password()),
                    "the provider debug log contains the provider's own password"
                );
                for secret in [&pw_wo1, &pw_wo2, &pw_switched, &pw_state] {
                    assert!(
                        !state_file.contains(secret.as_str()),
                        "the state file contains a password it should not"
                    );
                }
            }),
        )
        .check_destroy(|| {
            for name in [&in_state, &write_only, &hashed] {
                assert!(!role_exists(&acc, name));
            }
        })
        .run();
}

/// Invalid input is rejected with its message, one per resource, before
/// anything is created.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_invalid_input_is_rejected_at_plan() {
    let Some(acc) = acc() else { return };
    let u = unique_name("role_bad");
    let too_long = "é".repeat(32);
    assert_eq!(too_long.len(), 64);
    let good = pgwarden::pg::scram::new_verifier("x");
    // Keep the prefix, break the keys.
    let malformed = format!("{}$AAAA:BBBB", &good[..good.rfind('$').unwrap_or(0)]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", "name = \"\"".into(), "Empty Role Name"),
        (
            "too_long",
            format!("name = {}", hcl(&too_long)),
            "Role Name Too Long",
        ),
        (
            "limit",
            format!("name = {}\n  connection_limit = -2", hcl(&format!("{u}_a"))),
            "Invalid connection_limit",
        ),
        // Once applied as CONNECTION LIMIT 0 (wrapped), as -1 (truncated),
        // and as a raw syntax error at apply.
        (
            "limit_wraps",
            format!(
                "name = {}\n  connection_limit = 4294967296",
                hcl(&format!("{u}_a1"))
            ),
            "Invalid connection_limit",
        ),
        (
            "limit_fraction",
            format!("name = {}\n  connection_limit = 1.5", hcl(&format!("{u}_a2"))),
            "Invalid connection_limit",
        ),
        (
            "limit_int4",
            format!(
                "name = {}\n  connection_limit = 2147483648",
                hcl(&format!("{u}_a3"))
            ),
            "Invalid connection_limit",
        ),
        (
            "timeout",
            format!(
                "name = {}\n  statement_timeout = 2147483648",
                hcl(&format!("{u}_a4"))
            ),
            "Invalid statement_timeout",
        ),
        (
            "nul_in_name",
            format!("name = \"{u}_a5\\u0000x\""),
            "Invalid Character",
        ),
        (
            "both_passwords",
            format!(
                "name = {}\n  password = \"a\"\n  password_wo = \"b\"\n  password_wo_version = \"1\"",
                hcl(&format!("{u}_b"))
            ),
            "Conflicting Password Attributes",
        ),
        ("public", "name = \"public\"".into(), "Reserved Role Name"),
        (
            "pg_prefix",
            format!("name = {}", hcl(&format!("pg_{u}"))),
            "Reserved Role Name",
        ),
        (
            "current_user",
            "name = \"current_user\"".into(),
            "Reserved Role Name",
        ),
        (
            "session_user",
            "name = \"session_user\"".into(),
            "Reserved Role Name",
        ),
        (
            "current_role",
            "name = \"current_role\"".into(),
            "Reserved Role Name",
        ),
        ("none", "name = \"none\"".into(), "Reserved Role Name"),
        (
            "bad_verifier",
            format!(
                "name = {}\n  password = {}",
                hcl(&format!("{u}_c")),
                hcl(&malformed)
            ),
            "Malformed SCRAM Verifier",
        ),
    ];
    let mut config = String::new();
    for (addr, body, _) in &cases {
        config.push_str(&format!(
            "resource \"postgresql_role\" \"{addr}\" {{\n  {body}\n}}\n"
        ));
    }
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(config, "Error: Empty Role Name").check(|_, out| {
                let text = out.combined();
                // One diagnostic block per "Error:"; each case must have its own.
                let blocks: Vec<&str> = text.split("Error: ").skip(1).collect();
                for (addr, _, summary) in &cases {
                    let address = format!("with postgresql_role.{addr},");
                    assert!(
                        blocks
                            .iter()
                            .any(|b| b.starts_with(summary) && b.contains(&address)),
                        "no {summary:?} error for postgresql_role.{addr}:\n{text}"
                    );
                }
                assert_eq!(blocks.len(), cases.len(), "one error per case:\n{text}");
                let admin = acc.admin();
                assert!(
                    acc.block(query_strings(
                        &admin,
                        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
                        &[&format!("%{u}%")],
                    ))
                    .is_empty(),
                    "nothing was created"
                );
            }),
        )
        .run();
}

/// A role that already exists is not silently adopted: the error gives
/// the import command, and the role is left as it was.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_existing_is_not_adopted() {
    let Some(acc) = acc() else { return };
    let dup = unique_name("role_dup");
    acc.sql(&format!("CREATE ROLE {}", ident(&dup)));
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(
                format!(
                    "resource \"postgresql_role\" \"dup\" {{\n  name = {}\n  login = true\n}}\n",
                    hcl(&dup)
                ),
                "Object Already Exists",
            )
            .check(|ws, out| {
                let text = out.combined();
                assert!(
                    text.contains("terraform import postgresql_role.")
                        && text.contains(&format!("'{dup}'")),
                    "{text}"
                );
                assert!(
                    !must_exist(&acc, &dup).login,
                    "the existing role is untouched"
                );
                assert!(ws.try_state_resource("postgresql_role.dup").is_none());
            }),
        )
        .run();
    acc.sql(&format!("DROP ROLE {}", ident(&dup)));
}

/// A role with `password = ""`.
fn no_password(name: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"r\" {{\n  name     = {}\n  login    = true\n  password = \"\"\n}}\n",
        hcl(name)
    )
}

/// `password = ""` means "no password", which is what PostgreSQL stores for
/// it: the plan is empty after apply and after refresh, and nothing can log
/// in with an empty password.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_empty_password_stores_none() {
    let Some(acc) = acc() else { return };
    let name = unique_name("role_nopw");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(no_password(&name)).check(|_, _| {
            let admin = acc.admin();
            assert!(
                !acc.block(exists(
                    &admin,
                    "SELECT 1 FROM pg_authid WHERE rolname = $1 AND rolpassword IS NOT NULL",
                    &[&name],
                )),
                "an empty password must store no password"
            );
            assert_login_fails(&acc, &name, "");
        }))
        .run();
}

/// A password set outside Terraform on a role with `password = ""` is
/// drift, and the apply removes it again. (Terraform shows no line for it:
/// the attribute is sensitive.)
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_password_set_outside_is_removed_by_an_empty_one() {
    let Some(acc) = acc() else { return };
    let name = unique_name("role_nopw");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(no_password(&name)))
        .step(
            Step::apply(no_password(&name))
                .before(|_| {
                    acc.sql(&format!(
                        "ALTER ROLE {} PASSWORD 'set-outside'",
                        ident(&name)
                    ))
                })
                .plan_shows(&["postgresql_role.r will be updated in-place"])
                .check(|_, _| assert_login_fails(&acc, &name, "set-outside")),
        )
        .run();
}

/// After importing a role that is a member of other roles, a configuration
/// that leaves `roles` unset plans no change, nor one listing the
/// membership it has; one that sets it to something else shows the real
/// difference.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_import_with_memberships_plans_clean() {
    let Some(acc) = acc() else { return };
    let parent = unique_name("role_parent");
    let other = unique_name("role_other");
    let child = unique_name("role_child");
    acc.sql(&format!(
        "CREATE ROLE {p}; CREATE ROLE {o}; CREATE ROLE {c} IN ROLE {p}",
        p = ident(&parent),
        o = ident(&other),
        c = ident(&child)
    ));
    let config = |roles: &str| {
        format!(
            "resource \"postgresql_role\" \"r\" {{\n  name = {}\n{roles}}}\n",
            hcl(&child)
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config("")).before(|ws| {
            ws.import("postgresql_role.r", &child);
            ws.assert_no_changes();
        }))
        .step(Step::plan_only(config(&format!(
            "  roles = [{}]\n",
            hcl(&parent)
        ))))
        .step(
            Step::apply(config(&format!("  roles = [{}]\n", hcl(&other))))
                .plan_check(|plan| {
                    assert!(plan.contains(&other) && plan.contains(&parent), "{plan}")
                })
                .check(|_, _| {
                    let admin = acc.admin();
                    let member_of = acc.block(query_strings(
                        &admin,
                        "SELECT r.rolname::text FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid \
                         JOIN pg_roles c ON c.oid = m.member WHERE c.rolname = $1",
                        &[&child],
                    ));
                    assert_eq!(member_of, vec![other.clone()]);
                }),
        )
        .run();
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {}",
        ident(&parent),
        ident(&other)
    ));
}

/// The plan-time `valid_until` check asks the server only about a value
/// that is new: never for `infinity`, never for an unchanged value.
///
/// The provider's log counts the checks of each step.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_valid_until_check_only_for_new_values() {
    let Some(acc) = acc() else { return };
    let a = unique_name("role_vu_a");
    let b = unique_name("role_vu_b");
    let config = |until: &str| {
        format!(
            "resource \"postgresql_role\" \"a\" {{\n  name = {}\n}}\nresource \"postgresql_role\" \"b\" {{\n  name = {}\n  valid_until = {}\n}}\n",
            hcl(&a),
            hcl(&b),
            hcl(until)
        )
    };
    let checks = |ws: &Workspace| {
        provider_log::take(ws)
            .matches("whether valid_until")
            .count()
    };
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config("2031-01-01 00:00:00+00"))
                .before(provider_log::enable)
                .check(|ws, _| {
                    // The empty plans and the refresh after the apply check
                    // nothing: the value is not new any more.
                    assert_eq!(
                        checks(ws),
                        2,
                        "one check in the plan and one in apply, for b only"
                    );
                }),
        )
        .step(
            Step::plan_only(config("2031-01-01 00:00:00+00")).check(|ws, _| {
                ws.run_ok(&["plan", "-refresh=false", "-input=false", "-no-color"]);
                assert_eq!(checks(ws), 0, "nothing new, nothing to check");
            }),
        )
        .step(
            Step::plan(config("2032-01-01 00:00:00+00")).check(|ws, out| {
                assert_eq!(out.status, 2, "{}", out.combined());
                assert_eq!(checks(ws), 1);
            }),
        )
        .run();
}
