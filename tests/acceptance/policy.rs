//! postgresql_policy acceptance tests: every attribute against `pg_policy`,
//! expressions written many ways without perpetual diffs, in-place changes
//! by ALTER (same oid) and replacements (new oid), drift made outside
//! Terraform, import, validation, lock timeouts, and planning before the
//! table exists.

use std::cell::RefCell;

use tokio_postgres::Client;

use crate::support::{exec, hcl, query_one_str, query_opt_str, unique_name, Step, TestCase};
use crate::{acc, Acc};

/// The provider block with a short lock_timeout.
fn provider_with_lock_timeout(acc: &Acc) -> String {
    let block = acc.cluster.provider_block();
    let end = block.rfind('}').expect("provider block ends with }");
    format!("{}  lock_timeout = 500\n}}\n", &block[..end])
}

/// One policy of the big configuration.
#[derive(Clone)]
struct Pol {
    key: &'static str,
    table: &'static str,
    name: String,
    command: Option<&'static str>,
    permissive: Option<bool>,
    roles: Option<Vec<String>>,
    using: Option<String>,
    with_check: Option<String>,
}

impl Pol {
    fn new(key: &'static str, using: &str) -> Pol {
        Pol {
            key,
            table: "items",
            name: key.to_string(),
            command: None,
            permissive: None,
            roles: None,
            using: Some(using.to_string()),
            with_check: None,
        }
    }

    fn hcl(&self, schema: &str) -> String {
        let mut s = format!(
            "resource \"postgresql_policy\" \"{}\" {{\n  schema = {}\n  table  = \"{}\"\n  name   = {}\n",
            self.key,
            hcl(schema),
            self.table,
            hcl(&self.name)
        );
        if let Some(c) = self.command {
            s.push_str(&format!("  command = \"{c}\"\n"));
        }
        if let Some(p) = self.permissive {
            s.push_str(&format!("  permissive = {p}\n"));
        }
        if let Some(r) = &self.roles {
            let list: Vec<String> = r.iter().map(|x| hcl(x)).collect();
            s.push_str(&format!("  roles = [{}]\n", list.join(", ")));
        }
        if let Some(u) = &self.using {
            s.push_str(&format!("  using = {}\n", hcl(u)));
        }
        if let Some(c) = &self.with_check {
            s.push_str(&format!("  with_check = {}\n", hcl(c)));
        }
        s.push_str("}\n");
        s
    }
}

/// What pg_policy says about one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    oid: String,
    cmd: String,
    permissive: bool,
    roles: String,
    using: Option<String>,
    with_check: Option<String>,
}

fn pg_policy(acc: &Acc, db: &tokio_postgres::Client, schema: &str, name: &str) -> Option<Row> {
    pg_policy_on(acc, db, schema, "items", name)
}

fn pg_policy_on(
    acc: &Acc,
    db: &tokio_postgres::Client,
    schema: &str,
    table: &str,
    name: &str,
) -> Option<Row> {
    let row = acc
        .block(db.query_opt(
            "SELECT p.oid::text, p.polcmd::text, p.polpermissive, \
                    CASE WHEN p.polroles = '{0}' THEN 'public' ELSE \
                      (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE oid = ANY (p.polroles)) END, \
                    pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid) \
             FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND p.polname = $3",
            &[&schema, &table, &name],
        ))
        .expect("read pg_policy")?;
    Some(Row {
        oid: row.get(0),
        cmd: row.get(1),
        permissive: row.get(2),
        roles: row.get(3),
        using: row.get(4),
        with_check: row.get(5),
    })
}

fn policy_count(acc: &Acc, db: &tokio_postgres::Client, schema: &str) -> i64 {
    acc.block(db.query_one(
        "SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
        &[&schema],
    ))
    .expect("count policies")
    .get(0)
}

/// The policies and the `postgresql_row_level_security` of `items`
/// (after the provider block).
fn config(schema: &str, pols: &[Pol]) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "resource \"postgresql_row_level_security\" \"items\" {{\n  schema = {}\n  table = \"items\"\n}}\n",
        hcl(schema)
    ));
    for p in pols {
        s.push_str(&p.hcl(schema));
    }
    s
}

/// Checks every policy's command, permissiveness, roles and clauses in
/// pg_policy against the configuration.
fn check_all(acc: &Acc, db: &tokio_postgres::Client, schema: &str, pols: &[Pol]) {
    for p in pols {
        let r = pg_policy_on(acc, db, schema, p.table, &p.name)
            .unwrap_or_else(|| panic!("policy {} missing on {}", p.name, p.table));
        let cmd = match p.command.unwrap_or("ALL") {
            "ALL" => "*",
            "SELECT" => "r",
            "INSERT" => "a",
            "UPDATE" => "w",
            "DELETE" => "d",
            other => panic!("unexpected command {other}"),
        };
        let mut roles = p.roles.clone().unwrap_or_else(|| vec!["public".into()]);
        roles.sort();
        assert_eq!(r.cmd, cmd, "{} command", p.key);
        assert_eq!(
            r.permissive,
            p.permissive.unwrap_or(true),
            "{} permissive",
            p.key
        );
        assert_eq!(r.roles, roles.join(","), "{} roles", p.key);
        assert_eq!(r.using.is_some(), p.using.is_some(), "{} using", p.key);
        assert_eq!(
            r.with_check.is_some(),
            p.with_check.is_some(),
            "{} with_check",
            p.key
        );
    }
}

