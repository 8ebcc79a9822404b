//! The `postgresql_schemas`, `postgresql_tables` and `postgresql_sequences`
//! data sources: the reference provider's acceptance cases (the same
//! objects and filters, with exact result lists instead of counts), the
//! reference's `id` format, and patterns holding quotes.

use serde_json::Value as Json;

use crate::support::{hcl, hcl_list, ident, Step, TestCase, Workspace};
use crate::{acc, TestDb};

/// One data block: its label, attribute lines, and the names it must list.
struct Case<'a> {
    key: &'a str,
    attrs: &'a str,
    expected: &'a [&'a str],
}

/// HCL for every case: `kind` with `database` plus the case's attributes.
fn blocks(kind: &str, db: &TestDb, cases: &[Case]) -> String {
    cases
        .iter()
        .map(|c| {
            format!(
                "data \"{kind}\" \"{}\" {{\n  database = {}\n{}}}\n",
                c.key,
                hcl(&db.name),
                c.attrs
            )
        })
        .collect()
}

/// `(schema.)name` of every element of a list output, in order.
fn names(list: &Json) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|e| match e {
            Json::String(s) => s.clone(),
            o => format!(
                "{}.{}",
                o["schema_name"].as_str().unwrap(),
                o["object_name"].as_str().unwrap()
            ),
        })
        .collect()
}

fn check_cases(ws: &Workspace, kind: &str, output: &str, cases: &[Case]) {
    for c in cases {
        let state = ws.state_resource(&format!("data.{kind}.{}", c.key));
        let mut got = names(&state[output]);
        let mut want: Vec<String> = c.expected.iter().map(|s| (*s).to_string()).collect();
        if output == "schemas" {
            got.sort();
            want.sort();
        }
        assert_eq!(got, want, "data.{kind}.{}", c.key);
    }
}

/// The schemas of the reference test: setupTestDatabase's `test_schema` and
/// `dev_schema`, then five more.
fn reference_schemas(db: &TestDb) {
    for s in [
        "test_schema",
        "dev_schema",
        "test_schema1",
        "test_schema2",
        "test_exp",
        "exp_test",
        "test_pg",
    ] {
        db.exec(&format!("CREATE SCHEMA {s}"));
    }
}

