//! The text grammars import IDs are written in, free of any resource: each
//! turns names into one piece of text and back, stays unambiguous whatever
//! characters the names contain, and says what is wrong with a malformed
//! text. [`super`] builds every resource's ID from them.
//!
//! * [`dotted`]: names joined with `.`; a part that is empty or contains
//!   `.` or `"` is written in double quotes with embedded quotes doubled, as
//!   in SQL. Unlike SQL, unquoted parts are taken exactly as written (no
//!   folding to lower case), so `public.Items.p` names the table `Items`.
//! * [`call`]: dotted names followed by an argument list in parentheses,
//!   `schema.name(types)`; a name holding a parenthesis is quoted too.
//! * [`slashed`]: parts separated by `/`, list items by `,`; inside a name
//!   `%`, `/` and `,` are written `%25`, `%2F` and `%2C`.
//! * [`pair`]: a JSON array of two names.

/// `schema.table.policy` and its kin; see the module docs.
pub mod dotted {
    /// Joins names into an ID, quoting only the parts that need it.
    pub fn render<S: AsRef<str>>(parts: &[S]) -> String {
        parts
            .iter()
            .map(|p| {
                let p = p.as_ref();
                if p.is_empty() || p.contains('.') || p.contains('"') {
                    format!("\"{}\"", p.replace('"', "\"\""))
                } else {
                    p.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Splits an ID into its names. Errors describe what is wrong with the text.
    pub fn parse(id: &str) -> Result<Vec<String>, String> {
        let chars: Vec<char> = id.chars().collect();
        let mut parts = Vec::new();
        let mut i = 0;
        loop {
            let mut part = String::new();
            if chars.get(i) == Some(&'"') {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("a quoted part is not closed with '\"'".into()),
                        Some('"') if chars.get(i + 1) == Some(&'"') => {
                            part.push('"');
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            part.push(*c);
                            i += 1;
                        }
                    }
                }
                if !matches!(chars.get(i), None | Some('.')) {
                    return Err(
                        "a quoted part must be followed by '.' or end the ID (write \"\" for a \
                         double quote inside a quoted part)"
                            .into(),
                    );
                }
            } else {
                while let Some(&c) = chars.get(i) {
                    if c == '.' {
                        break;
                    }
                    if c == '"' {
                        return Err(
                            "a part containing '\"' must be quoted as a whole, with the quote doubled"
                                .into(),
                        );
                    }
                    part.push(c);
                    i += 1;
                }
                if part.is_empty() {
                    return Err("it has an empty part (quote an empty name as \"\")".into());
                }
            }
            parts.push(part);
            match chars.get(i) {
                None => return Ok(parts),
                Some(_) => i += 1, // the '.'
            }
        }
    }

    /// Splits an ID of `n` names that may start with a database name:
    /// the database (if given) and the `n` names.
    pub fn parse_in_database(id: &str, n: usize) -> Result<(Option<String>, Vec<String>), String> {
        let mut parts = parse(id)?;
        match parts.len() {
            len if len == n => Ok((None, parts)),
            len if len == n + 1 => {
                let database = parts.remove(0);
                Ok((Some(database), parts))
            }
            len => Err(format!("it has {len} part(s), not {n} or {}", n + 1)),
        }
    }
}

/// `schema.name(types)`: dotted names, then an argument list; see the
/// module docs.
pub mod call {
    use super::dotted;

    /// A name of a call: quoted as in [`dotted`], and also when it holds a
    /// parenthesis, which would end the names.
    fn part(p: &str) -> String {
        if p.contains('(') || p.contains(')') {
            format!("\"{}\"", p.replace('"', "\"\""))
        } else {
            dotted::render(&[p])
        }
    }

    /// The names, joined as in [`dotted`], then `args` in parentheses.
    pub fn render<S: AsRef<str>>(names: &[S], args: &str) -> String {
        let names: Vec<String> = names.iter().map(|n| part(n.as_ref())).collect();
        format!("{}({args})", names.join("."))
    }

    /// Splits a call into its dotted names and the argument text between
    /// the first parenthesis outside quotes and the final one (trimmed).
    pub fn parse(id: &str) -> Result<(Vec<String>, String), String> {
        let mut quoted = false;
        let open = id
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '(' && !quoted
            })
            .map(|(i, _)| i)
            .ok_or("it has no argument list in parentheses (write () for none)")?;
        let args = id[open + 1..]
            .strip_suffix(')')
            .ok_or("it does not end with the ')' closing the argument list")?;
        let names = dotted::parse(&id[..open])?;
        Ok((names, args.trim().to_string()))
    }
}

