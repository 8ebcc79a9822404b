//! Discovery: `terraform query -generate-config-out` over an estate created
//! with SQL must give configuration whose plan only imports, whose apply
//! imports everything, and after which the plan is empty; and
//! `import { identity = … }` must import every type. Skipped on Terraform
//! releases without the feature (`terraform query`: 1.14, identities: 1.12).

use crate::support::{generated, hcl, ident, terraform_version, unique_name, Step, TestCase};
use crate::{acc, acc_own_cluster};

/// How many roles the estate has (the issue asks for 50), and how many
/// tables carry the policies (4 each).
const ROLES: usize = 50;
const POLICY_TABLES: usize = 5;

/// Whether the Terraform under test is at least `major.minor`; says why
/// the test is skipped when not.
fn terraform_at_least(minor: u32, feature: &str) -> bool {
    let (major, got_minor, patch) = terraform_version();
    let ok = major > 1 || (major == 1 && got_minor >= minor);
    if !ok {
        eprintln!(
            "skipped: {feature} needs Terraform 1.{minor}+, this is {major}.{got_minor}.{patch}"
        );
    }
    ok
}

/// Roles with awkward names, next to the `app_NN` ones.
const AWKWARD: [&str; 3] = ["Mixed Case", "we\"ird.name/,%", "rôle-ü"];

/// The role names of the estate.
fn role_names() -> Vec<String> {
    let mut names: Vec<String> = (1..=ROLES - AWKWARD.len())
        .map(|i| format!("app_{i:02}"))
        .collect();
    names.extend(AWKWARD.iter().map(|s| s.to_string()));
    names
}

/// The cluster-wide part of the estate: roles, and memberships (every
/// third role a member of the next, every other one of them with ADMIN
/// OPTION).
fn cluster_sql() -> String {
    let names = role_names();
    let mut sql = String::new();
    for (i, n) in names.iter().enumerate() {
        let login = if i % 2 == 0 { " LOGIN" } else { "" };
        sql.push_str(&format!("CREATE ROLE {}{login};\n", ident(n)));
    }
    for i in (0..names.len() - 1).step_by(3) {
        let admin = if i % 2 == 0 { " WITH ADMIN OPTION" } else { "" };
        sql.push_str(&format!(
            "GRANT {} TO {}{admin};\n",
            ident(&names[i + 1]),
            ident(&names[i])
        ));
    }
    sql.push_str("GRANT \"Mixed Case\" TO \"rôle-ü\";\n");
    sql.push_str("SELECT pg_create_physical_replication_slot('standby_1');\n");
    sql
}

