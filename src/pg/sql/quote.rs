//! Quoting of SQL identifiers and string literals for statements that cannot
//! use bind parameters.
//!
//! Utility statements such as `CREATE ROLE`, `GRANT` or `ALTER DEFAULT
//! PRIVILEGES` take no `$n` parameters, so names and passwords have to be
//! spliced into the SQL text. Everything spliced in goes through this module.
//!
//! Nothing is rejected here: any Rust `&str` can be quoted safely. The one
//! byte PostgreSQL cannot represent in text, NUL, cannot reach the server
//! anyway: the wire protocol sends query text as a NUL-terminated string and
//! the client library refuses such text before sending, so a quoted NUL can
//! never change the meaning of a statement.

/// Quotes an identifier (role, schema, table, column, …).
///
/// The name is always double-quoted, even when PostgreSQL would accept it
/// bare: that keeps upper case, spaces, non-ASCII characters and reserved
/// words exactly as written, instead of being folded to lower case or parsed
/// as keywords. Embedded double quotes are doubled.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The keywords PostgreSQL 18 will not take as a bare identifier (reserved,
/// column-name and type-or-function-name keywords: `pg_get_keywords()` where
/// `catcode <> 'U'`), sorted. Older majors have fewer: PostgreSQL 16 added
/// `system_user` and four `json_*` words, 17 the rest of the `json*` words and
/// `merge_action`.
const NON_UNRESERVED_KEYWORDS: [&str; 164] = [
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
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
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Quotes an identifier only when PostgreSQL needs it, as the server's
/// `quote_ident()` does (with `quote_all_identifiers` off, and PostgreSQL
/// 18's keyword list): a name of lower-case ASCII letters, digits and `_`,
/// not starting with a digit and not a keyword that needs quoting, stays
/// bare; anything else is double-quoted with embedded quotes doubled.
///
/// For generated SQL the provider uses [`ident`], which always quotes; this
/// one is for people writing SQL by hand from Terraform values.
pub fn ident_if_needed(name: &str) -> String {
    let bare = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && NON_UNRESERVED_KEYWORDS.binary_search(&name).is_err();
    if bare {
        name.to_string()
    } else {
        ident(name)
    }
}

/// Quotes a schema-qualified name as `"schema"."name"`.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// Quotes a string literal.
///
/// With `standard_conforming_strings = on` (the default since 9.1, and the
/// only value allowed since 16) a backslash in `'...'` is an ordinary
/// character, but with it off the same text would be read as an escape. To
/// be correct under either setting, text containing a backslash uses the
/// `E'...'` form, whose meaning does not depend on that setting, with each
/// backslash doubled. Single quotes are doubled in both forms.
pub fn literal(s: &str) -> String {
    let has_backslash = s.contains('\\');
    let mut out = String::with_capacity(s.len() + 3);
    if has_backslash {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ident_always_quotes() {
        assert_eq!(ident("app"), r#""app""#);
        assert_eq!(ident("App"), r#""App""#);
        assert_eq!(ident("select"), r#""select""#);
        assert_eq!(ident("with space"), r#""with space""#);
        assert_eq!(ident(""), r#""""#);
    }

    #[test]
    fn ident_if_needed_follows_quote_ident() {
        for (name, want) in [
            ("foo_1", "foo_1"),
            ("_x", "_x"),
            ("role", "role"),
            ("password", "password"),
            ("", "\"\""),
            ("Foo", "\"Foo\""),
            ("1foo", "\"1foo\""),
            ("select", "\"select\""),
            ("user", "\"user\""),
            ("json", "\"json\""),
            ("café", "\"café\""),
            ("a-b", "\"a-b\""),
            ("a$b", "\"a$b\""),
            ("a\"b", "\"a\"\"b\""),
        ] {
            assert_eq!(ident_if_needed(name), want, "{name}");
        }
        assert!(NON_UNRESERVED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ident_doubles_quotes() {
        assert_eq!(ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(ident(r#"""#), r#""""""#);
        assert_eq!(
            ident(r#"x"; DROP TABLE t; --"#),
            r#""x""; DROP TABLE t; --""#
        );
    }

    #[test]
    fn ident_keeps_non_ascii_and_other_punctuation() {
        assert_eq!(ident("rôle ﬀ 角色"), "\"rôle ﬀ 角色\"");
        assert_eq!(ident("a'b\\c.d"), "\"a'b\\c.d\"");
    }

    #[test]
    fn qualified_quotes_both_parts() {
        assert_eq!(qualified("public", "T"), r#""public"."T""#);
        assert_eq!(qualified("my.schema", r#"t"x"#), r#""my.schema"."t""x""#);
    }

    #[test]
    fn literal_plain() {
        assert_eq!(literal("abc"), "'abc'");
        assert_eq!(literal(""), "''");
        assert_eq!(literal("pässwörd ﬀ"), "'pässwörd ﬀ'");
        assert_eq!(literal("a\"b"), "'a\"b'");
    }

    #[test]
    fn literal_doubles_single_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("'; DROP ROLE x; --"), "'''; DROP ROLE x; --'");
    }

    #[test]
    fn literal_with_backslash_uses_escape_form() {
        assert_eq!(literal(r"a\b"), r"E'a\\b'");
        assert_eq!(literal(r"\'"), r"E'\\'''");
        assert_eq!(literal(r"end\"), r"E'end\\'");
    }
}