fn set(pols: &mut [Pol], key: &str, f: impl FnOnce(&mut Pol)) {
    f(pols
        .iter_mut()
        .find(|p| p.key == key)
        .expect("policy key exists"));
}

/// Splits Terraform's output into its diagnostics.
fn diagnostics(text: &str) -> Vec<String> {
    text.split("Error: ").skip(1).map(str::to_string).collect()
}

fn assert_diagnostic(text: &str, summary: &str, resource: &str, attr: &str) {
    let found = diagnostics(text).into_iter().any(|d| {
        d.starts_with(summary)
            && d.contains(&format!("with postgresql_policy.{resource},"))
            && d.contains(&format!("  {attr} "))
    });
    assert!(
        found,
        "no {summary:?} error for postgresql_policy.{resource}.{attr} in:\n{text}"
    );
}

/// A schema of the test's own in `postgres` with the tables, a type and
/// functions the policies use, and two roles.
struct Schema<'a> {
    acc: &'a Acc,
    db: Client,
    s: String,
    r1: String,
    r2: String,
}

fn schema(acc: &Acc) -> Schema<'_> {
    let db = acc.admin();
    let s = unique_name("pol");
    let (r1, r2) = (format!("{s}_r1"), format!("{s}_r2"));
    acc.block(exec(
        &db,
        &format!(
            "CREATE SCHEMA {s};
             CREATE TYPE {s}.status AS ENUM ('active', 'archived');
             CREATE TABLE {s}.items (id int, tenant_id int, title text, owner_name text,
               amount numeric, status {s}.status, created_at timestamptz, \"Mixed\" int, tags text[]);
             CREATE TABLE {s}.members (tenant_id int, user_name text);
             CREATE FUNCTION {s}.cur_tenant() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
             CREATE FUNCTION public.{s}_tenant() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
             CREATE ROLE {r1}; CREATE ROLE {r2};"
        ),
    ));
    Schema { acc, db, s, r1, r2 }
}

impl Schema<'_> {
    /// Seventeen differently written expressions plus one of each command.
    fn pols(&self) -> Vec<Pol> {
        let (s, r1, r2) = (&self.s, &self.r1, &self.r2);
        vec![
            Pol::new("p01", "tenant_id = current_setting('app.tenant')::int"),
            Pol::new("p02", "title IN ('a', 'b')"),
            Pol::new("p03", "title LIKE 'x%'"),
            Pol::new("p04", "title ILIKE '%foo%' OR title IS NULL"),
            Pol::new("p05", "amount BETWEEN 1 AND 100.5"),
            Pol::new(
                "p06",
                &format!("EXISTS (SELECT 1 FROM {s}.members m WHERE m.tenant_id = items.tenant_id AND m.user_name = session_user)"),
            ),
            Pol::new(
                "p07",
                &format!("tenant_id IN (SELECT tenant_id FROM {s}.members WHERE user_name = current_user)"),
            ),
            Pol::new("p08", "CASE WHEN current_user = 'admin' THEN true ELSE tenant_id = 1 END"),
            Pol::new("p09", &format!("tenant_id = {s}.cur_tenant()")),
            Pol::new("p10", &format!("tenant_id = {s}_tenant()")),
            Pol::new("p11", "  TENANT_ID   =   1\n   AND   \"Mixed\" > 0  "),
            Pol::new("p12", "status = 'active'"),
            Pol::new("p13", "created_at > now() - interval '30 days'"),
            Pol::new("p14", "tenant_id = nullif(current_setting('app.tenant', true), '')::int"),
            Pol::new("p15", &format!("tenant_id = (SELECT {s}.cur_tenant())")),
            Pol::new("p16", "'vip' = ANY (tags) AND NOT (title <> ALL (ARRAY['x', 'y']))"),
            Pol::new("p17", "coalesce(current_setting('app.bypass', true), 'off') = 'on'"),
            Pol {
                command: Some("SELECT"),
                permissive: Some(false),
                roles: Some(vec![r1.clone()]),
                ..Pol::new("p18", "owner_name = current_user")
            },
            Pol {
                command: Some("INSERT"),
                using: None,
                with_check: Some("tenant_id > 0 and title is not null".into()),
                ..Pol::new("p19", "")
            },
            Pol {
                command: Some("UPDATE"),
                with_check: Some("tenant_id = 1 AND amount >= 0".into()),
                ..Pol::new("p20", "tenant_id = 1")
            },
            Pol {
                command: Some("DELETE"),
                roles: Some(self.both()),
                ..Pol::new("p21", "owner_name = session_user")
            },
            Pol {
                name: "weird.\"name\".x".into(),
                roles: Some(vec![r2.clone()]),
                ..Pol::new("p22", "id = 2")
            },
        ]
    }

    fn both(&self) -> Vec<String> {
        vec![self.r1.clone(), self.r2.clone()]
    }

    fn config(&self, pols: &[Pol]) -> String {
        config(&self.s, pols)
    }

    /// A policy on `items`, straight from the catalog.
    fn row(&self, name: &str) -> Row {
        pg_policy(self.acc, &self.db, &self.s, name)
            .unwrap_or_else(|| panic!("policy {name} missing"))
    }

    /// `relrowsecurity` and `relforcerowsecurity` of `items`, as one text.
    fn rls(&self) -> String {
        self.acc.block(query_one_str(
            &self.db,
            "SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class WHERE oid = $1::text::regclass",
            &[&format!("{}.items", self.s)],
        ))
    }

    /// Steps whose destroy leaves no policy and the table's RLS off.
    fn case(&self) -> TestCase<'_> {
        TestCase::new(self.acc.cluster.provider_block()).check_destroy(|| {
            assert_eq!(policy_count(self.acc, &self.db, &self.s), 0);
            assert_eq!(self.rls(), "falsefalse");
        })
    }

    fn finish(self) {
        let (s, r1, r2) = (&self.s, &self.r1, &self.r2);
        self.acc.block(exec(
            &self.db,
            &format!(
                "DROP SCHEMA {s} CASCADE; DROP FUNCTION public.{s}_tenant(); DROP ROLE {r1}; DROP ROLE {r2};"
            ),
        ));
    }
}