/// The part of the estate inside database `estate`: objects with grants on
/// tables, sequences, schemas, functions, the database, a foreign-data
/// wrapper and a foreign server, default privileges, a server with two
/// user mappings (one PUBLIC), and 4 policies on each of 5 tables with RLS
/// enabled (forced on some). The mappings carry no options: options are
/// sensitive, and generated configuration writes sensitive values as
/// null.
fn database_sql() -> String {
    let mut sql = String::from(
        "CREATE SCHEMA app;
         CREATE SCHEMA \"Sales Data\";
         CREATE SCHEMA \"we\"\"ird.schema\" AUTHORIZATION app_02;
         CREATE SCHEMA \"élan-ü\" AUTHORIZATION \"Mixed Case\";
         CREATE TABLE \"Sales Data\".\"Order.Lines\" (id int);
         CREATE SEQUENCE app.s1;
         CREATE EXTENSION pg_trgm SCHEMA app;
         CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
         CREATE FUNCTION app.g() RETURNS int LANGUAGE sql AS 'SELECT 1';
         REVOKE EXECUTE ON FUNCTION app.g() FROM PUBLIC;
         GRANT EXECUTE ON FUNCTION app.f(int) TO app_05;
         GRANT USAGE ON SCHEMA app TO app_01, \"Mixed Case\";
         GRANT CREATE, USAGE ON SCHEMA \"Sales Data\" TO app_04;
         GRANT USAGE, SELECT ON SEQUENCE app.s1 TO app_03;
         GRANT SELECT ON \"Sales Data\".\"Order.Lines\" TO \"we\"\"ird.name/,%\";
         GRANT CONNECT, TEMPORARY ON DATABASE estate TO app_06;
         GRANT CREATE ON DATABASE estate TO app_07 WITH GRANT OPTION;
         ALTER DEFAULT PRIVILEGES FOR ROLE app_08 IN SCHEMA app GRANT SELECT ON TABLES TO app_09;
         ALTER DEFAULT PRIVILEGES FOR ROLE app_08 GRANT USAGE ON SEQUENCES TO app_10 WITH GRANT OPTION;
         ALTER DEFAULT PRIVILEGES FOR ROLE \"Mixed Case\" IN SCHEMA \"Sales Data\"
             GRANT EXECUTE ON FUNCTIONS TO \"rôle-ü\";
         CREATE FOREIGN DATA WRAPPER \"Any FDW\";
         CREATE SERVER \"We.ird srv\" FOREIGN DATA WRAPPER \"Any FDW\" OPTIONS (host 'h', port '1');
         CREATE SERVER plain_srv TYPE 't' VERSION '1' FOREIGN DATA WRAPPER \"Any FDW\";
         CREATE USER MAPPING FOR app_11 SERVER \"We.ird srv\";
         CREATE USER MAPPING FOR PUBLIC SERVER \"We.ird srv\";
         GRANT USAGE ON FOREIGN SERVER \"We.ird srv\" TO app_12;
         GRANT USAGE ON FOREIGN DATA WRAPPER \"Any FDW\" TO app_13 WITH GRANT OPTION;
         CREATE PUBLICATION \"Orders.Pub\" FOR TABLE \"Sales Data\".\"Order.Lines\"
             WITH (publish = 'insert, update');\n",
    );
    for t in 1..=POLICY_TABLES {
        let table = format!("app.t{t}");
        sql.push_str(&format!(
            "CREATE TABLE {table} (id int, owner_name text);
             ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
        ));
        if t % 2 == 1 {
            sql.push_str(&format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"));
        }
        sql.push_str(&format!(
            "CREATE POLICY p_select ON {table} FOR SELECT USING (owner_name = current_user);
             CREATE POLICY \"p insert/{t}\" ON {table} FOR INSERT TO app_0{t}
                 WITH CHECK (id > 0);
             CREATE POLICY p_restrict ON {table} AS RESTRICTIVE FOR ALL TO app_01, \"Mixed Case\"
                 USING (id <> 13);
             CREATE POLICY \"Upd.Policy\" ON {table} FOR UPDATE USING (true) WITH CHECK (id < 1000);
             GRANT SELECT, INSERT ON {table} TO app_02 WITH GRANT OPTION;
             GRANT SELECT ON {table} TO app_01;\n"
        ));
    }
    sql
}

/// Databases next to `estate`, with awkward names and settings other than
/// the defaults.
fn databases_sql() -> [String; 2] {
    [
        "CREATE DATABASE \"Estate Two\" OWNER \"Mixed Case\" CONNECTION LIMIT 5".into(),
        "CREATE DATABASE \"we.ird\"\"db\" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' \
         TEMPLATE template0 IS_TEMPLATE true ALLOW_CONNECTIONS false"
            .into(),
    ]
}

/// One list block per type, for everything in the cluster and in `estate`.
fn query_file() -> String {
    let mut q = String::new();
    for (ty, config) in [
        ("postgresql_role", ""),
        ("postgresql_grant_role", ""),
        ("postgresql_grant", "database = \"estate\""),
        ("postgresql_default_privileges", "database = \"estate\""),
        ("postgresql_policy", "database = \"estate\""),
        ("postgresql_row_level_security", "database = \"estate\""),
        ("postgresql_extension", "database = \"estate\""),
        ("postgresql_function", "database = \"estate\""),
        ("postgresql_database", ""),
        ("postgresql_schema", "database = \"estate\""),
        ("postgresql_server", "database = \"estate\""),
        ("postgresql_user_mapping", "database = \"estate\""),
        ("postgresql_publication", "database = \"estate\""),
        ("postgresql_physical_replication_slot", ""),
    ] {
        let name = ty.trim_start_matches("postgresql_");
        q.push_str(&format!(
            "list \"{ty}\" \"{name}\" {{\n  provider = postgresql\n  limit    = 1000\n  config {{\n    {config}\n  }}\n}}\n\n"
        ));
    }
    q
}

/// How many `import` blocks `text` holds.
fn imports_in(text: &str) -> usize {
    text.lines()
        .filter(|l| l.trim_start() == "import {")
        .count()
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn query_generates_configuration_that_imports_cleanly() {
    if !terraform_at_least(14, "terraform query") {
        return;
    }
    // Its own cluster: an empty list config lists every role of the
    // cluster, which other tests keep changing on the shared one.
    let Some(acc) = acc_own_cluster(Default::default()) else {
        return;
    };
    acc.sql(&cluster_sql());
    acc.sql("CREATE DATABASE estate");
    for sql in databases_sql() {
        acc.sql(&sql);
    }
    let estate = acc.connect("estate");
    acc.block(crate::support::exec(&estate, &database_sql()));

    let imports = std::cell::Cell::new(0);
    // The imported estate holds more than its configuration (the tables
    // under the policies), so it cannot be destroyed; the cluster is the
    // test's own.
    TestCase::new(acc.cluster.provider_block())
        .skip_destroy()
        .step(Step::query(query_file()).check(|ws, _| {
            let generated = generated(ws);
            // Everything is there: every role, the 20 policies, the 5 switches.
            let count = |ty: &str| {
                generated
                    .lines()
                    .filter(|l| l.starts_with(&format!("resource \"{ty}\"")))
                    .count()
            };
            assert_eq!(count("postgresql_role"), ROLES, "{generated}");
            assert_eq!(count("postgresql_policy"), 4 * POLICY_TABLES, "{generated}");
            assert_eq!(
                count("postgresql_row_level_security"),
                POLICY_TABLES,
                "{generated}"
            );
            assert!(count("postgresql_grant_role") >= ROLES / 3, "{generated}");
            assert!(count("postgresql_grant") >= 8, "{generated}");
            assert_eq!(count("postgresql_default_privileges"), 3, "{generated}");
            // pg_trgm, not the plpgsql initdb installs.
            assert_eq!(count("postgresql_extension"), 1, "{generated}");
            // app.f and app.g, not pg_trgm's functions.
            assert_eq!(count("postgresql_function"), 2, "{generated}");
            // estate, "Estate Two" and "we.ird""db"; not the three initdb makes.
            assert_eq!(count("postgresql_database"), 3, "{generated}");
            // app, "Sales Data" and the two awkward ones; not public.
            assert_eq!(count("postgresql_schema"), 4, "{generated}");
            assert_eq!(count("postgresql_server"), 2, "{generated}");
            // app_11's and PUBLIC's.
            assert_eq!(count("postgresql_user_mapping"), 2, "{generated}");
            for grant in [
                "object_type = \"foreign_server\"",
                "object_type = \"foreign_data_wrapper\"",
            ] {
                assert!(
                    generated.contains(grant),
                    "no {grant} grant listed:\n{generated}"
                );
            }
            assert_eq!(count("postgresql_publication"), 1, "{generated}");
            assert_eq!(
                count("postgresql_physical_replication_slot"),
                1,
                "{generated}"
            );
            // The deprecated policy blocks are not written.
            assert!(
                !generated.lines().any(|l| l.trim() == "policy {"),
                "{generated}"
            );
            // What PostgreSQL made itself stays out (as the name of what is listed,
            // or the database or schema it is in; it may still own things).
            for line in generated.lines() {
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                if !matches!(key.trim(), "name" | "database" | "schema") {
                    continue;
                }
                let value = value.trim().trim_matches('"');
                let own = [
                    "postgres",
                    "template0",
                    "template1",
                    "public",
                    "pg_catalog",
                    "information_schema",
                    "pg_read_all_data",
                    "pg_database_owner",
                ]
                .contains(&value)
                    || value.starts_with("pg_toast")
                    || value.starts_with("pg_temp");
                assert!(!own, "{line:?} was listed:\n{generated}");
            }
            imports.set(imports_in(&generated));
        }))
        // The plan only imports.
        .step(
            Step::apply("")
                .plan_check(|plan| {
                    let expected = format!(
                        "Plan: {} to import, 0 to add, 0 to change, 0 to destroy.",
                        imports.get()
                    );
                    assert!(plan.contains(&expected), "expected {expected:?}:\n{plan}");
                })
                .check(|ws, _| {
                    let state = ws.show_json();
                    let managed = state["values"]["root_module"]["resources"]
                        .as_array()
                        .map_or(0, Vec::len);
                    assert_eq!(managed, imports.get());
                }),
        )
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn import_by_identity_for_every_type() {
    if !terraform_at_least(12, "import by identity") {
        return;
    }
    let Some(acc) = acc() else { return };
    let db = acc.database("ident");
    let a = unique_name("id_a");
    let b = unique_name("id_b Ü");
    acc.sql(&format!(
        "CREATE ROLE {a}; CREATE ROLE {b}; GRANT {b} TO {a} WITH ADMIN OPTION;",
        a = ident(&a),
        b = ident(&b)
    ));
    let other_db = unique_name("id.db \"Ü");
    acc.sql(&format!(
        "CREATE DATABASE {} OWNER {} CONNECTION LIMIT 3",
        ident(&other_db),
        ident(&a)
    ));
    db.exec(&format!(
        "CREATE SCHEMA \"S.x\";
         CREATE SCHEMA \"Own.\"\"s\" AUTHORIZATION {b};
         CREATE TABLE \"S.x\".t (id int);
         ALTER TABLE \"S.x\".t ENABLE ROW LEVEL SECURITY;
         CREATE POLICY \"p.1\" ON \"S.x\".t FOR SELECT TO {a} USING (id > 0);
         GRANT SELECT, UPDATE ON \"S.x\".t TO {a};
         ALTER DEFAULT PRIVILEGES IN SCHEMA \"S.x\" GRANT SELECT ON TABLES TO {b};
         CREATE EXTENSION pg_trgm SCHEMA \"S.x\";
         CREATE FUNCTION \"S.x\".one() RETURNS integer LANGUAGE sql AS 'SELECT 1';
         CREATE FOREIGN DATA WRAPPER id_fdw;
         CREATE SERVER \"Srv.x\" FOREIGN DATA WRAPPER id_fdw OPTIONS (host 'h');
         CREATE USER MAPPING FOR {a} SERVER \"Srv.x\" OPTIONS (user 'u');
         CREATE PUBLICATION \"P.ub\" FOR TABLE \"S.x\".t;",
        a = ident(&a),
        b = ident(&b)
    ));
    let superuser = acc.cluster.superuser();
    let slot = unique_name("id_slot");
    acc.sql(&format!(
        "SELECT pg_create_physical_replication_slot('{slot}')"
    ));
    let hslot = hcl(&slot);
    let (ha, hb, hdb, hother) = (hcl(&a), hcl(&b), hcl(&db.name), hcl(&other_db));
    let hs = hcl("Own.\"s");
    let fid = hcl(&format!("{}.\"S.x\".one()", db.name));
    let config = format!(
        r#"
resource "postgresql_role" "a" {{
  name = {ha}
}}
import {{
  to       = postgresql_role.a
  identity = {{ name = {ha} }}
}}

resource "postgresql_grant_role" "m" {{
  role              = {ha}
  grant_role        = {hb}
  with_admin_option = true
}}
import {{
  to       = postgresql_grant_role.m
  identity = {{ role = {ha}, grant_role = {hb} }}
}}

resource "postgresql_grant" "g" {{
  role        = {ha}
  database    = {hdb}
  schema      = "S.x"
  object_type = "table"
  objects     = ["t"]
  privileges  = ["SELECT", "UPDATE"]
}}
import {{
  to       = postgresql_grant.g
  identity = {{
    role        = {ha}
    database    = {hdb}
    schema      = "S.x"
    object_type = "table"
    objects     = ["t"]
  }}
}}

resource "postgresql_default_privileges" "d" {{
  role        = {hb}
  database    = {hdb}
  schema      = "S.x"
  owner       = "{superuser}"
  object_type = "table"
  privileges  = ["SELECT"]
}}
import {{
  to       = postgresql_default_privileges.d
  identity = {{
    role        = {hb}
    database    = {hdb}
    schema      = "S.x"
    owner       = "{superuser}"
    object_type = "table"
  }}
}}

resource "postgresql_policy" "p" {{
  database = {hdb}
  schema   = "S.x"
  table    = "t"
  name     = "p.1"
  command  = "SELECT"
  roles    = [{ha}]
  using    = "(id > 0)"
}}
import {{
  to       = postgresql_policy.p
  identity = {{ database = {hdb}, schema = "S.x", table = "t", name = "p.1" }}
}}

resource "postgresql_row_level_security" "r" {{
  database = {hdb}
  schema   = "S.x"
  table    = "t"
}}
import {{
  to       = postgresql_row_level_security.r
  identity = {{ database = {hdb}, schema = "S.x", table = "t" }}
}}

resource "postgresql_extension" "e" {{
  name     = "pg_trgm"
  database = {hdb}
  schema   = "S.x"
}}
import {{
  to       = postgresql_extension.e
  identity = {{ database = {hdb}, name = "pg_trgm" }}
}}

resource "postgresql_function" "f" {{
  database = {hdb}
  schema   = "S.x"
  name     = "one"
  returns  = "integer"
  language = "sql"
  body     = "SELECT 1"
}}
import {{
  to       = postgresql_function.f
  identity = {{ id = {fid} }}
}}

resource "postgresql_database" "db" {{
  name             = {hother}
  owner            = {ha}
  connection_limit = 3
}}
import {{
  to       = postgresql_database.db
  identity = {{ name = {hother} }}
}}

resource "postgresql_schema" "s" {{
  database = {hdb}
  name     = {hs}
  owner    = {hb}
}}
import {{
  to       = postgresql_schema.s
  identity = {{ database = {hdb}, name = {hs} }}
}}

resource "postgresql_server" "srv" {{
  database    = {hdb}
  server_name = "Srv.x"
  fdw_name    = "id_fdw"
  options     = {{ host = "h" }}
}}
import {{
  to       = postgresql_server.srv
  identity = {{ database = {hdb}, server_name = "Srv.x" }}
}}

resource "postgresql_user_mapping" "um" {{
  database    = {hdb}
  server_name = postgresql_server.srv.server_name
  user_name   = {ha}
  options     = {{ user = "u" }}
}}
import {{
  to       = postgresql_user_mapping.um
  identity = {{ database = {hdb}, server_name = "Srv.x", user_name = {ha} }}
}}

resource "postgresql_publication" "p" {{
  database = {hdb}
  name     = "P.ub"
  tables   = ["\"S.x\".t"]
}}
import {{
  to       = postgresql_publication.p
  identity = {{ database = {hdb}, name = "P.ub" }}
}}

resource "postgresql_physical_replication_slot" "ps" {{
  name = {hslot}
}}
import {{
  to       = postgresql_physical_replication_slot.ps
  identity = {{ name = {hslot} }}
}}
"#
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config)
                .plan_shows(&["Plan: 14 to import, 0 to add, 0 to change, 0 to destroy."])
                .check(|ws, _| {
                    // The identities are in the state.
                    let state = ws.state_raw();
                    assert!(state.contains("\"identity\""), "{state}");
                    // Leave the cluster-wide roles behind for nobody; the
                    // database goes with the destroy.
                    ws.run_ok(&["state", "rm", "postgresql_role.a"]);
                }),
        )
        .run();
    drop(db);
    acc.sql(&format!(
        "DROP ROLE {}; DROP ROLE {};",
        ident(&a),
        ident(&b)
    ));
}
