//! The provider as a managed service's administrator: a role with `LOGIN
//! CREATEROLE CREATEDB`, not a superuser, that owns the application's
//! database and schema. It creates roles, memberships, grants, RLS and a
//! policy, a database and a schema owned by roles it manages, changes their
//! owners, and destroys everything, roles that own objects included: REASSIGN
//! OWNED and DROP OWNED run with the role's privileges borrowed for the
//! transaction. Also when the roles were created by someone else (on
//! PostgreSQL 16 and later the provider then holds ADMIN OPTION on them,
//! granted by a superuser), and the diagnostic when it lacks what it needs.

use crate::support::{hcl, ident, import_blocks, query_strings, unique_name, Step, TestCase};
use crate::{acc, Acc, TestDb};

const PASSWORD: &str = "managed-pw";

/// The provider's role and the application's database it owns, holding
/// schema `app` and table `app.items`, both owned by the provider's role.
struct Managed<'a> {
    acc: &'a Acc,
    prov: String,
    db: Option<TestDb<'a>>,
}

impl<'a> Managed<'a> {
    /// `attributes` are the provider role's beyond `LOGIN CREATEROLE
    /// CREATEDB` (`NOINHERIT`, say).
    fn new(acc: &'a Acc, attributes: &str) -> Managed<'a> {
        let prov = unique_name("ns_provider");
        acc.sql(&format!(
            "CREATE ROLE {} LOGIN CREATEROLE CREATEDB {attributes} PASSWORD '{PASSWORD}'",
            ident(&prov)
        ));
        let db = acc.database("ns_app");
        acc.sql(&format!(
            "ALTER DATABASE {} OWNER TO {}",
            ident(&db.name),
            ident(&prov)
        ));
        db.exec(&format!(
            "CREATE SCHEMA app AUTHORIZATION {p}; \
             CREATE TABLE app.items (tenant_id int); ALTER TABLE app.items OWNER TO {p}",
            p = ident(&prov)
        ));
        Managed {
            acc,
            prov,
            db: Some(db),
        }
    }

    fn db(&self) -> &TestDb<'a> {
        self.db.as_ref().expect("database")
    }

    /// The provider block: as the provider's role, on the application's
    /// database.
    fn provider(&self) -> String {
        self.acc
            .cluster
            .provider_block_as(&self.prov, PASSWORD)
            .replace(
                "database = \"postgres\"",
                &format!("database = {}", hcl(&self.db().name)),
            )
    }

    /// Runs statements as the superuser in the application's database.
    fn exec(&self, sql: &str) {
        self.db().exec(sql);
    }

    /// The owner of relation `name` in the application's database.
    fn owner_of(&self, relation: &str) -> String {
        self.db().one(&format!(
            "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = '{relation}'::regclass"
        ))
    }

    /// The roles the provider's role is a member of through a grant that
    /// gives privileges or SET ROLE (on 16 and later; before, any grant).
    fn memberships(&self) -> Vec<String> {
        let sql = if self.acc.cluster.major_version() >= 16 {
            "SELECT pg_get_userbyid(roleid)::text FROM pg_auth_members \
             WHERE member = $1::text::regrole AND (inherit_option OR set_option) ORDER BY 1"
        } else {
            "SELECT pg_get_userbyid(roleid)::text FROM pg_auth_members \
             WHERE member = $1::text::regrole ORDER BY 1"
        };
        let admin = self.acc.admin();
        self.acc
            .block(query_strings(&admin, sql, &[&ident(&self.prov)]))
    }

    fn role_exists(&self, name: &str) -> bool {
        let admin = self.acc.admin();
        !self
            .acc
            .block(query_strings(
                &admin,
                "SELECT 1::text FROM pg_roles WHERE rolname = $1",
                &[&name],
            ))
            .is_empty()
    }

    fn database_exists(&self, name: &str) -> bool {
        let admin = self.acc.admin();
        !self
            .acc
            .block(query_strings(
                &admin,
                "SELECT 1::text FROM pg_database WHERE datname = $1",
                &[&name],
            ))
            .is_empty()
    }
}

