//! postgresql_security_label acceptance tests.
//!
//! With a label provider: each test runs on a cluster of its own started
//! with the `dummy` provider (tests/modules/dummy_seclabel, built by
//! `scripts/install-tools.sh dummy-seclabel`; `DUMMY_SECLABEL` names the
//! `.so`) in `shared_preload_libraries`, as the reference provider's tests
//! do. That module accepts `unclassified` and `classified` from anyone,
//! `secret` and `top secret` from superusers only. These tests are named
//! `dummy_provider_*`, so that `--skip security_label::dummy_provider_`
//! leaves them out where the module is not built or was built for another
//! PostgreSQL major (scripts/test.sh does, and lists the skip); run there,
//! they fail saying why.
//!
//! Without one: what PostgreSQL answers, and validation.

use crate::support::{generated, hcl, ident, literal, unique_name, ClusterOptions, Step, TestCase};
use crate::{acc, acc_own_cluster, Acc};

/// The environment variable naming the module's `.so`.
const MODULE_ENV: &str = "DUMMY_SECLABEL";

/// How to leave these tests out, for the failure messages.
const SKIP_HINT: &str = "or leave these tests out with --skip security_label::dummy_provider_";

/// A cluster with the `dummy` label provider loaded; fails the test, saying
/// why, without one. Always `Some`, like [`acc`].
fn labelled_cluster() -> Option<Acc> {
    let shared = acc()?;
    let Some(so) = std::env::var_os(MODULE_ENV).filter(|v| !v.is_empty()) else {
        panic!(
            "{MODULE_ENV} is not set: set it to the output of `scripts/install-tools.sh \
             dummy-seclabel` (scripts/test.sh does), {SKIP_HINT}"
        );
    };
    let so = std::path::PathBuf::from(so);
    // install-tools.sh writes "dummy_seclabel for PostgreSQL 15.20, ..." here.
    let built_for = std::fs::read_to_string(so.with_file_name(".installed"))
        .ok()
        .and_then(|s| {
            let v = s
                .split("PostgreSQL ")
                .nth(1)?
                .split('.')
                .next()?
                .to_string();
            v.parse::<i32>().ok()
        });
    let major = shared.cluster.major_version();
    assert_eq!(
        built_for,
        Some(major),
        "{} was built for another PostgreSQL major than this run's; a module loads only into \
         the major it was built for (scripts/install-tools.sh dummy-seclabel builds it against \
         Debian's PostgreSQL 15, or the PostgreSQL whose pg_config PG_CONFIG names), {SKIP_HINT}",
        so.display()
    );
    acc_own_cluster(ClusterOptions {
        settings: vec![("shared_preload_libraries".into(), so.display().to_string())],
        ..ClusterOptions::default()
    })
}

fn label(key: &str, object_type: &str, object_name: &str, value: &str) -> String {
    format!(
        "resource \"postgresql_security_label\" \"{key}\" {{\n  object_type = {}\n  object_name = {}\n  label_provider = \"dummy\"\n  label = {}\n}}\n",
        hcl(object_type),
        hcl(object_name),
        hcl(value)
    )
}

/// The `dummy` label on an object, from pg_seclabels.
fn label_of(acc: &Acc, object_type: &str, name: &str) -> Option<String> {
    acc.block(crate::support::query_opt_str(
        &acc.admin(),
        "SELECT (SELECT label FROM pg_seclabels WHERE provider = 'dummy' AND objtype = $1 \
         AND objname = quote_ident($2))",
        &[&object_type, &name],
    ))
}

fn role(key: &str, name: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n  login = true\n  create_database = true\n}}\n",
        hcl(name)
    )
}

