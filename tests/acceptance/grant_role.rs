//! postgresql_grant_role acceptance tests: create with the server's
//! defaults, in-place option changes, import, drift and re-creation; the
//! grantor identity on PostgreSQL 16+; plan-time checks and warnings; a
//! non-superuser provider; 400 grants applied in parallel; and the
//! `app-and-admin-roles` example.

use std::cell::RefCell;
use std::path::Path;
use std::time::Instant;

use crate::support::{
    exec, exists, expect_all, hcl, ident, query_one_str, query_strings, unique_name, Step, TestCase,
};
use crate::{acc, Acc};

const ADDR: &str = "postgresql_grant_role.g";

/// The pg_auth_members rows of a pair as `grantor:admin/inherit/set`
/// (`grantor:admin` before 16), sorted.
fn rows(acc: &Acc, member: &str, granted: &str) -> Vec<String> {
    let sql = if acc.cluster.major_version() >= 16 {
        "SELECT gr.rolname || ':' || a.admin_option || '/' || a.inherit_option || '/' || a.set_option \
         FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid \
         JOIN pg_roles m ON m.oid = a.member JOIN pg_roles gr ON gr.oid = a.grantor \
         WHERE g.rolname = $1 AND m.rolname = $2 ORDER BY 1"
    } else {
        "SELECT gr.rolname || ':' || a.admin_option \
         FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid \
         JOIN pg_roles m ON m.oid = a.member JOIN pg_roles gr ON gr.oid = a.grantor \
         WHERE g.rolname = $1 AND m.rolname = $2 ORDER BY 1"
    };
    let admin = acc.admin();
    acc.block(query_strings(&admin, sql, &[&granted, &member]))
}

/// The OID of the row recorded with `grantor` (16+).
fn row_oid(acc: &Acc, member: &str, granted: &str, grantor: &str) -> String {
    let admin = acc.admin();
    acc.block(query_one_str(
        &admin,
        "SELECT a.oid::text FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid \
         JOIN pg_roles m ON m.oid = a.member JOIN pg_roles gr ON gr.oid = a.grantor \
         WHERE g.rolname = $1 AND m.rolname = $2 AND gr.rolname = $3",
        &[&granted, &member, &grantor],
    ))
}

/// `postgresql_grant_role.g` of `granted` to `member`, with `extra`
/// attributes.
fn grant(member: &str, granted: &str, extra: &str) -> String {
    format!(
        "\nresource \"postgresql_grant_role\" \"g\" {{\n  role       = {}\n  grant_role = {}\n{extra}}}\n",
        hcl(member),
        hcl(granted)
    )
}

/// A member and a role to grant it, named with the characters that make
/// naive IDs ambiguous; the member is NOINHERIT.
struct Pair<'a> {
    acc: &'a Acc,
    v16: bool,
    member: String,
    granted: String,
}

fn pair(acc: &Acc) -> Pair<'_> {
    let member = format!("{}_m|e.m \"b\" r", unique_name("gr"));
    let granted = format!("{}_g_true", unique_name("gr"));
    acc.sql(&format!(
        "CREATE ROLE {}; CREATE ROLE {} NOINHERIT;",
        ident(&granted),
        ident(&member)
    ));
    Pair {
        acc,
        v16: acc.cluster.major_version() >= 16,
        member,
        granted,
    }
}

