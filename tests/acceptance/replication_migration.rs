//! Switching from cyrilgdn/postgresql with one of each replication
//! resource: a publication, a logical replication slot and a physical one
//! on the publisher, and a subscription using that slot on the subscriber,
//! made with SQL, and a state written in the reference provider's format
//! (hand-written: SDKv2 layout, schema version 0, `private` "bnVsbA==").
//! After `terraform state replace-provider` the plan is empty, before and
//! after a refresh; the destroy then drops everything.

use crate::support::{hcl, ident, literal, shared, shared_logical, unique_name, Step, TestCase};
use crate::{acc_on, enabled, Acc};

fn pair() -> Option<(Acc, Acc)> {
    enabled().then(|| (acc_on(shared_logical()), acc_on(shared())))
}

/// One resource of the state, as the reference provider wrote it.
fn resource(ty: &str, name: &str, aliased: bool, attributes: &str) -> String {
    let provider = if aliased {
        "provider[\\\"registry.terraform.io/cyrilgdn/postgresql\\\"].pub"
    } else {
        "provider[\\\"registry.terraform.io/cyrilgdn/postgresql\\\"]"
    };
    format!(
        r#"{{
      "mode": "managed",
      "type": "{ty}",
      "name": "{name}",
      "provider": "{provider}",
      "instances": [
        {{
          "schema_version": 0,
          "attributes": {attributes},
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }}
      ]
    }}"#
    )
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string")
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn reference_replication_states_upgrade_without_changes() {
    let Some((publisher, subscriber)) = pair() else {
        return;
    };
    let pub_db = publisher.database("mig_pub");
    let sub_db = subscriber.database("mig_sub");
    for db in [&pub_db, &sub_db] {
        db.exec("CREATE TABLE public.t (id int PRIMARY KEY)");
    }
    let (publication, slot, physical, sub) = (
        unique_name("mig_publication"),
        unique_name("mig_slot"),
        unique_name("mig_physical"),
        unique_name("mig_sub"),
    );
    let c = &publisher.cluster;
    let conninfo = format!(
        "host={} port={} dbname={} user={} password={}",
        c.host(),
        c.port(),
        pub_db.name,
        c.superuser(),
        c.password()
    );
    // One statement at a time: a slot cannot be created in a transaction
    // that wrote.
    pub_db.exec(&format!(
        "CREATE PUBLICATION {} FOR TABLE public.t",
        ident(&publication)
    ));
    pub_db.exec(&format!(
        "SELECT pg_create_logical_replication_slot({}, 'pgoutput')",
        literal(&slot)
    ));
    pub_db.exec(&format!(
        "SELECT pg_create_physical_replication_slot({})",
        literal(&physical)
    ));
    sub_db.exec(&format!(
        "CREATE SUBSCRIPTION {} CONNECTION {} PUBLICATION {} \
         WITH (create_slot = false, slot_name = {})",
        ident(&sub),
        literal(&conninfo),
        ident(&publication),
        literal(&slot)
    ));
    let resources = [
        resource(
            "postgresql_publication",
            "publication",
            true,
            &format!(
                r#"{{
            "all_tables": false,
            "database": {db},
            "drop_cascade": false,
            "id": {id},
            "name": {name},
            "owner": "postgres",
            "publish_param": ["insert", "update", "delete", "truncate"],
            "publish_via_partition_root_param": false,
            "tables": ["public.t"]
          }}"#,
                db = json(&pub_db.name),
                id = json(&format!("{}.{publication}", pub_db.name)),
                name = json(&publication)
            ),
        ),
        resource(
            "postgresql_replication_slot",
            "slot",
            true,
            &format!(
                r#"{{ "database": {db}, "id": {id}, "name": {name}, "plugin": "pgoutput" }}"#,
                db = json(&pub_db.name),
                id = json(&format!("{}.{slot}", pub_db.name)),
                name = json(&slot)
            ),
        ),
        resource(
            "postgresql_physical_replication_slot",
            "physical",
            true,
            &format!(
                r#"{{ "id": {name}, "name": {name} }}"#,
                name = json(&physical)
            ),
        ),
        resource(
            "postgresql_subscription",
            "sub",
            false,
            &format!(
                r#"{{
            "conninfo": {conninfo},
            "create_slot": false,
            "database": {db},
            "id": {id},
            "name": {name},
            "publications": [{publication}],
            "slot_name": {slot}
          }}"#,
                conninfo = json(&conninfo),
                db = json(&sub_db.name),
                id = json(&format!("{}.{sub}", sub_db.name)),
                name = json(&sub),
                publication = json(&publication),
                slot = json(&slot)
            ),
        ),
    ];
    let state = format!(
        r#"{{
  "version": 4,
  "terraform_version": "1.9.8",
  "serial": 7,
  "lineage": "1b2c3d4e-1111-2222-3333-444455556666",
  "outputs": {{}},
  "resources": [
    {}
  ],
  "check_results": null
}}
"#,
        resources.join(",\n    ")
    );
    let config = format!(
        r#"
resource "postgresql_publication" "publication" {{
  provider = postgresql.pub
  name     = {publication}
  database = {pub_db}
  tables   = ["public.t"]
}}

resource "postgresql_replication_slot" "slot" {{
  provider = postgresql.pub
  name     = {slot}
  database = {pub_db}
  plugin   = "pgoutput"
}}

resource "postgresql_physical_replication_slot" "physical" {{
  provider = postgresql.pub
  name     = {physical}
}}

resource "postgresql_subscription" "sub" {{
  name         = {sub}
  database     = {sub_db}
  conninfo     = {conninfo}
  publications = [postgresql_publication.publication.name]
  create_slot  = false
  slot_name    = postgresql_replication_slot.slot.name
}}
"#,
        publication = hcl(&publication),
        pub_db = hcl(&pub_db.name),
        slot = hcl(&slot),
        physical = hcl(&physical),
        sub = hcl(&sub),
        sub_db = hcl(&sub_db.name),
        conninfo = hcl(&conninfo),
    );
    let pub_block = c.provider_block().replacen(
        "provider \"postgresql\" {",
        "provider \"postgresql\" {\n  alias    = \"pub\"",
        1,
    );
    let providers = format!("{}{pub_block}", subscriber.cluster.provider_block());
    TestCase::new(providers)
        .step(Step::apply(config).before(|ws| {
            ws.write_file("terraform.tfstate", &state);
            ws.run_ok(&[
                "state",
                "replace-provider",
                "-auto-approve",
                "-no-color",
                "registry.terraform.io/cyrilgdn/postgresql",
                "registry.terraform.io/pgwarden/postgresql",
            ]);
            ws.assert_no_changes();
        }))
        .check_destroy(|| {
            // pg_subscription is one catalog for every database.
            assert!(sub_db
                .strings(&format!(
                    "SELECT subname FROM pg_subscription WHERE subname = {}",
                    literal(&sub)
                ))
                .is_empty());
            assert!(pub_db
                .strings("SELECT pubname FROM pg_publication")
                .is_empty());
            let admin = publisher.admin();
            let left = publisher.block(crate::support::query_strings(
                &admin,
                &format!(
                    "SELECT slot_name::text FROM pg_replication_slots WHERE slot_name IN ({}, {})",
                    literal(&slot),
                    literal(&physical)
                ),
                &[],
            ));
            assert!(left.is_empty(), "{left:?}");
        })
        .run();
}
