//! The effective-access report (PGW001, PGW002) in real plans: each kind of
//! change on a small estate, a two-level inheritance chain, and a
//! membership that does not inherit (PostgreSQL 16's `inherit_option =
//! false`, or before 16 a NOINHERIT member).
//!
//! Terraform wraps diagnostic text and frames it with `│`, so texts are
//! compared on [`flat`] output.

use crate::support::{hcl, unique_name, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// Output with the diagnostic frame and line breaks gone and runs of
/// spaces made one, so a sentence Terraform wrapped reads whole again.
pub fn flat(text: &str) -> String {
    text.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that flattened `text` holds every one of `wanted`.
pub fn expect_all(text: &str, wanted: &[&str]) {
    let f = flat(text);
    for w in wanted {
        assert!(f.contains(&flat(w)), "missing {w:?} in:\n{text}");
    }
}

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
fn membership_report_follows_a_two_level_chain() {
    let Some(acc) = acc() else { return };
    let (r, db) = estate(&acc);
    let (app, tenant, readers) = (r.n("app"), r.n("tenant_ro"), r.n("readers"));
    TestCase::new(provider_in(&acc, &db))
        .step(
            Step::apply(grant_role("g", &app, &tenant, "")).check(|_, out| {
                eprintln!("{}", out.combined());
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