/// Reference: TestAccPostgresqlDataSourceSchemas, every block of it.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_schemas_reference_filters() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ds_schemas");
    reference_schemas(&db);
    let user = [
        "public",
        "test_schema",
        "dev_schema",
        "test_schema1",
        "test_schema2",
        "test_exp",
        "exp_test",
        "test_pg",
    ];
    let cases = [
        Case { key: "system_false", attrs: "  include_system_schemas = false\n", expected: &user },
        Case { key: "no_match", attrs: "  like_any_patterns = [\"no_match\"]\n", expected: &[] },
        Case {
            key: "system_false_like_exp",
            attrs: "  include_system_schemas = false\n  like_any_patterns = [\"%exp%\"]\n",
            expected: &["test_exp", "exp_test"],
        },
        Case {
            key: "system_true_like_exp",
            attrs: "  include_system_schemas = true\n  like_any_patterns = [\"%exp%\"]\n",
            expected: &["test_exp", "exp_test"],
        },
        Case { key: "like_pg", attrs: "  like_any_patterns = [\"pg_%\"]\n", expected: &[] },
        Case {
            key: "system_false_like_pg",
            attrs: "  include_system_schemas = false\n  like_any_patterns = [\"pg_%\"]\n",
            expected: &[],
        },
        Case {
            key: "system_false_like_pg_double_wildcard",
            attrs: "  include_system_schemas = false\n  like_all_patterns = [\"%pg%\"]\n",
            expected: &["test_pg"],
        },
        Case {
            key: "system_true_like_information_schema",
            attrs: "  include_system_schemas = true\n  like_all_patterns = [\"information_schema%\"]\n",
            expected: &["information_schema"],
        },
        Case {
            key: "like_test_schema",
            attrs: "  like_all_patterns = [\"test_schema%\"]\n",
            expected: &["test_schema", "test_schema1", "test_schema2"],
        },
        Case {
            key: "regex_test_schema",
            attrs: "  regex_pattern = \"^test_schema.*$\"\n",
            expected: &["test_schema", "test_schema1", "test_schema2"],
        },
        Case {
            key: "system_true_not_like_pg",
            attrs: "  include_system_schemas = true\n  not_like_all_patterns = [\"pg_%\"]\n",
            expected: &[
                "information_schema",
                "public",
                "test_schema",
                "dev_schema",
                "test_schema1",
                "test_schema2",
                "test_exp",
                "exp_test",
                "test_pg",
            ],
        },
        Case {
            key: "system_true_like_pg_regex_pg_catalog",
            attrs: "  include_system_schemas = true\n  like_any_patterns = [\"pg_%\"]\n  regex_pattern = \"^pg_catalog.*$\"\n",
            expected: &["pg_catalog"],
        },
        Case {
            key: "system_false_like_test_not_like_test_schema_regex_test_schema",
            attrs: "  include_system_schemas = false\n  like_any_patterns = [\"test_%\"]\n  not_like_all_patterns = [\"test_schema1%\"]\n  regex_pattern = \"^test_schema.*$\"\n",
            expected: &["test_schema", "test_schema2"],
        },
        Case {
            key: "system_false_likeany_multi",
            attrs: "  include_system_schemas = false\n  like_any_patterns = [\"test_schema1\", \"test_exp\"]\n",
            expected: &["test_schema1", "test_exp"],
        },
        Case {
            key: "system_true_not_like_multi",
            attrs: "  include_system_schemas = true\n  not_like_all_patterns = [\"%pg%\", \"%exp%\"]\n",
            expected: &[
                "information_schema",
                "public",
                "test_schema",
                "dev_schema",
                "test_schema1",
                "test_schema2",
            ],
        },
        Case {
            key: "system_true_likeall_multi_not_like_multi",
            attrs: "  include_system_schemas = true\n  like_all_patterns = [\"%test%\", \"%1\"]\n  not_like_all_patterns = [\"%pg%\", \"%exp%\"]\n",
            expected: &["test_schema1"],
        },
        Case {
            key: "system_true_likeany_multi_not_like_multi",
            attrs: "  include_system_schemas = true\n  like_any_patterns = [\"%test%\", \"%1\"]\n  not_like_all_patterns = [\"%pg%\", \"%exp%\"]\n",
            expected: &["test_schema", "test_schema1", "test_schema2"],
        },
        Case {
            key: "system_true_likeall_multi_not_like_multi_regex",
            attrs: "  include_system_schemas = true\n  like_all_patterns = [\"%exp%\", \"%test%\"]\n  not_like_all_patterns = [\"%1%\", \"%2%\"]\n  regex_pattern = \"^test_.*$\"\n",
            expected: &["test_exp"],
        },
        Case {
            key: "system_true_likeany_multi_not_like_multi_regex",
            attrs: "  include_system_schemas = true\n  like_any_patterns = [\"%exp%\", \"%test%\"]\n  not_like_all_patterns = [\"%1%\", \"%2%\"]\n  regex_pattern = \"^test_.*$\"\n",
            expected: &["test_exp", "test_schema", "test_pg"],
        },
    ];
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(blocks("postgresql_schemas", &db, &cases)).check(|ws, _| {
                check_cases(ws, "postgresql_schemas", "schemas", &cases);
                let s = ws.state_resource("data.postgresql_schemas.system_false_like_exp");
                assert_eq!(
                    s["id"],
                    format!(
                        "{}_false_ANY (array['%exp%'])_ALL (array[])_ALL (array[])_",
                        db.name
                    )
                );
            }),
        )
        .run();
}

/// Patterns are parameters: quotes and SQL in them are just text, a name
/// with quotes, spaces and non-ASCII characters is found, and only `pg_`
/// itself (not any `pg` plus one character) marks a system schema.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_schemas_patterns_are_plain_text() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ds_quotes");
    let odd = "it's \"odd\" é";
    db.exec(&format!("CREATE SCHEMA {}; CREATE SCHEMA pgx;", ident(odd)));
    let like_odd = format!("  like_any_patterns = {}\n", hcl_list(&["it's%"]));
    let cases = [
        Case {
            key: "odd",
            attrs: &like_odd,
            expected: &[odd],
        },
        Case {
            key: "injection",
            attrs: "  like_any_patterns = [\"%'; DROP SCHEMA pgx; --\"]\n",
            expected: &[],
        },
        Case {
            key: "quote",
            attrs: "  regex_pattern = \"'\"\n",
            expected: &[odd],
        },
        Case {
            key: "pgx",
            attrs: "  regex_pattern = \"^pg\"\n",
            expected: &["pgx"],
        },
    ];
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(blocks("postgresql_schemas", &db, &cases)).check(|ws, _| {
                check_cases(ws, "postgresql_schemas", "schemas", &cases);
                assert_eq!(
                    db.one("SELECT count(*)::text FROM pg_namespace WHERE nspname = 'pgx'"),
                    "1"
                );
            }),
        )
        .run();
}

