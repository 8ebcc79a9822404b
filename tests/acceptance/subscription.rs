//! postgresql_subscription acceptance tests between two real clusters: the
//! publisher is the cluster with `wal_level = logical` the replication
//! tests share, the subscriber the shared one. Ported from the reference
//! provider (a subscription of a table's publication; a slot of its own
//! with `create_slot = false`), and checked for real: a row inserted on the
//! publisher arrives on the subscriber. Beyond: publications, connection
//! string and name changed in place (the subscription keeps its OID), drift,
//! import, the write-only connection string, a destroy while the publisher
//! cannot be reached, the plan-time checks, and the password kept out of
//! plans, diagnostics, the provider's log and both servers' logs.

use std::time::{Duration, Instant};

use crate::support::{
    hcl, ident, literal, provider_log, shared, shared_logical, unique_name, Cluster, Step, TestCase,
};
use crate::{acc_on, enabled, terraform_at_least, Acc, TestDb};

/// The publisher's and the subscriber's test contexts.
fn pair() -> Option<(Acc, Acc)> {
    enabled().then(|| (acc_on(shared_logical()), acc_on(shared())))
}

/// The subscriber's provider block (the default provider), then the
/// publisher's with alias `pub`.
fn providers(publisher: &Cluster, subscriber: &Cluster) -> String {
    let pub_block = publisher.provider_block().replacen(
        "provider \"postgresql\" {",
        "provider \"postgresql\" {\n  alias    = \"pub\"",
        1,
    );
    format!("{}{pub_block}", subscriber.provider_block())
}

/// A role on the publisher that subscriptions connect as, with a password
/// of its own (so that finding it anywhere means the connection string
/// leaked), allowed to read the tables of `db`.
struct Replicator {
    name: String,
    password: String,
}

impl Replicator {
    fn new(publisher: &Acc, db: &TestDb) -> Replicator {
        let r = Replicator {
            name: unique_name("replicator"),
            password: format!("conninfo-secret-{}", unique_name("pw")),
        };
        // With the publisher's statement logging off for this statement,
        // sent on its own: the test must not write the password into the
        // log whose contents it checks.
        let admin = publisher.admin();
        let create = format!(
            "CREATE ROLE {} LOGIN REPLICATION PASSWORD {}",
            ident(&r.name),
            literal(&r.password)
        );
        publisher.block(async {
            for sql in ["SET log_statement = 'none'", &create, "RESET log_statement"] {
                admin
                    .batch_execute(sql)
                    .await
                    .expect("create the replicator");
            }
        });
        db.exec(&format!(
            "GRANT USAGE ON SCHEMA test_schema TO {r}; \
             GRANT SELECT ON ALL TABLES IN SCHEMA test_schema TO {r};",
            r = ident(&r.name)
        ));
        r
    }

    /// The connection string to `db` on `publisher`, with `extra` pairs.
    fn conninfo(&self, publisher: &Cluster, db: &str, extra: &str) -> String {
        format!(
            "host={} port={} dbname={} user={} password={}{extra}",
            publisher.host(),
            publisher.port(),
            db,
            self.name,
            self.password
        )
    }

    /// Drops the role, after what it was granted in `db`.
    fn drop(&self, publisher: &Acc, db: &TestDb) {
        db.exec(&format!("DROP OWNED BY {}", ident(&self.name)));
        publisher.sql(&format!("DROP ROLE IF EXISTS {}", ident(&self.name)));
    }
}

/// The tables on both sides.
const TABLES: &str = "CREATE SCHEMA test_schema;
     CREATE TABLE test_schema.test_table_1 (id int PRIMARY KEY);
     CREATE TABLE test_schema.test_table_2 (id int PRIMARY KEY);";

