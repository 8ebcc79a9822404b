//! Writing values into HCL and SQL text, one way for every test.

/// An HCL string literal: quotes, backslashes, newlines and template
/// sequences (`${`, `%{`) escaped, so any text arrives as written.
pub fn hcl(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

/// An HCL list of string literals.
pub fn hcl_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| hcl(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// An SQL identifier, always quoted.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `"schema"."name"`.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// An SQL string literal (standard_conforming_strings on).
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A shell-safe single-quoted word.
pub fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(hcl("a\"b\\c${x}%{y}\n"), r#""a\"b\\c$${x}%%{y}\n""#);
        assert_eq!(hcl_list(&["a", "b"]), r#"["a", "b"]"#);
        assert_eq!(ident("My \"T\""), r#""My ""T""""#);
        assert_eq!(literal("it's"), "'it''s'");
    }
}