/// A regular expression PostgreSQL refuses is reported on regex_pattern;
/// a LIKE pattern ending in a lone backslash is refused before that.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_schemas_bad_patterns_are_reported() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ds_bad");
    let data = |attrs: &str| {
        format!(
            "data \"postgresql_schemas\" \"x\" {{\n  database = {}\n{attrs}}}\n",
            hcl(&db.name)
        )
    };
    TestCase::new(acc.cluster.provider_block())
        .step(Step::fails(
            data("  regex_pattern = \"(\"\n"),
            "Invalid Regular Expression",
        ))
        .step(Step::fails(
            data("  like_any_patterns = [\"a\\\\\"]\n"),
            "Invalid LIKE Pattern",
        ))
        .step(Step::fails(
            format!(
                "data \"postgresql_tables\" \"x\" {{\n  database = {}\n  table_types = [\"TABLE\"]\n}}\n",
                hcl(&db.name)
            ),
            "Invalid Table Type",
        ))
        .step(Step::fails(
            "data \"postgresql_schemas\" \"x\" {\n  database = \"no_such_database_here\"\n}\n"
                .to_string(),
            "no_such_database_here",
        ))
        .run();
}

/// Reference: TestAccPostgresqlDataSourceTables (plus a view, so the type
/// filters have something to tell apart).
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_tables_reference_filters() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ds_tables");
    reference_schemas(&db);
    db.exec(
        "CREATE TABLE test_schema.test_table (val text, test_column_one text, test_column_two text);
         CREATE TABLE test_schema1.test_table1 (val text);
         CREATE TABLE test_schema1.test_table2 (val text);
         CREATE TABLE test_schema2.test_table1 (val text);
         CREATE VIEW dev_schema.test_view AS SELECT 1 AS one;",
    );
    let three = "  schemas = [\"test_schema\", \"test_schema1\", \"test_schema2\"]\n";
    let cases = [
        Case {
            key: "test_schemas1and2",
            attrs: "  schemas = [\"test_schema1\", \"test_schema2\"]\n",
            expected: &["test_schema1.test_table1", "test_schema1.test_table2", "test_schema2.test_table1"],
        },
        Case {
            key: "test_schema",
            attrs: "  schemas = [\"test_schema\"]\n",
            expected: &["test_schema.test_table"],
        },
        Case {
            key: "test_schemas1and2_type_base",
            attrs: "  schemas = [\"test_schema1\", \"test_schema2\"]\n  table_types = [\"BASE TABLE\"]\n",
            expected: &["test_schema1.test_table1", "test_schema1.test_table2", "test_schema2.test_table1"],
        },
        Case {
            key: "test_schemas1and2_type_other",
            attrs: "  schemas = [\"test_schema1\", \"test_schema2\"]\n  table_types = [\"VIEW\", \"LOCAL TEMPORARY\"]\n",
            expected: &[],
        },
        Case {
            key: "test_schemas1and2_type_base_and_other",
            attrs: "  schemas = [\"test_schema1\", \"test_schema2\"]\n  table_types = [\"VIEW\", \"LOCAL TEMPORARY\", \"BASE TABLE\"]\n",
            expected: &["test_schema1.test_table1", "test_schema1.test_table2", "test_schema2.test_table1"],
        },
        Case {
            key: "test_schemas_like_all_table1",
            attrs: &format!("{three}  like_all_patterns = [\"test_table1\"]\n"),
            expected: &["test_schema1.test_table1", "test_schema2.test_table1"],
        },
        Case {
            key: "test_schemas_like_all_table1and2",
            attrs: &format!("{three}  like_all_patterns = [\"test_table1\", \"test_table2\"]\n"),
            expected: &[],
        },
        Case {
            key: "test_schemas_like_any_table1and2",
            attrs: &format!("{three}  like_any_patterns = [\"test_table1\", \"test_table2\"]\n"),
            expected: &["test_schema1.test_table1", "test_schema1.test_table2", "test_schema2.test_table1"],
        },
        Case {
            key: "test_schemas_not_like_all_table1and2",
            attrs: &format!("{three}  not_like_all_patterns = [\"test_table1\", \"test_table2\"]\n"),
            expected: &["test_schema.test_table"],
        },
        Case {
            key: "test_schemas_regex_table1",
            attrs: &format!("{three}  regex_pattern = \"^test_table1$\"\n"),
            expected: &["test_schema1.test_table1", "test_schema2.test_table1"],
        },
        Case {
            key: "test_schemas_combine_filtering",
            attrs: &format!(
                "{three}  like_any_patterns = [\"%2%\"]\n  not_like_all_patterns = [\"%1%\"]\n  regex_pattern = \"^test_.*$\"\n"
            ),
            expected: &["test_schema1.test_table2"],
        },
        Case {
            key: "views",
            attrs: "  table_types = [\"VIEW\"]\n  like_any_patterns = [\"test_%\"]\n",
            expected: &["dev_schema.test_view"],
        },
    ];
    // test_basic lists system tables too; it must simply work.
    let basic = format!(
        "data \"postgresql_tables\" \"test_basic\" {{\n  database = {}\n}}\n",
        hcl(&db.name)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(blocks("postgresql_tables", &db, &cases) + &basic).check(|ws, _| {
                check_cases(ws, "postgresql_tables", "tables", &cases);
                let s = ws.state_resource("data.postgresql_tables.test_schema");
                assert_eq!(s["tables"][0]["table_type"], "BASE TABLE");
                let v = ws.state_resource("data.postgresql_tables.views");
                assert_eq!(v["tables"][0]["table_type"], "VIEW");
                assert_eq!(
                    ws.state_resource("data.postgresql_tables.test_schemas1and2_type_base")["id"],
                    format!(
                        "{}_ANY (array['test_schema1','test_schema2'])_ANY (array['BASE TABLE'])_\
                         ANY (array[])_ALL (array[])_ALL (array[])_",
                        db.name
                    )
                );
                let basic = ws.state_resource("data.postgresql_tables.test_basic");
                assert!(names(&basic["tables"]).contains(&"test_schema.test_table".to_string()));
            }),
        )
        .run();
}