impl Pair<'_> {
    fn grant(&self, extra: &str) -> String {
        grant(&self.member, &self.granted, extra)
    }

    /// Every option away from the default (only ADMIN before 16).
    fn all_options(&self) -> &'static str {
        if self.v16 {
            "  with_admin_option = true\n  inherit_option = true\n  set_option = false\n"
        } else {
            "  with_admin_option = true\n"
        }
    }

    /// The options without ADMIN.
    fn no_admin(&self) -> &'static str {
        if self.v16 {
            "  inherit_option = true\n  set_option = false\n"
        } else {
            ""
        }
    }

    /// The rows of the pair as [`Pair::no_admin`] leaves them.
    fn no_admin_rows(&self) -> Vec<String> {
        vec![if self.v16 {
            "postgres:false/true/false".to_string()
        } else {
            "postgres:false".to_string()
        }]
    }

    fn rows(&self) -> Vec<String> {
        rows(self.acc, &self.member, &self.granted)
    }

    fn row_oid(&self) -> String {
        row_oid(self.acc, &self.member, &self.granted, "postgres")
    }

    /// The import ID: the JSON array of member and role.
    fn id(&self) -> String {
        serde_json::to_string(&[&self.member, &self.granted]).unwrap()
    }

    /// A test case whose destroy must revoke the grant.
    fn case(&self) -> TestCase<'_> {
        TestCase::new(self.acc.cluster.provider_block())
            .check_destroy(|| assert!(self.rows().is_empty()))
    }
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_creates_with_the_server_defaults() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    p.case()
        .step(Step::apply(p.grant("")).check(|ws, _| {
            let st = ws.state_resource(ADDR);
            assert_eq!(st["id"], p.id().as_str());
            assert_eq!(st["granted_by"], "postgres");
            assert_eq!(st["with_admin_option"], false);
            if p.v16 {
                // The member is NOINHERIT, so PostgreSQL's default INHERIT is
                // false.
                assert_eq!(p.rows(), vec!["postgres:false/false/true"]);
                assert_eq!(st["inherit_option"], false);
                assert_eq!(st["set_option"], true);
            } else {
                assert_eq!(p.rows(), vec!["postgres:false"]);
                assert!(st["inherit_option"].is_null() && st["set_option"].is_null());
            }
        }))
        .run();
}

/// Options change in place (the same pg_auth_members row on 16+), ADMIN
/// included, which goes with REVOKE ADMIN OPTION FOR on every version;
/// before 16 per-grant options are a plan-time error.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_options_change_in_place() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    let oid_before = RefCell::new(None);
    let mut case = p
        .case()
        .step(Step::apply(p.grant("")).check(|_, _| {
            *oid_before.borrow_mut() = p.v16.then(|| p.row_oid());
        }))
        .step(Step::apply(p.grant(p.all_options())).check(|_, out| {
            expect_all(&out.stdout, &["0 added, 1 changed, 0 destroyed"]);
            if p.v16 {
                assert_eq!(p.rows(), vec!["postgres:true/true/false"]);
                assert_eq!(
                    Some(p.row_oid()),
                    *oid_before.borrow(),
                    "the grant was updated, not recreated"
                );
            } else {
                assert_eq!(p.rows(), vec!["postgres:true"]);
            }
        }));
    if !p.v16 {
        case = case.step(
            Step::fails(
                p.grant("  with_admin_option = true\n  set_option = false\n"),
                "Option Requires PostgreSQL 16",
            )
            .check(|_, out| {
                expect_all(
                    &out.combined(),
                    &[
                        "set_option",
                        &format!("this server runs {}.", acc.cluster.major_version()),
                    ],
                )
            }),
        );
    }
    case.step(Step::apply(p.grant(p.no_admin())).check(|_, out| {
        expect_all(&out.stdout, &["0 added, 1 changed, 0 destroyed"]);
        assert_eq!(p.rows(), p.no_admin_rows());
        if p.v16 {
            assert_eq!(Some(p.row_oid()), *oid_before.borrow());
        }
    }))
    .run();
}

