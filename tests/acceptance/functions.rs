//! Provider-defined functions through real Terraform: `quote_ident` and
//! `quote_literal` give what the server's functions of the same name give,
//! and a role whose password is a `scram_sha256_verifier` result logs in
//! with the password.

use serde_json::Value as Json;

use crate::acc;
use crate::support::{hcl, hcl_list, query_strings, unique_name, Step, TestCase};

/// Keywords PostgreSQL 16 to 18 added to those needing quotes. The function
/// follows PostgreSQL 18, so on an older server these come back quoted
/// where the server leaves them bare.
const NEWER_KEYWORDS: &[&str] = &[
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "merge_action",
    "system_user",
];

/// An output's value after apply.
fn output(ws: &crate::support::Workspace, name: &str) -> Json {
    let out = ws.run_ok(&["output", "-json", name]);
    serde_json::from_str(&out.stdout).expect("terraform output -json")
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn quote_functions_agree_with_the_server() {
    let Some(acc) = acc() else { return };
    let admin = acc.admin();
    // Every keyword the server knows, plus names that exercise each rule.
    let mut names = acc.block(query_strings(
        &admin,
        "SELECT word FROM pg_get_keywords() ORDER BY 1",
        &[],
    ));
    names.extend(
        [
            "",
            "foo_1",
            "_x",
            "Foo",
            "1foo",
            "a-b",
            "a$b",
            "café",
            "a\"b",
            "with space",
            "ÅÄÖ",
            "x\"; DROP TABLE t; --",
        ]
        .map(String::from),
    );
    let texts: Vec<String> = [
        "",
        "plain",
        "O'Reilly",
        "a\\b",
        "it's\\",
        "''",
        "\\\\",
        "tab\there",
        "é ü 😀",
    ]
    .map(String::from)
    .to_vec();
    let config = format!(
        "locals {{\n  names = {}\n  texts = {}\n}}\n\
         output \"idents\" {{\n  value = [for n in local.names : provider::postgresql::quote_ident(n)]\n}}\n\
         output \"literals\" {{\n  value = [for t in local.texts : provider::postgresql::quote_literal(t)]\n}}\n",
        hcl_list(&names),
        hcl_list(&texts)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let idents = output(ws, "idents");
            for (i, name) in names.iter().enumerate() {
                let server = acc.block(query_strings(&admin, "SELECT quote_ident($1)", &[name]));
                let ours = idents[i].as_str().unwrap_or_default();
                if NEWER_KEYWORDS.contains(&name.as_str()) && server[0] == *name {
                    assert_eq!(ours, format!("\"{name}\""), "quote_ident({name:?})");
                } else {
                    assert_eq!(ours, server[0], "quote_ident({name:?})");
                }
            }
            let literals = output(ws, "literals");
            for (i, text) in texts.iter().enumerate() {
                let server = acc.block(query_strings(&admin, "SELECT quote_literal($1)", &[text]));
                assert_eq!(literals[i], server[0], "quote_literal({text:?})");
            }
        }))
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn scram_verifier_function_gives_a_password_that_logs_in() {
    let Some(acc) = acc() else { return };
    let name = unique_name("fn_scram");
    let password = "pä$$ \"word\"";
    let config = format!(
        "resource \"postgresql_role\" \"r\" {{\n  name = {}\n  login = true\n  password = \
         provider::postgresql::scram_sha256_verifier({}, \"3q2+7w0AESIzRFVmd4iZqg==\", 4096)\n}}\n\
         output \"verifier\" {{\n  value = nonsensitive(postgresql_role.r.password)\n}}\n",
        hcl(&name),
        hcl(password)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(Step::apply(config).check(|ws, _| {
            let verifier = output(ws, "verifier");
            let verifier = verifier.as_str().unwrap_or_default();
            assert!(
                verifier.starts_with("SCRAM-SHA-256$4096:3q2+7w0AESIzRFVmd4iZqg==$"),
                "{verifier}"
            );
            // The server stored exactly the verifier, and the password logs in.
            let admin = acc.admin();
            let stored = acc.block(query_strings(
                &admin,
                "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
                &[&name],
            ));
            assert_eq!(stored, vec![verifier.to_string()]);
            acc.block(acc.cluster.connect("postgres", &name, password));
        }))
        .run();
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn function_errors_name_the_argument() {
    let Some(acc) = acc() else { return };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            "output \"v\" {\n  value = provider::postgresql::scram_sha256_verifier(\"p\", \"not base64!\", 4096)\n}\n",
            "is not base64",
        ))
        .step(Step::fails(
            "output \"v\" {\n  value = provider::postgresql::scram_sha256_verifier(\"p\", \"c2FsdA==\", 0)\n}\n",
            "must be a whole number",
        ))
        // Leave a configuration that destroys cleanly.
        .step(Step::apply(""))
        .run();
}
