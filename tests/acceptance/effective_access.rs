//! `postgresql_effective_access` against the server's own answers: on a
//! small estate (a two-level chain, a membership that does not inherit,
//! PUBLIC grants, column grants, a predefined role, an owner and a
//! superuser, a foreign-data wrapper and foreign servers), every object and
//! privilege the data source lists is what `has_table_privilege` and its
//! siblings say, and nothing they allow is missing.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::access_review::{provider_in, Roles};
use crate::support::{hcl, Step, TestCase};
use crate::{acc, Acc, TestDb};

/// `(object_type, schema, name, column, privilege)`.
type Entry = (String, String, String, String, String);

/// Every object of the estate (of the databases, only the test's own: the
/// others come and go with the tests running alongside) with every privilege its kind has, and
/// whether `role` holds it, as the server answers.
fn server_answers(acc: &Acc, db: &TestDb, role: &str, major: i32) -> BTreeSet<(Entry, bool)> {
    let table_privs = if major >= 17 {
        "'SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER','MAINTAIN'"
    } else {
        "'SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER'"
    };
    let user = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";
    let r = role.replace('\'', "''");
    let sql = format!(
        "SELECT 'database', '', d.datname::text, '', p, has_database_privilege('{r}', d.oid, p) \
         FROM pg_database d, unnest(ARRAY['CREATE','CONNECT','TEMPORARY']) p \
         WHERE d.datname = current_database() \
         UNION ALL \
         SELECT 'schema', n.nspname::text, n.nspname::text, '', p, \
                has_schema_privilege('{r}', n.oid, p) \
         FROM pg_namespace n, unnest(ARRAY['CREATE','USAGE']) p WHERE {user} \
         UNION ALL \
         SELECT 'table', n.nspname::text, c.relname::text, '', p, \
                has_table_privilege('{r}', c.oid, p) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, \
              unnest(ARRAY[{table_privs}]) p \
         WHERE c.relkind IN ('r','v','m','f','p') AND {user} \
         UNION ALL \
         SELECT 'sequence', n.nspname::text, c.relname::text, '', p, \
                has_sequence_privilege('{r}', c.oid, p) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, \
              unnest(ARRAY['USAGE','SELECT','UPDATE']) p \
         WHERE c.relkind = 'S' AND {user} \
         UNION ALL \
         SELECT 'function', n.nspname::text, \
                f.proname || '(' || pg_get_function_identity_arguments(f.oid) || ')', '', \
                'EXECUTE', has_function_privilege('{r}', f.oid, 'EXECUTE') \
         FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace WHERE {user} \
         UNION ALL \
         SELECT 'column', n.nspname::text, c.relname::text, a.attname::text, p, \
                has_column_privilege('{r}', c.oid, a.attnum, p) \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace, \
              unnest(ARRAY['SELECT','INSERT','UPDATE','REFERENCES']) p \
         WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND {user} \
         UNION ALL \
         SELECT 'foreign_data_wrapper', '', w.fdwname::text, '', 'USAGE', \
                has_foreign_data_wrapper_privilege('{r}', w.oid, 'USAGE') \
         FROM pg_foreign_data_wrapper w \
         UNION ALL \
         SELECT 'foreign_server', '', s.srvname::text, '', 'USAGE', \
                has_server_privilege('{r}', s.oid, 'USAGE') \
         FROM pg_foreign_server s"
    );
    let rows = acc
        .block(db.client.query(&sql, &[]))
        .expect("has_*_privilege");
    rows.iter()
        .map(|row| {
            let e: Entry = (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
            (e, row.get::<_, bool>(5))
        })
        .collect()
}

/// The data source's entries from `terraform output -json`.
fn listed(out: &Json, key: &str) -> BTreeSet<Entry> {
    out[key]["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no output {key}: {out}"))
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            (
                s("object_type"),
                s("schema"),
                s("name"),
                s("column"),
                s("privilege"),
            )
        })
        .collect()
}

