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
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
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
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
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

/// A postgresql_database instance as the reference provider stores it after
/// Read: the server's encoding, locales and tablespace, `template0` for the
/// template it never reads back. Releases before `alter_object_ownership`
/// existed lack it, which `with_alter_ownership` leaves out.
fn reference_database_instance(
    name: &str,
    owner: &str,
    server: &[String],
    with_alter_ownership: bool,
) -> String {
    let alter = if with_alter_ownership {
        "\"alter_object_ownership\": false,"
    } else {
        ""
    };
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            "allow_connections": true,
            {alter}
            "connection_limit": -1,
            "encoding": "{encoding}",
            "id": "{name}",
            "is_template": false,
            "lc_collate": "{collate}",
            "lc_ctype": "{ctype}",
            "name": "{name}",
            "owner": "{owner}",
            "tablespace_name": "{tablespace}",
            "template": "template0"
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }}"#,
        encoding = server[0],
        collate = server[1],
        ctype = server[2],
        tablespace = server[3],
    )
}

/// A postgresql_schema instance as the reference provider stores it:
/// `policy` is a set of blocks with all five keys in each, `[]` for none;
/// it depends on the database it lives in.
fn reference_schema_instance(database: &str, name: &str, owner: &str, policy: &str) -> String {
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            "database": "{database}",
            "drop_cascade": false,
            "id": "{database}.{name}",
            "if_not_exists": true,
            "name": "{name}",
            "owner": "{owner}",
            "policy": [{policy}]
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA==",
          "dependencies": ["postgresql_database.app"]
        }}"#
    )
}

/// One reference `policy` element.
fn reference_policy(role: &str, create: bool, usage: bool) -> String {
    format!(
        r#"{{ "create": {create}, "create_with_grant": false, "role": "{role}", "usage": {usage}, "usage_with_grant": false }}"#
    )
}

/// Databases, schemas (with and without the deprecated `policy` blocks)
/// and an extension in one state (one database from a release before
/// `alter_object_ownership`), created
/// the way the reference provider creates them and stored in its format:
/// after `replace-provider` the plan is empty, also after a refresh.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn reference_database_schema_and_extension_states_upgrade_without_changes() {
    let Some(acc) = acc() else { return };
    let owner = unique_name("legacy_owner");
    let reader = unique_name("legacy_reader");
    let app_db = unique_name("legacy_app_db");
    let old_db = unique_name("legacy_old_db");
    // As the reference provider runs them; CREATE DATABASE on its own.
    for statement in [
        format!("CREATE ROLE {}", ident(&owner)),
        format!("CREATE ROLE {}", ident(&reader)),
        format!(
            "CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8' \
             ALLOW_CONNECTIONS true CONNECTION LIMIT -1 IS_TEMPLATE false",
            ident(&app_db),
            ident(&owner)
        ),
        format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
            ident(&old_db)
        ),
    ] {
        acc.sql(&statement);
    }
    let app = acc.connect(&app_db);
    acc.block(crate::support::exec(
        &app,
        &format!(
            "CREATE SCHEMA api AUTHORIZATION {o};
             GRANT CREATE ON SCHEMA api TO {r}; GRANT USAGE ON SCHEMA api TO {r};
             GRANT USAGE ON SCHEMA api TO PUBLIC;
             CREATE SCHEMA IF NOT EXISTS plain;
             CREATE EXTENSION pg_trgm SCHEMA public",
            o = ident(&owner),
            r = ident(&reader),
        ),
    ));
    let trgm_version = acc.block(crate::support::query_strings(
        &app,
        "SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'",
        &[],
    ));
    drop(app);
    let admin = acc.admin();
    let server = |db: &str| {
        acc.block(crate::support::query_strings(
            &admin,
            &format!(
                "SELECT x FROM pg_database d JOIN pg_tablespace ts ON d.dattablespace = ts.oid,
                   LATERAL (VALUES (1, pg_encoding_to_char(d.encoding)::text),
                     (2, d.datcollate::text), (3, d.datctype::text), (4, ts.spcname::text)) v(i, x)
                 WHERE d.datname = {} ORDER BY i",
                literal(db)
            ),
            &[],
        ))
    };
    let superuser = acc.cluster.superuser().to_owned();
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
  "serial": 9,
  "lineage": "0b0c0d0e-1111-2222-3333-444455556668",
  "outputs": {{}},
  "resources": [ {}, {}, {}, {}, {} ],
  "check_results": null
}}
"#,
        resource(
            "postgresql_database",
            "app",
            reference_database_instance(&app_db, &owner, &server(&app_db), true)
        ),
        resource(
            "postgresql_database",
            "old",
            reference_database_instance(&old_db, &superuser, &server(&old_db), false)
        ),
        resource(
            "postgresql_schema",
            "api",
            reference_schema_instance(
                &app_db,
                "api",
                &owner,
                &format!(
                    "{}, {}",
                    reference_policy(&reader, true, true),
                    reference_policy("", false, true)
                )
            )
        ),
        resource(
            "postgresql_schema",
            "plain",
            reference_schema_instance(&app_db, "plain", &superuser, "")
        ),
        resource(
            "postgresql_extension",
            "trgm",
            reference_extension_instance(&app_db, "pg_trgm", &trgm_version[0], true)
        ),
    );
    let config = format!(
        r#"
resource "postgresql_database" "app" {{
  name  = {app_db}
  owner = {owner}
}}

resource "postgresql_database" "old" {{
  name = {old_db}
}}

resource "postgresql_schema" "api" {{
  name     = "api"
  database = postgresql_database.app.name
  owner    = {owner}
  policy {{
    role   = {reader}
    create = true
    usage  = true
  }}
  policy {{
    usage = true
  }}
}}

resource "postgresql_schema" "plain" {{
  name     = "plain"
  database = postgresql_database.app.name
}}

resource "postgresql_extension" "trgm" {{
  name     = "pg_trgm"
  database = postgresql_database.app.name
}}
"#,
        app_db = hcl(&app_db),
        old_db = hcl(&old_db),
        owner = hcl(&owner),
        reader = hcl(&reader),
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
            let left = acc.block(crate::support::query_strings(
                &acc.admin(),
                &format!(
                    "SELECT datname::text FROM pg_database WHERE datname IN ({}, {})",
                    literal(&app_db),
                    literal(&old_db)
                ),
                &[],
            ));
            assert!(left.is_empty(), "{left:?}");
            acc.sql(&format!(
                "DROP ROLE {}; DROP ROLE {}",
                ident(&owner),
                ident(&reader)
            ));
        })
        .run();
}