/// Every attribute, straight from the catalog, and the state.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_creates_every_attribute() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let (s, r1, r2) = (&sc.s, &sc.r1, &sc.r2);
    let pols = sc.pols();
    sc.case()
        .step(Step::apply(sc.config(&pols)).check(|ws, _| {
            check_all(&acc, &sc.db, s, &pols);
            let row = |name: &str| sc.row(name);
            let r = row("p01");
            assert_eq!(
                (r.cmd.as_str(), r.permissive, r.roles.as_str()),
                ("*", true, "public")
            );
            assert_eq!(
                r.using.as_deref(),
                Some("(tenant_id = (current_setting('app.tenant'::text))::integer)")
            );
            assert_eq!(r.with_check, None);
            assert_eq!(
                row("p02").using.as_deref(),
                Some("(title = ANY (ARRAY['a'::text, 'b'::text]))")
            );
            assert_eq!(
                row("p10").using.as_deref(),
                // (read under the admin's default search_path, so unqualified)
                Some(format!("(tenant_id = {s}_tenant())").as_str())
            );
            let r = row("p18");
            assert_eq!(
                (r.cmd.as_str(), r.permissive, r.roles.as_str()),
                ("r", false, r1.as_str())
            );
            let r = row("p19");
            assert_eq!((r.cmd.as_str(), r.using.is_none()), ("a", true));
            assert_eq!(
                r.with_check.as_deref(),
                Some("((tenant_id > 0) AND (title IS NOT NULL))")
            );
            let r = row("p20");
            assert_eq!(r.cmd, "w");
            assert_eq!(r.using.as_deref(), Some("(tenant_id = 1)"));
            assert_eq!(
                r.with_check.as_deref(),
                Some("((tenant_id = 1) AND (amount >= (0)::numeric))")
            );
            let r = row("p21");
            assert_eq!(
                (r.cmd.as_str(), r.roles.clone()),
                ("d", format!("{r1},{r2}"))
            );
            assert_eq!(row("weird.\"name\".x").roles, *r2);
            assert_eq!(sc.rls(), "truefalse");
            let state = ws.state_resource("postgresql_policy.p11");
            assert_eq!(
                state["using"], "  TENANT_ID   =   1\n   AND   \"Mixed\" > 0  ",
                "state keeps the text as written"
            );
            assert_eq!(state["id"], format!("{s}.items.p11"));
            assert_eq!(
                ws.state_resource("postgresql_policy.p22")["id"],
                format!("{s}.items.\"weird.\"\"name\"\".x\"")
            );
        }))
        .run();
    sc.finish();
}

