//! Functions: the statements behind `postgresql_function` (`CREATE [OR
//! REPLACE] FUNCTION`, `ALTER FUNCTION ... RENAME TO / SET SCHEMA`, `DROP
//! FUNCTION`), the catalog read of one function, and the *probe* that shows
//! how PostgreSQL would store a definition without keeping it.
//!
//! Types, defaults and result types have many spellings of one stored value
//! (`int` is `integer`, `'a'` is `'a'::text`, `varchar(10)` loses its
//! length in a signature). Rather than re-implementing PostgreSQL's rules,
//! [`probe`] creates the definition as a temporary function inside a
//! transaction that is rolled back, and reads it back: what the catalog
//! holds then is exactly what the real function would hold.

use tokio_postgres::{Client, GenericClient, Row};

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::policy_expr::{check_expression, has_top_level_comma};
use crate::pg::sql::quote::{ident, qualified};

/// How an argument is passed.
pub const ARG_MODES: &[&str] = &["IN", "OUT", "INOUT", "VARIADIC"];

/// One argument, as configured or as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// `IN`, `OUT`, `INOUT` or `VARIADIC`.
    pub mode: String,
    /// Its name; `None` for an unnamed argument.
    pub name: Option<String>,
    /// Its type, as SQL text (`integer`, `text[]`, `public.my_type`).
    pub ty: String,
    /// Its default, as an SQL expression.
    pub default: Option<String>,
}

impl Arg {
    /// Whether it is part of the call signature (every mode but `OUT`).
    pub fn is_input(&self) -> bool {
        self.mode != "OUT"
    }

    /// Whether it is part of the result (`OUT` and `INOUT`).
    pub fn is_output(&self) -> bool {
        self.mode == "OUT" || self.mode == "INOUT"
    }
}

/// A complete function definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpec {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// Arguments, in order.
    pub args: Vec<Arg>,
    /// The result type as SQL text (`integer`, `SETOF text`, `TABLE(a int)`).
    pub returns: String,
    /// Language name (`plpgsql`, `sql`...), lower case.
    pub language: String,
    /// The body exactly as it is to be stored (`prosrc`).
    pub body: String,
    /// `VOLATILE`, `STABLE` or `IMMUTABLE`.
    pub volatility: String,
    /// `UNSAFE`, `RESTRICTED` or `SAFE`.
    pub parallel: String,
    /// `STRICT` (RETURNS NULL ON NULL INPUT).
    pub strict: bool,
    /// `SECURITY DEFINER`.
    pub security_definer: bool,
}

/// `"schema"."name"(type, ...)`: the function's identity, with the types of
/// its input arguments as written.
pub fn signature(schema: &str, name: &str, args: &[Arg]) -> String {
    let types: Vec<&str> = args
        .iter()
        .filter(|a| a.is_input())
        .map(|a| a.ty.as_str())
        .collect();
    format!("{}({})", qualified(schema, name), types.join(", "))
}

/// A dollar-quote tag that cannot end the body early: `$function$`, with
/// `x` appended until neither the body nor its last character followed by
/// the closing tag contains it (as `pg_get_functiondef` chooses it).
fn dollar_tag(body: &str) -> String {
    let mut tag = String::from("$function");
    loop {
        let delim = format!("{tag}$");
        if !format!("{body}$").contains(&delim) {
            return delim;
        }
        tag.push('x');
    }
}

/// The text after the function's name: arguments through body.
fn definition(spec: &FunctionSpec) -> String {
    let args: Vec<String> = spec
        .args
        .iter()
        .map(|a| {
            let mut s = a.mode.clone();
            if let Some(n) = &a.name {
                s.push(' ');
                s.push_str(&ident(n));
            }
            s.push(' ');
            s.push_str(&a.ty);
            if let Some(d) = &a.default {
                s.push_str(" DEFAULT ");
                s.push_str(d);
                // A trailing `-- comment` must not swallow the rest of the
                // argument list.
                if d.contains("--") {
                    s.push('\n');
                }
            }
            s
        })
        .collect();
    let tag = dollar_tag(&spec.body);
    format!(
        "({})\nRETURNS {}\nLANGUAGE {}\n{} PARALLEL {}{}{}\nAS {tag}{}{tag}",
        args.join(", "),
        spec.returns,
        ident(&spec.language),
        spec.volatility,
        spec.parallel,
        if spec.strict {
            " STRICT"
        } else {
            " CALLED ON NULL INPUT"
        },
        if spec.security_definer {
            " SECURITY DEFINER"
        } else {
            " SECURITY INVOKER"
        },
        spec.body,
    )
}