/// Compares one role's listing with the server. A column privilege is
/// also held through the same privilege on its table, which the data source
/// lists on the table.
fn compare(role: &str, listed: &BTreeSet<Entry>, server: &BTreeSet<(Entry, bool)>) -> usize {
    let mut checked = 0;
    for (e, allowed) in server {
        let (kind, schema, name, column, p) = e;
        let expected = if kind == "column" {
            listed.contains(e)
                || listed.contains(&(
                    "table".into(),
                    schema.clone(),
                    name.clone(),
                    String::new(),
                    p.clone(),
                ))
        } else {
            listed.contains(e)
        };
        assert_eq!(
            expected, *allowed,
            "{role}: {kind} {schema}.{name} {column} {p}: data source says {expected}, the server \
             says {allowed}"
        );
        checked += 1;
    }
    // Nothing listed that the server does not know of.
    for e in listed {
        assert!(
            server.iter().any(|(s, ok)| s == e && *ok),
            "{role}: listed {e:?}, which the server does not allow"
        );
    }
    checked
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn effective_access_agrees_with_has_privilege() {
    let Some(acc) = acc() else { return };
    let major = acc.cluster.major_version();
    let roles = Roles::new(
        &acc,
        "eacc",
        &[
            ("owner", "LOGIN"),
            ("top", ""),
            ("mid", ""),
            ("app", "LOGIN"),
            ("nih", "LOGIN NOINHERIT"),
            ("reader", "LOGIN"),
            ("su", "SUPERUSER"),
        ],
    );
    let n = |s: &str| roles.n(s);
    let (owner, top, mid, app, nih, reader) = (
        n("owner"),
        n("top"),
        n("mid"),
        n("app"),
        n("nih"),
        n("reader"),
    );
    acc.sql(&format!(
        "GRANT {top} TO {mid}; GRANT {mid} TO {app}; GRANT {mid} TO {nih}; \
         GRANT pg_read_all_data TO {reader}"
    ));
    if major >= 16 {
        // A grant that allows SET ROLE but passes nothing on.
        acc.sql(&format!("GRANT {top} TO {reader} WITH INHERIT FALSE"));
    }
    let db = acc.database("eaccdb");
    db.exec(&format!(
        "CREATE SCHEMA app AUTHORIZATION {owner};
         SET ROLE {owner};
         CREATE TABLE app.orders (id int, tenant_id int, note text);
         CREATE TABLE app.secret (id int);
         CREATE VIEW app.v AS SELECT id FROM app.orders;
         CREATE SEQUENCE app.s;
         CREATE FUNCTION app.f(integer) RETURNS int LANGUAGE sql AS 'SELECT $1';
         CREATE FUNCTION app.g() RETURNS int LANGUAGE sql AS 'SELECT 1';
         REVOKE EXECUTE ON FUNCTION app.g() FROM PUBLIC;
         GRANT USAGE ON SCHEMA app TO {top};
         GRANT SELECT, INSERT ON app.orders TO {top};
         GRANT UPDATE (note) ON app.orders TO {mid};
         GRANT SELECT (id) ON app.secret TO {app};
         GRANT USAGE ON SEQUENCE app.s TO {mid} WITH GRANT OPTION;
         GRANT EXECUTE ON FUNCTION app.g() TO {top};
         GRANT SELECT ON app.v TO PUBLIC;
         RESET ROLE;
         REVOKE TEMPORARY ON DATABASE {d} FROM PUBLIC;
         GRANT CREATE ON DATABASE {d} TO {mid};
         CREATE FOREIGN DATA WRAPPER eacc_fdw;
         GRANT USAGE ON FOREIGN DATA WRAPPER eacc_fdw TO {mid};
         CREATE SERVER eacc_srv FOREIGN DATA WRAPPER eacc_fdw;
         CREATE SERVER eacc_other FOREIGN DATA WRAPPER eacc_fdw;
         ALTER SERVER eacc_srv OWNER TO {owner};
         GRANT USAGE ON FOREIGN SERVER eacc_srv TO {top};",
        d = db.name
    ));
    let checked_roles = [
        owner.clone(),
        top.clone(),
        app.clone(),
        nih.clone(),
        reader.clone(),
        n("su"),
        "public".to_string(),
    ];
    let mut config = String::new();
    for (i, r) in checked_roles.iter().enumerate() {
        config.push_str(&format!(
            "data \"postgresql_effective_access\" \"r{i}\" {{\n  role = {}\n  database = {}\n}}\n\
             output \"r{i}\" {{\n  value = [for p in data.postgresql_effective_access.r{i}.privileges : p\n    if p.object_type != \"database\" || p.name == {db}]\n}}\n\
             output \"m{i}\" {{ value = data.postgresql_effective_access.r{i}.memberships }}\n",
            hcl(r),
            hcl(&db.name),
            db = hcl(&db.name),
        ));
    }
    TestCase::new(provider_in(&acc, &db))
        .step(Step::apply(config).check(|ws, _| {
            let out = ws.run_ok(&["output", "-json"]);
            let all: Json = serde_json::from_str(&out.stdout).expect("output -json is JSON");
            let mut total = 0;
            for (i, r) in checked_roles.iter().enumerate() {
                let server = server_answers(&acc, &db, r, major);
                total += compare(r, &listed(&all, &format!("r{i}")), &server);
            }
            eprintln!("compared {total} privilege answers");
            assert!(total > 100, "{total}");
            // The route: app reads orders through mid → top.
            let entries = all["r2"]["value"].as_array().unwrap();
            let orders = entries
                .iter()
                .find(|p| p["object"] == "app.orders" && p["privilege"] == "SELECT")
                .expect("app can read app.orders");
            assert_eq!(orders["source"], "membership");
            assert_eq!(orders["granted_to"], top.as_str());
            assert_eq!(orders["via"], serde_json::json!([mid, top]));
            // nih is a member of mid but inherits nothing.
            let m = all["m3"]["value"].as_array().unwrap();
            let mid_entry = m.iter().find(|e| e["role"] == mid.as_str()).unwrap();
            assert_eq!(mid_entry["inherits"], false);
            assert_eq!(mid_entry["can_set_role"], true);
        }))
        .run();
}