/// Import by the JSON ID gives the same state and an empty plan; a
/// malformed ID explains the expected format.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_imports_by_json_id() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    p.case()
        .step(Step::apply(p.grant(p.no_admin())))
        .step(
            Step::import_fails(
                ADDR,
                format!("{}_{}_false", p.member, p.granted),
                "Invalid Import ID",
            )
            .config(p.grant(""))
            .check(|_, out| expect_all(&out.combined(), &[r#"'["app_user","readers"]'"#])),
        )
        .step(Step::import(ADDR, p.id()))
        .run();
}

/// An option changed outside Terraform shows as a diff and is put back.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_option_drift_is_put_back() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    let (g, m) = (ident(&p.granted), ident(&p.member));
    let (drift, attr) = if p.v16 {
        (
            format!("GRANT {g} TO {m} WITH SET TRUE GRANTED BY postgres"),
            "set_option",
        )
    } else {
        (
            format!("GRANT {g} TO {m} WITH ADMIN OPTION"),
            "with_admin_option",
        )
    };
    p.case()
        .step(Step::apply(p.grant(p.no_admin())))
        .step(
            Step::apply(p.grant(p.no_admin()))
                .before(|_| acc.sql(&drift))
                .plan_check(|plan| expect_all(plan, &[attr, "update in-place"]))
                .check(|_, _| assert_eq!(p.rows(), p.no_admin_rows())),
        )
        .run();
}

/// A grant revoked outside Terraform is planned for re-creation.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_recreated_after_revoke_outside() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    let by = if p.v16 { " GRANTED BY postgres" } else { "" };
    p.case()
        .step(Step::apply(p.grant(p.no_admin())))
        .step(
            Step::apply(p.grant(p.no_admin()))
                .before(|_| {
                    acc.sql(&format!(
                        "REVOKE {} FROM {}{by}",
                        ident(&p.granted),
                        ident(&p.member)
                    ))
                })
                .plan_check(|plan| expect_all(plan, &["will be created"]))
                .check(|_, _| assert_eq!(p.rows().len(), 1)),
        )
        .run();
}

/// Creating a grant that exists already (outside the state) is refused
/// with the import command.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_existing_membership_is_not_adopted() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    p.case()
        .step(Step::apply(p.grant(p.no_admin())))
        .step(
            Step::fails(p.grant(p.no_admin()), "Role Membership Already Granted")
                .fresh_state()
                .check(|_, out| expect_all(&out.combined(), &["terraform import"])),
        )
        .run();
}

/// On 16+, a second grant of the same pair by another grantor is not the
/// provider's: no diff, destroy leaves it in place, and it cannot be
/// imported. (Before 16 a pair has one grant, which destroy revokes: every
/// other test checks that.)
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_of_another_grantor_is_left_alone() {
    let Some(acc) = acc() else { return };
    let p = pair(&acc);
    if !p.v16 {
        return;
    }
    let other = unique_name("gr_other");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(p.grant(p.no_admin())))
        .step(Step::plan_only(p.grant(p.no_admin())).before(|_| {
            acc.sql(&format!(
                "CREATE ROLE {o}; GRANT {g} TO {o} WITH ADMIN OPTION; SET ROLE {o}; \
                 GRANT {g} TO {m}; RESET ROLE;",
                o = ident(&other),
                g = ident(&p.granted),
                m = ident(&p.member)
            ))
        }))
        .step(
            Step::destroy()
                .check(|_, _| assert_eq!(p.rows(), vec![format!("{other}:false/false/true")])),
        )
        .step(
            Step::import_fails(ADDR, p.id(), "Role Membership Not Found")
                .config(p.grant(""))
                .check(|_, out| {
                    expect_all(&out.combined(), &["grantor \"postgres\"", &other]);
                }),
        )
        .run();
}

/// Roles for the plan-time checks: `child` is a member of `parent`, `boss`
/// is SUPERUSER BYPASSRLS.
struct PlanRoles {
    member: String,
    parent: String,
    child: String,
    boss: String,
}

fn plan_roles(acc: &Acc) -> PlanRoles {
    let r = PlanRoles {
        member: unique_name("grp_m"),
        parent: unique_name("grp_parent"),
        child: unique_name("grp_child"),
        boss: unique_name("grp_boss"),
    };
    acc.sql(&format!(
        "CREATE ROLE {m}; CREATE ROLE {p}; CREATE ROLE {c}; GRANT {p} TO {c}; \
         CREATE ROLE {b} SUPERUSER BYPASSRLS;",
        m = ident(&r.member),
        p = ident(&r.parent),
        c = ident(&r.child),
        b = ident(&r.boss)
    ));
    r
}