impl Drop for Managed<'_> {
    fn drop(&mut self) {
        // The database first: the provider's role owns it and what the
        // dropped roles owned in it.
        drop(self.db.take());
        let admin = self.acc.admin();
        let _ = self
            .acc
            .block(admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", ident(&self.prov))));
    }
}

/// The names a configuration manages.
struct Names {
    reader: String,
    writer: String,
    app: String,
    database: String,
    schema: String,
}

impl Names {
    fn new() -> Names {
        Names {
            reader: unique_name("ns_reader"),
            writer: unique_name("ns_writer"),
            app: unique_name("ns_app_login"),
            database: unique_name("ns_owned_db"),
            schema: unique_name("ns_owned_schema"),
        }
    }

    /// Roles, a membership, grants, RLS and a policy on `app.items`, and a
    /// database and a schema owned by `owner` (a key of a role resource).
    fn config(&self, database: &str, owner: &str) -> String {
        format!(
            r#"
resource "postgresql_role" "reader" {{
  name = {reader}
}}

resource "postgresql_role" "writer" {{
  name = {writer}
}}

resource "postgresql_role" "app" {{
  name  = {app}
  login = true
}}

resource "postgresql_grant_role" "app_reads" {{
  role       = postgresql_role.app.name
  grant_role = postgresql_role.reader.name
}}

resource "postgresql_grant" "reader_schema" {{
  role        = postgresql_role.reader.name
  database    = {db}
  schema      = "app"
  object_type = "schema"
  privileges  = ["USAGE"]
}}

resource "postgresql_grant" "reader_items" {{
  role        = postgresql_role.reader.name
  database    = {db}
  schema      = "app"
  object_type = "table"
  objects     = ["items"]
  privileges  = ["SELECT"]
}}

resource "postgresql_row_level_security" "items" {{
  schema  = "app"
  table   = "items"
  enabled = true
}}

resource "postgresql_policy" "tenant" {{
  schema = "app"
  table  = "items"
  name   = "tenant"
  roles  = [postgresql_role.reader.name]
  using  = "tenant_id = (select current_setting('app.tenant', true)::int)"
}}

resource "postgresql_database" "owned" {{
  name  = {database}
  owner = postgresql_role.{owner}.name
}}

resource "postgresql_schema" "owned" {{
  name  = {schema}
  owner = postgresql_role.{owner}.name
}}
"#,
            db = hcl(database),
            reader = hcl(&self.reader),
            writer = hcl(&self.writer),
            app = hcl(&self.app),
            database = hcl(&self.database),
            schema = hcl(&self.schema),
        )
    }
}

/// The whole lifecycle as the managed service's administrator, which
/// creates the roles itself: apply, empty plans, owner changes, destroy of
/// roles that own a table or hold privileges granted outside Terraform.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn non_superuser_lifecycle_with_roles_it_created() {
    let Some(acc) = acc() else { return };
    let m = Managed::new(&acc, "");
    let n = Names::new();
    lifecycle(&m, &n, TestCase::new(m.provider()), "");
}

/// The same, for roles a superuser created: the provider adopts them with
/// import blocks. On PostgreSQL 16 and later it holds only the ADMIN OPTION
/// a superuser gave it (no INHERIT, no SET); before 16, CREATEROLE is all it
/// has.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn non_superuser_lifecycle_with_roles_it_did_not_create() {
    let Some(acc) = acc() else { return };
    let m = Managed::new(&acc, "");
    let n = Names::new();
    let v16 = acc.cluster.major_version() >= 16;
    for role in [&n.reader, &n.writer, &n.app] {
        acc.sql(&format!("CREATE ROLE {}", ident(role)));
        if v16 {
            acc.sql(&format!(
                "GRANT {} TO {} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE",
                ident(role),
                ident(&m.prov)
            ));
        }
    }
    acc.sql(&format!("ALTER ROLE {} LOGIN", ident(&n.app)));
    let imports = import_blocks(&[
        ("postgresql_role.reader", &n.reader),
        ("postgresql_role.writer", &n.writer),
        ("postgresql_role.app", &n.app),
    ]);
    lifecycle(&m, &n, TestCase::new(m.provider()), &imports);
}

