//! SCRAM-SHA-256 password verifiers as PostgreSQL stores them in
//! `pg_authid.rolpassword` (RFC 5802 / RFC 7677), plus recognition of the
//! older `md5` hashes.
//!
//! The provider uses this to hash passwords on the client, so plaintext never
//! appears in statements, server logs or `pg_stat_activity`; to check whether
//! a stored hash still corresponds to the configured password (drift
//! detection without keeping plaintext in state); and to validate
//! pre-hashed values a user supplies.
//!
//! The stored form is
//! `SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>`.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// PostgreSQL's default `scram_iterations`.
pub const DEFAULT_ITERATIONS: u32 = 4096;
/// Salt length PostgreSQL uses for new verifiers.
pub const DEFAULT_SALT_LEN: usize = 16;
/// Length of StoredKey and ServerKey: one SHA-256 output.
pub const KEY_LEN: usize = 32;

const SCRAM_PREFIX: &str = "SCRAM-SHA-256$";

/// Why a string is not a well-formed SCRAM-SHA-256 verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    /// The text does not begin with `SCRAM-SHA-256$`.
    #[error("not a SCRAM-SHA-256 verifier: it must start with \"SCRAM-SHA-256$\"")]
    BadPrefix,
    /// The separators are not where the format puts them.
    #[error(
        "malformed SCRAM-SHA-256 verifier: expected \
         SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
    )]
    Malformed,
    /// The iteration count is not a positive decimal integer.
    #[error(
        "invalid iteration count {0:?} in SCRAM-SHA-256 verifier: \
         expected a positive decimal integer"
    )]
    BadIterations(String),
    /// A field is not valid standard (padded) base64.
    #[error("invalid base64 in the {field} of the SCRAM-SHA-256 verifier: {reason}")]
    BadBase64 {
        /// "salt", "StoredKey" or "ServerKey".
        field: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// The salt decodes to nothing.
    #[error("the salt of the SCRAM-SHA-256 verifier is empty")]
    EmptySalt,
    /// StoredKey or ServerKey is not a 32-byte SHA-256 value.
    #[error("the {field} of the SCRAM-SHA-256 verifier is {len} bytes long; it must be 32")]
    BadKeyLength {
        /// "StoredKey" or "ServerKey".
        field: &'static str,
        /// The decoded length.
        len: usize,
    },
}

/// A parsed SCRAM-SHA-256 verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    /// PBKDF2 iteration count.
    pub iterations: u32,
    /// Raw (decoded) salt.
    pub salt: Vec<u8>,
    /// SHA-256(ClientKey), 32 bytes.
    pub stored_key: Vec<u8>,
    /// HMAC(SaltedPassword, "Server Key"), 32 bytes.
    pub server_key: Vec<u8>,
}

impl std::fmt::Display for Verifier {
    /// Formats the verifier the way PostgreSQL stores it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{SCRAM_PREFIX}{}:{}${}:{}",
            self.iterations,
            BASE64.encode(&self.salt),
            BASE64.encode(&self.stored_key),
            BASE64.encode(&self.server_key)
        )
    }
}

