//! Switching from cyrilgdn/postgresql: a state written in the reference
//! provider's format (hand-written fixture: SDKv2 layout, schema version 0)
//! is moved with `terraform state replace-provider`, upgraded without error,
//! and plans no changes.

use crate::acc;
use crate::support::{hcl, ident, literal, unique_name, Step, TestCase};

/// A postgresql_role instance as the reference provider (SDKv2) stores it:
/// every attribute present, unset lists as `[]`, unset strings as `""`.
fn reference_role_instance(name: &str, password: &str) -> String {
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            "assume_role": "",
            "bypass_row_level_security": false,
            "connection_limit": -1,
            "create_database": false,
            "create_role": false,
            "encrypted": null,
            "encrypted_password": true,
            "id": "{name}",
            "idle_in_transaction_session_timeout": 0,
            "inherit": true,
            "login": true,
            "name": "{name}",
            "password": "{password}",
            "password_wo": null,
            "password_wo_version": "",
            "replication": false,
            "roles": [],
            "search_path": [],
            "skip_drop_role": false,
            "skip_reassign_owned": false,
            "statement_timeout": 0,
            "superuser": false,
            "valid_until": "infinity"
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }}"#
    )
}

/// The reference provider's state of a role, moved to this provider: the
/// upgrade succeeds, and the plan is empty before and after a refresh.
#[test]
fn reference_provider_state_upgrades_without_changes() {
    let Some(acc) = acc() else { return };
    let app = unique_name("legacy_app");
    let password = "legacy-pw-123";
    acc.sql(&format!(
        "CREATE ROLE {} LOGIN PASSWORD {}",
        ident(&app),
        literal(password)
    ));
    let state = format!(
        r#"{{
  "version": 4,
  "terraform_version": "1.9.8",
  "serial": 4,
  "lineage": "0b0c0d0e-1111-2222-3333-444455556666",
  "outputs": {{}},
  "resources": [
    {{
      "mode": "managed",
      "type": "postgresql_role",
      "name": "app",
      "provider": "provider[\"registry.terraform.io/cyrilgdn/postgresql\"]",
      "instances": [ {role} ]
    }}
  ],
  "check_results": null
}}
"#,
        role = reference_role_instance(&app, password)
    );
    TestCase::new(acc.cluster.provider_block())
        .step(
            Step::apply(format!(
                r#"
resource "postgresql_role" "app" {{
  name     = {app}
  login    = true
  password = {password}
}}
"#,
                app = hcl(&app),
                password = hcl(password),
            ))
            .before(|ws| {
                ws.write_file("terraform.tfstate", &state);
                ws.run_ok(&[
                    "state",
                    "replace-provider",
                    "-auto-approve",
                    "-no-color",
                    "registry.terraform.io/cyrilgdn/postgresql",
                    "registry.terraform.io/pgwarden/postgresql",
                ]);
                // Nothing to do, before the step's apply has a chance to
                // hide a difference.
                ws.assert_no_changes();
            }),
        )
        .run();
}

/// A postgresql_extension instance as the reference provider (SDKv2)
/// stores it; releases before `create_cascade` existed lack it, which
/// `with_create_cascade` leaves out.
fn reference_extension_instance(
    database: &str,
    name: &str,
    version: &str,
    with_create_cascade: bool,
) -> String {
    let cascade = if with_create_cascade {
        "\"create_cascade\": false,"
    } else {
        ""
    };
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            {cascade}
            "database": "{database}",
            "drop_cascade": false,
            "id": "{database}.{name}",
            "name": "{name}",
            "schema": "public",
            "version": "{version}"
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }}"#
    )
}

/// A postgresql_function instance as the reference provider stores it: the
/// body without its `$$` wrapper, `""` for an argument's unset default,
/// and `[]`-style blocks.
fn reference_function_instance(database: &str) -> String {
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            "arg": [ {{ "default": "", "mode": "IN", "name": "i", "type": "integer" }} ],
            "body": "BEGIN\n    RETURN i + 1;\nEND;",
            "database": "{database}",
            "drop_cascade": false,
            "id": "{database}.public.increment(integer)",
            "language": "plpgsql",
            "name": "increment",
            "parallel": "UNSAFE",
            "returns": "integer",
            "schema": "public",
            "security_definer": false,
            "strict": false,
            "volatility": "VOLATILE"
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }}"#
    )
}

#[test]
fn reference_extension_and_function_states_upgrade_without_changes() {
    let Some(acc) = acc() else { return };
    let db = acc.database("legacy_objects");
    db.exec(
        "CREATE EXTENSION pg_trgm; CREATE EXTENSION pgcrypto;
         CREATE FUNCTION public.increment(i integer) RETURNS integer LANGUAGE plpgsql
         AS $function$BEGIN\n    RETURN i + 1;\nEND;$function$",
    );
    let version = |name: &str| {
        db.one(&format!(
            "SELECT extversion FROM pg_extension WHERE extname = '{name}'"
        ))
    };
    let config = format!(
        r#"
resource "postgresql_extension" "trgm" {{
  name     = "pg_trgm"
  database = "{db}"
}}

resource "postgresql_extension" "crypto" {{
  name     = "pgcrypto"
  database = "{db}"
}}

resource "postgresql_function" "increment" {{
  name     = "increment"
  database = "{db}"
  arg {{
    name = "i"
    type = "integer"
  }}
  returns  = "integer"
  language = "plpgsql"
  body     = <<-EOF
    $$
    BEGIN
        RETURN i + 1;
    END;
    $$
  EOF
}}
"#,
        db = db.name
    );
    let resource = |ty: &str, name: &str, instance: String| {
        format!(
            r#"{{
      "mode": "managed",
      "type": "{ty}",
      "name": "{name}",
      "provider": "provider[\"registry.terraform.io/cyrilgdn/postgresql\"]",
      "instances": [ {instance} ]
    }}"#
        )
    };
    let state = format!(
        r#"{{
  "version": 4,
  "terraform_version": "1.9.8",
  "serial": 7,
  "lineage": "0b0c0d0e-1111-2222-3333-444455556667",
  "outputs": {{}},
  "resources": [ {}, {}, {} ],
  "check_results": null
}}
"#,
        resource(
            "postgresql_extension",
            "trgm",
            reference_extension_instance(&db.name, "pg_trgm", &version("pg_trgm"), true)
        ),
        resource(
            "postgresql_extension",
            "crypto",
            reference_extension_instance(&db.name, "pgcrypto", &version("pgcrypto"), false)
        ),
        resource(
            "postgresql_function",
            "increment",
            reference_function_instance(&db.name)
        ),
    );
    TestCase::new(acc.cluster.provider_block())
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
            ws.refresh();
            ws.assert_no_changes();
        }))
        .check_destroy(|| {
            assert!(db
                .strings(
                    "SELECT extname::text FROM pg_extension WHERE extname IN ('pg_trgm', 'pgcrypto')"
                )
                .is_empty());
        })
        .run();
}
