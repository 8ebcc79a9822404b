//! The bastion's host key, checked against OpenSSH's `known_hosts` format:
//! host patterns with `*`, `?` and `!`, `[host]:port` for other ports than
//! 22, hashed names (`|1|salt|hash`), and `@revoked` keys. Lines marked
//! `@cert-authority` are skipped: host certificates are not accepted.

use russh::keys::ssh_key::{Algorithm, PublicKey};

/// One usable line.
#[derive(Debug, Clone)]
struct Entry {
    /// 1-based line number, for messages.
    line: usize,
    revoked: bool,
    patterns: Vec<String>,
    key: PublicKey,
}

/// Parsed `known_hosts` text.
#[derive(Debug, Clone, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
}

/// What `known_hosts` says about a host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A line names the host with this key.
    Known,
    /// Lines name the host, none with this key: someone may be in the
    /// middle, or the bastion's key changed.
    Mismatch {
        /// The lines that name the host.
        lines: Vec<usize>,
    },
    /// The key is marked `@revoked`.
    Revoked {
        /// The `@revoked` line.
        line: usize,
    },
    /// No line names the host.
    Unknown,
}

impl KnownHosts {
    /// Parses the text; a malformed line is an error naming it. Comments,
    /// blank lines and `@cert-authority` lines are skipped.
    pub fn parse(text: &str) -> Result<KnownHosts, String> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut fields = trimmed.split_whitespace();
            let mut first = fields.next().unwrap_or_default();
            let mut revoked = false;
            if let Some(marker) = first.strip_prefix('@') {
                match marker {
                    "revoked" => revoked = true,
                    "cert-authority" => continue,
                    other => return Err(format!("line {line}: unknown marker @{other}")),
                }
                first = fields.next().unwrap_or_default();
            }
            let (Some(_algorithm), Some(base64)) = (fields.next(), fields.next()) else {
                return Err(format!(
                    "line {line}: expected `host-patterns key-type base64-key`"
                ));
            };
            let key = russh::keys::parse_public_key_base64(base64)
                .map_err(|e| format!("line {line}: not a public key: {e}"))?;
            entries.push(Entry {
                line,
                revoked,
                patterns: first.split(',').map(str::to_owned).collect(),
                key,
            });
        }
        Ok(KnownHosts { entries })
    }

    /// The name a host is written under: `host` on port 22, else
    /// `[host]:port`.
    fn lookup_name(host: &str, port: u16) -> String {
        if port == 22 {
            host.to_owned()
        } else {
            format!("[{host}]:{port}")
        }
    }

    /// Lines that name the host.
    fn for_host<'a>(&'a self, host: &str, port: u16) -> impl Iterator<Item = &'a Entry> + 'a {
        let name = Self::lookup_name(&host.to_ascii_lowercase(), port);
        self.entries
            .iter()
            .filter(move |e| host_matches(&name, &e.patterns))
    }

    /// What the file says about `key` presented by `host:port`.
    pub fn check(&self, host: &str, port: u16, key: &PublicKey) -> Verdict {
        let mut lines = Vec::new();
        for e in self.for_host(host, port) {
            if e.key.key_data() == key.key_data() {
                if e.revoked {
                    return Verdict::Revoked { line: e.line };
                }
                return Verdict::Known;
            }
            if !e.revoked {
                lines.push(e.line);
            }
        }
        // A known key on another line wins over a mismatch on this one,
        // as with OpenSSH (a host may have a key of each type).
        if lines.is_empty() {
            Verdict::Unknown
        } else {
            Verdict::Mismatch { lines }
        }
    }

    /// The key types recorded for the host, so the key exchange asks the
    /// bastion for a key that can be checked.
    pub fn algorithms(&self, host: &str, port: u16) -> Vec<Algorithm> {
        let mut out: Vec<Algorithm> = Vec::new();
        for e in self.for_host(host, port).filter(|e| !e.revoked) {
            let a = e.key.algorithm();
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }
}