/// A missing role is a plan-time error naming it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_of_a_missing_role_fails_at_plan() {
    let Some(acc) = acc() else { return };
    let r = plan_roles(&acc);
    let missing = unique_name("grp_missing");
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(grant(&r.member, &missing, ""), "Role Not Found")
                .check(|_, out| expect_all(&out.combined(), &[&missing, "grant_role"])),
        )
        .run();
}

/// A cycle: `child` is a member of `parent`, so `parent` cannot join
/// `child`.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_cycle_fails_at_plan() {
    let Some(acc) = acc() else { return };
    let r = plan_roles(&acc);
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(grant(&r.parent, &r.child, ""), "Role Membership Cycle")
                .check(|_, out| expect_all(&out.combined(), &[&r.parent, &r.child])),
        )
        .run();
}

/// Powerful roles: warnings in the plan that do not block the apply. Roles
/// created by postgresql_role in the same apply pass the existence check,
/// and postgresql_role.roles coexists with grants on the same member.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_warns_about_privileged_roles() {
    let Some(acc) = acc() else { return };
    let PlanRoles {
        member,
        parent,
        boss,
        ..
    } = plan_roles(&acc);
    // pg_read_all_data exists from PostgreSQL 14 on.
    let (predefined, power) = if acc.cluster.major_version() >= 14 {
        ("pg_read_all_data", "read every table")
    } else {
        ("pg_read_server_files", "read any file")
    };
    let fresh = unique_name("grp_fresh");
    let group_a = unique_name("grp_a");
    let new_boss = unique_name("grp_new_boss");
    let config = format!(
        r#"
resource "postgresql_role" "group_a" {{ name = "{group_a}" }}
resource "postgresql_role" "fresh" {{
  name  = "{fresh}"
  roles = [postgresql_role.group_a.name]
}}
resource "postgresql_grant_role" "boss" {{
  role       = "{member}"
  grant_role = "{boss}"
}}
resource "postgresql_grant_role" "read_all" {{
  role       = "{member}"
  grant_role = "{predefined}"
}}
resource "postgresql_role" "new_boss" {{
  name                      = "{new_boss}"
  bypass_row_level_security = true
}}
resource "postgresql_grant_role" "new_boss" {{
  role       = "{member}"
  grant_role = postgresql_role.new_boss.name
}}
resource "postgresql_grant_role" "fresh_in_parent" {{
  role       = postgresql_role.fresh.name
  grant_role = "{parent}"
}}
"#
    );
    let admin = acc.admin();
    let member_of = |m: &str| {
        acc.block(query_strings(
            &admin,
            "SELECT g.rolname::text FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid \
             JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = $1 ORDER BY 1",
            &[&m],
        ))
    };
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config)
                .before(|ws| {
                    let (code, out) = ws.plan_exit_code();
                    assert_eq!(code, 2, "{}", out.combined());
                    let text = out.combined();
                    expect_all(
                        &text,
                        &[
                            &format!("Warning: PGW202: Granting Privileged Role \"{boss}\""),
                            &format!("Warning: PGW202: Granting Privileged Role \"{predefined}\""),
                            // Created in the same apply: its planned attributes
                            // are used.
                            &format!("Warning: PGW202: Granting Privileged Role \"{new_boss}\""),
                            "SUPERUSER",
                            "BYPASSRLS",
                            power,
                        ],
                    );
                    assert!(!text.contains("Error"), "{text}");
                })
                .check(|ws, _| {
                    let mut want = vec![group_a.clone(), parent.clone()];
                    want.sort();
                    assert_eq!(member_of(&fresh), want);
                    // postgresql_role.roles lists only its own membership.
                    let role_state = ws.state_resource("postgresql_role.fresh");
                    assert_eq!(role_state["roles"], serde_json::json!([group_a]));
                }),
        )
        .check_destroy(|| assert!(member_of(&member).is_empty()))
        .run();
}