/// A postgresql_server instance as the reference provider stores it after
/// Read: `""` for an unset type and version, `{}` for no options.
fn reference_server_instance(name: &str, owner: &str, options: &str) -> String {
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            "drop_cascade": false,
            "fdw_name": "postgres_fdw",
            "id": "{name}",
            "options": {{ {options} }},
            "server_name": "{name}",
            "server_owner": "{owner}",
            "server_type": "",
            "server_version": ""
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }}"#
    )
}

/// A postgresql_user_mapping instance as the reference provider stores
/// it: the ID is `user.server`, and options are not sensitive there.
fn reference_user_mapping_instance(user: &str, server: &str, options: &str) -> String {
    format!(
        r#"{{
          "schema_version": 0,
          "attributes": {{
            "id": "{user}.{server}",
            "options": {{ {options} }},
            "server_name": "{server}",
            "user_name": "{user}"
          }},
          "sensitive_attributes": [],
          "private": "bnVsbA==",
          "dependencies": ["postgresql_server.myserver"]
        }}"#
    )
}

/// Foreign servers (with and without options) and user mappings (with and
/// without options) created as the reference provider creates them, in
/// the provider's database, and stored in its format: after
/// `replace-provider` the plan is empty, also after a refresh.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn reference_server_and_user_mapping_states_upgrade_without_changes() {
    let Some(acc) = acc() else { return };
    let db = acc.database("legacy_fdw");
    if db
        .strings("SELECT name FROM pg_available_extensions WHERE name = 'postgres_fdw'")
        .is_empty()
    {
        eprintln!("skipped: this PostgreSQL build has no postgres_fdw extension");
        return;
    }
    let remote = unique_name("legacy_remote");
    acc.sql(&format!("CREATE ROLE {}", ident(&remote)));
    db.exec(&format!(
        "CREATE EXTENSION postgres_fdw;
         CREATE SERVER myserver FOREIGN DATA WRAPPER postgres_fdw
             OPTIONS (host 'foo', dbname 'foodb', port '5432');
         CREATE SERVER bare FOREIGN DATA WRAPPER postgres_fdw;
         CREATE USER MAPPING FOR {r} SERVER myserver OPTIONS (user 'admin', password 'pass=$*''');
         CREATE USER MAPPING FOR PUBLIC SERVER myserver;",
        r = ident(&remote)
    ));
    let superuser = acc.cluster.superuser().to_owned();
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
  "serial": 11,
  "lineage": "0b0c0d0e-1111-2222-3333-444455556669",
  "outputs": {{}},
  "resources": [ {}, {}, {}, {} ],
  "check_results": null
}}
"#,
        resource(
            "postgresql_server",
            "myserver",
            reference_server_instance(
                "myserver",
                &superuser,
                r#""dbname": "foodb", "host": "foo", "port": "5432""#
            )
        ),
        resource(
            "postgresql_server",
            "bare",
            reference_server_instance("bare", &superuser, "")
        ),
        resource(
            "postgresql_user_mapping",
            "remote",
            reference_user_mapping_instance(
                &remote,
                "myserver",
                r#""password": "pass=$*'", "user": "admin""#
            )
        ),
        resource(
            "postgresql_user_mapping",
            "everyone",
            reference_user_mapping_instance("public", "myserver", "")
        ),
    );
    let config = format!(
        r#"
resource "postgresql_server" "myserver" {{
  server_name = "myserver"
  fdw_name    = "postgres_fdw"
  options = {{
    host   = "foo"
    dbname = "foodb"
    port   = "5432"
  }}
}}

resource "postgresql_server" "bare" {{
  server_name = "bare"
  fdw_name    = "postgres_fdw"
}}

resource "postgresql_user_mapping" "remote" {{
  server_name = postgresql_server.myserver.server_name
  user_name   = {remote}
  options = {{
    user     = "admin"
    password = "pass=$*'"
  }}
}}

resource "postgresql_user_mapping" "everyone" {{
  server_name = postgresql_server.myserver.server_name
  user_name   = "public"
}}
"#,
        remote = hcl(&remote),
    );
    let provider = acc.cluster.provider_block().replace(
        "database = \"postgres\"",
        &format!("database = {}", hcl(&db.name)),
    );
    TestCase::new(provider)
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
            assert_eq!(db.one("SELECT count(*)::text FROM pg_foreign_server"), "0");
            acc.sql(&format!("DROP ROLE {}", ident(&remote)));
        })
        .run();
}