/// The same expressions written differently, and as the server renders
/// them: nothing to do.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_expressions_written_differently_plan_nothing() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let s = &sc.s;
    let pols = sc.pols();
    let mut rewritten = pols.clone();
    for (key, text) in [
        ("p01", "tenant_id = CAST(current_setting('app.tenant') AS integer)".to_string()),
        ("p02", "title = any (array['a', 'b'])".into()),
        ("p03", "title ~~ 'x%'::text".into()),
        ("p04", "(title ~~* '%foo%') or (title is null)".into()),
        ("p05", "amount >= 1 and amount <= 100.5".into()),
        (
            "p06",
            format!("exists (select 1\n  from {s}.members as m\n  where m.tenant_id=items.tenant_id and m.user_name=SESSION_USER)"),
        ),
        ("p07", format!("tenant_id in (select members.tenant_id from {s}.members where members.user_name = CURRENT_USER)")),
        ("p08", "case when current_user='admin' then TRUE else (tenant_id = 1) end".into()),
        ("p09", format!("tenant_id = \"{s}\".\"cur_tenant\"()")),
        ("p10", format!("tenant_id = public.{s}_tenant()")),
        ("p11", "(tenant_id = 1) AND (\"Mixed\" > 0)".into()),
        ("p12", format!("status = 'active'::{s}.status")),
        ("p13", "created_at > (now() - '30 days'::interval)".into()),
        ("p14", "tenant_id = (NULLIF(current_setting('app.tenant', true), ''))::integer".into()),
        ("p15", format!("tenant_id = (select {s}.cur_tenant() as cur_tenant)")),
        ("p16", "('vip' = any(tags)) and not (title <> all (array['x','y']))".into()),
        ("p17", "COALESCE(current_setting('app.bypass'::text, true), 'off'::text) = 'on'::text".into()),
    ] {
        set(&mut rewritten, key, |p| p.using = Some(text));
    }
    let provider = acc.cluster.provider_block();
    sc.case()
        .step(Step::apply(sc.config(&pols)).check(|ws, _| {
            // The server's own rendering, known only once it exists.
            let mut as_stored = pols.clone();
            for p in as_stored.iter_mut() {
                let r = sc.row(&p.name);
                p.using = r.using;
                p.with_check = r.with_check;
            }
            ws.write_config(&format!("{provider}{}", sc.config(&as_stored)));
            ws.assert_no_changes();
            ws.write_config(&format!("{provider}{}", sc.config(&pols)));
        }))
        .step(Step::plan_only(sc.config(&rewritten)))
        .run();
    sc.finish();
}

/// In place: rename, roles, using, with_check changed, with_check added;
/// every policy keeps its oid.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_changes_in_place_keep_the_oid() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let (s, r1, r2) = (&sc.s, &sc.r1, &sc.r2);
    let base = sc.pols();
    let mut pols = base.clone();
    set(&mut pols, "p01", |p| p.name = "p01_renamed".into());
    set(&mut pols, "p02", |p| p.roles = Some(sc.both()));
    set(&mut pols, "p03", |p| {
        p.using = Some("title LIKE 'y%'".into())
    });
    set(&mut pols, "p04", |p| {
        p.with_check = Some("title IS NOT NULL".into())
    });
    set(&mut pols, "p20", |p| {
        p.with_check = Some("tenant_id = 1 AND amount >= 10".into())
    });
    let before: RefCell<Vec<(String, Row)>> = RefCell::new(Vec::new());
    sc.case()
        .step(Step::apply(sc.config(&base)).check(|_, _| {
            *before.borrow_mut() = ["p01", "p02", "p03", "p04", "p20"]
                .iter()
                .map(|n| (n.to_string(), sc.row(n)))
                .collect();
        }))
        .step(
            Step::apply(sc.config(&pols))
                .plan_check(|plan| assert!(plan.contains("5 to change, 0 to destroy"), "{plan}"))
                .check(|_, _| {
                    for (name, old) in before.borrow().iter() {
                        let now = sc.row(if name == "p01" { "p01_renamed" } else { name });
                        assert_eq!(now.oid, old.oid, "{name} was altered in place");
                    }
                    assert!(pg_policy(&acc, &sc.db, s, "p01").is_none());
                    check_all(&acc, &sc.db, s, &pols);
                    assert_eq!(sc.row("p02").roles, format!("{r1},{r2}"));
                    assert_eq!(
                        sc.row("p03").using.as_deref(),
                        Some("(title ~~ 'y%'::text)")
                    );
                    assert_eq!(
                        sc.row("p04").with_check.as_deref(),
                        Some("(title IS NOT NULL)")
                    );
                    assert_eq!(
                        sc.row("p20").with_check.as_deref(),
                        Some("((tenant_id = 1) AND (amount >= (10)::numeric))")
                    );
                }),
        )
        .run();
    sc.finish();
}

/// Replacements: another table, command or permissiveness, and removing a
/// clause; every replaced policy gets a new oid.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_replacements_get_a_new_oid() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let s = &sc.s;
    let base = sc.pols();
    let mut pols = base.clone();
    set(&mut pols, "p17", |p| p.table = "members");
    set(&mut pols, "p05", |p| p.command = Some("SELECT"));
    set(&mut pols, "p06", |p| p.permissive = Some(false));
    set(&mut pols, "p20", |p| p.using = None);
    let before: RefCell<Vec<(String, Row)>> = RefCell::new(Vec::new());
    sc.case()
        .step(Step::apply(sc.config(&base)).check(|_, _| {
            *before.borrow_mut() = ["p05", "p06", "p20", "p17"]
                .iter()
                .map(|n| (n.to_string(), sc.row(n)))
                .collect();
        }))
        .step(
            Step::apply(sc.config(&pols))
                .plan_check(|plan| {
                    assert!(
                        plan.contains("4 to add, 0 to change, 4 to destroy"),
                        "{plan}"
                    );
                    for key in ["p05", "p06", "p20", "p17"] {
                        assert!(
                            plan.contains(&format!("postgresql_policy.{key} must be replaced")),
                            "{plan}"
                        );
                    }
                })
                .check(|_, _| {
                    for (name, old) in before.borrow().iter() {
                        let table = if name == "p17" { "members" } else { "items" };
                        let now = pg_policy_on(&acc, &sc.db, s, table, name)
                            .expect("replaced policy exists");
                        assert_ne!(now.oid, old.oid, "{name} was replaced");
                    }
                    assert!(
                        pg_policy(&acc, &sc.db, s, "p17").is_none(),
                        "p17 left items"
                    );
                    check_all(&acc, &sc.db, s, &pols);
                    assert_eq!(sc.row("p05").cmd, "r");
                    assert!(!sc.row("p06").permissive);
                    assert_eq!(sc.row("p20").using, None);
                }),
        )
        .run();
    sc.finish();
}

