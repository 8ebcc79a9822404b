//! Password lookup in a libpq password file (`~/.pgpass` or `$PGPASSFILE`).
//!
//! When no password is configured, libpq-based tools take it from this file;
//! doing the same lets the provider run where `psql` already works, without
//! putting the password into Terraform configuration. The rules follow
//! libpq's `passwordFromFile()`:
//!
//! * each line is `hostname:port:database:username:password`;
//! * a field consisting of exactly `*` matches anything;
//! * `\` escapes the next character (`\:` and `\\`), in every field;
//! * lines starting with `#` are comments, empty lines are skipped;
//! * the first matching line wins;
//! * the file is ignored when it is not a plain file or, on Unix, when it is
//!   accessible by group or others.
//!
//! One deliberate difference: libpq compares a Unix-socket connection against
//! `localhost` only when the socket directory is its compiled-in default
//! (which differs between builds: `/tmp`, `/var/run/postgresql`, …) and
//! against the directory path otherwise. Not knowing which libpq build the
//! user's file was written for, a socket directory here matches a host field
//! of either `localhost` or the directory itself.

use std::path::PathBuf;

/// Looks up the password for a connection in the user's password file.
///
/// `host` is a host name or address, or an absolute directory path for a
/// Unix-domain socket. Returns `None` when there is no file, it cannot be
/// read, it is ignored for its permissions, or no line matches.
pub fn lookup(host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let path = password_file_path()?;
    let metadata = std::fs::metadata(&path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // libpq refuses (with a warning) a password file others could read:
        // it could not be trusted to be the user's own secret.
        if metadata.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let contents = std::fs::read(&path).ok()?;
    // libpq compares bytes; a file that is not UTF-8 is read lossily so the
    // valid lines still work.
    let contents = String::from_utf8_lossy(&contents);
    find_in(&contents, host, port, database, user)
}

/// The file libpq would read: `PGPASSFILE` when set and non-empty, else
/// `~/.pgpass` (on Windows `%APPDATA%\postgresql\pgpass.conf`).
fn password_file_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if cfg!(windows) {
        let appdata = std::env::var_os("APPDATA").filter(|p| !p.is_empty())?;
        return Some(
            PathBuf::from(appdata)
                .join("postgresql")
                .join("pgpass.conf"),
        );
    }
    let home = std::env::var_os("HOME").filter(|p| !p.is_empty())?;
    Some(PathBuf::from(home).join(".pgpass"))
}

/// Finds the password for a connection in the text of a password file.
pub fn find_in(
    contents: &str,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Option<String> {
    let port = port.to_string();
    let socket = host.starts_with('/');
    for raw_line in contents.split('\n') {
        if raw_line.starts_with('#') {
            continue;
        }
        let line = raw_line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            continue;
        }
        let Some(fields) = split_fields(line) else {
            continue;
        };
        let host_ok = fields.host.matches(host) || (socket && fields.host.matches("localhost"));
        if host_ok
            && fields.port.matches(&port)
            && fields.database.matches(database)
            && fields.user.matches(user)
        {
            return Some(fields.password);
        }
    }
    None
}

/// A matching field: `*` alone, or literal text with escapes removed.
enum Field {
    Any,
    Exact(String),
}

impl Field {
    fn matches(&self, value: &str) -> bool {
        match self {
            Field::Any => true,
            Field::Exact(s) => s == value,
        }
    }
}

struct Fields {
    host: Field,
    port: Field,
    database: Field,
    user: Field,
    password: String,
}

