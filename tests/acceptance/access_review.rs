//! The effective-access report (PGW001, PGW002) in real plans: each kind of
//! change on a small estate, a two-level inheritance chain, and a
//! membership that does not inherit (PostgreSQL 16's `inherit_option =
//! false`, or before 16 a NOINHERIT member).
//!
//! Terraform wraps diagnostic text and frames it with `│`, so texts are
//! compared on [`flat`] output.

use crate::support::{expect_all, flat, hcl, unique_name, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// Roles of one test, dropped (after the test's database) on drop.
pub struct Roles<'a> {
    acc: &'a Acc,
    /// The prefix every role name starts with.
    pub p: String,
    names: Vec<String>,
}

impl<'a> Roles<'a> {
    /// Creates `{p}_{suffix}` for each `(suffix, options)`.
    pub fn new(acc: &'a Acc, prefix: &str, roles: &[(&str, &str)]) -> Roles<'a> {
        let p = unique_name(prefix);
        let mut names = Vec::new();
        for (suffix, options) in roles {
            let name = format!("{p}_{suffix}");
            acc.sql(&format!("CREATE ROLE {name} {options}"));
            names.push(name);
        }
        Roles { acc, p, names }
    }

    /// The full name of a role.
    pub fn n(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.p)
    }
}

impl Drop for Roles<'_> {
    fn drop(&mut self) {
        let admin = self.acc.admin();
        for n in self.names.iter().rev() {
            let _ = self
                .acc
                .block(admin.batch_execute(&format!("DROP OWNED BY {n}; DROP ROLE IF EXISTS {n}")));
        }
    }
}

/// The provider block, with `db` as the provider's database.
pub fn provider_in(acc: &Acc, db: &TestDb) -> String {
    acc.cluster.provider_block().replace(
        "database = \"postgres\"",
        &format!("database = {}", hcl(&db.name)),
    )
}

/// The estate: app → tenant_ro → readers; readers may use schema `app` and
/// read `app.orders` and `app.items`; `app.secret` is the owner's; boss is
/// a superuser nobody is a member of.
fn estate<'a>(acc: &'a Acc) -> (Roles<'a>, TestDb<'a>) {
    let roles = Roles::new(
        acc,
        "acr",
        &[
            ("owner", "LOGIN"),
            ("readers", ""),
            ("tenant_ro", ""),
            ("app", "LOGIN"),
            ("boss", "SUPERUSER"),
        ],
    );
    acc.sql(&format!(
        "GRANT {r} TO {t}",
        r = roles.n("readers"),
        t = roles.n("tenant_ro")
    ));
    let db = acc.database("acrdb");
    db.exec(&format!(
        "CREATE SCHEMA app AUTHORIZATION {o};
         SET ROLE {o};
         CREATE TABLE app.orders (id int, tenant_id int);
         CREATE TABLE app.items (id int);
         CREATE TABLE app.secret (id int);
         RESET ROLE;
         GRANT USAGE ON SCHEMA app TO {r};
         GRANT SELECT ON app.orders, app.items TO {r};",
        o = roles.n("owner"),
        r = roles.n("readers"),
    ));
    (roles, db)
}

fn grant_role(key: &str, member: &str, granted: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_grant_role\" \"{key}\" {{\n  role = {}\n  grant_role = {}\n{extra}}}\n",
        hcl(member),
        hcl(granted)
    )
}

/// A membership reaching privileges two levels up, then its revoke.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn membership_report_follows_a_two_level_chain() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (app, tenant, readers) = (r.n("app"), r.n("tenant_ro"), r.n("readers"));
    TestCase::new(provider_in(&acc, &db))
        .step(
            Step::apply(grant_role("g", &app, &tenant, "")).check(|_, out| {
                expect_all(
                    &out.combined(),
                    &[
                        &format!("Warning: PGW001: {app} gains access through {tenant}"),
                        &format!("Effective access of {app} in database \"{}\"", db.name),
                        "Gains 3 privileges on 3 objects:",
                        "schema USAGE on 1: app",
                        "table SELECT on 2: app.items, app.orders",
                        &format!(
                            "Inherits the privileges of 2 more roles: {readers} (through \
                             {tenant} → {readers}), {tenant}"
                        ),
                    ],
                );
                assert!(!flat(&out.combined()).contains("app.secret"));
            }),
        )
        .step(Step::apply("").check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!("Warning: PGW001: {app} loses access through {tenant}"),
                    "Loses 3 privileges on 3 objects:",
                    "table SELECT on 2: app.items, app.orders",
                    &format!("No longer inherits the privileges of: {readers} (through {tenant} → {readers}), {tenant}"),
                ],
            );
        }))
        .run();
}