/// With the provider configuration unknown at plan time the checks are
/// skipped; the apply-time error still names the missing role.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_checks_wait_for_an_unknown_provider_config() {
    let Some(acc) = acc() else { return };
    let r = plan_roles(&acc);
    let missing = unique_name("grp_missing");
    let provider = format!(
        r#"
resource "terraform_data" "host" {{ input = "{host}" }}
provider "postgresql" {{
  host     = terraform_data.host.output
  port     = {port}
  username = "postgres"
  password = "{password}"
  sslmode  = "disable"
}}
"#,
        host = acc.cluster.host(),
        port = acc.cluster.port(),
        password = acc.cluster.password(),
    );
    // After the failure the configuration goes back to the provider alone,
    // so the destroy plans without the failing grant.
    TestCase::new(provider)
        .step(
            Step::fails(grant(&r.member, &missing, ""), "Role Not Found")
                .check(|_, out| expect_all(&out.combined(), &[&missing])),
        )
        .run();
}

/// A provider connected as a CREATEROLE role, the roles it may grant and
/// those it may not.
struct Creator<'a> {
    acc: &'a Acc,
    v16: bool,
    creator: String,
    owned: String,
    member: String,
    foreign: String,
    via: String,
    admins: String,
    sup: String,
}

const CREATOR_PASSWORD: &str = "creator-pw-1";

fn creator(acc: &Acc) -> Creator<'_> {
    let c = Creator {
        acc,
        v16: acc.cluster.major_version() >= 16,
        creator: unique_name("grn_creator"),
        owned: unique_name("grn_owned"),
        member: unique_name("grn_member"),
        foreign: unique_name("grn_foreign"),
        via: unique_name("grn_via"),
        admins: unique_name("grn_admins"),
        sup: unique_name("grn_super"),
    };
    acc.sql(&format!(
        "CREATE ROLE {c} LOGIN CREATEROLE PASSWORD '{CREATOR_PASSWORD}'; \
         CREATE ROLE {f}; CREATE ROLE {v}; CREATE ROLE {a}; CREATE ROLE {s} SUPERUSER; \
         GRANT {v} TO {a} WITH ADMIN OPTION; GRANT {a} TO {c};",
        c = ident(&c.creator),
        f = ident(&c.foreign),
        v = ident(&c.via),
        a = ident(&c.admins),
        s = ident(&c.sup),
    ));
    // The creator creates the roles it grants (on 16+ it gets ADMIN on them).
    let as_creator = acc.block(
        acc.cluster
            .connect("postgres", &c.creator, CREATOR_PASSWORD),
    );
    acc.block(exec(
        &as_creator,
        &format!(
            "CREATE ROLE {}; CREATE ROLE {};",
            ident(&c.owned),
            ident(&c.member)
        ),
    ));
    c
}

impl Creator<'_> {
    fn case(&self) -> TestCase<'_> {
        TestCase::new(
            self.acc
                .cluster
                .provider_block_as(&self.creator, CREATOR_PASSWORD),
        )
    }

    /// A grant of `role` to the member, named `key`.
    fn grant(&self, key: &str, role: &str) -> String {
        format!(
            "\nresource \"postgresql_grant_role\" \"{key}\" {{\n  role = \"{}\"\n  grant_role = \"{role}\"\n}}\n",
            self.member
        )
    }
}

