//! go-cty's msgpack encoding: what Terraform puts in `DynamicValue.msgpack`,
//! unknowns and their refinements included. See Terraform's
//! `docs/plugin-protocol/object-wire-format.md` for the contract.

use crate::protocol::cty::error::CodecError;
use crate::protocol::cty::number::Number;
use crate::protocol::cty::path::AttrPath;
use crate::protocol::cty::types::Type;
use crate::protocol::cty::value::{Refinements, Value};
use crate::protocol::cty::walk::{decode, encode, Leaf, WireIn, WireOut};

use rmpv::Value as M;

/// The msgpack ext type code of a refined unknown.
const REFINED_UNKNOWN_EXT: i8 = 12;

/// Refinement map keys inside an ext-12 payload.
const REFN_NULLNESS: i64 = 1;
const REFN_STRING_PREFIX: i64 = 2;
const REFN_NUMBER_LOWER: i64 = 3;
const REFN_NUMBER_UPPER: i64 = 4;
const REFN_LENGTH_LOWER: i64 = 5;
const REFN_LENGTH_UPPER: i64 = 6;

/// Decodes go-cty msgpack into a value of type `ty`.
///
/// Objects come back with every attribute of the type present (missing ones
/// as null); attributes the type does not have are an error. Any msgpack
/// extension is an unknown.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut rd = bytes;
    // rmpv bounds nesting depth and preallocation, so hostile input cannot
    // blow the stack or memory here.
    let raw = rmpv::decode::read_value(&mut rd).map_err(|e| CodecError::Malformed {
        format: "msgpack",
        message: e.to_string(),
    })?;
    if !rd.is_empty() {
        return Err(CodecError::Malformed {
            format: "msgpack",
            message: format!("{} trailing bytes after the value", rd.len()),
        });
    }
    decode(raw, ty, &mut AttrPath::default())
}

/// Encodes a value of type `ty` as go-cty msgpack (see the shared walk's
/// rules in [`crate::protocol::cty::walk::encode`]).
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let node: M = encode(v, ty, &mut AttrPath::default())?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &node)
        .map_err(|e| CodecError::encode(&AttrPath::default(), format!("write failed: {e}")))?;
    Ok(out)
}

impl WireIn for M {
    const LENIENT_OBJECTS: bool = false;

    fn kind(&self) -> &'static str {
        match self {
            M::Nil => "nil",
            M::Boolean(_) => "boolean",
            M::Integer(_) => "integer",
            M::F32(_) | M::F64(_) => "float",
            M::String(_) => "string",
            M::Binary(_) => "binary",
            M::Array(_) => "array",
            M::Map(_) => "map",
            M::Ext(..) => "extension",
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, M::Nil)
    }

    fn unknown(&self, ty: &Type) -> Option<Value> {
        match self {
            M::Ext(code, payload) => Some(unknown_from_ext(*code, payload, ty)),
            _ => None,
        }
    }

    fn into_dynamic(self, path: &AttrPath) -> Result<(Type, Self), CodecError> {
        let M::Array(mut pair) = self else {
            return Err(CodecError::decode(
                path,
                format!("expected dynamic value, got {}", self.kind()),
            ));
        };
        if pair.len() != 2 {
            return Err(CodecError::decode(
                path,
                format!(
                    "a dynamic value must be a [type, value] array, got {} elements",
                    pair.len()
                ),
            ));
        }
        let inner = pair.pop().unwrap_or(M::Nil); // length checked above
        let type_json = match pair.pop().unwrap_or(M::Nil) {
            M::Binary(b) => b,
            M::String(s) => s.into_bytes(),
            other => {
                return Err(CodecError::decode(
                    path,
                    format!(
                        "the type of a dynamic value must be binary or string, got {}",
                        other.kind()
                    ),
                ))
            }
        };
        let ty = Type::from_json_bytes(&type_json)
            .map_err(|e| CodecError::decode(path, format!("dynamic value: {e}")))?;
        Ok((ty, inner))
    }

    fn into_string(self, path: &AttrPath) -> Leaf<String, Self> {
        match self {
            M::String(s) => Ok(s
                .into_str()
                .ok_or_else(|| CodecError::decode(path, "string is not valid UTF-8"))),
            other => Err(other),
        }
    }

    fn into_number(self, path: &AttrPath) -> Leaf<Number, Self> {
        match self {
            M::Integer(_) | M::F32(_) | M::F64(_) | M::String(_) => {
                Ok(number_from_msgpack(&self, path))
            }
            other => Err(other),
        }
    }

    fn into_bool(self, _path: &AttrPath) -> Leaf<bool, Self> {
        match self {
            M::Boolean(b) => Ok(Ok(b)),
            other => Err(other),
        }
    }

    fn into_array(self) -> Result<Vec<Self>, Self> {
        match self {
            M::Array(items) => Ok(items),
            other => Err(other),
        }
    }

    fn into_entries(self, path: &AttrPath) -> Leaf<Vec<(String, Self)>, Self> {
        let M::Map(entries) = self else {
            return Err(self);
        };
        Ok(entries
            .into_iter()
            .map(|(k, v)| match k {
                M::String(s) => s
                    .into_str()
                    .map(|k| (k, v))
                    .ok_or_else(|| CodecError::decode(path, "map key is not valid UTF-8")),
                other => Err(CodecError::decode(
                    path,
                    format!("map key must be a string, got {}", other.kind()),
                )),
            })
            .collect())
    }
}

