//! IDs made of several names (database, schema, table, policy) that stay
//! unambiguous whatever characters the names contain.
//!
//! Parts are joined with `.`. A part that is empty or contains `.` or `"` is
//! written in double quotes with embedded quotes doubled, as in SQL. Unlike
//! SQL, unquoted parts are taken exactly as written (no folding to lower
//! case), so `public.Items.p` names the table `Items`. `"a.b".c` is two
//! parts, `a.b.c` three.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