/// Waits (up to 30 s) until row `id` of `table` is on the subscriber.
fn arrives(db: &TestDb, table: &str, id: i32) {
    let started = Instant::now();
    let sql = format!("SELECT count(*)::text FROM test_schema.{table} WHERE id = {id}");
    while db.one(&sql) != "1" {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "row {id} of {table} did not reach the subscriber"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn publication(key: &str, name: &str, db: &str, table: &str) -> String {
    format!(
        "resource \"postgresql_publication\" \"{key}\" {{\n  provider = postgresql.pub\n  \
         name     = {}\n  database = {}\n  tables   = [\"test_schema.{table}\"]\n}}\n",
        hcl(name),
        hcl(db)
    )
}

fn subscription(name: &str, db: &str, conninfo: &str, publications: &str, extra: &str) -> String {
    format!(
        "resource \"postgresql_subscription\" \"test_sub\" {{\n  name         = {}\n  \
         database     = {}\n  conninfo     = {}\n  publications = {publications}\n{extra}}}\n",
        hcl(name),
        hcl(db),
        hcl(conninfo)
    )
}

/// The OID of subscription `name`, or `None`.
fn sub_oid(db: &TestDb, name: &str) -> Option<String> {
    db.strings(&format!(
        "SELECT oid::text FROM pg_subscription WHERE subname = {}",
        literal(name)
    ))
    .into_iter()
    .next()
}

/// The connection string of subscription `name` (subscriptions of every
/// database are in one catalog, which other tests share).
fn subconninfo(db: &TestDb, name: &str) -> String {
    db.one(&format!(
        "SELECT subconninfo FROM pg_subscription WHERE subname = {}",
        literal(name)
    ))
}

/// Whether the publisher has slot `name`.
fn has_slot(publisher: &Acc, name: &str) -> bool {
    let admin = publisher.admin();
    publisher.block(crate::support::truth(
        &admin,
        &format!(
            "EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = {})",
            literal(name)
        ),
    ))
}

/// Reference: TestAccPostgresqlSubscription_Basic, between two clusters:
/// rows replicate; then publications, connection string and name change in
/// place, a change outside Terraform shows, import reads it back, and the
/// password is in no plan, output, provider log or server log.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn subscription_replicates_and_changes_in_place() {
    let Some((publisher, subscriber)) = pair() else {
        return;
    };
    let pub_db = publisher.database("sub_pub");
    let sub_db = subscriber.database("sub_sub");
    pub_db.exec(TABLES);
    sub_db.exec(TABLES);
    let rep = Replicator::new(&publisher, &pub_db);
    let (p1, p2) = (unique_name("test_publication"), unique_name("second"));
    let (name, renamed) = (unique_name("subscription"), unique_name("renamed"));
    let conninfo = rep.conninfo(&publisher.cluster, &pub_db.name, "");
    let changed_conninfo = rep.conninfo(
        &publisher.cluster,
        &pub_db.name,
        " application_name=changed",
    );
    // The publications are made with SQL, so that importing the
    // subscription leaves nothing else to plan.
    pub_db.exec(&format!(
        "CREATE PUBLICATION {} FOR TABLE test_schema.test_table_1;
         CREATE PUBLICATION {} FOR TABLE test_schema.test_table_2;",
        ident(&p1),
        ident(&p2)
    ));
    let one = subscription(
        &name,
        &sub_db.name,
        &conninfo,
        &format!("[{}]", hcl(&p1)),
        "",
    );
    let both = |name: &str, conninfo: &str| {
        subscription(
            name,
            &sub_db.name,
            conninfo,
            &format!("[{}, {}]", hcl(&p1), hcl(&p2)),
            "",
        )
    };
    let oid = std::cell::RefCell::new(None);
    let no_password = |text: &str, what: &str| {
        assert!(
            !text.contains(&rep.password),
            "the password is in {what}:\n{text}"
        );
    };
    TestCase::new(providers(&publisher.cluster, &subscriber.cluster))
        .step(
            Step::apply(one)
                .before(provider_log::enable)
                .plan_check(|plan| no_password(plan, "the plan"))
                .check(|ws, out| {
                    no_password(&out.combined(), "the apply's output");
                    let s = ws.state_resource("postgresql_subscription.test_sub");
                    assert_eq!(s["name"], name.as_str());
                    assert_eq!(s["database"], sub_db.name.as_str());
                    assert_eq!(s["conninfo"], conninfo.as_str());
                    assert_eq!(s["publications"], serde_json::json!([p1.as_str()]));
                    assert_eq!(s["create_slot"], true);
                    assert_eq!(s["slot_name"], name.as_str());
                    assert_eq!(s["id"], format!("{}.{name}", sub_db.name));
                    pub_db.exec("INSERT INTO test_schema.test_table_1 VALUES (1)");
                    arrives(&sub_db, "test_table_1", 1);
                    *oid.borrow_mut() = sub_oid(&sub_db, &name);
                }),
        )
        .step(
            Step::apply(both(&name, &conninfo))
                .plan_check(|plan| {
                    assert!(plan.contains("1 to change"), "{plan}");
                    assert!(!plan.contains("must be replaced"), "{plan}");
                })
                .check(|_, _| {
                    assert_eq!(sub_oid(&sub_db, &name), *oid.borrow());
                    pub_db.exec("INSERT INTO test_schema.test_table_2 VALUES (2)");
                    arrives(&sub_db, "test_table_2", 2);
                }),
        )
        .step(
            Step::apply(both(&name, &changed_conninfo))
                .plan_check(|plan| {
                    assert!(plan.contains("1 to change"), "{plan}");
                    no_password(plan, "the plan");
                })
                .check(|_, out| {
                    no_password(&out.combined(), "the apply's output");
                    assert_eq!(sub_oid(&sub_db, &name), *oid.borrow());
                    assert!(subconninfo(&sub_db, &name).ends_with("application_name=changed"));
                }),
        )
        .step(Step::import(
            "postgresql_subscription.test_sub",
            format!("{}.{name}", sub_db.name),
        ))
        .step(
            Step::apply(both(&name, &changed_conninfo))
                .before(|_| {
                    sub_db.exec(&format!(
                        "ALTER SUBSCRIPTION {} SET PUBLICATION {} WITH (refresh = false)",
                        ident(&name),
                        ident(&p1),
                    ));
                    // The test must not log the password it looks for.
                    sub_db.exec("SET log_statement = 'none'");
                    sub_db.exec(&format!(
                        "ALTER SUBSCRIPTION {} CONNECTION {}",
                        ident(&name),
                        literal(&conninfo),
                    ));
                    sub_db.exec("RESET log_statement");
                })
                .plan_shows(&[&p2, "conninfo"])
                .check(|_, _| {
                    assert!(subconninfo(&sub_db, &name).ends_with("application_name=changed"))
                }),
        )
        .step(
            Step::apply(both(&renamed, &changed_conninfo))
                .plan_check(|plan| assert!(plan.contains("1 to change"), "{plan}"))
                .check(|ws, _| {
                    assert_eq!(sub_oid(&sub_db, &renamed), *oid.borrow());
                    let s = ws.state_resource("postgresql_subscription.test_sub");
                    // The slot keeps the name it was created with.
                    assert_eq!(s["slot_name"], name.as_str());
                    pub_db.exec("INSERT INTO test_schema.test_table_1 VALUES (3)");
                    arrives(&sub_db, "test_table_1", 3);
                    no_password(&provider_log::read(ws), "the provider's log");
                }),
        )
        .step(
            Step::apply(both(&renamed, &changed_conninfo))
                .before(|_| {
                    // A new subscription copies every table again: empty
                    // them, or the copy would collide with what is there.
                    sub_db.exec(&format!("DROP SUBSCRIPTION {}", ident(&renamed)));
                    sub_db.exec("TRUNCATE test_schema.test_table_1, test_schema.test_table_2");
                })
                .plan_shows(&["will be created"])
                .check(|_, _| {
                    pub_db.exec("INSERT INTO test_schema.test_table_2 VALUES (4)");
                    arrives(&sub_db, "test_table_2", 4);
                }),
        )
        .check_destroy(|| {
            assert_eq!(sub_oid(&sub_db, &renamed), None);
            assert!(
                !has_slot(&publisher, &name),
                "the slot is left on the publisher"
            );
            no_password(&subscriber.cluster.log_contents(), "the subscriber's log");
            no_password(&publisher.cluster.log_contents(), "the publisher's log");
        })
        .run();
    rep.drop(&publisher, &pub_db);
}

/// Reference: TestAccPostgresqlSubscription_CustomSlotName: the slot is a
/// `postgresql_replication_slot` on the publisher and the subscription
/// does not create it (`create_slot = false`), so destroying the
/// subscription leaves it to that resource. The connection string is
/// write-only here: it never reaches the state, and a new version sends
/// the new one.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn subscription_with_its_own_slot_and_a_write_only_conninfo() {
    if !terraform_at_least(11, "write-only attributes") {
        return;
    }
    let Some((publisher, subscriber)) = pair() else {
        return;
    };
    let pub_db = publisher.database("sub_slot_pub");
    let sub_db = subscriber.database("sub_slot_sub");
    pub_db.exec(TABLES);
    sub_db.exec(TABLES);
    let rep = Replicator::new(&publisher, &pub_db);
    let (p1, slot, name) = (
        unique_name("test_publication"),
        unique_name("custom_slot_name"),
        unique_name("subscription"),
    );
    let config = |version: &str, extra: &str| {
        format!(
            "{}resource \"postgresql_replication_slot\" \"test_replication_slot\" {{\n  \
             provider = postgresql.pub\n  name     = {}\n  plugin   = \"pgoutput\"\n  \
             database = {}\n}}\n\
             resource \"postgresql_subscription\" \"test_sub\" {{\n  name         = {}\n  \
             database     = {}\n  conninfo_wo  = {}\n  conninfo_wo_version = {}\n  \
             publications = [postgresql_publication.test_pub.name]\n  create_slot  = false\n  \
             slot_name    = {}\n  depends_on   = [postgresql_replication_slot.test_replication_slot]\n}}\n",
            publication("test_pub", &p1, &pub_db.name, "test_table_1"),
            hcl(&slot),
            hcl(&pub_db.name),
            hcl(&name),
            hcl(&sub_db.name),
            hcl(&rep.conninfo(&publisher.cluster, &pub_db.name, extra)),
            hcl(version),
            hcl(&slot)
        )
    };
    TestCase::new(providers(&publisher.cluster, &subscriber.cluster))
        .step(Step::apply(config("1", "")).check(|ws, _| {
            let s = ws.state_resource("postgresql_subscription.test_sub");
            assert_eq!(s["create_slot"], false);
            assert_eq!(s["slot_name"], slot.as_str());
            assert!(s["conninfo"].is_null());
            assert!(
                !ws.state_raw().contains(&rep.password),
                "the password is in the state"
            );
            pub_db.exec("INSERT INTO test_schema.test_table_1 VALUES (1)");
            arrives(&sub_db, "test_table_1", 1);
        }))
        .step(
            Step::apply(config("2", " application_name=v2"))
                .plan_check(|plan| assert!(plan.contains("1 to change"), "{plan}"))
                .check(|ws, _| {
                    assert!(subconninfo(&sub_db, &name).ends_with("application_name=v2"));
                    assert!(!ws.state_raw().contains(&rep.password));
                }),
        )
        .check_destroy(|| {
            assert_eq!(sub_oid(&sub_db, &name), None);
            assert!(!has_slot(&publisher, &slot));
        })
        .run();
    rep.drop(&publisher, &pub_db);
}