/// Drift: an expression changed by hand, a dropped policy, DROP OWNED BY a
/// role that some policies list (p02 and p21 with another role, p22 alone).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_drift_outside_shows() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let (s, r1, r2) = (&sc.s, &sc.r1, &sc.r2);
    let mut pols = sc.pols();
    set(&mut pols, "p02", |p| p.roles = Some(sc.both()));
    sc.case()
        .step(Step::apply(sc.config(&pols)))
        .step(
            Step::apply(sc.config(&pols))
                .before(|_| {
                    acc.block(exec(
                        &sc.db,
                        &format!(
                            "ALTER POLICY p07 ON {s}.items USING (tenant_id = 42);
                             DROP POLICY p08 ON {s}.items;
                             DROP OWNED BY {r2};"
                        ),
                    ))
                })
                .plan_shows(&[
                    "postgresql_policy.p07 will be updated in-place",
                    "(tenant_id = 42)",
                    "postgresql_policy.p08 will be created",
                    "postgresql_policy.p22 will be created",
                    "postgresql_policy.p02 will be updated in-place",
                    "postgresql_policy.p21 will be updated in-place",
                ])
                .check(|_, _| assert_eq!(sc.row("p02").roles, format!("{r1},{r2}"))),
        )
        .run();
    sc.finish();
}

/// A referenced function renamed outside Terraform shows in the plan (the
/// server renders the expression with the new name); a renamed column makes
/// the plan refuse the configured text, which names a column the table no
/// longer has; renamed back, the plan is empty again.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_renamed_column_or_function_shows() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let s = &sc.s;
    let pols = sc.pols();
    sc.case()
        .step(Step::apply(sc.config(&pols)))
        .step(Step::plan_only(sc.config(&pols)).before(|ws| {
            // A renamed function shows as drift: the configured text is
            // planned back, and the function may come with the same apply.
            acc.block(exec(
                &sc.db,
                &format!("ALTER FUNCTION {s}.cur_tenant() RENAME TO cur_tenant_renamed;"),
            ));
            let plan = ws.assert_changes();
            for expect in [
                "postgresql_policy.p09 will be updated in-place",
                "cur_tenant_renamed()",
                "postgresql_policy.p15 will be updated in-place",
            ] {
                assert!(plan.contains(expect), "missing {expect:?} in\n{plan}");
            }
            // A renamed column too, but the configured text names a column
            // the table no longer has, which no apply could set: the plan
            // refuses it, naming the policy and the attribute.
            acc.block(exec(
                &sc.db,
                &format!("ALTER TABLE {s}.items RENAME COLUMN owner_name TO owner;"),
            ));
            let (code, out) = ws.plan_exit_code();
            let text = out.combined();
            assert_eq!(code, 1, "{text}");
            assert_diagnostic(&text, "Invalid Policy Expression", "p18", "using");
            assert_diagnostic(&text, "Invalid Policy Expression", "p21", "using");
            let flat = crate::support::flat(&text);
            assert!(
                flat.contains("column \"owner_name\" does not exist"),
                "{text}"
            );
            acc.block(exec(
                &sc.db,
                &format!(
                    "ALTER TABLE {s}.items RENAME COLUMN owner TO owner_name;
                     ALTER FUNCTION {s}.cur_tenant_renamed() RENAME TO cur_tenant;"
                ),
            ));
        }))
        .run();
    sc.finish();
}

/// Import by `schema.table.name`: the same attributes, and the server's
/// text for the expressions is equivalent to the configuration (the plan
/// is empty); a malformed ID is refused.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_imports_by_schema_table_name() {
    let Some(acc) = acc() else { return };
    let sc = schema(&acc);
    let s = &sc.s;
    let pols = sc.pols();
    let subset: Vec<Pol> = pols
        .iter()
        .filter(|p| ["p09", "p18", "p19", "p22"].contains(&p.key))
        .cloned()
        .collect();
    let imports: Vec<(String, String, &Pol)> = subset
        .iter()
        .map(|p| {
            let id = if p.key == "p22" {
                format!("{s}.items.\"weird.\"\"name\"\".x\"")
            } else {
                format!("{s}.items.{}", p.name)
            };
            (format!("postgresql_policy.{}", p.key), id, p)
        })
        .collect();
    let mut case = sc.case().step(Step::apply(sc.config(&pols))).step(
        Step::import_fails("postgresql_policy.p09", "a.b", "Invalid Import ID")
            .config(sc.config(&subset)),
    );
    for (addr, id, p) in &imports {
        // The server's text of an expression differs from the configured
        // one; the empty plan shows them equivalent.
        case = case.step(
            Step::import(addr, id.clone())
                .ignore(&["using", "with_check"])
                .check(move |ws, _| {
                    let got = ws.state_resource(addr);
                    assert_eq!(got["using"].is_null(), p.using.is_none(), "{addr}.using");
                    assert_eq!(
                        got["with_check"].is_null(),
                        p.with_check.is_none(),
                        "{addr}.with_check"
                    );
                }),
        );
    }
    case.step(Step::import(
        "postgresql_row_level_security.items",
        format!("{s}.items"),
    ))
    .run();
    sc.finish();
}

