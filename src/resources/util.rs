//! Small helpers shared by resources: typed attribute access and name
//! validation.

use crate::protocol::{Diagnostic, Diagnostics, Value};

/// PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// A string attribute, when known and not null.
pub fn string(v: &Value, attr: &str) -> Option<String> {
    v.get(attr).as_str().map(str::to_string)
}

/// A bool attribute, or `default` when null or unknown.
pub fn boolean(v: &Value, attr: &str, default: bool) -> bool {
    v.get(attr).as_bool().unwrap_or(default)
}

/// A whole-number attribute, or `default` when null or unknown.
pub fn int(v: &Value, attr: &str, default: i64) -> i64 {
    v.get(attr).as_i64().unwrap_or(default)
}

/// A set or list of strings; empty when null or unknown.
pub fn strings(v: &Value, attr: &str) -> Vec<String> {
    v.get(attr).as_string_set().unwrap_or_default()
}

/// Checks every named identifier attribute that is set and known (each
/// `(attribute, what it names)`), adding one diagnostic per bad value.
pub fn check_identifier_attrs(config: &Value, attrs: &[(&str, &str)], d: &mut Diagnostics) {
    for (attr, what) in attrs {
        if let Some(e) = config
            .get(attr)
            .as_str()
            .and_then(|name| check_identifier(attr, what, name))
        {
            d.push(e);
        }
    }
}

/// Checks an identifier that PostgreSQL would otherwise reject or silently truncate.
pub fn check_identifier(attr: &str, what: &str, name: &str) -> Option<Diagnostic> {
    if name.is_empty() {
        return Some(
            Diagnostic::error(
                format!("Empty {what}"),
                format!("{attr} must not be empty."),
            )
            .at(attr),
        );
    }
    if name.len() > MAX_IDENTIFIER_BYTES {
        return Some(
            Diagnostic::error(
                format!("{what} Too Long"),
                format!(
                    "{attr} is {} bytes long; PostgreSQL identifiers are at most {MAX_IDENTIFIER_BYTES} \
                     bytes (longer names are silently truncated, which would make Terraform see a \
                     different object). Shorten it.",
                    name.len()
                ),
            )
            .at(attr),
        );
    }
    None
}
