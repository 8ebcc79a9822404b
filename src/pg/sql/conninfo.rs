//! libpq connection strings, as a subscription's `CONNECTION '…'` holds
//! them: checked before they are sent, and shown in logs and messages with
//! their passwords replaced.
//!
//! Both of libpq's forms are read: `keyword = value` pairs separated by
//! white space (a value may be single-quoted, with `\'` and `\\` inside),
//! and URIs (`postgresql://user:secret@host/db?password=…`). The passwords
//! are the values of `password` and `sslpassword`, and the password part
//! of a URI's user information. Messages about a malformed string name the
//! place and the keyword, never a value, since the value may be the
//! password.

/// Keywords whose value is a secret.
const SECRET_KEYWORDS: [&str; 2] = ["password", "sslpassword"];

/// What replaces a secret in a redacted copy.
pub const REDACTED: &str = "[redacted]";

/// One `keyword = value` pair, with where its value sits in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    keyword: String,
    value: String,
    /// Byte range of the value as written (quotes included).
    span: std::ops::Range<usize>,
}

/// Whether `text` is written as a URI rather than as pairs.
fn is_uri(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("postgresql://") || t.starts_with("postgres://")
}

/// The pairs of a keyword/value string; the error says what is wrong
/// without quoting any value.
fn pairs(text: &str) -> Result<Vec<Pair>, String> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let skip_space = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i);
        if i >= b.len() {
            return Ok(out);
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let keyword = text[start..i].to_string();
        skip_space(&mut i);
        if i >= b.len() || b[i] != b'=' {
            return Err(format!("keyword {keyword:?} is not followed by \"=\""));
        }
        i += 1;
        skip_space(&mut i);
        let value_start = i;
        let mut value = String::new();
        if i < b.len() && b[i] == b'\'' {
            i += 1;
            loop {
                match b.get(i) {
                    None => {
                        return Err(format!(
                            "the quoted value of {keyword:?} is not closed with a single quote"
                        ))
                    }
                    Some(b'\\') if i + 1 < b.len() => {
                        let c = next_char(text, i + 1);
                        value.push(c);
                        i += 1 + c.len_utf8();
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {
                        let c = next_char(text, i);
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                let c = next_char(text, i);
                value.push(c);
                i += c.len_utf8();
            }
        }
        out.push(Pair {
            keyword,
            value,
            span: value_start..i,
        });
    }
}

/// The character starting at byte `i` of `text` (a char boundary).
fn next_char(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or('\0')
}

/// Checks that `text` is a connection string libpq can read: pairs, each
/// keyword followed by `=`, quotes closed, no keyword twice; or a URI. The
/// error names the keyword at fault, never a value.
pub fn check(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("it is empty".into());
    }
    if is_uri(text) {
        return Ok(());
    }
    let pairs = pairs(text)?;
    for (n, p) in pairs.iter().enumerate() {
        if p.keyword.is_empty() {
            return Err("a \"=\" has no keyword before it".into());
        }
        if pairs[..n].iter().any(|q| q.keyword == p.keyword) {
            return Err(format!("keyword {:?} is given twice", p.keyword));
        }
    }
    Ok(())
}

/// The secrets of `text`: the passwords it holds, for scrubbing messages.
pub fn secrets(text: &str) -> Vec<String> {
    let mut out: Vec<String> = if is_uri(text) {
        uri_secret_spans(text)
            .into_iter()
            .map(|r| text[r].to_string())
            .collect()
    } else {
        pairs(text)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| SECRET_KEYWORDS.contains(&p.keyword.as_str()))
            .map(|p| p.value)
            .collect()
    };
    out.retain(|s| !s.is_empty());
    out
}

/// `text` with every password replaced by [`REDACTED`]; a string that
/// cannot be read is replaced whole, since where its secret ends is
/// unknown.
pub fn redact(text: &str) -> String {
    let spans = if is_uri(text) {
        uri_secret_spans(text)
    } else {
        match pairs(text) {
            Ok(pairs) => pairs
                .into_iter()
                .filter(|p| SECRET_KEYWORDS.contains(&p.keyword.as_str()))
                .map(|p| p.span)
                .collect(),
            Err(_) => return format!("{REDACTED} (a connection string libpq cannot read)"),
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(REDACTED);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `message` with every occurrence of a secret of `conninfo` replaced, for
/// errors that might echo part of it.
pub fn scrub(message: &str, conninfo: &str) -> String {
    let mut out = message.to_string();
    for s in secrets(conninfo) {
        out = out.replace(&s, REDACTED);
    }
    out
}

/// Byte ranges of the secrets of a URI: the password of the user
/// information, and the values of `password` and `sslpassword` parameters.
fn uri_secret_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else {
        return spans;
    };
    let rest = &text[scheme_end..];
    let authority_len = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    if let Some(at) = authority.rfind('@') {
        if let Some(colon) = authority[..at].find(':') {
            spans.push(scheme_end + colon + 1..scheme_end + at);
        }
    }
    if let Some(q) = text.find('?') {
        let mut pos = q + 1;
        for param in text[q + 1..].split('&') {
            if let Some((k, _)) = param.split_once('=') {
                if SECRET_KEYWORDS.contains(&k) {
                    spans.push(pos + k.len() + 1..pos + param.len());
                }
            }
            pos += param.len() + 1;
        }
    }
    spans.retain(|r| !r.is_empty());
    spans.sort_by_key(|r| r.start);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_both_forms() {
        assert_eq!(
            redact("host=db port=5432 user=rep password=s3cr3t dbname=app"),
            "host=db port=5432 user=rep password=[redacted] dbname=app"
        );
        assert_eq!(
            redact("password = 'a b' host=x sslpassword=k"),
            "password = [redacted] host=x sslpassword=[redacted]"
        );
        assert_eq!(
            redact("postgresql://rep:s3cr3t@db:5432/app?sslmode=require&password=other"),
            "postgresql://rep:[redacted]@db:5432/app?sslmode=require&password=[redacted]"
        );
        assert_eq!(redact("postgres://db/app"), "postgres://db/app");
        assert!(!redact("host=x password='unclosed").contains("unclosed"));
    }

    #[test]
    fn quoted_values_keep_their_escapes() {
        let p = pairs(r"host='a b' password='x\'y\\z' user=u\ v").unwrap();
        assert_eq!(p[0].value, "a b");
        assert_eq!(p[1].value, r"x'y\z");
        assert_eq!(p[2].value, "u v");
        assert_eq!(
            redact(r"host='a b' password='x\'y\\z' user=u"),
            "host='a b' password=[redacted] user=u"
        );
        assert_eq!(secrets(r"password='x\'y' host=h"), vec!["x'y".to_string()]);
    }

    #[test]
    fn malformed_strings_are_named_without_values() {
        assert!(check("host=db dbname=app").is_ok());
        assert!(check("postgresql://u:p@h/d").is_ok());
        let e = check("host=db password").unwrap_err();
        assert!(e.contains("\"password\""), "{e}");
        let e = check("host=db password='s3cr3t").unwrap_err();
        assert!(!e.contains("s3cr3t"), "{e}");
        assert!(check("host=a host=b").unwrap_err().contains("twice"));
        assert!(check("  ").is_err());
        assert!(check("=x").is_err());
    }

    #[test]
    fn scrub_removes_secrets_from_messages() {
        let c = "host=h password=hunter2";
        assert_eq!(
            scrub("could not connect: hunter2 refused", c),
            "could not connect: [redacted] refused"
        );
        assert_eq!(scrub("nothing here", "host=h"), "nothing here");
    }
}