/// The provider block with extra settings (`plan_access_report = false`).
fn provider_with(acc: &Acc, db: &TestDb, settings: &str) -> String {
    provider_in(acc, db).replace("  sslmode ", &format!("{settings}\n  sslmode "))
}

/// A membership that does not pass privileges on: PostgreSQL 16's
/// `inherit_option = false` (before 16, a NOINHERIT member, which the
/// resource cannot set per grant). The member can SET ROLE to it, and the
/// report says what that SET ROLE gives, without counting it as gained.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn membership_report_without_inherit() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (app, tenant, readers) = (r.n("app"), r.n("tenant_ro"), r.n("readers"));
    let pg16 = acc.cluster.major_version() >= 16;
    if !pg16 {
        acc.sql(&format!("ALTER ROLE {app} NOINHERIT"));
    }
    let options = if pg16 {
        "  inherit_option = false\n"
    } else {
        ""
    };
    TestCase::new(provider_in(&acc, &db))
        .step(
            Step::apply(grant_role("g", &app, &tenant, options)).check(|_, out| {
                let text = out.combined();
                expect_all(
                    &text,
                    &[
                        &format!("Warning: PGW001: {app} gains access through {tenant}"),
                        &format!(
                            "Can SET ROLE to, without inheriting their privileges: {readers} \
                             (through {tenant} → {readers}), {tenant}"
                        ),
                        &format!("After SET ROLE {readers} it would also have:"),
                        "schema USAGE on 1: app",
                        "table SELECT on 2: app.items, app.orders",
                    ],
                );
                assert!(!flat(&text).contains("Gains 3 privileges"), "{text}");
            }),
        )
        .run();
}

/// A grant to a group: the group gains, and its inheriting members are
/// listed with their chain.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_report_names_objects_and_members() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (app, tenant, readers) = (r.n("app"), r.n("tenant_ro"), r.n("readers"));
    acc.sql(&format!("GRANT {tenant} TO {app}"));
    let grant = format!(
        "resource \"postgresql_grant\" \"secret\" {{\n  role = {}\n  database = {}\n  schema = \"app\"\n  object_type = \"table\"\n  objects = [\"secret\"]\n  privileges = [\"SELECT\", \"UPDATE\"]\n}}\n",
        hcl(&readers),
        hcl(&db.name)
    );
    TestCase::new(provider_in(&acc, &db))
        .step(Step::apply(grant.clone()).check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!("Warning: PGW001: {readers} gains access on table app.secret"),
                    "Gains 2 privileges on 1 object:",
                    "table SELECT on 1: app.secret",
                    "table UPDATE on 1: app.secret",
                    "Also affected, as they use",
                    &format!("{app} ({app} → {tenant} → {readers}): the same privilege changes"),
                    &format!("{tenant} ({tenant} → {readers}): the same privilege changes"),
                ],
            );
        }))
        .step(
            Step::apply(grant.replace("\"SELECT\", \"UPDATE\"", "\"SELECT\"")).check(|_, out| {
                expect_all(
                    &out.combined(),
                    &[
                        &format!("Warning: PGW001: {readers} loses access on table app.secret"),
                        "Loses 1 privilege on 1 object:",
                        "table UPDATE on 1: app.secret",
                    ],
                );
            }),
        )
        .run();
}

/// Default privileges: privileges on tables created later.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn default_privileges_report_shows_future_objects() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (owner, readers) = (r.n("owner"), r.n("readers"));
    let config = format!(
        "resource \"postgresql_default_privileges\" \"d\" {{\n  role = {}\n  database = {}\n  owner = {}\n  schema = \"app\"\n  object_type = \"table\"\n  privileges = [\"SELECT\"]\n}}\n",
        hcl(&readers),
        hcl(&db.name),
        hcl(&owner)
    );
    TestCase::new(provider_in(&acc, &db))
        .step(Step::apply(config).check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!(
                        "Warning: PGW001: {readers} gains access on tables {owner} creates in app"
                    ),
                    &format!("Gains on tables {owner} creates in app: SELECT"),
                ],
            );
        }))
        .run();
}