/// Splits a line into its four matching fields and the password.
///
/// Returns `None` for a line with fewer than four unescaped colons, which can
/// never match. The password runs to the next unescaped colon or the end of
/// the line; a trailing lone backslash is kept, as libpq does.
fn split_fields(line: &str) -> Option<Fields> {
    let mut chars = line.chars();
    let mut matching = Vec::with_capacity(4);
    while matching.len() < 4 {
        let mut text = String::new();
        // Only an unescaped "*" is the wildcard; "\*" is a literal star.
        let mut escaped_any = false;
        let mut terminated = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(next) => {
                        escaped_any = true;
                        text.push(next);
                    }
                    None => text.push('\\'),
                },
                ':' => {
                    terminated = true;
                    break;
                }
                _ => text.push(c),
            }
        }
        if !terminated {
            return None;
        }
        matching.push(if text == "*" && !escaped_any {
            Field::Any
        } else {
            Field::Exact(text)
        });
    }

    let mut password = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => password.push(next),
                None => password.push('\\'),
            },
            ':' => break,
            _ => password.push(c),
        }
    }

    let mut it = matching.into_iter();
    // The loop above only exits with exactly four fields collected.
    let (Some(host), Some(port), Some(database), Some(user)) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return None;
    };
    Some(Fields {
        host,
        port,
        database,
        user,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_wildcards() {
        let f = "db.example.com:5432:app:alice:s3cret\n*:*:*:bob:bobpw\n";
        assert_eq!(
            find_in(f, "db.example.com", 5432, "app", "alice").as_deref(),
            Some("s3cret")
        );
        assert_eq!(find_in(f, "db.example.com", 5433, "app", "alice"), None);
        assert_eq!(find_in(f, "db.example.com", 5432, "other", "alice"), None);
        assert_eq!(
            find_in(f, "anything", 1, "x", "bob").as_deref(),
            Some("bobpw")
        );
        assert_eq!(find_in(f, "anything", 1, "x", "carol"), None);
    }

    #[test]
    fn first_match_wins() {
        let f = "*:*:*:*:first\nh:5432:d:u:second\n";
        assert_eq!(find_in(f, "h", 5432, "d", "u").as_deref(), Some("first"));
        let f = "h:5432:d:u:specific\n*:*:*:*:fallback\n";
        assert_eq!(find_in(f, "h", 5432, "d", "u").as_deref(), Some("specific"));
        assert_eq!(find_in(f, "h", 5432, "d", "v").as_deref(), Some("fallback"));
    }

    #[test]
    fn escapes() {
        let f = concat!(r"h:5432:d:u:pa\:ss\\word", "\n");
        assert_eq!(
            find_in(f, "h", 5432, "d", "u").as_deref(),
            Some(r"pa:ss\word")
        );
        // Escaped colon inside a matching field.
        let f = r"fe80\:\:1:5432:d:u:v6";
        assert_eq!(find_in(f, "fe80::1", 5432, "d", "u").as_deref(), Some("v6"));
        // Escaped backslash in a user name.
        let f = r"h:5432:d:DOM\\user:pw";
        assert_eq!(
            find_in(f, "h", 5432, "d", r"DOM\user").as_deref(),
            Some("pw")
        );
        // An escaped star is a literal star, not a wildcard.
        let f = r"h:5432:\*:u:pw";
        assert_eq!(find_in(f, "h", 5432, "d", "u"), None);
        assert_eq!(find_in(f, "h", 5432, "*", "u").as_deref(), Some("pw"));
        // A star is only a wildcard on its own.
        let f = "h*:5432:d:u:pw";
        assert_eq!(find_in(f, "host", 5432, "d", "u"), None);
    }

    #[test]
    fn password_ends_at_unescaped_colon() {
        let f = "h:5432:d:u:pw:ignored";
        assert_eq!(find_in(f, "h", 5432, "d", "u").as_deref(), Some("pw"));
        let f = "h:5432:d:u:";
        assert_eq!(find_in(f, "h", 5432, "d", "u").as_deref(), Some(""));
        let f = "h:5432:d:u:trailing\\";
        assert_eq!(
            find_in(f, "h", 5432, "d", "u").as_deref(),
            Some("trailing\\")
        );
    }

    #[test]
    fn comments_blank_and_short_lines() {
        let f = "# h:5432:d:u:commented\n\n  \nh:5432:d\nh:5432:d:u\r\nh:5432:d:u:real\r\n";
        assert_eq!(find_in(f, "h", 5432, "d", "u").as_deref(), Some("real"));
        // Only a leading '#' starts a comment.
        let f = " #h:5432:d:u:x\nh:5432:d:u:pw#notacomment";
        assert_eq!(
            find_in(f, "h", 5432, "d", "u").as_deref(),
            Some("pw#notacomment")
        );
    }

    #[test]
    fn unix_socket_matches_localhost_or_path() {
        let f = "localhost:5432:d:u:local\n";
        assert_eq!(
            find_in(f, "/var/run/postgresql", 5432, "d", "u").as_deref(),
            Some("local")
        );
        assert_eq!(
            find_in(f, "localhost", 5432, "d", "u").as_deref(),
            Some("local")
        );
        assert_eq!(find_in(f, "127.0.0.1", 5432, "d", "u"), None);
        let f = "/srv/pg:5432:d:u:bypath\n";
        assert_eq!(
            find_in(f, "/srv/pg", 5432, "d", "u").as_deref(),
            Some("bypath")
        );
        assert_eq!(find_in(f, "/tmp", 5432, "d", "u"), None);
    }

    #[test]
    fn non_ascii() {
        let f = "h:5432:données:rôle:mötley\n";
        assert_eq!(
            find_in(f, "h", 5432, "données", "rôle").as_deref(),
            Some("mötley")
        );
    }

    #[cfg(unix)]
    #[test]
    fn lookup_reads_file_and_checks_permissions() {
        use std::os::unix::fs::PermissionsExt;
        // Environment variables are process-wide; this is the only test in
        // the crate that sets PGPASSFILE.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "h:5432:d:u:fromfile\n").unwrap();
        std::env::set_var("PGPASSFILE", &path);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup("h", 5432, "d", "u").as_deref(), Some("fromfile"));
        assert_eq!(lookup("h", 5432, "d", "x"), None);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(lookup("h", 5432, "d", "u"), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o604)).unwrap();
        assert_eq!(lookup("h", 5432, "d", "u"), None);

        // A directory is not a password file.
        std::env::set_var("PGPASSFILE", dir.path());
        assert_eq!(lookup("h", 5432, "d", "u"), None);

        std::env::set_var("PGPASSFILE", dir.path().join("missing"));
        assert_eq!(lookup("h", 5432, "d", "u"), None);
        std::env::remove_var("PGPASSFILE");
    }
}