/// `/`-separated parts with `%`-escaped names; see the module docs.
pub mod slashed {
    /// Escapes `%`, `/` and `,` in a name.
    pub fn escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '%' => out.push_str("%25"),
                '/' => out.push_str("%2F"),
                ',' => out.push_str("%2C"),
                _ => out.push(c),
            }
        }
        out
    }

    /// Reverses [`escape`]; any `%XX` byte escape is accepted.
    pub fn unescape(s: &str) -> Result<String, String> {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        format!(
                            "{s:?} has a % that is not followed by two hex digits (write % as %25)"
                        )
                    })?;
                out.push(hex);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).map_err(|_| format!("{s:?} decodes to invalid UTF-8"))
    }

    /// A sorted, comma-separated list of escaped names.
    pub fn escape_list(items: &[String]) -> String {
        let mut sorted: Vec<&String> = items.iter().collect();
        sorted.sort();
        sorted
            .into_iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A comma-separated list of escaped names (empty string: empty list).
    pub fn unescape_list(s: &str) -> Result<Vec<String>, String> {
        if s.is_empty() {
            return Ok(Vec::new());
        }
        s.split(',').map(unescape).collect()
    }
}

/// `["member","granted"]`; see the module docs.
pub mod pair {
    /// The ID of a pair of names: a JSON array of the two.
    pub fn render(first: &str, second: &str) -> String {
        serde_json::Value::Array(vec![
            serde_json::Value::String(first.to_string()),
            serde_json::Value::String(second.to_string()),
        ])
        .to_string()
    }

    /// Parses a pair ID (any JSON spacing is accepted); the error says what
    /// is wrong with the text.
    pub fn parse(id: &str) -> Result<(String, String), String> {
        match serde_json::from_str::<serde_json::Value>(id) {
            Err(e) => Err(format!("it is not valid JSON ({e})")),
            Ok(serde_json::Value::Array(items)) => match items.as_slice() {
                [serde_json::Value::String(a), serde_json::Value::String(b)] => {
                    if a.is_empty() || b.is_empty() {
                        Err("a role name is empty".to_string())
                    } else {
                        Ok((a.clone(), b.clone()))
                    }
                }
                [_, _] => Err("both elements must be strings".to_string()),
                _ => Err(format!("it has {} element(s) instead of two", items.len())),
            },
            Ok(_) => Err("it is not a JSON array".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dotted::{parse, render};
    use super::{call, pair, slashed};

    #[test]
    fn plain_names_stay_readable() {
        assert_eq!(render(&["public", "Items", "p"]), "public.Items.p");
        assert_eq!(
            parse("public.Items.p").unwrap(),
            vec!["public", "Items", "p"]
        );
    }

    #[test]
    fn awkward_names_round_trip() {
        for parts in [
            vec!["my.schema", "t\"x", "p"],
            vec!["", "a b", "ünï.cødé"],
            vec!["\"", ".", "\"\""],
            vec!["db", "s", "t", "p.q"],
        ] {
            let id = render(&parts);
            assert_eq!(parse(&id).unwrap(), parts, "{id}");
        }
        assert_eq!(render(&["my.schema", "t"]), "\"my.schema\".t");
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in ["", "a..b", "a.", "\"open.b", "\"a\"b.c", "a\"b.c", ".a"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slashed_names_round_trip() {
        for name in ["a/b", "50%", "x,y", "rôle"] {
            assert_eq!(slashed::unescape(&slashed::escape(name)).unwrap(), name);
        }
        assert!(slashed::unescape("%zz").is_err());
        let list = vec!["b,c".to_string(), "a".to_string()];
        assert_eq!(slashed::escape_list(&list), "a,b%2Cc");
        assert_eq!(slashed::unescape_list("a,b%2Cc").unwrap(), ["a", "b,c"]);
    }

    #[test]
    fn pairs_round_trip() {
        let id = pair::render("with \"quotes\"", "back\\slash");
        assert_eq!(
            pair::parse(&id).unwrap(),
            ("with \"quotes\"".to_string(), "back\\slash".to_string())
        );
        assert!(pair::parse("a_b_false").is_err());
    }

    #[test]
    fn calls_round_trip() {
        for (names, args) in [
            (vec!["public", "f"], ""),
            (vec!["my.db", "s(x)", "f\"g"], "numeric(10,2)"),
            (vec!["", "a b", ")("], "integer,text"),
            (vec!["db", "50%", "x/y,z"], "character varying"),
        ] {
            let id = call::render(&names, args);
            let (n, a) = call::parse(&id).unwrap();
            assert_eq!(n, names, "{id}");
            assert_eq!(a, args, "{id}");
        }
        assert_eq!(call::render(&["s(x)"], ""), "\"s(x)\"()");
        assert_eq!(call::parse("public.f( int )").unwrap().1, "int");
        for bad in ["public.f", "public.f(int", "(int)", "a..f()", "\"a(.f()"] {
            assert!(call::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slashed_lists_of_awkward_names_round_trip() {
        let names: Vec<String> = ["", "a/b,c", "%2F", "\"q\"", "d.e", "100%"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut sorted = names[1..].to_vec();
        sorted.sort();
        let text = slashed::escape_list(&names[1..]);
        assert!(!text.contains('/'), "{text}");
        assert_eq!(slashed::unescape_list(&text).unwrap(), sorted);
        assert_eq!(slashed::unescape_list("").unwrap(), Vec::<String>::new());
        assert_eq!(slashed::escape(""), "");
        assert!(slashed::unescape("%").is_err());
        assert!(slashed::unescape("%F").is_err());
        assert!(slashed::unescape("%FF").is_err(), "invalid UTF-8");
    }
}