/// Reference: TestAccPostgresqlSecurityLabel_Basic, then imported (which
/// the reference provider could not do).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and DUMMY_SECLABEL (scripts/test.sh runs it)"]
fn dummy_provider_basic() {
    let Some(acc) = labelled_cluster() else {
        return;
    };
    let name = "security_label_test_role";
    // The role is made with SQL, so the import step has nothing else to do.
    acc.sql(&format!("CREATE ROLE {name} LOGIN CREATEDB"));
    let config = label("l", "role", name, "secret");
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let s = ws.state_resource("postgresql_security_label.l");
            assert_eq!(s["object_type"], "role");
            assert_eq!(s["object_name"], name);
            assert_eq!(s["label_provider"], "dummy");
            assert_eq!(s["label"], "secret");
            assert_eq!(s["id"], format!("dummy.role.{name}"));
            assert_eq!(label_of(&acc, "role", name).as_deref(), Some("secret"));
        }))
        .step(Step::import(
            "postgresql_security_label.l",
            format!("dummy.role.{name}"),
        ))
        .check_destroy(|| assert_eq!(label_of(&acc, "role", name), None))
        .run();
}

/// Reference: TestAccPostgresqlSecurityLabel_Update: the label changes in
/// place; a role renamed to a name that needs quoting moves the label to
/// it by replacement.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and DUMMY_SECLABEL (scripts/test.sh runs it)"]
fn dummy_provider_update() {
    let Some(acc) = labelled_cluster() else {
        return;
    };
    let with = |role_name: &str, value: &str| {
        role("r", role_name)
            + &label("l", "role", role_name, value).replace(
                &format!("object_name = {}", hcl(role_name)),
                "object_name = postgresql_role.r.name",
            )
    };
    let first = "security_label_test_role";
    let second = "security_label_test-role2";
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(with(first, "secret")))
        .step(
            Step::apply(with(first, "top secret"))
                .plan_shows(&["~ label", "1 to change"])
                .check(|_, _| {
                    assert_eq!(label_of(&acc, "role", first).as_deref(), Some("top secret"))
                }),
        )
        .step(
            Step::apply(with(second, "top secret"))
                .plan_shows(&["must be replaced"])
                .check(|ws, _| {
                    let s = ws.state_resource("postgresql_security_label.l");
                    assert_eq!(s["object_name"], second);
                    assert_eq!(s["id"], format!("dummy.role.{second}"));
                    assert_eq!(
                        label_of(&acc, "role", second).as_deref(),
                        Some("top secret")
                    );
                }),
        )
        .run();
}

/// A schema whose name needs quoting everywhere (63 bytes, quotes, dots,
/// upper case, non-ASCII), imported with a quoted ID; the label removed
/// outside Terraform is planned back, and a changed one restored.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and DUMMY_SECLABEL (scripts/test.sh runs it)"]
fn dummy_provider_label_on_an_awkward_schema_with_drift() {
    let Some(acc) = labelled_cluster() else {
        return;
    };
    let schema = format!("My \"S\".é {}", "s".repeat(63 - "My \"S\".é ".len()));
    assert_eq!(schema.len(), 63);
    acc.sql(&format!("CREATE SCHEMA {}", ident(&schema)));
    let config = label("l", "schema", &schema, "classified");
    let id = format!("dummy.schema.\"{}\"", schema.replace('"', "\"\""));
    let outside = |value: &str| {
        acc.sql(&format!(
            "SECURITY LABEL FOR dummy ON SCHEMA {} IS {value}",
            ident(&schema)
        ))
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config.clone()).check(|ws, _| {
            assert_eq!(
                ws.state_resource("postgresql_security_label.l")["id"],
                id.as_str()
            );
            assert_eq!(
                label_of(&acc, "schema", &schema).as_deref(),
                Some("classified")
            );
        }))
        .step(Step::import("postgresql_security_label.l", id.clone()))
        .step(
            Step::apply(config.clone())
                .before(|_| outside(&literal("unclassified")))
                .plan_shows(&["~ label"]),
        )
        .step(
            Step::apply(config)
                .before(|_| outside("NULL"))
                .plan_shows(&["will be created"]),
        )
        .check_destroy(|| assert_eq!(label_of(&acc, "schema", &schema), None))
        .run();
}