/// OpenSSH's rule: some pattern matches and no negated one does.
fn host_matches(name: &str, patterns: &[String]) -> bool {
    let mut matched = false;
    for p in patterns {
        if let Some(negated) = p.strip_prefix('!') {
            if wildcard(&negated.to_ascii_lowercase(), name) {
                return false;
            }
        } else if let Some(hashed) = p.strip_prefix("|1|") {
            matched |= hashed_matches(hashed, name);
        } else {
            matched |= wildcard(&p.to_ascii_lowercase(), name);
        }
    }
    matched
}

/// `salt|hash` (both base64): HMAC-SHA1 of the name keyed with the salt.
fn hashed_matches(salt_and_hash: &str, name: &str) -> bool {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let Some((salt, hash)) = salt_and_hash.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (engine.decode(salt), engine.decode(hash)) else {
        return false;
    };
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &salt);
    aws_lc_rs::hmac::verify(&key, name.as_bytes(), &hash).is_ok()
}

/// `*` and `?` globbing, as OpenSSH's `match_pattern`.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIFo5oz9VDvxHlnnwgScIJt7+kHMQZSeCWik+XeZBnmaF";
    const ED2: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIB0Roxx6rL3z+wYckKkvrUhvv6eBYxVY6VZbRiokSAQ5";

    fn key(b64: &str) -> PublicKey {
        russh::keys::parse_public_key_base64(b64).unwrap()
    }

    #[test]
    fn plain_and_port_entries() {
        let kh = KnownHosts::parse(&format!(
            "# comment\n\nbastion.example,10.0.0.1 ssh-ed25519 {ED}\n[bastion.example]:2222 ssh-ed25519 {ED2}\n"
        ))
        .unwrap();
        assert_eq!(kh.check("bastion.example", 22, &key(ED)), Verdict::Known);
        assert_eq!(kh.check("BASTION.example", 22, &key(ED)), Verdict::Known);
        assert_eq!(kh.check("10.0.0.1", 22, &key(ED)), Verdict::Known);
        assert_eq!(kh.check("bastion.example", 2222, &key(ED2)), Verdict::Known);
        assert_eq!(
            kh.check("bastion.example", 2222, &key(ED)),
            Verdict::Mismatch { lines: vec![4] }
        );
        assert_eq!(kh.check("other", 22, &key(ED)), Verdict::Unknown);
        assert_eq!(
            kh.algorithms("bastion.example", 22),
            vec![Algorithm::Ed25519]
        );
        assert!(kh.algorithms("other", 22).is_empty());
    }

    #[test]
    fn wildcards_negation_and_markers() {
        let kh = KnownHosts::parse(&format!(
            "*.corp,!evil.corp ssh-ed25519 {ED}\n@revoked * ssh-ed25519 {ED2}\n@cert-authority *.corp ssh-ed25519 {ED2}\n"
        ))
        .unwrap();
        assert_eq!(kh.check("b1.corp", 22, &key(ED)), Verdict::Known);
        assert_eq!(kh.check("evil.corp", 22, &key(ED)), Verdict::Unknown);
        assert_eq!(
            kh.check("b1.corp", 22, &key(ED2)),
            Verdict::Revoked { line: 2 }
        );
        assert!(wildcard("b?.c*", "b1.corp"));
        assert!(!wildcard("b?.c", "b12.c"));
    }

    #[test]
    fn hashed_names() {
        // `ssh-keygen -H` of "[127.0.0.1]:2222".
        let line = format!(
            "|1|5zsYGUtTNuK5lAnMuYLIq6RTP14=|g5ntDMKT8geA8qw8ZWYhj3EyupE= ssh-ed25519 {ED}"
        );
        let kh = KnownHosts::parse(&line).unwrap();
        assert_eq!(kh.check("127.0.0.1", 2222, &key(ED)), Verdict::Known);
        assert_eq!(kh.check("127.0.0.1", 22, &key(ED)), Verdict::Unknown);
    }

    #[test]
    fn malformed_lines_are_named() {
        let err = KnownHosts::parse("good.example\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
        let err =
            KnownHosts::parse(&format!("a ssh-ed25519 {ED}\nb ssh-ed25519 notbase64")).unwrap_err();
        assert!(err.starts_with("line 2: not a public key"), "{err}");
        assert!(KnownHosts::parse("@bogus h ssh-ed25519 x").is_err());
    }
}