/// Grants are recorded with the provider's role, or with the role through
/// which it holds ADMIN (16+).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_as_non_superuser_records_the_grantor() {
    let Some(acc) = acc() else { return };
    let c = creator(&acc);
    let (creator, member, owned, via, admins) =
        (&c.creator, &c.member, &c.owned, &c.via, &c.admins);
    let owned_opts = if c.v16 {
        "  with_admin_option = true\n  inherit_option = false\n"
    } else {
        "  with_admin_option = true\n"
    };
    c.case()
        .step(
            Step::apply(format!(
                r#"
resource "postgresql_grant_role" "owned" {{
  role       = "{member}"
  grant_role = "{owned}"
{owned_opts}}}
resource "postgresql_grant_role" "via" {{
  role       = "{member}"
  grant_role = "{via}"
}}
"#
            ))
            .check(|ws, _| {
                if c.v16 {
                    assert_eq!(
                        rows(&acc, member, owned),
                        vec![format!("{creator}:true/false/true")]
                    );
                    assert_eq!(
                        rows(&acc, member, via),
                        vec![format!("{admins}:false/true/true")]
                    );
                    assert_eq!(
                        ws.state_resource("postgresql_grant_role.via")["granted_by"],
                        admins.as_str()
                    );
                } else {
                    assert_eq!(rows(&acc, member, owned), vec![format!("{creator}:true")]);
                    assert_eq!(rows(&acc, member, via), vec![format!("{creator}:false")]);
                }
                assert_eq!(
                    ws.state_resource("postgresql_grant_role.owned")["granted_by"],
                    creator.as_str()
                );
            }),
        )
        .check_destroy(|| {
            assert!(rows(&acc, member, owned).is_empty());
            assert!(rows(&acc, member, via).is_empty());
        })
        .run();
}

/// What the provider's role may not grant fails at plan time and says
/// what is missing: a superuser role, and (16+) a role it holds no ADMIN
/// OPTION on.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_as_non_superuser_refuses_what_it_may_not_grant() {
    let Some(acc) = acc() else { return };
    let c = creator(&acc);
    let mut case = c.case().step(
        Step::fails(
            c.grant("s", &c.sup),
            "Granting A Superuser Role Needs A Superuser",
        )
        .check(|_, out| {
            expect_all(
                &out.combined(),
                &["only superusers may grant superuser roles", &c.sup],
            )
        }),
    );
    if c.v16 {
        case = case.step(
            Step::fails(c.grant("f", &c.foreign), "Missing ADMIN OPTION").check(|_, out| {
                expect_all(
                    &out.combined(),
                    &["does not hold ADMIN OPTION", &c.foreign, &c.creator],
                )
            }),
        );
    }
    case.run();
}

