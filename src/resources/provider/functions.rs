//! The provider-defined functions: `provider::postgresql::quote_ident`,
//! `quote_literal` and `scram_sha256_verifier`.
//!
//! They let a configuration build SQL or a password verifier from values
//! without a database: Terraform calls them before the provider is
//! configured. The verifier function exists for Pulumi users in particular,
//! whose bridge keeps write-only values in state (encrypted): a verifier
//! computed ahead of time keeps the plaintext out of every state.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::pg::{scram, sql::quote};
use crate::protocol::{Function, FunctionError, Parameter, Signature, Type, Value};

/// Every function the provider offers.
pub fn all() -> Vec<Arc<dyn Function>> {
    vec![
        Arc::new(QuoteIdent),
        Arc::new(QuoteLiteral),
        Arc::new(ScramSha256Verifier),
    ]
}

/// The string argument `i`; the server decoded it with a string type.
fn text(args: &[Value], i: usize) -> Result<&str, FunctionError> {
    let s = args
        .get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FunctionError::argument(i, "must be a string"))?;
    if s.contains('\0') {
        return Err(FunctionError::argument(
            i,
            "contains a NUL character, which PostgreSQL text cannot hold; remove it",
        ));
    }
    Ok(s)
}

/// `quote_ident(name)`.
struct QuoteIdent;

impl Function for QuoteIdent {
    fn name(&self) -> &'static str {
        "quote_ident"
    }

    fn signature(&self) -> Signature {
        Signature {
            summary: "Quote a name for use as an SQL identifier, as PostgreSQL's quote_ident does",
            description: "Returns `name` ready to splice into SQL as an identifier, exactly as \
                          PostgreSQL's `quote_ident()` would: bare when it is lower-case letters, \
                          digits and `_` (not starting with a digit) and not a keyword that needs \
                          quoting, otherwise in double quotes with embedded double quotes \
                          doubled. Keywords are PostgreSQL 18's; on older servers a few newer \
                          keywords (such as `json`) come back quoted where the server would leave \
                          them bare, which means the same identifier."
                .into(),
            parameters: vec![Parameter {
                name: "name",
                ty: Type::String,
                description: "The identifier, as PostgreSQL stores it (case-sensitive).",
            }],
            returns: Type::String,
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        Ok(Value::string(quote::ident_if_needed(text(args, 0)?)))
    }
}

/// `quote_literal(text)`.
struct QuoteLiteral;

impl Function for QuoteLiteral {
    fn name(&self) -> &'static str {
        "quote_literal"
    }

    fn signature(&self) -> Signature {
        Signature {
            summary:
                "Quote text for use as an SQL string literal, as PostgreSQL's quote_literal does",
            description: "Returns `text` as an SQL string literal, exactly as PostgreSQL's \
                          `quote_literal()` would: in single quotes with embedded single quotes \
                          doubled, and, when the text contains a backslash, in the `E'...'` form \
                          with backslashes doubled, so it means the same whatever \
                          `standard_conforming_strings` is."
                .into(),
            parameters: vec![Parameter {
                name: "text",
                ty: Type::String,
                description: "The text to quote.",
            }],
            returns: Type::String,
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        Ok(Value::string(quote::literal(text(args, 0)?)))
    }
}

/// `scram_sha256_verifier(password, salt, iterations)`.
struct ScramSha256Verifier;

impl Function for ScramSha256Verifier {
    fn name(&self) -> &'static str {
        "scram_sha256_verifier"
    }

    fn signature(&self) -> Signature {
        Signature {
            summary: "Compute the SCRAM-SHA-256 verifier PostgreSQL stores for a password",
            description: "Returns the `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` \
                          verifier PostgreSQL would store for `password`, computed here with the \
                          given salt and iteration count, so the same arguments always give the \
                          same verifier. Give it to `postgresql_role.password`: a verifier is \
                          sent to the server as is, and the password itself never appears in \
                          state, which matters where write-only values are not available (Pulumi \
                          stores them in state, encrypted). Use a random salt of 16 bytes, for \
                          example from the `random_bytes` resource of the hashicorp/random \
                          provider, kept in state so that the verifier stays stable."
                .into(),
            parameters: vec![
                Parameter {
                    name: "password",
                    ty: Type::String,
                    description: "The password. It is prepared with SASLprep, as PostgreSQL does.",
                },
                Parameter {
                    name: "salt",
                    ty: Type::String,
                    description: "The salt, base64-encoded (standard alphabet, padded): 16 random \
                                  bytes, as PostgreSQL uses.",
                },
                Parameter {
                    name: "iterations",
                    ty: Type::Number,
                    description: "The PBKDF2 iteration count: PostgreSQL's default is 4096 \
                                  (`scram_iterations`, PostgreSQL 16+).",
                },
            ],
            returns: Type::String,
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let password = text(args, 0)?;
        let salt = BASE64.decode(text(args, 1)?).map_err(|e| {
            FunctionError::argument(
                1,
                format!("is not base64 ({e}); give the salt's bytes in standard padded base64"),
            )
        })?;
        if salt.is_empty() {
            return Err(FunctionError::argument(
                1,
                "is empty; use 16 random bytes, base64-encoded",
            ));
        }
        let iterations = args
            .get(2)
            .and_then(Value::as_number)
            .and_then(|n| n.as_i64())
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=i32::MAX as u32).contains(n))
            .ok_or_else(|| {
                FunctionError::argument(
                    2,
                    "must be a whole number from 1 to 2147483647, such as 4096",
                )
            })?;
        Ok(Value::string(scram::compute_verifier(
            password, &salt, iterations,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, args: Vec<Value>) -> Result<String, FunctionError> {
        f.call(&args)
            .map(|v| v.as_str().unwrap_or_default().to_string())
    }

    #[test]
    fn verifier_is_deterministic_and_parses() {
        let args = || {
            vec![
                Value::string("secret"),
                Value::string("c2FsdHNhbHRzYWx0c2FsdA=="),
                Value::int(4096),
            ]
        };
        let a = call(&ScramSha256Verifier, args()).unwrap();
        assert_eq!(a, call(&ScramSha256Verifier, args()).unwrap());
        assert!(a.starts_with("SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$"));
        assert!(scram::password_matches(&a, "secret"));
    }

    #[test]
    fn bad_arguments_blame_the_argument() {
        let bad = |salt: &str, iterations: i64| {
            call(
                &ScramSha256Verifier,
                vec![
                    Value::string("p"),
                    Value::string(salt),
                    Value::int(iterations),
                ],
            )
            .unwrap_err()
            .argument
        };
        assert_eq!(bad("not base64!", 4096), Some(1));
        assert_eq!(bad("", 4096), Some(1));
        assert_eq!(bad("c2FsdA==", 0), Some(2));
        assert_eq!(
            call(&QuoteIdent, vec![Value::string("a\0b")])
                .unwrap_err()
                .argument,
            Some(0)
        );
    }
}