/// An update whose last step fails after its first committed: the
/// publications change (alone, outside a transaction), then the rename
/// fails because another subscription has the name. The state tells the
/// truth: the new publications, the old name; so the next plan has only
/// the rename left to do.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn subscription_half_failed_update_leaves_a_true_state() {
    let Some((publisher, subscriber)) = pair() else {
        return;
    };
    let pub_db = publisher.database("sub_half_pub");
    let sub_db = subscriber.database("sub_half_sub");
    pub_db.exec(TABLES);
    sub_db.exec(TABLES);
    let rep = Replicator::new(&publisher, &pub_db);
    let (p1, p2) = (unique_name("half_p1"), unique_name("half_p2"));
    pub_db.exec(&format!(
        "CREATE PUBLICATION {} FOR TABLE test_schema.test_table_1;
         CREATE PUBLICATION {} FOR TABLE test_schema.test_table_2;",
        ident(&p1),
        ident(&p2)
    ));
    let (name, taken) = (unique_name("half_sub"), unique_name("taken"));
    let conninfo = rep.conninfo(&publisher.cluster, &pub_db.name, "");
    let config = |name: &str, publications: &[&str]| {
        let list: Vec<String> = publications.iter().map(|p| hcl(p)).collect();
        subscription(
            name,
            &sub_db.name,
            &conninfo,
            &format!("[{}]", list.join(", ")),
            "",
        )
    };
    TestCase::new(subscriber.cluster.provider_block())
        .step(Step::apply(config(&name, &[&p1])))
        .step(
            Step::fails(config(&taken, &[&p1, &p2]), "already exists")
                .before(|_| {
                    // A subscription that never connects, holding the name.
                    sub_db.exec(&format!(
                        "CREATE SUBSCRIPTION {} CONNECTION 'host=127.0.0.1 dbname=x' \
                         PUBLICATION p WITH (connect = false, slot_name = NONE)",
                        ident(&taken)
                    ))
                })
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_subscription.test_sub");
                    assert_eq!(s["name"], name.as_str());
                    let mut got: Vec<String> = s["publications"]
                        .as_array()
                        .expect("a set")
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    got.sort();
                    let mut want = vec![p1.clone(), p2.clone()];
                    want.sort();
                    assert_eq!(got, want, "the state forgot the publications that changed");
                }),
        )
        .step(
            Step::apply(config(&name, &[&p1, &p2]))
                .before(|_| sub_db.exec(&format!("DROP SUBSCRIPTION {}", ident(&taken)))),
        )
        .check_destroy(|| assert_eq!(sub_oid(&sub_db, &name), None))
        .run();
    rep.drop(&publisher, &pub_db);
}