/// A schema with a table `items (id, title)` for the validation tests.
fn validation_schema(acc: &Acc) -> String {
    let s = unique_name("polv");
    acc.sql(&format!(
        "CREATE SCHEMA {s}; CREATE TABLE {s}.items (id int, title text);"
    ));
    s
}

/// A policy on `items` in schema `s`, with `body` for its attributes.
fn policy_on_items(s: &str, key: &str, body: &str) -> String {
    format!(
        "resource \"postgresql_policy\" \"{key}\" {{\n  schema = \"{s}\"\n  table = \"items\"\n{body}\n}}\n"
    )
}

/// What `terraform validate` refuses without asking the server, each
/// reported on its resource and attribute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_invalid_attributes_fail_validate() {
    let Some(acc) = acc() else { return };
    let s = validation_schema(&acc);
    let mut cfg = String::new();
    for (key, body) in [
        (
            "sel_check",
            "  name = \"a\"\n  command = \"SELECT\"\n  with_check = \"true\"",
        ),
        (
            "del_check",
            "  name = \"b\"\n  command = \"DELETE\"\n  using = \"true\"\n  with_check = \"true\"",
        ),
        (
            "ins_using",
            "  name = \"c\"\n  command = \"INSERT\"\n  using = \"true\"",
        ),
        ("long_name", &format!("  name = \"{}\"", "n".repeat(64))),
        (
            "public_mixed",
            "  name = \"d\"\n  roles = [\"public\", \"someone\"]",
        ),
        ("pseudo_cu", "  name = \"e\"\n  roles = [\"current_user\"]"),
        ("pseudo_su", "  name = \"f\"\n  roles = [\"SESSION_USER\"]"),
        ("pseudo_cr", "  name = \"g\"\n  roles = [\"current_role\"]"),
        ("empty_using", "  name = \"h\"\n  using = \"\""),
        ("empty_check", "  name = \"i\"\n  with_check = \"   \""),
        (
            "malformed",
            "  name = \"j\"\n  using = \"true) WITH CHECK (false\"",
        ),
        ("bad_command", "  name = \"k\"\n  command = \"select\""),
        ("no_roles", "  name = \"l\"\n  roles = []"),
    ] {
        cfg.push_str(&policy_on_items(&s, key, body));
    }
    // `validate`, not a plan: these checks must not need the server.
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::validate_fails(cfg, "with_check Not Allowed").check(|_, out| {
                let text = out.combined();
                for (summary, key, attr) in [
                    ("with_check Not Allowed", "sel_check", "with_check"),
                    ("with_check Not Allowed", "del_check", "with_check"),
                    ("using Not Allowed", "ins_using", "using"),
                    ("Policy Name Too Long", "long_name", "name"),
                    ("public Mixed With Other Roles", "public_mixed", "roles"),
                    ("Pseudo-Role In roles", "pseudo_cu", "roles"),
                    ("Pseudo-Role In roles", "pseudo_su", "roles"),
                    ("Pseudo-Role In roles", "pseudo_cr", "roles"),
                    ("Empty Policy Expression", "empty_using", "using"),
                    ("Empty Policy Expression", "empty_check", "with_check"),
                    ("Malformed Policy Expression", "malformed", "using"),
                    ("Invalid Policy Command", "bad_command", "command"),
                    ("No Roles", "no_roles", "roles"),
                ] {
                    assert_diagnostic(&text, summary, key, attr);
                }
                assert!(text.contains("stores that role"), "{text}");
            }),
        )
        .run();
    acc.sql(&format!("DROP SCHEMA {s} CASCADE"));
}

/// Expressions the server refuses whatever exists: found at plan time.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_expressions_the_server_refuses_fail_at_plan() {
    let Some(acc) = acc() else { return };
    let s = validation_schema(&acc);
    let mut cfg = String::new();
    for (key, body) in [
        ("syntax", "  name = \"m\"\n  using = \"id = = 1\""),
        ("not_boolean", "  name = \"n\"\n  using = \"title\""),
        (
            "aggregate",
            "  name = \"o\"\n  with_check = \"count(*) > 0\"",
        ),
    ] {
        cfg.push_str(&policy_on_items(&s, key, body));
    }
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(cfg, "Invalid Policy Expression").check(|_, out| {
                let text = out.combined();
                assert_diagnostic(&text, "Invalid Policy Expression", "syntax", "using");
                assert_diagnostic(&text, "Invalid Policy Expression", "not_boolean", "using");
                assert_diagnostic(
                    &text,
                    "Invalid Policy Expression",
                    "aggregate",
                    "with_check",
                );
                assert!(text.contains("must be type boolean"), "{text}");
            }),
        )
        .run();
    acc.sql(&format!("DROP SCHEMA {s} CASCADE"));
}