/// Checks that an argument's default is one SQL expression: balanced and
/// without `;`, the guard policy expressions get
/// ([`check_expression`]), and without a `,` outside parentheses and
/// brackets, which in the argument list would start another argument.
pub fn check_default(expr: &str) -> Result<(), String> {
    check_expression(expr)?;
    if has_top_level_comma(expr) {
        return Err(
            "it contains a ',' outside parentheses, which would start another \
                    argument"
                .into(),
        );
    }
    Ok(())
}

/// `CREATE FUNCTION`, or with `replace` `CREATE OR REPLACE FUNCTION`. Every
/// option is written out, so a replace also resets what the new definition
/// leaves at its default.
pub fn create(spec: &FunctionSpec, replace: bool) -> Statement {
    Statement::plain(format!(
        "CREATE {}FUNCTION {}{}",
        if replace { "OR REPLACE " } else { "" },
        qualified(&spec.schema, &spec.name),
        definition(spec)
    ))
}

/// `ALTER FUNCTION ... RENAME TO`.
pub fn rename(schema: &str, name: &str, args: &[Arg], new_name: &str) -> Statement {
    Statement::plain(format!(
        "ALTER FUNCTION {} RENAME TO {}",
        signature(schema, name, args),
        ident(new_name)
    ))
}

/// `ALTER FUNCTION ... SET SCHEMA`.
pub fn set_schema(schema: &str, name: &str, args: &[Arg], new_schema: &str) -> Statement {
    Statement::plain(format!(
        "ALTER FUNCTION {} SET SCHEMA {}",
        signature(schema, name, args),
        ident(new_schema)
    ))
}

/// `DROP FUNCTION IF EXISTS ... CASCADE|RESTRICT`.
pub fn drop(schema: &str, name: &str, args: &[Arg], cascade: bool) -> Statement {
    Statement::plain(format!(
        "DROP FUNCTION IF EXISTS {} {}",
        signature(schema, name, args),
        if cascade { "CASCADE" } else { "RESTRICT" }
    ))
}

/// A function as the catalog holds it, rendered by PostgreSQL itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// `prokind`: `f` function, `p` procedure, `a` aggregate, `w` window.
    pub kind: String,
    /// Arguments, without the columns of `RETURNS TABLE`; types as
    /// `format_type` prints them, defaults as `pg_get_function_arg_default`.
    pub args: Vec<Arg>,
    /// `pg_get_function_result`: `integer`, `SETOF record`, `TABLE(a integer)`.
    pub result: String,
    /// Language name.
    pub language: String,
    /// `prosrc`.
    pub body: String,
    /// `VOLATILE`, `STABLE` or `IMMUTABLE`.
    pub volatility: String,
    /// `UNSAFE`, `RESTRICTED` or `SAFE`.
    pub parallel: String,
    /// STRICT.
    pub strict: bool,
    /// SECURITY DEFINER.
    pub security_definer: bool,
    /// Whether PUBLIC may execute it (no ACL yet means the default, which
    /// grants EXECUTE to PUBLIC).
    pub public_execute: bool,
    /// Owner role.
    pub owner: String,
}