fn lifecycle(m: &Managed, n: &Names, case: TestCase, extra: &str) {
    let table = |role: &str| format!("app.{}", ident(&format!("{role}_table")));
    let (writer_table, reader_table) = (table(&n.writer), table(&n.reader));
    case.step(
        Step::apply(n.config(&m.db().name, "writer") + extra).check(|_, _| {
            assert_eq!(
                m.memberships(),
                Vec::<String>::new(),
                "memberships left behind"
            );
            // Objects the managed roles own or are granted, made outside
            // Terraform (as an application's migrations would).
            m.exec(&format!(
                "CREATE TABLE {w} (); ALTER TABLE {w} OWNER TO {writer}; \
                 GRANT SELECT ON {w} TO {app}; \
                 CREATE TABLE {r} (); ALTER TABLE {r} OWNER TO {reader}",
                w = writer_table,
                r = reader_table,
                writer = ident(&n.writer),
                reader = ident(&n.reader),
                app = ident(&n.app),
            ));
        }),
    )
    // The owners change, as the provider's role.
    .step(
        Step::apply(n.config(&m.db().name, "reader") + extra)
            .plan_shows(&["~ owner"])
            .check(|_, _| {
                let db = m.db();
                assert_eq!(
                    db.one(&format!(
                        "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace \
                         WHERE nspname = '{}'",
                        n.schema
                    )),
                    n.reader
                );
                assert_eq!(
                    m.memberships(),
                    Vec::<String>::new(),
                    "memberships left behind"
                );
            }),
    )
    .check_destroy(|| {
        for role in [&n.reader, &n.writer, &n.app] {
            assert!(!m.role_exists(role), "{role} survived the destroy");
        }
        assert!(!m.database_exists(&n.database));
        // What the dropped roles owned went to the provider's role.
        assert_eq!(m.owner_of(&writer_table), m.prov);
        assert_eq!(m.owner_of(&reader_table), m.prov);
        assert_eq!(m.memberships(), Vec::<String>::new());
    })
    .run();
}

/// A provider role that cannot borrow a role's privileges is told what it
/// lacks, not that it lacks CREATEROLE, and nothing is dropped: on
/// PostgreSQL 16 and later ADMIN OPTION on a role a superuser created;
/// before, INHERIT (a NOINHERIT role gets no privileges from a membership).
/// Once given what it lacks, the destroy completes.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn non_superuser_destroy_names_what_is_missing() {
    let Some(acc) = acc() else { return };
    let v16 = acc.cluster.major_version() >= 16;
    let m = Managed::new(&acc, if v16 { "" } else { "NOINHERIT" });
    let owner = unique_name("ns_foreign_owner");
    acc.sql(&format!("CREATE ROLE {}", ident(&owner)));
    let table = format!("app.{}", ident(&format!("{owner}_t")));
    m.exec(&format!(
        "CREATE TABLE {table} (); ALTER TABLE {table} OWNER TO {}",
        ident(&owner)
    ));
    TestCase::new(m.provider())
        .step(Step::apply(format!(
            "resource \"postgresql_role\" \"owner\" {{\n  name = {}\n}}\n{}",
            hcl(&owner),
            import_blocks(&[("postgresql_role.owner", &owner)])
        )))
        .step(Step::destroy_fails("Permission Denied").check(|_, out| {
            let text = out
                .combined()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let lack = if v16 {
                format!("it lacks ADMIN OPTION on role \"{owner}\"")
            } else {
                "it lacks the INHERIT attribute".to_string()
            };
            assert!(text.contains(&lack), "{text}");
            assert!(!text.contains("lacks the CREATEROLE attribute"), "{text}");
            assert!(m.role_exists(&owner));
            assert_eq!(m.owner_of(&table), owner, "nothing was reassigned");
            assert_eq!(m.memberships(), Vec::<String>::new());
            // Given what it lacks, the final destroy completes.
            if v16 {
                acc.sql(&format!(
                    "GRANT {} TO {} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE",
                    ident(&owner),
                    ident(&m.prov)
                ));
            } else {
                acc.sql(&format!("ALTER ROLE {} INHERIT", ident(&m.prov)));
            }
        }))
        .check_destroy(|| {
            assert!(!m.role_exists(&owner));
            assert_eq!(m.owner_of(&table), m.prov);
        })
        .run();
}