/// A column the table does not have, in `using` or `with_check` of a
/// policy on an existing table: refused by the plan, naming the attribute
/// and quoting the server, before anything is applied. The same policies
/// with real columns plan and apply.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_unknown_column_fails_at_plan() {
    let Some(acc) = acc() else { return };
    let s = validation_schema(&acc);
    let admin = acc.admin();
    let config = |using: &str, check: &str| {
        policy_on_items(
            &s,
            "u",
            &format!("  name = \"u\"\n  using = {}", hcl(using)),
        ) + &policy_on_items(
            &s,
            "w",
            &format!(
                "  name = \"w\"\n  command = \"INSERT\"\n  with_check = {}",
                hcl(check)
            ),
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(
                config("no_such_column = 1", "title = nope"),
                "Invalid Policy Expression",
            )
            .check(|_, out| {
                let text = out.combined();
                assert_diagnostic(&text, "Invalid Policy Expression", "u", "using");
                assert_diagnostic(&text, "Invalid Policy Expression", "w", "with_check");
                let flat = crate::support::flat(&text);
                for quoted in [
                    "PostgreSQL refuses using `no_such_column = 1`: column \"no_such_column\" \
                     does not exist",
                    "PostgreSQL refuses with_check `title = nope`: column \"nope\" does not exist",
                ] {
                    assert!(flat.contains(quoted), "{quoted:?} not in:\n{text}");
                }
                // Refused by the plan: nothing was applied.
                assert!(!text.contains("Creating..."), "{text}");
                assert_eq!(policy_count(&acc, &admin, &s), 0);
            }),
        )
        .step(Step::apply(config("id = 1", "title = 'x'")))
        .run();
    acc.sql(&format!("DROP SCHEMA {s} CASCADE"));
}

/// A table `items` in a schema of its own, a policy on it and its RLS
/// switch, and a second session to lock the table with.
struct Locked<'a> {
    acc: &'a Acc,
    s: String,
    locker: Client,
}

fn locked(acc: &Acc) -> Locked<'_> {
    let s = unique_name("pollock");
    acc.sql(&format!(
        "CREATE SCHEMA {s}; CREATE TABLE {s}.items (id int);"
    ));
    Locked {
        acc,
        s,
        locker: acc.admin(),
    }
}

impl Locked<'_> {
    fn config(&self, using: &str) -> String {
        let s = &self.s;
        format!(
            "resource \"postgresql_policy\" \"p\" {{\n  schema = \"{s}\"\n  table = \"items\"\n  name = \"p\"\n  using = \"{using}\"\n}}\n\
             resource \"postgresql_row_level_security\" \"items\" {{\n  schema = \"{s}\"\n  table = \"items\"\n}}\n"
        )
    }

    /// The second session holds an ACCESS EXCLUSIVE lock in an open
    /// transaction.
    fn lock(&self) {
        self.acc.block(exec(
            &self.locker,
            &format!(
                "BEGIN; LOCK TABLE {}.items IN ACCESS EXCLUSIVE MODE;",
                self.s
            ),
        ));
    }

    fn unlock(&self) {
        self.acc.block(exec(&self.locker, "ROLLBACK"));
    }

    /// The error of a change that waited longer than lock_timeout.
    fn assert_timed_out(&self, text: &str) {
        assert!(
            text.contains("Error: Table Locked By Another Session"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "Another session holds a lock on table \"{}\".\"items\"",
                self.s
            )),
            "{text}"
        );
    }

    fn case(&self) -> TestCase<'_> {
        TestCase::new(provider_with_lock_timeout(self.acc))
    }

    fn finish(self) {
        self.acc.sql(&format!("DROP SCHEMA {} CASCADE", self.s));
    }
}

/// Creating a policy and switching RLS on under another session's lock
/// both fail after lock_timeout with a clear error; once the lock is gone
/// the apply succeeds.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_create_under_a_lock_times_out() {
    let Some(acc) = acc() else { return };
    let l = locked(&acc);
    l.case()
        .step(
            Step::fails(l.config("id > 0"), "Error: Table Locked By Another Session")
                .before(|_| l.lock())
                .check(|_, out| {
                    let text = out.combined();
                    l.assert_timed_out(&text);
                    assert!(text.contains("lock_timeout (500 ms)"), "{text}");
                    assert_eq!(
                        text.matches("Error: Table Locked By Another Session")
                            .count(),
                        2,
                        "both the policy and the RLS switch time out:\n{text}"
                    );
                    l.unlock();
                }),
        )
        .step(Step::apply(l.config("id > 0")))
        .run();
    l.finish();
}