/// Numbers arrive as any integer width, float32/64, or a decimal string.
fn number_from_msgpack(raw: &M, path: &AttrPath) -> Result<Number, CodecError> {
    match raw {
        M::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(v), _) => Ok(Number::from_i64(v)),
            (None, Some(v)) => Ok(Number::from_u64(v)),
            // rmpv integers are always i64 or u64.
            (None, None) => Err(CodecError::decode(path, "integer out of range")),
        },
        // cty turns a float into a big.Float of exactly its value, so a
        // large integer like 11893228812309471232 keeps every digit.
        M::F32(f) => exact_float(f64::from(*f), path),
        M::F64(f) => exact_float(*f, path),
        M::String(s) => match s.as_str() {
            Some(text) => Number::parse(text)
                .ok_or_else(|| CodecError::decode(path, format!("invalid number {text:?}"))),
            None => Err(CodecError::decode(path, "number string is not valid UTF-8")),
        },
        other => Err(CodecError::decode(
            path,
            format!("expected number, got {}", other.kind()),
        )),
    }
}

fn exact_float(f: f64, path: &AttrPath) -> Result<Number, CodecError> {
    Number::from_f64_exact(f).ok_or_else(|| CodecError::decode(path, "NaN is not a valid number"))
}

/// Any extension is an unknown; only ext 12 carries refinements, and a
/// payload we cannot make sense of just means "no refinements".
fn unknown_from_ext(code: i8, payload: &[u8], ty: &Type) -> Value {
    // cty never refines dynamic-typed unknowns and ignores any such payload.
    if code != REFINED_UNKNOWN_EXT || *ty == Type::Dynamic {
        return Value::unknown();
    }
    let mut rd = payload;
    let Ok(M::Map(entries)) = rmpv::decode::read_value(&mut rd) else {
        return Value::unknown();
    };
    let mut r = Refinements::default();
    for (k, v) in entries {
        let Some(key) = k.as_i64() else { continue };
        match key {
            REFN_NULLNESS => match v.as_bool() {
                // "Definitely null" makes it a known null, as cty's
                // refinement builder does.
                Some(true) => return Value::Null,
                Some(false) => r.not_null = true,
                None => {}
            },
            REFN_STRING_PREFIX if *ty == Type::String => {
                if let Some(p) = v.as_str().filter(|p| !p.is_empty()) {
                    r.string_prefix = Some(p.to_string());
                }
            }
            REFN_NUMBER_LOWER | REFN_NUMBER_UPPER if *ty == Type::Number => {
                let bound = match &v {
                    M::Array(pair) if pair.len() == 2 => {
                        match (
                            number_from_msgpack(&pair[0], &AttrPath::default()),
                            pair[1].as_bool(),
                        ) {
                            (Ok(n), Some(inclusive)) => Some((n, inclusive)),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if key == REFN_NUMBER_LOWER {
                    r.number_lower = bound.or(r.number_lower);
                } else {
                    r.number_upper = bound.or(r.number_upper);
                }
            }
            REFN_LENGTH_LOWER if ty.is_collection() => {
                r.length_lower = v.as_u64().or(r.length_lower);
            }
            REFN_LENGTH_UPPER if ty.is_collection() => {
                r.length_upper = v.as_u64().or(r.length_upper);
            }
            // Keys from future protocol versions, or ones that do not apply
            // to this type.
            _ => {}
        }
    }
    Value::Unknown(r)
}

impl WireOut for M {
    fn null() -> Self {
        M::Nil
    }

    /// Plain unknowns are `d4 00 00`; refined ones are ext 12 around a map
    /// of the refinements that apply to the type (an empty map is never
    /// written).
    fn unknown(r: &Refinements, ty: &Type, path: &AttrPath) -> Result<Self, CodecError> {
        let mut entries: Vec<(M, M)> = Vec::new();
        if *ty != Type::Dynamic {
            if r.not_null {
                entries.push((M::from(REFN_NULLNESS), M::Boolean(false)));
            }
            match ty {
                Type::String => {
                    if let Some(p) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                        entries.push((M::from(REFN_STRING_PREFIX), M::from(p)));
                    }
                }
                Type::Number => {
                    for (key, bound) in [
                        (REFN_NUMBER_LOWER, &r.number_lower),
                        (REFN_NUMBER_UPPER, &r.number_upper),
                    ] {
                        if let Some((n, inclusive)) = bound {
                            entries.push((
                                M::from(key),
                                M::Array(vec![number_node(n), M::Boolean(*inclusive)]),
                            ));
                        }
                    }
                }
                t if t.is_collection() => {
                    for (key, bound) in [
                        (REFN_LENGTH_LOWER, r.length_lower),
                        (REFN_LENGTH_UPPER, r.length_upper),
                    ] {
                        if let Some(b) = bound {
                            entries.push((M::from(key), M::from(b)));
                        }
                    }
                }
                _ => {}
            }
        }
        if entries.is_empty() {
            return Ok(M::Ext(0, vec![0]));
        }
        let mut payload = Vec::new();
        rmpv::encode::write_value(&mut payload, &M::Map(entries))
            .map_err(|e| CodecError::encode(path, format!("write failed: {e}")))?;
        Ok(M::Ext(REFINED_UNKNOWN_EXT, payload))
    }

    fn string(s: &str) -> Self {
        M::from(s)
    }

    fn number(n: &Number) -> Self {
        number_node(n)
    }

    fn bool(b: bool) -> Self {
        M::Boolean(b)
    }

    fn array(items: Vec<Self>) -> Self {
        M::Array(items)
    }

    fn map(entries: Vec<(String, Self)>) -> Self {
        M::Map(entries.into_iter().map(|(k, v)| (M::from(k), v)).collect())
    }

    fn dynamic(ty: &Type, inner: Self) -> Self {
        M::Array(vec![M::Binary(ty.to_json_bytes()), inner])
    }
}

/// int if it is an exact int64; else float64 if that holds the value exactly;
/// else the decimal text. That is cty's rule: it keeps `0.1` (not exact in
/// binary) as the string `"0.1"` so Terraform reads back the same value.
fn number_node(n: &Number) -> M {
    if let Some(i) = n.as_i64() {
        M::from(i)
    } else if let Some(f) = n.as_f64_exact() {
        M::F64(f)
    } else {
        M::from(n.as_str())
    }
}