/// The catalog read of one function by OID (`$1`).
const READ_BY_OID: &str = "\
SELECT n.nspname::text, p.proname::text, p.prokind::text,
       ARRAY(SELECT pg_catalog.format_type(t, NULL)
             FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i)
             ORDER BY i),
       coalesce(p.proargmodes::text[], '{}'),
       coalesce(p.proargnames, '{}'),
       ARRAY(SELECT pg_catalog.pg_get_function_arg_default(p.oid, i::int)
             FROM generate_series(1, coalesce(array_length(p.proallargtypes, 1), p.pronargs)) i
             ORDER BY i),
       coalesce(pg_catalog.pg_get_function_result(p.oid), ''),
       l.lanname::text, coalesce(p.prosrc, ''),
       p.provolatile::text, p.proparallel::text, p.proisstrict, p.prosecdef,
       EXISTS (SELECT 1 FROM pg_catalog.aclexplode(
                   coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
               WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'),
       pg_catalog.pg_get_userbyid(p.proowner)::text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.oid = $1";

fn stored_of(row: &Row) -> Stored {
    let types: Vec<String> = row.get(3);
    let modes: Vec<String> = row.get(4);
    let names: Vec<String> = row.get(5);
    let defaults: Vec<Option<String>> = row.get(6);
    let args = types
        .into_iter()
        .enumerate()
        .filter_map(|(i, ty)| {
            let mode = match modes.get(i).map(String::as_str) {
                None | Some("i") => "IN",
                Some("o") => "OUT",
                Some("b") => "INOUT",
                Some("v") => "VARIADIC",
                // `t`: a column of RETURNS TABLE, part of the result.
                Some(_) => return None,
            };
            Some(Arg {
                mode: mode.to_string(),
                name: names.get(i).filter(|n| !n.is_empty()).cloned(),
                ty,
                default: defaults.get(i).cloned().flatten(),
            })
        })
        .collect();
    let volatility = match row.get::<_, String>(10).as_str() {
        "i" => "IMMUTABLE",
        "s" => "STABLE",
        _ => "VOLATILE",
    };
    let parallel = match row.get::<_, String>(11).as_str() {
        "s" => "SAFE",
        "r" => "RESTRICTED",
        _ => "UNSAFE",
    };
    Stored {
        schema: row.get(0),
        name: row.get(1),
        kind: row.get(2),
        args,
        result: row.get(7),
        language: row.get(8),
        body: row.get(9),
        volatility: volatility.to_string(),
        parallel: parallel.to_string(),
        strict: row.get(12),
        security_definer: row.get(13),
        public_execute: row.get(14),
        owner: row.get(15),
    }
}

async fn read_oid<C: GenericClient>(client: &C, oid: u32, what: &str) -> Result<Stored, PgError> {
    let row = client
        .query_one(READ_BY_OID, &[&oid])
        .await
        .map_err(|e| PgError::query(format!("reading function {what}"), e))?;
    Ok(stored_of(&row))
}

/// The signature (`"schema"."name"(input types)`), schema and name of
/// every plain function of the connection's database a user made: not in
/// a system schema, not created by `initdb`, not a member of an extension.
pub async fn list<C: GenericClient>(client: &C) -> Result<Vec<(String, String, String)>, PgError> {
    let rows = client
        .query(
            &format!(
                "SELECT format('%I.%I(%s)', n.nspname, p.proname, \
                        pg_catalog.oidvectortypes(p.proargtypes)), \
                        n.nspname::text, p.proname::text \
                 FROM pg_catalog.pg_proc p \
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
                 WHERE p.prokind = 'f' AND p.oid >= $1 AND NOT {} \
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                       WHERE d.classid = 'pg_catalog.pg_proc'::regclass \
                         AND d.objid = p.oid AND d.deptype = 'e') \
                 ORDER BY 2, 3, 1",
                crate::pg::catalog::SYSTEM_SCHEMA_SQL
            ),
            &[&crate::pg::catalog::FIRST_NORMAL_OID],
        )
        .await
        .map_err(|e| PgError::query("listing functions", e))?;
    rows.iter()
        .map(|r| {
            let get = |e| PgError::query("listing functions", e);
            Ok((
                r.try_get(0).map_err(get)?,
                r.try_get(1).map_err(get)?,
                r.try_get(2).map_err(get)?,
            ))
        })
        .collect()
}

/// The function with `signature` (see [`signature`]); `None` when there is
/// none, or when a type the signature names does not exist (a function
/// cannot outlive its argument types).
pub async fn read<C: GenericClient>(
    client: &C,
    signature: &str,
) -> Result<Option<Stored>, PgError> {
    let found = client
        .query_one("SELECT to_regprocedure($1)::oid", &[&signature])
        .await;
    let oid: Option<u32> = match found {
        Ok(row) => row.get(0),
        Err(e) => {
            let e = PgError::query(format!("looking up function {signature}"), e);
            if e.is_undefined_object() || e.is_invalid_schema_name() {
                None
            } else {
                return Err(e);
            }
        }
    };
    match oid {
        None => Ok(None),
        Some(oid) => read_oid(client, oid, signature).await.map(Some),
    }
}

/// How PostgreSQL would store `spec`: it is created as a temporary function
/// (with `check_function_bodies` off, so the body is not compiled) in a
/// transaction that is then rolled back. Needs the TEMPORARY privilege on
/// the database, which PUBLIC has by default.
pub async fn probe(client: &mut Client, spec: &FunctionSpec) -> Result<Stored, PgError> {
    let what = signature(&spec.schema, &spec.name, &spec.args);
    let err = |e| PgError::query(format!("checking how PostgreSQL stores {what}"), e);
    let tx = client.transaction().await.map_err(err)?;
    tx.batch_execute("SET LOCAL check_function_bodies = off")
        .await
        .map_err(err)?;
    let probe = FunctionSpec {
        schema: "pg_temp".into(),
        name: "pgwarden_probe".into(),
        ..spec.clone()
    };
    let sql = create(&probe, false).sql;
    log::debug!("probing: {sql}");
    tx.execute(sql.as_str(), &[]).await.map_err(err)?;
    let row = tx
        .query_one(
            "SELECT p.oid FROM pg_catalog.pg_proc p \
             WHERE p.pronamespace = pg_catalog.pg_my_temp_schema() \
               AND p.proname = 'pgwarden_probe'",
            &[],
        )
        .await
        .map_err(err)?;
    let stored = read_oid(&tx, row.get(0), &what).await;
    // Dropping the transaction would roll it back too; saying so keeps the
    // connection clean for the pool at once.
    tx.rollback().await.map_err(err)?;
    stored
}

/// Whether PUBLIC will be able to execute a function the connected role
/// creates in `schema` now: PostgreSQL's default, unless the role's default
/// privileges (`ALTER DEFAULT PRIVILEGES ... ON FUNCTIONS`) say otherwise.
pub async fn public_executes_new<C: GenericClient>(
    client: &C,
    schema: &str,
) -> Result<bool, PgError> {
    let row = client
        .query_one(
            "WITH me AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) \
             SELECT EXISTS (SELECT 1 FROM pg_catalog.aclexplode( \
                 coalesce((SELECT d.defaclacl FROM pg_catalog.pg_default_acl d \
                           WHERE d.defaclrole = (SELECT oid FROM me) \
                             AND d.defaclnamespace = 0 AND d.defaclobjtype = 'f'), \
                          pg_catalog.acldefault('f', (SELECT oid FROM me))) \
                 || coalesce((SELECT d.defaclacl FROM pg_catalog.pg_default_acl d \
                              JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace \
                              WHERE d.defaclrole = (SELECT oid FROM me) \
                                AND n.nspname = $1 AND d.defaclobjtype = 'f'), \
                             '{}'::aclitem[])) a \
             WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')",
            &[&schema],
        )
        .await
        .map_err(|e| PgError::query("reading the default privileges of new functions", e))?;
    Ok(row.get(0))
}

/// The body PostgreSQL stores for a configured `text`: a body written
/// inside its own dollar quotes (`$$ ... $$` or `$tag$ ... $tag$`,
/// optionally after `AS` and followed by `;`) loses the quotes and one
/// whitespace character inside each, as the reference provider did;
/// anything else is stored as written.
pub fn normalize_body(text: &str) -> String {
    unwrap_dollar_quotes(text).unwrap_or_else(|| text.to_string())
}

fn unwrap_dollar_quotes(text: &str) -> Option<String> {
    let mut t = text.trim();
    if let (Some(head), Some(rest)) = (t.get(..2), t.get(2..)) {
        if head.eq_ignore_ascii_case("AS") && rest.starts_with(char::is_whitespace) {
            t = rest.trim_start();
        }
    }
    let t = t.strip_suffix(';').map_or(t, str::trim_end);
    let tag = opening_tag(t)?;
    let inner = t.strip_prefix(tag)?.strip_suffix(tag)?;
    if t.len() < 2 * tag.len() || inner.contains(tag) {
        return None;
    }
    let inner = strip_one(inner, true);
    Some(strip_one(inner, false).to_string())
}

/// `$tag$` at the start of `t` (the tag may be empty).
fn opening_tag(t: &str) -> Option<&str> {
    let rest = t.strip_prefix('$')?;
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let mut chars = tag.chars();
    let valid = match chars.next() {
        None => true,
        Some(c) => {
            (c.is_alphabetic() || c == '_' || !c.is_ascii())
                && chars.all(|c| c.is_alphanumeric() || c == '_' || !c.is_ascii())
        }
    };
    valid.then(|| &t[..end + 2])
}

/// `s` without one leading (or trailing) ASCII whitespace character.
fn strip_one(s: &str, leading: bool) -> &str {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
    if leading {
        s.strip_prefix(ws).unwrap_or(s)
    } else {
        s.strip_suffix(ws).unwrap_or(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(mode: &str, name: Option<&str>, ty: &str, default: Option<&str>) -> Arg {
        Arg {
            mode: mode.into(),
            name: name.map(Into::into),
            ty: ty.into(),
            default: default.map(Into::into),
        }
    }

    fn spec() -> FunctionSpec {
        FunctionSpec {
            schema: "My Schema".into(),
            name: "f\"x".into(),
            args: vec![
                arg("IN", Some("i"), "integer", Some("7")),
                arg("OUT", Some("result"), "integer", None),
                arg("VARIADIC", None, "text[]", None),
            ],
            returns: "integer".into(),
            language: "plpgsql".into(),
            body: "BEGIN result = i + 1; END;".into(),
            volatility: "STABLE".into(),
            parallel: "RESTRICTED".into(),
            strict: true,
            security_definer: true,
        }
    }

    #[test]
    fn create_writes_every_option() {
        assert_eq!(
            create(&spec(), false).sql,
            "CREATE FUNCTION \"My Schema\".\"f\"\"x\"(IN \"i\" integer DEFAULT 7, OUT \"result\" \
             integer, VARIADIC text[])\nRETURNS integer\nLANGUAGE \"plpgsql\"\nSTABLE PARALLEL \
             RESTRICTED STRICT SECURITY DEFINER\nAS $function$BEGIN result = i + 1; \
             END;$function$"
        );
        let plain = FunctionSpec {
            strict: false,
            security_definer: false,
            args: vec![],
            ..spec()
        };
        assert!(create(&plain, true)
            .sql
            .starts_with("CREATE OR REPLACE FUNCTION"));
        assert!(create(&plain, true)
            .sql
            .contains("CALLED ON NULL INPUT SECURITY INVOKER"));
    }

    #[test]
    fn a_comment_in_a_default_ends_with_its_line() {
        let s = FunctionSpec {
            args: vec![
                arg("IN", Some("a"), "integer", Some("1 -- one")),
                arg("IN", Some("b"), "integer", Some("2")),
            ],
            ..spec()
        };
        assert!(create(&s, false)
            .sql
            .contains("(IN \"a\" integer DEFAULT 1 -- one\n, IN \"b\" integer DEFAULT 2)"));
    }

    #[test]
    fn signature_lists_input_types_only() {
        let s = spec();
        assert_eq!(
            signature(&s.schema, &s.name, &s.args),
            "\"My Schema\".\"f\"\"x\"(integer, text[])"
        );
        assert_eq!(
            drop("s", "f", &[], true).sql,
            "DROP FUNCTION IF EXISTS \"s\".\"f\"() CASCADE"
        );
        assert_eq!(
            rename("s", "f", &s.args, "g").sql,
            "ALTER FUNCTION \"s\".\"f\"(integer, text[]) RENAME TO \"g\""
        );
        assert_eq!(
            set_schema("s", "f", &[], "t").sql,
            "ALTER FUNCTION \"s\".\"f\"() SET SCHEMA \"t\""
        );
    }

    #[test]
    fn defaults_are_one_expression() {
        for ok in [
            "7",
            "'none'",
            "now()",
            "ARRAY[1, 2]",
            "coalesce(current_setting('a.b', true), 'x,y')",
            "'{1,2}'::int[]",
            "$$a, b$$",
        ] {
            assert_eq!(check_default(ok), Ok(()), "{ok}");
        }
        for bad in [
            "1, extra int",
            "1) RETURNS int AS $$ select 1 $$ --",
            "1; DROP TABLE t",
            "'open",
            "(1",
            "1 /* open",
        ] {
            assert!(check_default(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_dollar_tag_never_occurs_in_the_body() {
        assert_eq!(dollar_tag("select 1"), "$function$");
        assert_eq!(dollar_tag("a $function$ b"), "$functionx$");
        // The body's last character and the closing tag together.
        assert_eq!(dollar_tag("x $function"), "$functionx$");
        assert_eq!(dollar_tag("$function$ $functionx$"), "$functionxx$");
    }

    #[test]
    fn bodies_lose_their_own_dollar_quotes() {
        let plain = "BEGIN\n    RETURN 1;\nEND;\n";
        assert_eq!(normalize_body(plain), plain);
        assert_eq!(
            normalize_body("$$\nBEGIN\n    RETURN 1;\nEND;\n$$\n"),
            "BEGIN\n    RETURN 1;\nEND;"
        );
        assert_eq!(
            normalize_body("  AS $body$\n\nselect 1\n\n$body$;\n"),
            "\nselect 1\n"
        );
        assert_eq!(normalize_body("$fn_1$ select 1 $fn_1$"), "select 1");
        assert_eq!(normalize_body("$$select 1$$"), "select 1");
        // Not one wrapper around everything: left as written.
        for text in [
            "BEGIN EXECUTE $q$ SELECT 1 $q$; END;",
            "$a$ x $b$",
            "$$ a $$ || $$ b $$",
            "$1 + 1",
            "$",
            "$$",
        ] {
            assert_eq!(normalize_body(text), text, "{text:?}");
        }
        assert_eq!(normalize_body("$$$$"), "");
        assert_eq!(normalize_body("角 select"), "角 select");
    }
}