/// Changing a policy (and refreshing it) under a lock fails the same way.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_change_under_a_lock_times_out() {
    let Some(acc) = acc() else { return };
    let l = locked(&acc);
    l.case()
        .step(Step::apply(l.config("id > 0")))
        .step(
            Step::fails(l.config("id > 1"), "Error: Table Locked By Another Session")
                .before(|_| l.lock())
                .check(|_, out| {
                    l.assert_timed_out(&out.combined());
                    l.unlock();
                }),
        )
        .step(Step::apply(l.config("id > 1")))
        .run();
    l.finish();
}

/// Neither the table nor the function exists while planning; both appear
/// before the saved plan is applied (as if created earlier in the apply).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_planned_before_its_table_exists() {
    let Some(acc) = acc() else { return };
    let db = acc.admin();
    let s = unique_name("pollate");
    acc.block(exec(&db, &format!("CREATE SCHEMA {s}")));
    let config = |using: &str| {
        format!(
            "resource \"postgresql_policy\" \"p\" {{\n  schema = \"{s}\"\n  table = \"late\"\n  name = \"p\"\n  using = {}\n  with_check = \"tenant_id > 0\"\n}}\n\
             resource \"postgresql_row_level_security\" \"late\" {{\n  schema = \"{s}\"\n  table = \"late\"\n}}\n",
            hcl(using)
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(config(&format!("Tenant_Id = {s}.late_fn()")))
                .between_plan_and_apply(|_| {
                    acc.block(exec(
                        &db,
                        &format!(
                            "CREATE TABLE {s}.late (tenant_id int);
                             CREATE FUNCTION {s}.late_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';"
                        ),
                    ))
                })
                .check(|ws, _| {
                    assert_eq!(
                        ws.state_resource("postgresql_policy.p")["using"],
                        format!("Tenant_Id = {s}.late_fn()")
                    )
                }),
        )
        // An update to a function that does not exist yet either.
        .step(
            Step::apply(config(&format!("tenant_id = {s}.later_fn()")))
                .between_plan_and_apply(|_| {
                    acc.block(exec(
                        &db,
                        &format!(
                            "CREATE FUNCTION {s}.later_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 2';"
                        ),
                    ))
                })
                .check(|_, _| {
                    let using = acc.block(query_opt_str(
                        &db,
                        "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = $1::text::regclass",
                        &[&format!("{s}.late")],
                    ));
                    assert_eq!(using, Some(format!("(tenant_id = {s}.later_fn())")));
                }),
        )
        .run();
    acc.block(exec(&db, &format!("DROP SCHEMA {s} CASCADE")));
}

/// With `standard_conforming_strings` off, a backslash escapes a quote, so
/// the text the expression guard sees as one literal would end early on the
/// server and smuggle in a WITH CHECK the configuration does not show. The
/// provider pins the setting on its sessions, whatever the database's or
/// its role's default says.
///
/// Applies, with `provider`, a policy whose USING hides such a WITH CHECK
/// in a database (and, for `login`, a role) where the setting defaults to
/// off.
fn scs_off_guard(acc: &Acc, provider: impl Fn(&str) -> String) {
    let login = unique_name("scs_admin");
    let test_db = acc.database("scs_off");
    let dbn = &test_db.name;
    acc.sql(&format!(
        "ALTER DATABASE {dbn} SET standard_conforming_strings = off"
    ));
    acc.sql(&format!(
        "CREATE ROLE {login} LOGIN SUPERUSER PASSWORD 'pw'"
    ));
    acc.sql(&format!(
        "ALTER ROLE {login} SET standard_conforming_strings = off"
    ));
    // A session started after the ALTER, so with the database's default.
    let db = acc.connect(dbn);
    acc.block(exec(&db, "CREATE TABLE t (x text)"));
    TestCase::new(provider(&login))
        .step(
            Step::apply(format!(
                r#"
resource "postgresql_policy" "p" {{
  database = "{dbn}"
  table    = "t"
  name     = "p"
  using    = "x = '\\'') WITH CHECK (true--'"
}}
"#
            ))
            .check(|_, _| {
                let with_check = acc.block(query_opt_str(
                    &db,
                    "SELECT pg_get_expr(polwithcheck, polrelid) FROM pg_policy WHERE polname = 'p'",
                    &[],
                ));
                assert_eq!(with_check, None, "a WITH CHECK was smuggled in");
                let using = acc.block(query_one_str(
                    &db,
                    "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'p'",
                    &[],
                ));
                assert!(
                    using.contains("WITH CHECK (true--"),
                    "USING is one literal: {using}"
                );
            }),
        )
        .run();
    drop(db);
    drop(test_db);
    acc.sql(&format!("DROP ROLE {login}"));
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_guard_holds_when_the_database_turns_standard_conforming_strings_off() {
    let Some(acc) = acc() else { return };
    scs_off_guard(&acc, |_| acc.cluster.provider_block());
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn policy_guard_holds_when_the_role_turns_standard_conforming_strings_off() {
    let Some(acc) = acc() else { return };
    scs_off_guard(&acc, |login| acc.cluster.provider_block_as(login, "pw"));
}
