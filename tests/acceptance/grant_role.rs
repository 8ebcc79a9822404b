//! postgresql_grant_role acceptance tests: lifecycle with in-place option
//! changes, import and drift; grantor identity on PostgreSQL 16+; plan-time
//! checks and warnings; a non-superuser provider; 400 grants applied in
//! parallel; and the `app-and-admin-roles` example.

use std::path::Path;
use std::time::Instant;

use crate::support::{exec, exists, query_one_str, query_strings, unique_name, Workspace};
use crate::{acc, Acc};

const ADDR: &str = "postgresql_grant_role.g";

/// Quotes an SQL identifier for setup statements.
fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string for HCL.
fn hcl(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

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

fn sql(acc: &Acc, statements: &str) {
    let admin = acc.admin();
    acc.block(exec(&admin, statements));
}

fn grant_config(acc: &Acc, member: &str, granted: &str, extra: &str) -> String {
    format!(
        "{}\nresource \"postgresql_grant_role\" \"g\" {{\n  role       = {}\n  grant_role = {}\n{extra}}}\n",
        acc.cluster.provider_block(),
        hcl(member),
        hcl(granted)
    )
}

/// Asserts that each needle appears in `text`, ignoring how whitespace is
/// laid out (Terraform wraps diagnostics to the terminal width).
fn expect_in(text: &str, needles: &[&str]) {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let hay = flat(text);
    for n in needles {
        assert!(hay.contains(&flat(n)), "expected {n:?} in:\n{text}");
    }
}

#[test]
fn grant_role_lifecycle() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let v16 = acc.cluster.major_version() >= 16;
    // Names with the characters that make naive IDs ambiguous.
    let member = format!("{}_m|e.m \"b\" r", unique_name("gr"));
    let granted = format!("{}_g_true", unique_name("gr"));
    sql(
        &acc,
        &format!(
            "CREATE ROLE {}; CREATE ROLE {} NOINHERIT;",
            q(&granted),
            q(&member)
        ),
    );
    let ws = Workspace::new();

    // Create with defaults.
    ws.write_config(&grant_config(&acc, &member, &granted, ""));
    ws.apply_clean();
    let st = ws.state_resource(ADDR);
    let id = serde_json::to_string(&[&member, &granted]).unwrap();
    assert_eq!(st["id"], id.as_str());
    assert_eq!(st["granted_by"], "postgres");
    assert_eq!(st["with_admin_option"], false);
    if v16 {
        // The member is NOINHERIT, so PostgreSQL's default INHERIT is false.
        assert_eq!(
            rows(&acc, &member, &granted),
            vec!["postgres:false/false/true"]
        );
        assert_eq!(st["inherit_option"], false);
        assert_eq!(st["set_option"], true);
    } else {
        assert_eq!(rows(&acc, &member, &granted), vec!["postgres:false"]);
        assert!(st["inherit_option"].is_null() && st["set_option"].is_null());
    }
    let oid_before = v16.then(|| row_oid(&acc, &member, &granted, "postgres"));

    // In-place option changes.
    let opts = if v16 {
        "  with_admin_option = true\n  inherit_option = true\n  set_option = false\n"
    } else {
        "  with_admin_option = true\n"
    };
    ws.write_config(&grant_config(&acc, &member, &granted, opts));
    let out = ws.apply();
    expect_in(&out.stdout, &["0 added, 1 changed, 0 destroyed"]);
    ws.assert_no_changes();
    if v16 {
        assert_eq!(
            rows(&acc, &member, &granted),
            vec!["postgres:true/true/false"]
        );
        assert_eq!(
            Some(row_oid(&acc, &member, &granted, "postgres")),
            oid_before,
            "the grant was updated, not recreated"
        );
    } else {
        assert_eq!(rows(&acc, &member, &granted), vec!["postgres:true"]);
        // Per-grant options do not exist before 16: a plan-time error.
        ws.write_config(&grant_config(
            &acc,
            &member,
            &granted,
            "  with_admin_option = true\n  set_option = false\n",
        ));
        let (code, out) = ws.plan_exit_code();
        assert_eq!(code, 1);
        expect_in(
            &out.combined(),
            &[
                "Option Requires PostgreSQL 16",
                "set_option",
                &format!("this server runs {}.", acc.cluster.major_version()),
            ],
        );
        ws.write_config(&grant_config(&acc, &member, &granted, opts));
    }

    // Back off ADMIN in place (REVOKE ADMIN OPTION FOR on every version).
    let opts_no_admin = if v16 {
        "  inherit_option = true\n  set_option = false\n"
    } else {
        ""
    };
    ws.write_config(&grant_config(&acc, &member, &granted, opts_no_admin));
    let out = ws.apply();
    expect_in(&out.stdout, &["0 added, 1 changed, 0 destroyed"]);
    ws.assert_no_changes();
    if v16 {
        assert_eq!(
            rows(&acc, &member, &granted),
            vec!["postgres:false/true/false"]
        );
        assert_eq!(
            Some(row_oid(&acc, &member, &granted, "postgres")),
            oid_before
        );
    } else {
        assert_eq!(rows(&acc, &member, &granted), vec!["postgres:false"]);
    }

    // Import into a fresh workspace gives the same state and an empty plan.
    let ws2 = Workspace::new();
    ws2.write_config(&grant_config(&acc, &member, &granted, opts_no_admin));
    ws2.import(ADDR, &id);
    assert_eq!(ws2.state_resource(ADDR), ws.state_resource(ADDR));
    ws2.assert_no_changes();
    // A malformed ID explains the expected format.
    let ws3 = Workspace::new();
    ws3.write_config(&grant_config(&acc, &member, &granted, ""));
    let out = ws3.run(&[
        "import",
        "-no-color",
        ADDR,
        &format!("{member}_{granted}_false"),
    ]);
    assert!(!out.success());
    expect_in(
        &out.combined(),
        &["Invalid Import ID", r#"'["app_user","readers"]'"#],
    );

    // An option changed outside Terraform shows as a diff and is put back.
    let by = if v16 { " GRANTED BY postgres" } else { "" };
    if v16 {
        sql(
            &acc,
            &format!("GRANT {} TO {} WITH SET TRUE{by}", q(&granted), q(&member)),
        );
        let plan = ws.assert_changes();
        expect_in(&plan, &["set_option", "update in-place"]);
    } else {
        sql(
            &acc,
            &format!("GRANT {} TO {} WITH ADMIN OPTION", q(&granted), q(&member)),
        );
        let plan = ws.assert_changes();
        expect_in(&plan, &["with_admin_option", "update in-place"]);
    }
    ws.apply_clean();
    assert_eq!(
        rows(&acc, &member, &granted),
        vec![if v16 {
            "postgres:false/true/false"
        } else {
            "postgres:false"
        }]
    );

    // A grant revoked outside Terraform is planned for re-creation.
    sql(
        &acc,
        &format!("REVOKE {} FROM {}{by}", q(&granted), q(&member)),
    );
    let plan = ws.assert_changes();
    expect_in(&plan, &["will be created"]);
    ws.apply_clean();
    assert_eq!(rows(&acc, &member, &granted).len(), 1);

    // Creating a grant that exists already (outside the state) is refused
    // with the import command.
    let ws4 = Workspace::new();
    ws4.write_config(&grant_config(&acc, &member, &granted, opts_no_admin));
    let out = ws4.apply_expect_error();
    expect_in(
        &out.combined(),
        &["Role Membership Already Granted", "terraform import"],
    );

    if v16 {
        // A second grant of the same pair by another grantor is not ours:
        // no diff, and destroy leaves it in place.
        let other = unique_name("gr_other");
        sql(
            &acc,
            &format!(
                "CREATE ROLE {o}; GRANT {g} TO {o} WITH ADMIN OPTION; SET ROLE {o}; \
                 GRANT {g} TO {m}; RESET ROLE;",
                o = q(&other),
                g = q(&granted),
                m = q(&member)
            ),
        );
        ws.assert_no_changes();
        ws.destroy();
        assert_eq!(
            rows(&acc, &member, &granted),
            vec![format!("{other}:false/false/true")]
        );
        // That grant is not the provider's to import either.
        let out = ws3.run(&["import", "-no-color", ADDR, &id]);
        assert!(!out.success());
        expect_in(
            &out.combined(),
            &["Role Membership Not Found", "grantor \"postgres\"", &other],
        );
    } else {
        ws.destroy();
        assert!(rows(&acc, &member, &granted).is_empty());
    }
    eprintln!(
        "grant_role_lifecycle: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn grant_role_plan_checks_and_warnings() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let member = unique_name("grp_m");
    let parent = unique_name("grp_parent");
    let child = unique_name("grp_child");
    let boss = unique_name("grp_boss");
    sql(
        &acc,
        &format!(
            "CREATE ROLE {m}; CREATE ROLE {p}; CREATE ROLE {c}; GRANT {p} TO {c}; \
             CREATE ROLE {b} SUPERUSER BYPASSRLS;",
            m = q(&member),
            p = q(&parent),
            c = q(&child),
            b = q(&boss)
        ),
    );
    let ws = Workspace::new();

    // A missing role is a plan-time error naming it.
    let missing = unique_name("grp_missing");
    ws.write_config(&grant_config(&acc, &member, &missing, ""));
    let (code, out) = ws.plan_exit_code();
    assert_eq!(code, 1);
    expect_in(&out.combined(), &["Role Not Found", &missing, "grant_role"]);

    // A cycle: child is a member of parent, so parent cannot join child... the
    // other way round is what this grant would do.
    ws.write_config(&grant_config(&acc, &parent, &child, ""));
    let (code, out) = ws.plan_exit_code();
    assert_eq!(code, 1);
    expect_in(&out.combined(), &["Role Membership Cycle", &parent, &child]);

    // Powerful roles: warnings in the plan that do not block the apply.
    // Roles created by postgresql_role in the same apply pass the existence
    // check, and postgresql_role.roles coexists with grants on the same member.
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
        r#"{provider}
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
"#,
        provider = acc.cluster.provider_block(),
    );
    ws.write_config(&config);
    let (code, out) = ws.plan_exit_code();
    assert_eq!(code, 2, "{}", out.combined());
    let text = out.combined();
    expect_in(
        &text,
        &[
            &format!("Warning: PGW202: Granting Privileged Role \"{boss}\""),
            &format!("Warning: PGW202: Granting Privileged Role \"{predefined}\""),
            // Created in the same apply: its planned attributes are used.
            &format!("Warning: PGW202: Granting Privileged Role \"{new_boss}\""),
            "SUPERUSER",
            "BYPASSRLS",
            power,
        ],
    );
    assert!(!text.contains("Error"), "{text}");
    ws.apply_clean();
    let admin = acc.admin();
    let member_of = |m: &str| {
        acc.block(query_strings(
            &admin,
            "SELECT g.rolname::text FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid \
             JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = $1 ORDER BY 1",
            &[&m],
        ))
    };
    let mut want = vec![group_a.clone(), parent.clone()];
    want.sort();
    assert_eq!(member_of(&fresh), want);
    // postgresql_role.roles lists only its own membership.
    let role_state = ws.state_resource("postgresql_role.fresh");
    assert_eq!(role_state["roles"], serde_json::json!([group_a]));
    ws.destroy();
    assert!(member_of(&member).is_empty());

    // With the provider configuration unknown at plan time the checks are
    // skipped; the apply-time error still names the missing role.
    let ws = Workspace::new();
    ws.write_config(&format!(
        r#"
resource "terraform_data" "host" {{ input = "{host}" }}
provider "postgresql" {{
  host     = terraform_data.host.output
  port     = {port}
  username = "postgres"
  password = "{password}"
  sslmode  = "disable"
}}
resource "postgresql_grant_role" "g" {{
  role       = "{member}"
  grant_role = "{missing}"
}}
"#,
        host = acc.cluster.host(),
        port = acc.cluster.port(),
        password = acc.cluster.password(),
    ));
    let out = ws.apply_expect_error();
    expect_in(&out.combined(), &["Role Not Found", &missing]);
    // destroy plans the configuration first, so the failing grant goes.
    let hcl = std::fs::read_to_string(ws.path().join("main.tf")).unwrap();
    let cut = hcl.find("resource \"postgresql_grant_role\"").unwrap();
    ws.write_config_raw(&hcl[..cut]);
    ws.destroy();
    eprintln!(
        "grant_role_plan_checks_and_warnings: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn grant_role_non_superuser_provider() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let v16 = acc.cluster.major_version() >= 16;
    let creator = unique_name("grn_creator");
    let password = "creator-pw-1";
    let owned = unique_name("grn_owned");
    let member = unique_name("grn_member");
    let foreign = unique_name("grn_foreign");
    let via = unique_name("grn_via");
    let admins = unique_name("grn_admins");
    let sup = unique_name("grn_super");
    sql(
        &acc,
        &format!(
            "CREATE ROLE {c} LOGIN CREATEROLE PASSWORD '{password}'; \
             CREATE ROLE {f}; CREATE ROLE {v}; CREATE ROLE {a}; CREATE ROLE {s} SUPERUSER; \
             GRANT {v} TO {a} WITH ADMIN OPTION; GRANT {a} TO {c};",
            c = q(&creator),
            f = q(&foreign),
            v = q(&via),
            a = q(&admins),
            s = q(&sup),
        ),
    );
    // The creator creates the roles it grants (on 16+ it gets ADMIN on them).
    let as_creator = acc.block(acc.cluster.connect("postgres", &creator, password));
    acc.block(exec(
        &as_creator,
        &format!("CREATE ROLE {}; CREATE ROLE {};", q(&owned), q(&member)),
    ));

    let provider = acc.cluster.provider_block_as(&creator, password);
    let ws = Workspace::new();
    let owned_opts = if v16 {
        "  with_admin_option = true\n  inherit_option = false\n"
    } else {
        "  with_admin_option = true\n"
    };
    ws.write_config(&format!(
        r#"{provider}
resource "postgresql_grant_role" "owned" {{
  role       = "{member}"
  grant_role = "{owned}"
{owned_opts}}}
resource "postgresql_grant_role" "via" {{
  role       = "{member}"
  grant_role = "{via}"
}}
"#
    ));
    ws.apply_clean();
    if v16 {
        // Recorded with the creator, and with the role through which it
        // holds ADMIN on the second one.
        assert_eq!(
            rows(&acc, &member, &owned),
            vec![format!("{creator}:true/false/true")]
        );
        assert_eq!(
            rows(&acc, &member, &via),
            vec![format!("{admins}:false/true/true")]
        );
        assert_eq!(
            ws.state_resource("postgresql_grant_role.via")["granted_by"],
            admins.as_str()
        );
    } else {
        assert_eq!(rows(&acc, &member, &owned), vec![format!("{creator}:true")]);
        assert_eq!(rows(&acc, &member, &via), vec![format!("{creator}:false")]);
    }
    assert_eq!(
        ws.state_resource("postgresql_grant_role.owned")["granted_by"],
        creator.as_str()
    );

    // What it may not grant fails at plan time and says what is missing.
    let ws2 = Workspace::new();
    ws2.write_config(&format!(
        "{provider}\nresource \"postgresql_grant_role\" \"s\" {{\n  role = \"{member}\"\n  grant_role = \"{sup}\"\n}}\n"
    ));
    let (code, out) = ws2.plan_exit_code();
    assert_eq!(code, 1);
    expect_in(
        &out.combined(),
        &["only superusers may grant superuser roles", &sup],
    );
    if v16 {
        ws2.write_config(&format!(
            "{provider}\nresource \"postgresql_grant_role\" \"f\" {{\n  role = \"{member}\"\n  grant_role = \"{foreign}\"\n}}\n"
        ));
        let (code, out) = ws2.plan_exit_code();
        assert_eq!(code, 1);
        expect_in(
            &out.combined(),
            &[
                "Missing ADMIN OPTION",
                "does not hold ADMIN OPTION",
                &foreign,
                &creator,
            ],
        );
    }

    ws.destroy();
    assert!(rows(&acc, &member, &owned).is_empty());
    assert!(rows(&acc, &member, &via).is_empty());
    eprintln!(
        "grant_role_non_superuser_provider: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn grant_role_parallel_applies() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let prefix = unique_name("grx");
    let one_member = format!("{prefix}_member");
    let one_group = format!("{prefix}_group");
    let mut setup = format!(
        "CREATE ROLE {}; CREATE ROLE {};",
        q(&one_member),
        q(&one_group)
    );
    for i in 0..200 {
        setup.push_str(&format!(
            "CREATE ROLE {}; CREATE ROLE {};",
            q(&format!("{prefix}_g{i:03}")),
            q(&format!("{prefix}_m{i:03}"))
        ));
    }
    sql(&acc, &setup);
    let ws = Workspace::new();
    ws.write_config(&format!(
        r#"{provider}
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
        provider = acc.cluster.provider_block(),
    ));
    let t = Instant::now();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-parallelism=32"]);
    let apply_secs = t.elapsed().as_secs_f64();
    assert!(out.success(), "{}", out.combined());
    expect_in(&out.stdout, &["400 added, 0 changed, 0 destroyed"]);
    assert!(!out.combined().contains("Error"), "{}", out.combined());
    let admin = acc.admin();
    let count = |sql: &str, name: &str| acc.block(query_one_str(&admin, sql, &[&name]));
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
    ws.assert_no_changes();
    let t = Instant::now();
    let out = ws.run(&["destroy", "-auto-approve", "-no-color", "-parallelism=32"]);
    let destroy_secs = t.elapsed().as_secs_f64();
    assert!(out.success(), "{}", out.combined());
    assert!(!acc.block(exists(
        &admin,
        "SELECT 1 FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member \
         JOIN pg_roles g ON g.oid = a.roleid WHERE m.rolname = $1 OR g.rolname = $1",
        &[&one_member],
    )));
    eprintln!(
        "grant_role_parallel_applies: apply {apply_secs:.1}s, destroy {destroy_secs:.1}s, total {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn grant_role_app_and_admin_example() {
    let Some(acc) = acc() else { return };
    let started = Instant::now();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/app-and-admin-roles");
    let ws = Workspace::new();
    ws.write_file(
        "main.tf",
        &std::fs::read_to_string(dir.join("main.tf")).expect("example main.tf"),
    );
    let prefix = format!("{}_", unique_name("ex"));
    let vars = [
        format!("host={}", acc.cluster.host()),
        format!("port={}", acc.cluster.port()),
        "username=postgres".to_string(),
        format!("password={}", acc.cluster.password()),
        "database=postgres".to_string(),
        "sslmode=disable".to_string(),
        format!("name_prefix={prefix}"),
        "app_password=app-Secret-1".to_string(),
        "admin_password=admin-Secret-2".to_string(),
    ];
    let run = |cmd: &[&str]| {
        let mut args: Vec<&str> = cmd.to_vec();
        args.push("-no-color");
        for v in &vars {
            args.push("-var");
            args.push(v);
        }
        ws.run(&args)
    };
    let out = run(&["apply", "-auto-approve"]);
    assert!(out.success(), "{}", out.combined());
    let app = format!("{prefix}app_service_role");
    let adm = format!("{prefix}admin_service_role");
    let admin = acc.admin();
    assert_eq!(
        acc.block(query_one_str(
            &admin,
            "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) \
             FROM pg_roles WHERE rolname = $1",
            &[&adm],
        )),
        "t,t,t,t,t,t"
    );
    assert_eq!(
        acc.block(query_one_str(
            &admin,
            "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) \
             FROM pg_roles WHERE rolname = $1",
            &[&app],
        )),
        "t,f,f,f,f,f"
    );
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
    // Empty plan after apply, and again after a refresh.
    let out = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(out.status, 0, "plan not empty:\n{}", out.combined());
    let out = run(&["apply", "-refresh-only", "-auto-approve"]);
    assert!(out.success(), "{}", out.combined());
    let out = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        out.status,
        0,
        "plan after refresh not empty:\n{}",
        out.combined()
    );
    let out = run(&["destroy", "-auto-approve"]);
    assert!(out.success(), "{}", out.combined());
    assert!(!acc.block(exists(
        &admin,
        "SELECT 1 FROM pg_roles WHERE rolname = ANY($1)",
        &[&vec![app.clone(), adm.clone()]],
    )));
    eprintln!(
        "grant_role_app_and_admin_example: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