/// A role attribute change: SUPERUSER on a login role is reported as an
/// escalation (PGW001) and linted (PGW201); the members that can SET ROLE
/// to it are listed. Dropping the role and the membership is reported too.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn role_attribute_report_and_privileged_login_lint() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let name = format!("{}_ops", r.p);
    let member = r.n("app");
    let role = |attrs: &str| {
        format!(
            "resource \"postgresql_role\" \"ops\" {{\n  name = {}\n  login = true\n{attrs}}}\n\
             resource \"postgresql_grant_role\" \"ops\" {{\n  role = {}\n  grant_role = postgresql_role.ops.name\n}}\n",
            hcl(&name),
            hcl(&member)
        )
    };
    TestCase::new(provider_in(&acc, &db))
        .step(Step::apply(role("")))
        .step(
            Step::apply(role("  superuser = true\n")).check(|_, out| {
                let text = out.combined();
                expect_all(
                    &text,
                    &[
                        &format!(
                            "Warning: PGW001: {name} gains access by its attribute change"
                        ),
                        "Becomes a superuser: passes every privilege check",
                        &format!("{member} ({member} → {name}): gains SUPERUSER of {name} (by SET ROLE through {name})"),
                        &format!("Warning: PGW201: Login Role \"{name}\" Has SUPERUSER"),
                    ],
                );
            }),
        )
        .step(Step::apply("").check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!("Warning: PGW001: {name} loses access as it is dropped"),
                    &format!("Warning: PGW001: {member} loses access through {name}"),
                ],
            );
        }))
        .run();
}

/// `plan_access_report = false` turns the report off (the lints stay), and
/// `plan_access_report_max_lines` cuts a long one.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn report_can_be_turned_off_and_is_capped() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (app, tenant) = (r.n("app"), r.n("tenant_ro"));
    TestCase::new(provider_with(&acc, &db, "  plan_access_report = false"))
        .step(
            Step::apply(grant_role("g", &app, &tenant, "")).check(|_, out| {
                assert!(!out.combined().contains("PGW001"), "{}", out.combined());
            }),
        )
        .run();
    TestCase::new(provider_with(
        &acc,
        &db,
        "  plan_access_report_max_lines = 5",
    ))
    .step(
        Step::apply(grant_role("g", &app, &tenant, "")).check(|_, out| {
            let text = out.combined();
            expect_all(
                &text,
                &[
                    &format!("Warning: PGW001: {app} gains access through {tenant}"),
                    "Gains 3 privileges on 3 objects:",
                    "more lines cut (plan_access_report_max_lines = 5).",
                ],
            );
            assert!(!flat(&text).contains("Warning only; the apply"), "{text}");
        }),
    )
    .run();
}

/// The policy report (PGW002): a new permissive policy widens what its
/// roles see; a USING that gains an OR widens, one that turns into another
/// condition "changes"; dropping the policy narrows. The owner (who sees
/// every row anyway, FORCE being off) is left out.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_report_says_whose_visibility_moves() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (app, readers, owner) = (r.n("app"), r.n("readers"), r.n("owner"));
    acc.sql(&format!("GRANT {readers} TO {app}"));
    let rls = "resource \"postgresql_row_level_security\" \"o\" {\n  schema = \"app\"\n  table = \"orders\"\n  forced = false\n}\n";
    let policy = |using: &str| {
        format!(
            "{rls}resource \"postgresql_policy\" \"p\" {{\n  schema = \"app\"\n  table = \"orders\"\n  name = \"tenant\"\n  roles = [{}, {}]\n  using = {}\n}}\n",
            hcl(&readers),
            hcl(&owner),
            hcl(using)
        )
    };
    let orders = "\"app\".\"orders\"";
    TestCase::new(provider_in(&acc, &db))
        .step(Step::apply(policy("tenant_id = 1")).check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!("Warning: PGW002: Visibility of {orders} widens for {readers}"),
                    &format!("Policy \"tenant\" on {orders}, from the catalog plus this plan:"),
                    "A new PERMISSIVE policy for ALL: widens what its roles see.",
                ],
            );
        }))
        .step(
            Step::apply(policy("tenant_id = 1 OR tenant_id = 2")).check(|_, out| {
                expect_all(
                    &out.combined(),
                    &[
                        &format!("Warning: PGW002: Visibility of {orders} widens for {readers}"),
                        "widens (it gains an OR)",
                    ],
                );
            }),
        )
        .step(Step::apply(policy("tenant_id = 3")).check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!("Warning: PGW002: Visibility of {orders} changes for {readers}"),
                    "the two conditions cannot be compared exactly",
                ],
            );
        }))
        .step(Step::apply(rls).check(|_, out| {
            expect_all(
                &out.combined(),
                &[
                    &format!("Warning: PGW002: Visibility of {orders} narrows for {readers}"),
                    "The PERMISSIVE policy for ALL is dropped",
                ],
            );
        }))
        .run();
}