/// A label the provider refuses fails the apply with the provider's own
/// message.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and DUMMY_SECLABEL (scripts/test.sh runs it)"]
fn dummy_provider_refuses_a_label() {
    let Some(acc) = labelled_cluster() else {
        return;
    };
    let r = unique_name("seclabel_refused");
    acc.sql(&format!("CREATE ROLE {r}"));
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            label("l", "role", &r, "bogus"),
            "'bogus' is not a valid security label",
        ))
        .run();
}

/// Without any label provider loaded, PostgreSQL refuses, and the
/// diagnostic says how providers get loaded.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn security_label_without_a_provider_says_what_is_missing() {
    let Some(acc) = acc() else { return };
    let r = unique_name("seclabel_none");
    acc.sql(&format!("CREATE ROLE {r}"));
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::fails(
                label("l", "role", &r, "classified"),
                "Security Label Provider Not Loaded",
            )
            .check(|ws, out| {
                let text = out.combined();
                assert!(text.contains("shared_preload_libraries"), "{text}");
                assert!(ws
                    .try_state_resource("postgresql_security_label.l")
                    .is_none());
            }),
        )
        .run();
    acc.sql(&format!("DROP ROLE {r}"));
}

/// Bad input is refused before anything runs, naming the attribute.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn security_label_bad_input_is_refused() {
    let Some(acc) = acc() else { return };
    let import_fails = |id: &'static str, text: &'static str| {
        Step::import_fails("postgresql_security_label.l", id, text)
            .config(label("l", "role", "r", "x"))
    };
    TestCase::new(acc.cluster.provider_block())
        // Nothing to apply; the failing steps fall back to this.
        .step(Step::apply(String::new()))
        .step(Step::fails(
            label("l", "table", "public.t", "classified"),
            "Invalid object_type",
        ))
        .step(Step::fails(
            label("l", "ROLE", "r", "classified"),
            "Invalid object_type",
        ))
        .step(Step::fails(
            label("l", "role", "", "classified"),
            "Empty Name",
        ))
        .step(Step::fails(
            label("l", "role", &"r".repeat(64), "classified"),
            "Name Too Long",
        ))
        .step(import_fails("dummy.role", "not 3"))
        .step(import_fails("dummy.table.t", "is not one of"))
        .step(import_fails(
            "dummy.role.nosuchrole_here",
            "Security Label Not Found",
        ))
        .run();
}

/// `terraform query` finds labels made with SQL, on awkward names too, and
/// the generated configuration imports them (by identity) with a plan that
/// changes nothing. Terraform 1.14+.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and DUMMY_SECLABEL (scripts/test.sh runs it)"]
fn dummy_provider_labels_are_discovered_and_import_cleanly() {
    crate::enabled();
    if crate::support::terraform_version() < (1, 14, 0) {
        eprintln!("skipped: terraform query needs Terraform 1.14+");
        return;
    }
    let Some(acc) = labelled_cluster() else {
        return;
    };
    acc.sql(
        "CREATE ROLE \"Lab.el \"\"r\"\"\"; CREATE SCHEMA labelled;
         SECURITY LABEL FOR dummy ON ROLE \"Lab.el \"\"r\"\"\" IS 'classified';
         SECURITY LABEL FOR dummy ON SCHEMA labelled IS 'unclassified';",
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::query("list \"postgresql_security_label\" \"l\" {\n  provider = postgresql\n}\n")
                .check(|ws, _| {
                    let generated = generated(ws);
                    assert_eq!(
                        generated
                            .matches("resource \"postgresql_security_label\"")
                            .count(),
                        2,
                        "{generated}"
                    );
                    assert!(generated.contains(r#""Lab.el \"r\"""#), "{generated}");
                }),
        )
        // The generated configuration imports both, with nothing else to do.
        .step(
            Step::apply(String::new())
                .plan_shows(&["Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."]),
        )
        .run();
}