/// Destroying a subscription whose publisher cannot be reached (here its
/// connection string points at a closed port, changed outside Terraform):
/// it is disabled, detached from its slot and dropped, and the destroy
/// warns that the slot is left on the publisher.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn subscription_destroy_when_the_publisher_is_gone() {
    let Some((publisher, subscriber)) = pair() else {
        return;
    };
    let pub_db = publisher.database("sub_gone_pub");
    let sub_db = subscriber.database("sub_gone_sub");
    pub_db.exec(TABLES);
    sub_db.exec(TABLES);
    let rep = Replicator::new(&publisher, &pub_db);
    let (p1, name) = (unique_name("gone_pub"), unique_name("gone_sub"));
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("address").port()
    };
    TestCase::new(providers(&publisher.cluster, &subscriber.cluster))
        .step(
            Step::apply(format!(
                "{}{}",
                publication("test_pub", &p1, &pub_db.name, "test_table_1"),
                subscription(
                    &name,
                    &sub_db.name,
                    &rep.conninfo(&publisher.cluster, &pub_db.name, ""),
                    "[postgresql_publication.test_pub.name]",
                    ""
                )
            ))
            .check(|ws, _| {
                assert!(has_slot(&publisher, &name));
                if terraform_at_least(14, "terraform query") {
                    ws.write_file(
                        "subs.tfquery.hcl",
                        &format!(
                            "list \"postgresql_subscription\" \"all\" {{\n  provider = postgresql\n  \
                             limit    = 100\n  config {{\n    database = {}\n  }}\n}}\n",
                            hcl(&sub_db.name)
                        ),
                    );
                    let listed = ws.run_ok(&["query", "-no-color"]);
                    assert!(listed.stdout.contains(&name), "{}", listed.combined());
                    assert!(
                        !listed.combined().contains(&rep.password),
                        "{}",
                        listed.combined()
                    );
                    std::fs::remove_file(ws.path().join("subs.tfquery.hcl"))
                        .expect("remove the query");
                }
            }),
        )
        .step(
            Step::destroy()
                .before(|_| {
                    sub_db.exec(&format!(
                        "ALTER SUBSCRIPTION {} CONNECTION 'host=127.0.0.1 port={closed} dbname=x user=y'",
                        ident(&name)
                    ))
                })
                .check(|_, out| {
                    let text = out.combined();
                    assert!(text.contains("Replication Slot Left Behind"), "{text}");
                    assert!(
                        text.contains(&format!("pg_drop_replication_slot('{name}')")),
                        "{text}"
                    );
                    assert_eq!(sub_oid(&sub_db, &name), None);
                    assert!(
                        has_slot(&publisher, &name),
                        "the slot was dropped after all"
                    );
                }),
        )
        .run();
    // Clean up: the walsender of the old connection ends soon.
    let started = Instant::now();
    loop {
        let admin = publisher.admin();
        let dropped = publisher.block(admin.batch_execute(&format!(
            "SELECT pg_drop_replication_slot({})",
            literal(&name)
        )));
        if dropped.is_ok() || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    rep.drop(&publisher, &pub_db);
}

