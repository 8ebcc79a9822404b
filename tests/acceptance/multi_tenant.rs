//! The multi-tenant examples, applied as shipped (copied from `examples/`,
//! connection settings and a unique name prefix passed as variables), then
//! checked by connecting as the tenant and application roles.
//!
//! Each example is applied as its README says: the roles first (targeted
//! apply), then `bootstrap.sql` (run here through the admin connection, with
//! the psql variables substituted), then the full apply. The example brings
//! its own provider block and variables, so its test case writes it as it
//! is and sets the variables through `TF_VAR_*`.

use std::path::Path;

use crate::support::{db_err_text, exec, ident, query_strings, unique_name, Step, TestCase};
use crate::{acc, Acc};

fn example(dir: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(dir)
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A test case whose configuration is the example's `main.tf`, with the
/// connection and `extra` variables set through `TF_VAR_*`.
fn example_case<'a>(acc: &Acc, dir: &str, extra: &[(&str, &str)]) -> TestCase<'a> {
    let mut case = TestCase::new(example(dir, "main.tf")).raw();
    let port = acc.cluster.port().to_string();
    for (k, v) in [
        ("host", acc.cluster.host()),
        ("port", port.as_str()),
        ("username", acc.cluster.superuser()),
        ("password", acc.cluster.password()),
        ("database", "postgres"),
        ("sslmode", "disable"),
    ]
    .iter()
    .chain(extra)
    {
        case = case.env(&format!("TF_VAR_{k}"), v);
    }
    case
}

/// `bootstrap.sql` with psql's `:"name"` variables replaced by quoted
/// identifiers, as `psql -v name=value` would.
fn bootstrap(dir: &str, vars: &[(&str, &str)]) -> String {
    let mut sql = example(dir, "bootstrap.sql");
    for (k, v) in vars {
        sql = sql.replace(&format!(":\"{k}\""), &ident(v));
    }
    assert!(
        !sql.contains(":\""),
        "unsubstituted psql variable in:\n{sql}"
    );
    sql
}

const TENANT_A: &str = "a0000000-0000-4000-8000-00000000000a";
const TENANT_B: &str = "b0000000-0000-4000-8000-00000000000b";

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn multi_tenant_session_variable_example() {
    let Some(acc) = acc() else { return };
    let dir = "multi-tenant-session-variable";
    let prefix = format!("{}_", unique_name("mts"));
    let app_pw = "app-secret-1";
    let case = example_case(
        &acc,
        dir,
        &[("name_prefix", &prefix), ("app_password", app_pw)],
    );
    let (schema, owner, app) = (
        format!("{prefix}app"),
        format!("{prefix}owner"),
        format!("{prefix}app_user"),
    );

    let admin = acc.admin();
    case.step(Step::apply("").targets(&["postgresql_role.owner", "postgresql_role.app"]))
        .step(
            Step::apply("")
                .before(|_| {
                    acc.block(exec(
                        &admin,
                        &bootstrap(
                            dir,
                            &[("schema", &schema), ("owner", &owner), ("app", &app)],
                        ),
                    ))
                })
                .check(|_, _| {
                // The catalog: both tables enabled and forced, owned by the owner role,
                // one policy each for the application role.
                let rows = acc.block(query_strings(
                    &admin,
                    "SELECT c.relname || ':' || relrowsecurity || relforcerowsecurity || ':' || \
                            pg_get_userbyid(relowner) || ':' || p.polname || ':' || \
                            (SELECT string_agg(rolname, ',') FROM pg_roles WHERE oid = ANY (p.polroles)) \
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_policy p ON p.polrelid = c.oid WHERE n.nspname = $1 ORDER BY 1",
                    &[&schema],
                ));
                assert_eq!(
                    rows,
                    vec![
                        format!("items:truetrue:{owner}:tenant_isolation:{app}"),
                        format!("tenants:truetrue:{owner}:tenant_isolation:{app}"),
                    ]
                );

                // As the application, with tenant A selected: tenant A only.
                let conn = acc.block(acc.cluster.connect("postgres", &app, app_pw));
                acc.block(exec(
                    &conn,
                    &format!("SET app.current_tenant_id = '{TENANT_A}'"),
                ));
                let titles = acc.block(query_strings(
                    &conn,
                    &format!("SELECT title FROM {schema}.items ORDER BY 1"),
                    &[],
                ));
                assert_eq!(titles, vec!["A: invoice 1", "A: invoice 2"]);
                let joined = acc.block(query_strings(
                    &conn,
                    &format!(
                        "SELECT DISTINCT t.name FROM {schema}.tenants t JOIN {schema}.items i ON i.tenant_id = t.id"
                    ),
                    &[],
                ));
                assert_eq!(joined, vec!["Tenant A"]);
                let tenants = acc.block(query_strings(
                    &conn,
                    &format!("SELECT name FROM {schema}.tenants"),
                    &[],
                ));
                assert_eq!(tenants, vec!["Tenant A"]);
                // Writing a row for another tenant is refused.
                let err = acc
                    .block(conn.batch_execute(&format!(
                        "INSERT INTO {schema}.items VALUES (gen_random_uuid(), 'x', '{TENANT_B}')"
                    )))
                    .expect_err("insert for another tenant must fail");
                assert!(
                    db_err_text(&err).contains("new row violates row-level security policy"),
                    "{}",
                    db_err_text(&err)
                );
                // Reset: nothing, and no error.
                acc.block(exec(&conn, "RESET app.current_tenant_id"));
                let none = acc.block(query_strings(
                    &conn,
                    &format!("SELECT title FROM {schema}.items"),
                    &[],
                ));
                assert!(none.is_empty(), "{none:?}");
                // A fresh session that never set it: nothing either.
                let fresh = acc.block(acc.cluster.connect("postgres", &app, app_pw));
                let none = acc.block(query_strings(
                    &fresh,
                    &format!("SELECT name FROM {schema}.tenants"),
                    &[],
                ));
                assert!(none.is_empty(), "{none:?}");
                // FORCE: the owner is subject to the policies too (it has none).
                acc.block(exec(&admin, &format!("SET ROLE {owner}")));
                let owned = acc.block(query_strings(
                    &admin,
                    &format!("SELECT title FROM {schema}.items"),
                    &[],
                ));
                assert!(owned.is_empty(), "{owned:?}");
                acc.block(exec(&admin, "RESET ROLE"));
                drop(conn);
                drop(fresh);
                }),
        )
        .check_destroy(|| {
            let left = acc.block(query_strings(
                &admin,
                "SELECT p.polname::text FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
                &[&schema],
            ));
            assert!(left.is_empty(), "{left:?}");
        })
        .run();
    acc.block(exec(&admin, &format!("DROP SCHEMA {schema} CASCADE")));
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn multi_tenant_role_per_tenant_example() {
    let Some(acc) = acc() else { return };
    let dir = "multi-tenant-role-per-tenant";
    let prefix = format!("{}_", unique_name("rpt"));
    let (tenant_pw, admin_pw) = ("tenant-secret-1", "admin-secret-1");
    let case = example_case(
        &acc,
        dir,
        &[
            ("name_prefix", &prefix),
            ("tenant_password", tenant_pw),
            ("admin_password", admin_pw),
        ],
    );
    let schema = format!("{prefix}app");

    let admin = acc.admin();
    case.step(Step::apply("").targets(&["postgresql_role.owner", "postgresql_role.tenants"]))
        .step(Step::apply("").before(|_| {
            acc.block(exec(
                &admin,
                &bootstrap(
                    dir,
                    &[
                        ("schema", &schema),
                        ("owner", &format!("{prefix}owner")),
                        ("tenants", &format!("{prefix}tenants")),
                    ],
                ),
            ))
        }))
        // An override that opens the policy to every row: the plan warns.
        .step(
            Step::plan("")
                .before(|ws| {
                    ws.write_file(
                        "override.tf",
                        "resource \"postgresql_policy\" \"tenant_rows\" {\n  using = \"true\"\n}\n",
                    )
                })
                .check(|ws, changed| {
                    assert_eq!(changed.status, 2, "{}", changed.combined());
                    assert!(
                        changed
                            .combined()
                            .contains("Warning: PGW105: Policy Exposes Every Row")
                            && changed
                                .combined()
                                .contains("every role (public) can read every row"),
                        "{}",
                        changed.combined()
                    );
                    std::fs::remove_file(ws.path().join("override.tf"))
                        .expect("remove override.tf");
                }),
        )
        .step(Step::plan("").check(|_, out| {
            assert!(
                !out.combined().contains("Policy Exposes Every Row"),
                "{}",
                out.combined()
            );

            let policies = acc.block(query_strings(
                &admin,
                "SELECT p.polname || ':' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') \
                 FROM pg_policy p WHERE p.polrelid = $1::text::regclass ORDER BY 1",
                &[&format!("{schema}.events")],
            ));
            assert_eq!(
                policies,
                vec![
                    "admin_all:true".to_string(),
                    format!(
                        "user_mod:(CURRENT_USER = ('{prefix}tenant'::text || (tenant_id)::text))"
                    ),
                ]
            );

            // tenant1 sees its own rows only and cannot write tenant 3's.
            let t1 = acc.block(acc.cluster.connect(
                "postgres",
                &format!("{prefix}tenant1"),
                tenant_pw,
            ));
            let rows = acc.block(query_strings(
                &t1,
                &format!(
                    "SELECT tenant_id || ':' || id || ':' || type FROM {schema}.events ORDER BY 1"
                ),
                &[],
            ));
            assert_eq!(rows, vec!["1:1:created", "1:2:updated"]);
            let err = acc
                .block(t1.batch_execute(&format!(
                    "INSERT INTO {schema}.events (tenant_id, id, type) VALUES (3, 1, 'x')"
                )))
                .expect_err("insert for tenant 3 must fail");
            assert!(
                db_err_text(&err)
                    .contains("new row violates row-level security policy for table \"events\""),
                "{}",
                db_err_text(&err)
            );
            let t2 = acc.block(acc.cluster.connect(
                "postgres",
                &format!("{prefix}tenant2"),
                tenant_pw,
            ));
            let rows = acc.block(query_strings(
                &t2,
                &format!("SELECT tenant_id || ':' || id FROM {schema}.events"),
                &[],
            ));
            assert_eq!(rows, vec!["2:1"]);
            // The admin sees everything (RLS is forced, so that is the policy's doing).
            let a = acc.block(
                acc.cluster
                    .connect("postgres", &format!("{prefix}admin"), admin_pw),
            );
            let rows = acc.block(query_strings(
                &a,
                &format!("SELECT tenant_id || ':' || id FROM {schema}.events ORDER BY 1"),
                &[],
            ));
            assert_eq!(rows, vec!["1:1", "1:2", "2:1"]);
            drop((t1, t2, a));
        }))
        .check_destroy(|| {
            let left = acc.block(query_strings(
                &admin,
                "SELECT polname::text FROM pg_policy WHERE polrelid = $1::text::regclass",
                &[&format!("{schema}.events")],
            ));
            assert!(left.is_empty(), "{left:?}");
        })
        .run();
    acc.block(exec(&admin, &format!("DROP SCHEMA {schema} CASCADE")));
}