/// Reference: TestAccPostgresqlDataSourceSequences.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn data_sequences_reference_filters() {
    let Some(acc) = acc() else { return };
    let db = acc.database("ds_sequences");
    reference_schemas(&db);
    db.exec(
        "CREATE SEQUENCE test_schema.test_sequence;
         CREATE SEQUENCE test_schema1.test_sequence1;
         CREATE SEQUENCE test_schema1.test_sequence2 AS integer;
         CREATE SEQUENCE test_schema2.test_sequence1;",
    );
    let three = "  schemas = [\"test_schema\", \"test_schema1\", \"test_schema2\"]\n";
    let cases = [
        Case {
            key: "test_schemas1and2",
            attrs: "  schemas = [\"test_schema1\", \"test_schema2\"]\n",
            expected: &[
                "test_schema1.test_sequence1",
                "test_schema1.test_sequence2",
                "test_schema2.test_sequence1",
            ],
        },
        Case {
            key: "test_schema",
            attrs: "  schemas = [\"test_schema\"]\n",
            expected: &["test_schema.test_sequence"],
        },
        Case {
            key: "test_schemas_like_all_sequence1",
            attrs: &format!("{three}  like_all_patterns = [\"test_sequence1\"]\n"),
            expected: &["test_schema1.test_sequence1", "test_schema2.test_sequence1"],
        },
        Case {
            key: "test_schemas_like_all_sequence1and2",
            attrs: &format!("{three}  like_all_patterns = [\"test_sequence1\", \"test_sequence2\"]\n"),
            expected: &[],
        },
        Case {
            key: "test_schemas_like_any_sequence1and2",
            attrs: &format!("{three}  like_any_patterns = [\"test_sequence1\", \"test_sequence2\"]\n"),
            expected: &[
                "test_schema1.test_sequence1",
                "test_schema1.test_sequence2",
                "test_schema2.test_sequence1",
            ],
        },
        Case {
            key: "test_schemas_not_like_all_sequence1and2",
            attrs: &format!("{three}  not_like_all_patterns = [\"test_sequence1\", \"test_sequence2\"]\n"),
            expected: &["test_schema.test_sequence"],
        },
        Case {
            key: "test_schemas_regex_sequence1",
            attrs: &format!("{three}  regex_pattern = \"^test_sequence1$\"\n"),
            expected: &["test_schema1.test_sequence1", "test_schema2.test_sequence1"],
        },
        Case {
            key: "test_schemas_combine_filtering",
            attrs: &format!(
                "{three}  like_any_patterns = [\"%2%\"]\n  not_like_all_patterns = [\"%1%\"]\n  regex_pattern = \"^test_.*$\"\n"
            ),
            expected: &["test_schema1.test_sequence2"],
        },
    ];
    let basic = format!(
        "data \"postgresql_sequences\" \"test_basic\" {{\n  database = {}\n}}\n",
        hcl(&db.name)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(blocks("postgresql_sequences", &db, &cases) + &basic).check(|ws, _| {
                check_cases(ws, "postgresql_sequences", "sequences", &cases);
                let s =
                    ws.state_resource("data.postgresql_sequences.test_schemas_combine_filtering");
                assert_eq!(s["sequences"][0]["data_type"], "integer");
                let t = ws.state_resource("data.postgresql_sequences.test_schema");
                assert_eq!(t["sequences"][0]["data_type"], "bigint");
                assert_eq!(
                    t["id"],
                    format!(
                        "{}_ANY (array['test_schema'])_ANY (array[])_ALL (array[])_ALL (array[])_",
                        db.name
                    )
                );
                let basic = ws.state_resource("data.postgresql_sequences.test_basic");
                assert_eq!(names(&basic["sequences"]).len(), 4);
            }),
        )
        .run();
}