/// 400 grants applied and destroyed with 32 in parallel.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_parallel_applies() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let prefix = unique_name("grx");
    let one_member = format!("{prefix}_member");
    let one_group = format!("{prefix}_group");
    let mut setup = format!(
        "CREATE ROLE {}; CREATE ROLE {};",
        ident(&one_member),
        ident(&one_group)
    );
    for i in 0..200 {
        setup.push_str(&format!(
            "CREATE ROLE {}; CREATE ROLE {};",
            ident(&format!("{prefix}_g{i:03}")),
            ident(&format!("{prefix}_m{i:03}"))
        ));
    }
    acc.sql(&setup);
    let config = format!(
        r#"
locals {{
  groups  = [for i in range(200) : format("{prefix}_g%03d", i)]
  members = [for i in range(200) : format("{prefix}_m%03d", i)]
}}
resource "postgresql_grant_role" "to_one_member" {{
  for_each   = toset(local.groups)
  role       = "{one_member}"
  grant_role = each.value
}}
resource "postgresql_grant_role" "one_group_to_many" {{
  for_each   = toset(local.members)
  role       = each.value
  grant_role = "{one_group}"
}}
"#,
    );
    let admin = acc.admin();
    let count = |sql: &str, name: &str| acc.block(query_one_str(&admin, sql, &[&name]));
    // The apply's time includes the empty plans and the refresh after it.
    let t = std::cell::Cell::new(Instant::now());
    let (apply_secs, destroy_secs) = (std::cell::Cell::new(0.0), std::cell::Cell::new(0.0));
    TestCase::new(acc.cluster.provider_block())
        .parallelism(32)
        .step(
            Step::apply(config)
                .before(|_| t.set(Instant::now()))
                .check(|_, out| {
                    apply_secs.set(t.get().elapsed().as_secs_f64());
                    expect_all(&out.stdout, &["400 added, 0 changed, 0 destroyed"]);
                    assert!(!out.combined().contains("Error"), "{}", out.combined());
                    assert_eq!(
                        count(
                            "SELECT count(*)::text FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = $1",
                            &one_member
                        ),
                        "200"
                    );
                    assert_eq!(
                        count(
                            "SELECT count(*)::text FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid WHERE g.rolname = $1",
                            &one_group
                        ),
                        "200"
                    );
                    t.set(Instant::now());
                }),
        )
        .check_destroy(|| {
            destroy_secs.set(t.get().elapsed().as_secs_f64());
            assert!(!acc.block(exists(
                &admin,
                "SELECT 1 FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member \
                 JOIN pg_roles g ON g.oid = a.roleid WHERE m.rolname = $1 OR g.rolname = $1",
                &[&one_member],
            )));
        })
        .run();
    eprintln!(
        "grant_role_parallel_applies: apply {:.1}s, destroy {:.1}s, total {:.1}s",
        apply_secs.get(),
        destroy_secs.get(),
        started.elapsed().as_secs_f64()
    );
}

/// The shipped example, applied with its variables set as its README says
/// (through `TF_VAR_*`, which Terraform reads as it reads `-var`).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn grant_role_app_and_admin_example() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/app-and-admin-roles");
    let main_tf = std::fs::read_to_string(dir.join("main.tf")).expect("example main.tf");
    let prefix = format!("{}_", unique_name("ex"));
    let port = acc.cluster.port().to_string();
    let vars = [
        ("host", acc.cluster.host()),
        ("port", port.as_str()),
        ("username", "postgres"),
        ("password", acc.cluster.password()),
        ("database", "postgres"),
        ("sslmode", "disable"),
        ("name_prefix", prefix.as_str()),
        ("app_password", "app-Secret-1"),
        ("admin_password", "admin-Secret-2"),
    ];
    let app = format!("{prefix}app_service_role");
    let adm = format!("{prefix}admin_service_role");
    let admin = acc.admin();
    let mut case = TestCase::new("").raw();
    for (k, v) in vars {
        case = case.env(&format!("TF_VAR_{k}"), v);
    }
    // The step requires empty plans after the apply and after a refresh.
    // LOGIN, SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS.
    let flags = |name: &str| {
        acc.block(query_one_str(
            &admin,
            "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) \
             FROM pg_roles WHERE rolname = $1",
            &[&name],
        ))
    };
    case.step(Step::apply(main_tf).check(|ws, _| {
        assert_eq!(flags(&adm), "t,t,t,t,t,t");
        assert_eq!(flags(&app), "t,f,f,f,f,f");
        let expected = if acc.cluster.major_version() >= 16 {
            "postgres:true/true/true"
        } else {
            "postgres:true"
        };
        assert_eq!(rows(&acc, &adm, &app), vec![expected]);
        // The application role can log in with its password.
        acc.block(acc.cluster.connect("postgres", &app, "app-Secret-1"));
        let out = ws.run(&["output", "-raw", "membership_id"]);
        assert_eq!(
            out.stdout.trim(),
            serde_json::to_string(&[&adm, &app]).unwrap()
        );
    }))
    .check_destroy(|| {
        assert!(!acc.block(exists(
            &admin,
            "SELECT 1 FROM pg_roles WHERE rolname = ANY($1)",
            &[&vec![app.clone(), adm.clone()]],
        )));
    })
    .run();
    eprintln!(
        "grant_role_app_and_admin_example: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