/// What the plan refuses, before anything reaches a server: no connection
/// string, or two; one libpq cannot read (the message quotes none of it);
/// no publication; a name that cannot name the slot; a bad slot name; a
/// write-only string without its version. Before PostgreSQL 16, a provider
/// role that is not a superuser cannot create a subscription.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn subscription_bad_input_is_refused_by_the_plan() {
    let Some((_, subscriber)) = pair() else {
        return;
    };
    let secret = "unclosed-secret-1";
    let sub = |extra: &str| {
        format!(
            "resource \"postgresql_subscription\" \"s\" {{\n  name = \"s_bad\"\n  \
             publications = [\"p\"]\n{extra}}}\n"
        )
    };
    let ok = "  conninfo = \"host=127.0.0.1 dbname=x\"\n";
    TestCase::new(subscriber.cluster.provider_block())
        .step(Step::fails(sub(""), "Missing Connection String"))
        .step(Step::fails(
            sub(&format!(
                "{ok}  conninfo_wo = \"host=h\"\n  conninfo_wo_version = \"1\"\n"
            )),
            "Conflicting Connection Strings",
        ))
        .step(
            Step::fails(
                sub(&format!("  conninfo = \"host=h password='{secret}\"\n")),
                "Invalid Connection String",
            )
            .check(|_, out| {
                // Terraform quotes the configuration's source line; the
                // provider's own words must not hold the value.
                let text = out.combined();
                let words = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(!words.contains(secret), "{text}");
            }),
        )
        .step(Step::fails(
            "resource \"postgresql_subscription\" \"s\" {\n  name = \"s_bad\"\n  \
             conninfo = \"host=h\"\n  publications = []\n}\n",
            "No Publication",
        ))
        .step(Step::fails(
            "resource \"postgresql_subscription\" \"s\" {\n  name = \"My Sub\"\n  \
             conninfo = \"host=h\"\n  publications = [\"p\"]\n}\n",
            "Set slot_name",
        ))
        .step(Step::fails(
            sub(&format!("{ok}  slot_name = \"Bad Slot\"\n")),
            "Invalid Replication Slot Name",
        ))
        .step_if(
            terraform_at_least(11, "write-only attributes"),
            Step::fails(
                sub("  conninfo_wo = \"host=h\"\n"),
                "Missing conninfo_wo_version",
            ),
        )
        .run();
    if subscriber.cluster.major_version() >= 16 {
        return;
    }
    let role = unique_name("sub_nonsuper");
    subscriber.sql(&format!(
        "CREATE ROLE {} LOGIN PASSWORD 'nonsuper-pw'",
        ident(&role)
    ));
    TestCase::new(subscriber.cluster.provider_block_as(&role, "nonsuper-pw"))
        .step(Step::fails(sub(ok), "Subscription Needs A Superuser"))
        .run();
    subscriber.sql(&format!("DROP ROLE {}", ident(&role)));
}