/// Normalizes a password exactly as PostgreSQL's `pg_saslprep()` does before
/// hashing it, so verifiers computed here equal the server's.
///
/// PostgreSQL deviates from a textbook SASLprep (and from
/// `stringprep::saslprep`) in ways that change the resulting hash, and each
/// is mirrored:
/// * pure-ASCII input is used unchanged (even with control characters);
/// * if mapping leaves nothing, or the text has prohibited, unassigned or
///   badly mixed bidirectional characters, the raw password is used instead of
///   failing;
/// * the prohibition and bidi checks look at the mapped text *before* NFKC
///   normalization, so e.g. "a\u{0340}b" is refused (hashed raw) although its
///   normalized form would pass, and "\u{05D0}\u{2103}\u{05D0}" passes
///   although its normalized form mixes directions.
///
/// The character tables are RFC 3454's, from the `stringprep` crate, except
/// that bidi classes come from current Unicode; for the few characters whose
/// class changed since Unicode 3.2 the result could differ from PostgreSQL's.
fn pg_saslprep(password: &str) -> Cow<'_, str> {
    use stringprep::tables;
    use unicode_normalization::UnicodeNormalization;

    if password.is_ascii() {
        return Cow::Borrowed(password);
    }

    // Step 1 (map): non-ASCII spaces become ' ', "commonly mapped to
    // nothing" characters are dropped. The space test comes first, as in
    // PostgreSQL: U+200B is in both tables and PostgreSQL makes it a space.
    let mapped: Vec<char> = password
        .chars()
        .filter_map(|c| {
            if tables::non_ascii_space_character(c) {
                Some(' ')
            } else if tables::commonly_mapped_to_nothing(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect();
    let (Some(&first), Some(&last)) = (mapped.first(), mapped.last()) else {
        // PostgreSQL refuses to turn a non-empty password into an empty one.
        return Cow::Borrowed(password);
    };

    // Step 3 (prohibit), on the mapped text as PostgreSQL does it.
    let prohibited = |&c: &char| {
        tables::non_ascii_space_character(c)
            || tables::ascii_control_character(c)
            || tables::non_ascii_control_character(c)
            || tables::private_use(c)
            || tables::non_character_code_point(c)
            || tables::surrogate_code(c)
            || tables::inappropriate_for_plain_text(c)
            || tables::inappropriate_for_canonical_representation(c)
            || tables::change_display_properties_or_deprecated(c)
            || tables::tagging_character(c)
            || tables::unassigned_code_point(c)
    };
    if mapped.iter().any(prohibited) {
        return Cow::Borrowed(password);
    }

    // Step 4 (bidi), also on the mapped text: with any right-to-left
    // character there must be no left-to-right one, and the text must start
    // and end with right-to-left characters.
    if mapped.iter().any(|&c| tables::bidi_r_or_al(c))
        && (mapped.iter().any(|&c| tables::bidi_l(c))
            || !tables::bidi_r_or_al(first)
            || !tables::bidi_r_or_al(last))
    {
        return Cow::Borrowed(password);
    }

    // Step 2 (normalize), applied last as in PostgreSQL.
    Cow::Owned(mapped.into_iter().nfkc().collect())
}

#[allow(clippy::expect_used, reason = "a proven invariant, see below")]
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; KEY_LEN] {
    // HMAC is defined for keys of any length (long keys are hashed, short
    // ones padded), so `new_from_slice` cannot fail for Hmac<Sha256>.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .expect("HMAC-SHA-256 accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// StoredKey and ServerKey for a password, salt and iteration count.
fn derive_keys(password: &str, salt: &[u8], iterations: u32) -> ([u8; KEY_LEN], [u8; KEY_LEN]) {
    let prepared = pg_saslprep(password);
    let salted: [u8; KEY_LEN] =
        pbkdf2::pbkdf2_hmac_array::<Sha256, KEY_LEN>(prepared.as_bytes(), salt, iterations);
    let client_key = hmac_sha256(&salted, b"Client Key");
    let stored_key: [u8; KEY_LEN] = Sha256::digest(client_key).into();
    let server_key = hmac_sha256(&salted, b"Server Key");
    (stored_key, server_key)
}

/// Computes the verifier PostgreSQL would store for `password` with this salt
/// and iteration count.
///
/// An iteration count of 0 is computed like 1, as PostgreSQL's own loop does;
/// callers should not ask for it.
pub fn compute_verifier(password: &str, salt: &[u8], iterations: u32) -> String {
    let (stored_key, server_key) = derive_keys(password, salt, iterations);
    Verifier {
        iterations,
        salt: salt.to_vec(),
        stored_key: stored_key.to_vec(),
        server_key: server_key.to_vec(),
    }
    .to_string()
}

/// A new verifier with a random 16-byte salt and PostgreSQL's default 4096
/// iterations.
pub fn new_verifier(password: &str) -> String {
    let mut salt = [0u8; DEFAULT_SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    compute_verifier(password, &salt, DEFAULT_ITERATIONS)
}

fn decode_b64(field: &'static str, text: &str) -> Result<Vec<u8>, ScramError> {
    BASE64.decode(text).map_err(|e| ScramError::BadBase64 {
        field,
        reason: e.to_string(),
    })
}

fn decode_key(field: &'static str, text: &str) -> Result<Vec<u8>, ScramError> {
    let key = decode_b64(field, text)?;
    if key.len() != KEY_LEN {
        return Err(ScramError::BadKeyLength {
            field,
            len: key.len(),
        });
    }
    Ok(key)
}

/// Parses a stored SCRAM-SHA-256 verifier.
///
/// This is a little stricter than PostgreSQL, which also takes a signed or
/// space-padded iteration count, a zero count or an empty salt: such values
/// are never produced by PostgreSQL or libpq, and a user supplying one has
/// almost certainly made a mistake.
pub fn parse_verifier(s: &str) -> Result<Verifier, ScramError> {
    let rest = s.strip_prefix(SCRAM_PREFIX).ok_or(ScramError::BadPrefix)?;
    let (params, keys) = rest.split_once('$').ok_or(ScramError::Malformed)?;
    let (iterations, salt) = params.split_once(':').ok_or(ScramError::Malformed)?;
    let (stored_key, server_key) = keys.split_once(':').ok_or(ScramError::Malformed)?;

    // `u32::from_str` would accept a leading '+'; only plain digits are the
    // canonical form.
    let iterations_num = if !iterations.is_empty() && iterations.bytes().all(|b| b.is_ascii_digit())
    {
        iterations.parse::<u32>().ok().filter(|&n| n > 0)
    } else {
        None
    };
    let iterations =
        iterations_num.ok_or_else(|| ScramError::BadIterations(iterations.to_owned()))?;

    let salt = decode_b64("salt", salt)?;
    if salt.is_empty() {
        return Err(ScramError::EmptySalt);
    }
    Ok(Verifier {
        iterations,
        salt,
        stored_key: decode_key("StoredKey", stored_key)?,
        server_key: decode_key("ServerKey", server_key)?,
    })
}

/// Whether `s` is an MD5 password hash as PostgreSQL recognizes one: `md5`
/// followed by exactly 32 lowercase hexadecimal digits.
pub fn is_md5_hash(s: &str) -> bool {
    s.len() == 35
        && s.starts_with("md5")
        && s.as_bytes()[3..]
            .iter()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether the user evidently meant `s` as a pre-hashed password rather than
/// as plaintext.
///
/// True for anything starting with `SCRAM-SHA-256$`, and for `md5` followed
/// by at least 16 hexadecimal digits of either case (a hash with the wrong
/// case or a few characters lost in copying). PostgreSQL silently hashes a
/// malformed hash as if it were a plaintext password, locking the role out,
/// so such values must be validated (with [`parse_verifier`] /
/// [`is_md5_hash`]) and rejected rather than hashed. A real password that
/// happens to look like this is very unlikely.
pub fn looks_like_hash(s: &str) -> bool {
    if s.starts_with(SCRAM_PREFIX) {
        return true;
    }
    match s.strip_prefix("md5") {
        Some(hex) => hex.len() >= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// Compares two byte strings in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the stored SCRAM-SHA-256 verifier was made from `password`.
///
/// Recomputes the keys with the stored salt and iteration count and compares
/// both StoredKey and ServerKey. MD5 hashes are salted with the role name,
/// which this function does not have: for them (and for anything that is not
/// a valid verifier) it returns false; use [`password_matches_for`].
pub fn password_matches(stored: &str, password: &str) -> bool {
    let Ok(v) = parse_verifier(stored) else {
        return false;
    };
    let (stored_key, server_key) = derive_keys(password, &v.salt, v.iterations);
    // Evaluate both comparisons so timing does not reveal which differed.
    let a = constant_time_eq(&stored_key, &v.stored_key);
    let b = constant_time_eq(&server_key, &v.server_key);
    a & b
}

/// Like [`password_matches`], but also handles MD5 hashes, which are
/// `md5(password || username)`. PostgreSQL does not SASLprep passwords for
/// MD5, so neither does this.
pub fn password_matches_for(stored: &str, password: &str, username: &str) -> bool {
    if is_md5_hash(stored) {
        let computed = postgres_protocol::password::md5(password.as_bytes(), username);
        return constant_time_eq(computed.as_bytes(), stored.as_bytes());
    }
    password_matches(stored, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Produced by a PostgreSQL 15.18 server:
    //   SET password_encryption = 'scram-sha-256';
    //   CREATE ROLE x LOGIN PASSWORD 'pässwörd ﬀ';
    //   SELECT rolpassword FROM pg_authid WHERE rolname = 'x';
    // The ligature U+FB00 is NFKC-normalized to "ff" before hashing.
    const PG_VECTOR_PASSWORD: &str = "pässwörd ﬀ";
    const PG_VECTOR: &str = "SCRAM-SHA-256$4096:2ZxMrWuULL9Z+zmViNVPiw==$\
        +ZeGXviG073H/lHkvFWZI/TeSzsKrcuEfR98FYswoyo=:\
        FDetqwg556X5CncrMIC0Xp5BsNPRcKsUtLKvAfV/WSk=";

    // Further PostgreSQL 15.18 vectors for pg_saslprep quirks.
    // U+00AD maps to nothing, leaving an empty string: the raw bytes are used.
    const PG_SOFT_HYPHEN: &str = "SCRAM-SHA-256$4096:sFMFsxdRDSXYmDeV73t7lA==$\
        mJLTvy4Bb6PTUJCz3qk87+Q4fvDdcS4mbR/qEZNkxWU=:\
        JuMGn0lYy+8svr6TJkyOmbCqTxg/5V4DbwNCcSQWNFA=";
    // An ASCII control character: pure ASCII is used unchanged.
    const PG_TAB: &str = "SCRAM-SHA-256$4096:i76lxBr4+KsNxJvPTUHsXQ==$\
        Usa2+hHxSTnS1g/l0SprrlwYphkcUTW6ML847rEdV+o=:\
        MGvksPGw8qbvIw10lYbPJeANpydPa7612pobjCCeiBs=";
    // U+0340 is prohibited before NFKC (which turns it into the allowed
    // U+0300): PostgreSQL checks before normalizing, so the raw bytes are used.
    const PG_U0340: &str = "SCRAM-SHA-256$4096:WTpGV3vZ5m+NiR09dSKMug==$\
        O5/SzaYg+fzpyjmobq52m6JmjfA2cD3LuJsQTn4QhH8=:\
        qDZn8stT+1pHBR7w7hvvp1Nyfi+1ytUf2Pm4Lt3EiGc=";
    // RandALCat mixed with LCat: bidi failure, raw bytes used.
    const PG_BIDI: &str = "SCRAM-SHA-256$4096:xZDISMsm7jUXDySC0luDPg==$\
        8c+kKNjWFzcGqAM90tItS/WOb5ivbcExJh8W/U7r1+g=:\
        BJ4e7DB+bL/5NtBKIh0G3jfpla2Y5pLh/x6KrR1AW2g=";
    // SET password_encryption = 'md5'; CREATE ROLE m1 LOGIN PASSWORD 'secret';
    const PG_MD5_M1: &str = "md5132ecbcbfa11be529b63ea4c4e734056";

    #[test]
    fn recomputes_server_vector_exactly() {
        let v = parse_verifier(PG_VECTOR).unwrap();
        assert_eq!(v.iterations, 4096);
        assert_eq!(v.salt.len(), 16);
        assert_eq!(
            compute_verifier(PG_VECTOR_PASSWORD, &v.salt, v.iterations),
            PG_VECTOR
        );
        assert!(password_matches(PG_VECTOR, PG_VECTOR_PASSWORD));
        assert!(password_matches_for(PG_VECTOR, PG_VECTOR_PASSWORD, "x"));
        // NFKC makes the ligature and its expansion equivalent.
        assert!(password_matches(PG_VECTOR, "pässwörd ff"));
        assert!(!password_matches(PG_VECTOR, "pässwörd f"));
        assert!(!password_matches(PG_VECTOR, "passwörd ﬀ"));
    }

    #[test]
    fn mirrors_pg_saslprep_fallbacks() {
        assert!(password_matches(PG_SOFT_HYPHEN, "\u{00AD}"));
        assert!(password_matches(PG_TAB, "tab\there"));
        assert!(password_matches(PG_U0340, "a\u{0340}b"));
        assert!(!password_matches(PG_U0340, "a\u{0300}b"));
        assert!(password_matches(PG_BIDI, "\u{05D0}a\u{05D1}"));
    }

    #[test]
    fn more_server_vectors() {
        // (password, what PostgreSQL 15.18 stored for it). Comments say what
        // PostgreSQL hashed.
        let vectors = [
            // "a b c": U+200B is a space first, not "mapped to nothing".
            (
                "a\u{00A0}b\u{200B}c",
                "SCRAM-SHA-256$4096:PXV3a6sxVCX8LL9oU0JiiA==$\
                 ZvCFyGWxtZARcoEUw+kUOWtDzQNR68vyOjRxFqKnKmk=:\
                 C4VbI4VLRBye+7GCbnDJ6H9t2CffzondseMcnZfzCdg=",
            ),
            // "IXfi": compatibility forms expanded by NFKC.
            (
                "\u{2168}\u{FB01}",
                "SCRAM-SHA-256$4096:r4pfRYPeZZ+Qu2CLzGC80Q==$\
                 LSWXPwP1v1vICyjBWuqL/YJiusLCrvqRK+wyd1PJZIs=:\
                 uT2cHiCMmBQ+s41LLYH993VPh6n5S7W1qnRcp8If7X4=",
            ),
            // U+00E9: NFKC composes.
            (
                "e\u{0301}",
                "SCRAM-SHA-256$4096:yG4kK3fxB/gSWzBPzm4z/g==$\
                 IPyot5PWpAgK1E6Sd0rsqhNvzcN5oOt7ANAlHKscZ8I=:\
                 1bI7DEXjgVSeca7ZEBr0PJwVPu7o8VMVPPP2CjFuQ5w=",
            ),
            // Raw bytes: U+1F600 is unassigned in Unicode 3.2.
            (
                "\u{1F600} emoji",
                "SCRAM-SHA-256$4096:j/WY82dFfSxoHinIVB+WbQ==$\
                 ehWLhYhTPW3YrdXP8CTG2JZgSRycxIFWNl6pIQUmo0s=:\
                 PF9LG9PF7mBSNYHc9yVxusW7UIlWTxfE3R0tqbNNp9A=",
            ),
            // Raw bytes: private-use character.
            (
                "\u{E000}private",
                "SCRAM-SHA-256$4096:5CEVfpUVWqZuGZ4/Q2tnvQ==$\
                 OVGrOw221TrVlz+gE7/C8A/1+quanwVBaMdoCSo36W0=:\
                 qvLQ1VPCLbxeQsRF0nFu9QUmTT6mScQTdCy9miIIOvM=",
            ),
            // "\u{05D0}°C\u{05D0}": bidi is checked before NFKC adds the "C".
            (
                "\u{05D0}\u{2103}\u{05D0}",
                "SCRAM-SHA-256$4096:E7Z2LBQc8RZ+l4xExHuHHQ==$\
                 UPH3YMw4m5qBpsL/lKzzD2Y4fJNaxIrOOEjpgfltcog=:\
                 poZTg6wlE3PivVZcLUfte4LhunoqGZLHcLhSmCuPbDs=",
            ),
            // "a\u{05D0}": U+2135 is left-to-right until NFKC makes it Hebrew.
            (
                "a\u{2135}",
                "SCRAM-SHA-256$4096:xCI5TShYIZtgOJhTygJEOQ==$\
                 A9Tubgn1InB049YBD579fuOkRLieKr49dzzcR4blz0M=:\
                 NT307AC8fkoDfNpSUQGzDjf349MXQeGoevFMROuCo6c=",
            ),
            // Right-to-left only: valid bidi, hashed normalized.
            (
                "\u{05D0}\u{05D1}",
                "SCRAM-SHA-256$4096:Te8iJ+2HvQCKaWR7Wivj9w==$\
                 E7/NQz7q48RNDsDSYXBuktznZOct32ZhTfA7QnDid3g=:\
                 EQHLhc5uyoTSRLCS7idPP6ceXG3zmCjTv0mJj0q22IM=",
            ),
        ];
        for (password, stored) in vectors {
            let v = parse_verifier(stored).unwrap();
            assert_eq!(
                compute_verifier(password, &v.salt, v.iterations),
                stored,
                "{password:?}"
            );
        }
        assert!(!password_matches(vectors[0].1, "a bc"));
    }

    #[test]
    fn saslprep_maps_spaces_and_drops_ignorables() {
        assert_eq!(pg_saslprep("a\u{00A0}b"), "a b");
        assert_eq!(pg_saslprep("a\u{00AD}b\u{00E9}"), "ab\u{00E9}");
        // U+200B is both a space and "mapped to nothing"; PostgreSQL makes it a space.
        assert_eq!(pg_saslprep("a\u{200B}b\u{00E9}"), "a b\u{00E9}");
        assert_eq!(pg_saslprep("e\u{0301}"), "\u{00E9}");
        assert_eq!(pg_saslprep("\u{2168}"), "IX");
        assert_eq!(pg_saslprep("plain ascii"), "plain ascii");
        // Checks run before NFKC: U+2103 is neutral, its expansion "°C" is not.
        assert_eq!(
            pg_saslprep("\u{05D0}\u{2103}\u{05D0}"),
            "\u{05D0}\u{00B0}C\u{05D0}"
        );
        assert_eq!(pg_saslprep("a\u{2135}"), "a\u{05D0}");
    }

    #[test]
    fn md5_vector() {
        assert!(is_md5_hash(PG_MD5_M1));
        assert!(password_matches_for(PG_MD5_M1, "secret", "m1"));
        assert!(!password_matches_for(PG_MD5_M1, "secret", "m2"));
        assert!(!password_matches_for(PG_MD5_M1, "Secret", "m1"));
        // Without the user name MD5 cannot be checked.
        assert!(!password_matches(PG_MD5_M1, "secret"));
    }

    #[test]
    fn new_verifier_round_trips() {
        let a = new_verifier("hunter2");
        let b = new_verifier("hunter2");
        assert_ne!(a, b, "salts must be random");
        let v = parse_verifier(&a).unwrap();
        assert_eq!(v.iterations, DEFAULT_ITERATIONS);
        assert_eq!(v.salt.len(), DEFAULT_SALT_LEN);
        assert_eq!(v.to_string(), a);
        assert!(password_matches(&a, "hunter2"));
        assert!(!password_matches(&a, "hunter3"));
        assert!(looks_like_hash(&a));
    }

    #[test]
    fn parse_errors_are_precise() {
        let key = BASE64.encode([7u8; 32]);
        let short = BASE64.encode([7u8; 31]);
        let ok = format!("SCRAM-SHA-256$4096:c2FsdA==${key}:{key}");
        assert!(parse_verifier(&ok).is_ok());

        assert_eq!(parse_verifier("md5abc"), Err(ScramError::BadPrefix));
        assert_eq!(
            parse_verifier("scram-sha-256$1:c2FsdA==$a:b"),
            Err(ScramError::BadPrefix)
        );
        assert_eq!(
            parse_verifier("SCRAM-SHA-256$4096:c2FsdA=="),
            Err(ScramError::Malformed)
        );
        assert_eq!(
            parse_verifier(&format!("SCRAM-SHA-256$4096c2FsdA==${key}:{key}")),
            Err(ScramError::Malformed)
        );
        assert_eq!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:c2FsdA==${key}{key}")),
            Err(ScramError::Malformed)
        );
        for bad in ["", "0", "-1", "+4096", " 4096", "4096x", "99999999999"] {
            assert_eq!(
                parse_verifier(&format!("SCRAM-SHA-256${bad}:c2FsdA==${key}:{key}")),
                Err(ScramError::BadIterations(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:c2F*dA==${key}:{key}")),
            Err(ScramError::BadBase64 { field: "salt", .. })
        ));
        assert_eq!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:${key}:{key}")),
            Err(ScramError::EmptySalt)
        );
        assert!(matches!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:c2FsdA==$!!:{key}")),
            Err(ScramError::BadBase64 {
                field: "StoredKey",
                ..
            })
        ));
        assert!(matches!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:c2FsdA==${key}:{key}:x")),
            Err(ScramError::BadBase64 {
                field: "ServerKey",
                ..
            })
        ));
        assert_eq!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:c2FsdA==${short}:{key}")),
            Err(ScramError::BadKeyLength {
                field: "StoredKey",
                len: 31
            })
        );
        assert_eq!(
            parse_verifier(&format!("SCRAM-SHA-256$4096:c2FsdA==${key}:{short}")),
            Err(ScramError::BadKeyLength {
                field: "ServerKey",
                len: 31
            })
        );
        // The messages name the problem.
        let msg = parse_verifier(&format!("SCRAM-SHA-256$4096:c2FsdA==${short}:{key}"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("StoredKey") && msg.contains("31"), "{msg}");
    }

    #[test]
    fn md5_recognition() {
        assert!(is_md5_hash("md5d41d8cd98f00b204e9800998ecf8427e"));
        assert!(!is_md5_hash("md5D41D8CD98F00B204E9800998ECF8427E"));
        assert!(!is_md5_hash("md5d41d8cd98f00b204e9800998ecf8427"));
        assert!(!is_md5_hash("md5d41d8cd98f00b204e9800998ecf8427e0"));
        assert!(!is_md5_hash("md5d41d8cd98f00b204e9800998ecf8427g"));
        assert!(!is_md5_hash("MD5d41d8cd98f00b204e9800998ecf8427e"));
        assert!(!is_md5_hash("md5ééééééééééééééééé"));
    }

    #[test]
    fn hash_lookalikes() {
        assert!(looks_like_hash("SCRAM-SHA-256$"));
        assert!(looks_like_hash("SCRAM-SHA-256$garbage"));
        assert!(looks_like_hash("md5d41d8cd98f00b204e9800998ecf8427e"));
        assert!(looks_like_hash("md5D41D8CD98F00B204E9800998ECF8427E"));
        assert!(looks_like_hash("md5d41d8cd98f00b204e9800998ecf842"));
        assert!(!looks_like_hash("md5isnotahash"));
        assert!(!looks_like_hash("md5cafe"));
        assert!(!looks_like_hash("correct horse battery staple"));
        assert!(!looks_like_hash("SCRAM-SHA-256"));
        assert!(!looks_like_hash(""));
    }

    #[test]
    fn garbage_never_matches() {
        assert!(!password_matches("", ""));
        assert!(!password_matches("plaintext", "plaintext"));
        assert!(!password_matches_for("plaintext", "plaintext", "u"));
        assert!(!password_matches("SCRAM-SHA-256$4096:xx", "x"));
    }
}
