//! Wire codecs for [`Value`]s: go-cty's msgpack encoding (what Terraform puts
//! in `DynamicValue.msgpack`, including unknowns and their refinements) and
//! cty's JSON encoding (`DynamicValue.json`, and the `raw_state.json` handed
//! to `UpgradeResourceState`).
//!
//! Both directions are driven by the schema [`Type`], as in go-cty: the wire
//! data carries no type information except inside `dynamic` values. See
//! Terraform's `docs/plugin-protocol/object-wire-format.md` for the contract.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::value::{Number, Refinements, Type, Value};

/// Why a value could not be decoded or encoded. Messages name the attribute
/// path where it happened, e.g. `at .roles[2]: expected string, got integer`.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not well-formed msgpack or JSON at all.
    #[error("malformed {format}: {message}")]
    Malformed {
        format: &'static str,
        message: String,
    },
    /// Well-formed data that does not fit the type.
    #[error("at {path}: {message}")]
    Decode { path: String, message: String },
    /// A value that does not fit the type it is being encoded as.
    #[error("cannot encode value at {path}: {message}")]
    Encode { path: String, message: String },
    /// A cty type description (JSON) that is not valid.
    #[error("invalid type description: {0}")]
    InvalidType(String),
}

// ---------------------------------------------------------------------------
// Attribute paths for error messages
// ---------------------------------------------------------------------------

/// One step from a value to a nested value.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Attr(&'a str),
    Index(usize),
    Key(&'a str),
}

/// A path kept as a linked list on the call stack, so descending costs no
/// allocation; it is only rendered when an error is reported.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step<'a>,
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path {
        parent: None,
        step: Step::Root,
    };

    fn attr<'b>(&'b self, name: &'b str) -> Path<'b> {
        Path {
            parent: Some(self),
            step: Step::Attr(name),
        }
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Index(i),
        }
    }

    fn key<'b>(&'b self, k: &'b str) -> Path<'b> {
        Path {
            parent: Some(self),
            step: Step::Key(k),
        }
    }

    /// `.roles[2]`, `.labels["k"]`; the empty path renders as `root`.
    fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            steps.push(p.step);
            cur = p.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            // Writing to a String cannot fail.
            let _ = match step {
                Step::Root => Ok(()),
                Step::Attr(a) => write!(out, ".{a}"),
                Step::Index(i) => write!(out, "[{i}]"),
                Step::Key(k) => write!(out, "[{}]", serde_json::Value::from(*k)),
            };
        }
        if out.is_empty() {
            out.push_str("root");
        }
        out
    }

    fn decode_err(&self, message: impl Into<String>) -> CodecError {
        CodecError::Decode {
            path: self.render(),
            message: message.into(),
        }
    }

    fn encode_err(&self, message: impl Into<String>) -> CodecError {
        CodecError::Encode {
            path: self.render(),
            message: message.into(),
        }
    }
}

/// The kind of a value, for "expected X, got Y" messages when encoding.
fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown(_) => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
        Value::Dynamic(..) => "dynamic",
    }
}

/// The name of a type's shape, for "expected X" messages.
fn type_kind(ty: &Type) -> &'static str {
    match ty {
        Type::String => "string",
        Type::Number => "number",
        Type::Bool => "bool",
        Type::Dynamic => "dynamic value",
        Type::List(_) => "list",
        Type::Set(_) => "set",
        Type::Map(_) => "map",
        Type::Object { .. } => "object",
        Type::Tuple(_) => "tuple",
    }
}

/// The msgpack ext type code of a refined unknown.
const REFINED_UNKNOWN_EXT: i8 = 12;

/// Refinement map keys inside an ext-12 payload.
const REFN_NULLNESS: i64 = 1;
const REFN_STRING_PREFIX: i64 = 2;
const REFN_NUMBER_LOWER: i64 = 3;
const REFN_NUMBER_UPPER: i64 = 4;
const REFN_LENGTH_LOWER: i64 = 5;
const REFN_LENGTH_UPPER: i64 = 6;

// ---------------------------------------------------------------------------
// msgpack decoding
// ---------------------------------------------------------------------------

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
    from_msgpack(raw, ty, &Path::ROOT)
}

fn msgpack_kind(v: &rmpv::Value) -> &'static str {
    match v {
        rmpv::Value::Nil => "nil",
        rmpv::Value::Boolean(_) => "boolean",
        rmpv::Value::Integer(_) => "integer",
        rmpv::Value::F32(_) | rmpv::Value::F64(_) => "float",
        rmpv::Value::String(_) => "string",
        rmpv::Value::Binary(_) => "binary",
        rmpv::Value::Array(_) => "array",
        rmpv::Value::Map(_) => "map",
        rmpv::Value::Ext(..) => "extension",
    }
}

fn from_msgpack(raw: rmpv::Value, ty: &Type, path: &Path<'_>) -> Result<Value, CodecError> {
    use rmpv::Value as M;
    // Null and unknown override the type's own encoding at every level.
    let raw = match raw {
        M::Nil => return Ok(Value::Null),
        M::Ext(code, payload) => return Ok(unknown_from_ext(code, &payload, ty)),
        raw => raw,
    };
    let expected = |raw: &M| {
        path.decode_err(format!(
            "expected {}, got {}",
            type_kind(ty),
            msgpack_kind(raw)
        ))
    };
    match ty {
        Type::Dynamic => {
            let M::Array(mut pair) = raw else {
                return Err(expected(&raw));
            };
            if pair.len() != 2 {
                return Err(path.decode_err(format!(
                    "a dynamic value must be a [type, value] array, got {} elements",
                    pair.len()
                )));
            }
            let inner_raw = pair.pop().unwrap_or(M::Nil); // length checked above
            let type_json = match pair.pop().unwrap_or(M::Nil) {
                M::Binary(b) => b,
                M::String(s) => s.into_bytes(),
                other => {
                    return Err(path.decode_err(format!(
                        "the type of a dynamic value must be binary or string, got {}",
                        msgpack_kind(&other)
                    )))
                }
            };
            let inner_ty = Type::from_json_bytes(&type_json)
                .map_err(|e| path.decode_err(format!("dynamic value: {e}")))?;
            let inner = from_msgpack(inner_raw, &inner_ty, path)?;
            Ok(Value::Dynamic(Box::new(inner_ty), Box::new(inner)))
        }
        Type::String => match raw {
            M::String(s) => s
                .into_str()
                .map(Value::String)
                .ok_or_else(|| path.decode_err("string is not valid UTF-8")),
            raw => Err(expected(&raw)),
        },
        Type::Number => number_from_msgpack(&raw, path).map(Value::Number),
        Type::Bool => match raw {
            M::Boolean(b) => Ok(Value::Bool(b)),
            raw => Err(expected(&raw)),
        },
        Type::List(ety) | Type::Set(ety) => {
            let M::Array(items) = raw else {
                return Err(expected(&raw));
            };
            let elems = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| from_msgpack(item, ety, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(elems)
            } else {
                Value::List(elems)
            })
        }
        Type::Tuple(etys) => {
            let M::Array(items) = raw else {
                return Err(expected(&raw));
            };
            if items.len() != etys.len() {
                return Err(path.decode_err(format!(
                    "expected a tuple of {} elements, got {}",
                    etys.len(),
                    items.len()
                )));
            }
            let elems = items
                .into_iter()
                .zip(etys)
                .enumerate()
                .map(|(i, (item, ety))| from_msgpack(item, ety, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(elems))
        }
        Type::Map(ety) => {
            let M::Map(entries) = raw else {
                return Err(expected(&raw));
            };
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = msgpack_key(k, path)?;
                let val = from_msgpack(v, ety, &path.key(&key))?;
                out.insert(key, val);
            }
            Ok(Value::Map(out))
        }
        Type::Object { attrs, .. } => {
            let M::Map(entries) = raw else {
                return Err(expected(&raw));
            };
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = msgpack_key(k, path)?;
                let Some(aty) = attrs.get(&key) else {
                    return Err(path.decode_err(format!("unsupported attribute {key:?}")));
                };
                let val = from_msgpack(v, aty, &path.attr(&key))?;
                out.insert(key, val);
            }
            // Terraform always sends every attribute, but filling the gaps
            // keeps the invariant "decoded objects have all attributes".
            for name in attrs.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
    }
}

fn msgpack_key(k: rmpv::Value, path: &Path<'_>) -> Result<String, CodecError> {
    match k {
        rmpv::Value::String(s) => s
            .into_str()
            .ok_or_else(|| path.decode_err("map key is not valid UTF-8")),
        other => Err(path.decode_err(format!(
            "map key must be a string, got {}",
            msgpack_kind(&other)
        ))),
    }
}

/// Numbers arrive as any integer width, float32/64, or a decimal string.
fn number_from_msgpack(raw: &rmpv::Value, path: &Path<'_>) -> Result<Number, CodecError> {
    use rmpv::Value as M;
    // cty turns a float64 into a big.Float of exactly its value, so a large
    // integer like 11893228812309471232 keeps every digit.
    let float = |f: f64| {
        Number::from_f64_exact(f).ok_or_else(|| path.decode_err("NaN is not a valid number"))
    };
    match raw {
        M::Integer(i) => {
            if let Some(v) = i.as_i64() {
                Ok(Number::from_i64(v))
            } else if let Some(v) = i.as_u64() {
                Ok(Number::from_u64(v))
            } else {
                // rmpv integers are always i64 or u64.
                Err(path.decode_err("integer out of range"))
            }
        }
        M::F32(f) => float(f64::from(*f)),
        M::F64(f) => float(*f),
        M::String(s) => match s.as_str() {
            Some(text) => Number::parse(text)
                .ok_or_else(|| path.decode_err(format!("invalid number {text:?}"))),
            None => Err(path.decode_err("number string is not valid UTF-8")),
        },
        other => Err(path.decode_err(format!("expected number, got {}", msgpack_kind(other)))),
    }
}

/// Any extension is an unknown; only ext 12 carries refinements, and a
/// payload we cannot make sense of just means "no refinements".
fn unknown_from_ext(code: i8, payload: &[u8], ty: &Type) -> Value {
    // cty never refines dynamic-typed unknowns and ignores any such payload.
    if code != REFINED_UNKNOWN_EXT || *ty == Type::Dynamic {
        return Value::unknown();
    }
    let mut rd = payload;
    let Ok(rmpv::Value::Map(entries)) = rmpv::decode::read_value(&mut rd) else {
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
                    rmpv::Value::Array(pair) if pair.len() == 2 => {
                        match (
                            number_from_msgpack(&pair[0], &Path::ROOT),
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

// ---------------------------------------------------------------------------
// msgpack encoding
// ---------------------------------------------------------------------------

/// Encodes a value of type `ty` as go-cty msgpack.
///
/// The type drives the shape: objects get exactly one entry per attribute of
/// the type (absent ones as nil, keys sorted). Like cty's `Marshal`, which
/// converts before encoding, a few safe conversions are accepted: number or
/// bool into string, numeric string into number, `"true"`/`"false"` into
/// bool, list/set/tuple values into any of those types, map/object values
/// into either. A known value for a `dynamic` type is written with its
/// [`Value::Dynamic`] type, or with a type inferred from the value.
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    to_msgpack(v, ty, &Path::ROOT, &mut out)?;
    Ok(out)
}

/// Turns an rmp write error (impossible for a Vec, but typed as fallible)
/// into a codec error.
fn wr<T, E: std::fmt::Display>(r: Result<T, E>, path: &Path<'_>) -> Result<(), CodecError> {
    r.map(|_| ())
        .map_err(|e| path.encode_err(format!("write failed: {e}")))
}

fn to_msgpack(v: &Value, ty: &Type, path: &Path<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
    use rmp::encode as enc;
    match v {
        Value::Null => return wr(enc::write_nil(out), path),
        Value::Unknown(r) => return write_unknown(r, ty, path, out),
        _ => {}
    }
    if *ty == Type::Dynamic {
        let (inner_ty, inner) = match v {
            Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
            other => (infer_type(other).ok_or_else(|| path.encode_err(
                "cannot infer the type of a value for a dynamic attribute; wrap it in Value::Dynamic",
            ))?, other),
        };
        wr(enc::write_array_len(out, 2), path)?;
        wr(enc::write_bin(out, &inner_ty.to_json_bytes()), path)?;
        return to_msgpack(inner, &inner_ty, path, out);
    }
    // A concrete type was asked for: the dynamic wrapper's own type is moot.
    let v = v.unwrap_dynamic();
    if matches!(v, Value::Null | Value::Unknown(_)) {
        return to_msgpack(v, ty, path, out);
    }
    let mismatch = || path.encode_err(format!("expected {}, got {}", type_kind(ty), value_kind(v)));
    match ty {
        // Handled above; kept for exhaustiveness.
        Type::Dynamic => Err(mismatch()),
        Type::String => match v {
            Value::String(s) => wr(enc::write_str(out, s), path),
            Value::Number(n) => wr(enc::write_str(out, n.as_str()), path),
            Value::Bool(b) => wr(enc::write_str(out, if *b { "true" } else { "false" }), path),
            _ => Err(mismatch()),
        },
        Type::Number => match v {
            Value::Number(n) => write_number(n, path, out),
            Value::String(s) => {
                let n = Number::parse(s).ok_or_else(|| {
                    path.encode_err(format!("cannot convert string {s:?} to number"))
                })?;
                write_number(&n, path, out)
            }
            _ => Err(mismatch()),
        },
        Type::Bool => match v {
            Value::Bool(b) => wr(enc::write_bool(out, *b), path),
            Value::String(s) => {
                let b = string_to_bool(s).ok_or_else(|| {
                    path.encode_err(format!("cannot convert string {s:?} to bool"))
                })?;
                wr(enc::write_bool(out, b), path)
            }
            _ => Err(mismatch()),
        },
        Type::List(ety) | Type::Set(ety) => {
            let elems = v.as_elements().ok_or_else(mismatch)?;
            wr(enc::write_array_len(out, len_u32(elems.len(), path)?), path)?;
            for (i, e) in elems.iter().enumerate() {
                to_msgpack(e, ety, &path.index(i), out)?;
            }
            Ok(())
        }
        Type::Tuple(etys) => {
            let elems = v.as_elements().ok_or_else(mismatch)?;
            if elems.len() != etys.len() {
                return Err(path.encode_err(format!(
                    "expected a tuple of {} elements, got {}",
                    etys.len(),
                    elems.len()
                )));
            }
            wr(enc::write_array_len(out, len_u32(elems.len(), path)?), path)?;
            for (i, (e, ety)) in elems.iter().zip(etys).enumerate() {
                to_msgpack(e, ety, &path.index(i), out)?;
            }
            Ok(())
        }
        Type::Map(ety) => {
            let m = v.as_map().ok_or_else(mismatch)?;
            wr(enc::write_map_len(out, len_u32(m.len(), path)?), path)?;
            for (k, e) in m {
                wr(enc::write_str(out, k), path)?;
                to_msgpack(e, ety, &path.key(k), out)?;
            }
            Ok(())
        }
        Type::Object { attrs, .. } => {
            let m = v.as_map().ok_or_else(mismatch)?;
            check_no_extra_attrs(m, attrs, path)?;
            wr(enc::write_map_len(out, len_u32(attrs.len(), path)?), path)?;
            // BTreeMap iterates in byte order, the order cty sorts keys in.
            for (name, aty) in attrs {
                wr(enc::write_str(out, name), path)?;
                let av = m.get(name).unwrap_or(&Value::Null);
                to_msgpack(av, aty, &path.attr(name), out)?;
            }
            Ok(())
        }
    }
}

fn len_u32(n: usize, path: &Path<'_>) -> Result<u32, CodecError> {
    u32::try_from(n).map_err(|_| path.encode_err("too many elements for msgpack"))
}

fn check_no_extra_attrs(
    m: &BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
    path: &Path<'_>,
) -> Result<(), CodecError> {
    // An attribute the schema does not know is a provider bug (usually a
    // typo); dropping it silently would hide that.
    match m.keys().find(|k| !attrs.contains_key(*k)) {
        Some(extra) => Err(path.encode_err(format!("unsupported attribute {extra:?}"))),
        None => Ok(()),
    }
}

/// cty's string-to-bool conversion.
fn string_to_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// int if it is an exact int64; else float64 if that holds the value exactly;
/// else the decimal text. That is cty's rule: it keeps `0.1` (not exact in
/// binary) as the string `"0.1"` so Terraform reads back the same value.
fn write_number(n: &Number, path: &Path<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
    use rmp::encode as enc;
    if let Some(i) = n.as_i64() {
        wr(enc::write_sint(out, i), path)
    } else if let Some(f) = n.as_f64_exact() {
        wr(enc::write_f64(out, f), path)
    } else {
        wr(enc::write_str(out, n.as_str()), path)
    }
}

/// Plain unknowns are `d4 00 00`; refined ones are ext 12 around a map of the
/// refinements that apply to the type (an empty map is never written).
fn write_unknown(
    r: &Refinements,
    ty: &Type,
    path: &Path<'_>,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    use rmp::encode as enc;
    let mut body = Vec::new();
    let mut entries: u32 = 0;
    if *ty != Type::Dynamic {
        if r.not_null {
            entries += 1;
            wr(enc::write_sint(&mut body, REFN_NULLNESS), path)?;
            wr(enc::write_bool(&mut body, false), path)?;
        }
        match ty {
            Type::String => {
                if let Some(p) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                    entries += 1;
                    wr(enc::write_sint(&mut body, REFN_STRING_PREFIX), path)?;
                    wr(enc::write_str(&mut body, p), path)?;
                }
            }
            Type::Number => {
                for (key, bound) in [
                    (REFN_NUMBER_LOWER, &r.number_lower),
                    (REFN_NUMBER_UPPER, &r.number_upper),
                ] {
                    if let Some((n, inclusive)) = bound {
                        entries += 1;
                        wr(enc::write_sint(&mut body, key), path)?;
                        wr(enc::write_array_len(&mut body, 2), path)?;
                        write_number(n, path, &mut body)?;
                        wr(enc::write_bool(&mut body, *inclusive), path)?;
                    }
                }
            }
            t if t.is_collection() => {
                for (key, bound) in [
                    (REFN_LENGTH_LOWER, r.length_lower),
                    (REFN_LENGTH_UPPER, r.length_upper),
                ] {
                    if let Some(b) = bound {
                        entries += 1;
                        wr(enc::write_sint(&mut body, key), path)?;
                        wr(enc::write_uint(&mut body, b), path)?;
                    }
                }
            }
            _ => {}
        }
    }
    if entries == 0 {
        out.extend_from_slice(&[0xd4, 0x00, 0x00]);
        return Ok(());
    }
    let mut header = Vec::new();
    wr(enc::write_map_len(&mut header, entries), path)?;
    let len = len_u32(header.len() + body.len(), path)?;
    wr(enc::write_ext_meta(out, len, REFINED_UNKNOWN_EXT), path)?;
    out.extend_from_slice(&header);
    out.extend_from_slice(&body);
    Ok(())
}

/// The type a value would have in cty, for writing it into a `dynamic` slot
/// without an explicit [`Value::Dynamic`] wrapper. Null and unknown object
/// attributes and tuple elements become `dynamic`; the other elements of a
/// collection must share one type (one with none is a collection of
/// `dynamic`). `None` where no single type fits, and for a
/// top-level null or unknown (which need no type).
fn infer_type(v: &Value) -> Option<Type> {
    let elem_type = |vs: &mut dyn Iterator<Item = &Value>| -> Option<Type> {
        let mut found: Option<Type> = None;
        for e in vs {
            // Nulls and unknowns fit any element type.
            if matches!(e, Value::Null | Value::Unknown(_)) {
                continue;
            }
            let t = infer_type(e)?;
            match &found {
                Some(f) if *f != t => return None,
                Some(_) => {}
                None => found = Some(t),
            }
        }
        Some(found.unwrap_or(Type::Dynamic))
    };
    match v {
        Value::Null | Value::Unknown(_) => None,
        Value::Bool(_) => Some(Type::Bool),
        Value::Number(_) => Some(Type::Number),
        Value::String(_) => Some(Type::String),
        Value::List(vs) => Some(Type::list(elem_type(&mut vs.iter())?)),
        Value::Set(vs) => Some(Type::set(elem_type(&mut vs.iter())?)),
        Value::Map(m) => Some(Type::map(elem_type(&mut m.values())?)),
        Value::Object(m) => Some(Type::Object {
            attrs: m
                .iter()
                .map(|(k, e)| Some((k.clone(), infer_inner(e)?)))
                .collect::<Option<_>>()?,
            optional: Default::default(),
        }),
        Value::Tuple(vs) => Some(Type::Tuple(
            vs.iter().map(infer_inner).collect::<Option<_>>()?,
        )),
        Value::Dynamic(t, _) => Some((**t).clone()),
    }
}

fn infer_inner(v: &Value) -> Option<Type> {
    match v {
        Value::Null | Value::Unknown(_) => Some(Type::Dynamic),
        v => infer_type(v),
    }
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// Encodes a wholly known value of type `ty` as cty JSON (unknowns are an
/// error: JSON cannot represent them). Numbers are JSON numbers when the JSON
/// text reads back as the same number, else strings; dynamic values are
/// `{"value": .., "type": ..}`. The same conversions as [`encode_msgpack`]
/// are accepted.
pub fn encode_json(v: &Value, ty: &Type) -> Result<serde_json::Value, CodecError> {
    to_json(v, ty, &Path::ROOT)
}

fn to_json(v: &Value, ty: &Type, path: &Path<'_>) -> Result<serde_json::Value, CodecError> {
    use serde_json::Value as J;
    match v {
        Value::Null => return Ok(J::Null),
        Value::Unknown(_) => {
            return Err(path.encode_err("value is not known, which JSON cannot represent"))
        }
        _ => {}
    }
    if *ty == Type::Dynamic {
        let (inner_ty, inner) = match v {
            Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
            other => (infer_type(other).ok_or_else(|| path.encode_err(
                "cannot infer the type of a value for a dynamic attribute; wrap it in Value::Dynamic",
            ))?, other),
        };
        let mut obj = serde_json::Map::new();
        // cty writes "value" before "type"; preserve_order keeps that.
        obj.insert("value".into(), to_json(inner, &inner_ty, path)?);
        obj.insert("type".into(), inner_ty.to_json());
        return Ok(J::Object(obj));
    }
    let v = v.unwrap_dynamic();
    if matches!(v, Value::Null | Value::Unknown(_)) {
        return to_json(v, ty, path);
    }
    let mismatch = || path.encode_err(format!("expected {}, got {}", type_kind(ty), value_kind(v)));
    match ty {
        Type::Dynamic => Err(mismatch()),
        Type::String => match v {
            Value::String(s) => Ok(J::String(s.clone())),
            Value::Number(n) => Ok(J::String(n.as_str().to_string())),
            Value::Bool(b) => Ok(J::String(b.to_string())),
            _ => Err(mismatch()),
        },
        Type::Number => match v {
            Value::Number(n) => Ok(number_to_json(n)),
            Value::String(s) => Number::parse(s)
                .map(|n| number_to_json(&n))
                .ok_or_else(|| path.encode_err(format!("cannot convert string {s:?} to number"))),
            _ => Err(mismatch()),
        },
        Type::Bool => match v {
            Value::Bool(b) => Ok(J::Bool(*b)),
            Value::String(s) => string_to_bool(s)
                .map(J::Bool)
                .ok_or_else(|| path.encode_err(format!("cannot convert string {s:?} to bool"))),
            _ => Err(mismatch()),
        },
        Type::List(ety) | Type::Set(ety) => {
            let elems = v.as_elements().ok_or_else(mismatch)?;
            elems
                .iter()
                .enumerate()
                .map(|(i, e)| to_json(e, ety, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()
                .map(J::Array)
        }
        Type::Tuple(etys) => {
            let elems = v.as_elements().ok_or_else(mismatch)?;
            if elems.len() != etys.len() {
                return Err(path.encode_err(format!(
                    "expected a tuple of {} elements, got {}",
                    etys.len(),
                    elems.len()
                )));
            }
            elems
                .iter()
                .zip(etys)
                .enumerate()
                .map(|(i, (e, ety))| to_json(e, ety, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()
                .map(J::Array)
        }
        Type::Map(ety) => {
            let m = v.as_map().ok_or_else(mismatch)?;
            let mut obj = serde_json::Map::new();
            for (k, e) in m {
                obj.insert(k.clone(), to_json(e, ety, &path.key(k))?);
            }
            Ok(J::Object(obj))
        }
        Type::Object { attrs, .. } => {
            let m = v.as_map().ok_or_else(mismatch)?;
            check_no_extra_attrs(m, attrs, path)?;
            let mut obj = serde_json::Map::new();
            for (name, aty) in attrs {
                let av = m.get(name).unwrap_or(&Value::Null);
                obj.insert(name.clone(), to_json(av, aty, &path.attr(name))?);
            }
            Ok(J::Object(obj))
        }
    }
}

/// A JSON number if serde_json's text for it reads back as exactly this
/// number (integers, and decimals like `0.1` whose shortest float text is the
/// decimal itself), else the decimal as a string so no digit is lost.
fn number_to_json(n: &Number) -> serde_json::Value {
    if let Some(i) = n.as_i64() {
        return i.into();
    }
    if let Some(u) = n.as_u64() {
        return u.into();
    }
    if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
        if Number::from_f64(f) == *n {
            if let Some(j) = serde_json::Number::from_f64(f) {
                return serde_json::Value::Number(j);
            }
        }
    }
    serde_json::Value::String(n.as_str().to_string())
}

/// Decodes cty JSON leniently, for state written by an older schema
/// (`UpgradeResourceState`'s `raw_state.json`) and for `DynamicValue.json`:
/// missing object attributes become null, attributes the type lacks are
/// ignored, numbers may be JSON numbers or strings, and cty's primitive
/// conversions apply (number or bool into string, `"true"`/`"false"` into
/// bool). A dynamic value is `{"type": .., "value": ..}`; anything else in a
/// dynamic slot is taken as-is with the type its JSON shape implies.
///
/// JSON numbers go through serde_json, so one with more significant digits
/// than an f64 holds (and not an integer within u64/i64) is rounded; cty JSON
/// written by Terraform only does that for numbers set to such values.
pub fn decode_json_lenient(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    // serde_json limits nesting depth, so hostile input cannot blow the stack.
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| CodecError::Malformed {
            format: "JSON",
            message: e.to_string(),
        })?;
    from_json(v, ty, &Path::ROOT)
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn json_number(n: &serde_json::Number) -> Option<Number> {
    // Display is exact for integers and the shortest round-trip text for
    // floats (and the original text if arbitrary_precision is ever on).
    Number::parse(&n.to_string()).or_else(|| n.as_f64().map(Number::from_f64))
}

fn from_json(v: serde_json::Value, ty: &Type, path: &Path<'_>) -> Result<Value, CodecError> {
    use serde_json::Value as J;
    if v.is_null() {
        return Ok(Value::Null);
    }
    let expected =
        |v: &J| path.decode_err(format!("expected {}, got {}", type_kind(ty), json_kind(v)));
    match ty {
        Type::Dynamic => {
            // cty's wrapper is exactly {"type": .., "value": ..}; anything
            // else is taken as plain JSON with the type its shape implies.
            let wrapper_type = match &v {
                J::Object(obj) if obj.len() == 2 && obj.contains_key("value") => {
                    obj.get("type").and_then(|t| Type::from_json(t).ok())
                }
                _ => None,
            };
            let (inner_ty, inner_raw) = match (wrapper_type, v) {
                (Some(t), J::Object(mut obj)) => (t, obj.remove("value").unwrap_or(J::Null)),
                (_, v) => (implied_type(&v), v),
            };
            let inner = from_json(inner_raw, &inner_ty, path)?;
            Ok(Value::Dynamic(Box::new(inner_ty), Box::new(inner)))
        }
        Type::String => match v {
            J::String(s) => Ok(Value::String(s)),
            // cty keeps the number's JSON text.
            J::Number(n) => Ok(Value::String(n.to_string())),
            J::Bool(b) => Ok(Value::String(b.to_string())),
            v => Err(expected(&v)),
        },
        Type::Number => match v {
            J::Number(n) => json_number(&n)
                .map(Value::Number)
                .ok_or_else(|| path.decode_err(format!("invalid number {n}"))),
            J::String(s) => Number::parse(&s)
                .map(Value::Number)
                .ok_or_else(|| path.decode_err(format!("invalid number {s:?}"))),
            v => Err(expected(&v)),
        },
        Type::Bool => match v {
            J::Bool(b) => Ok(Value::Bool(b)),
            J::String(s) => string_to_bool(&s)
                .map(Value::Bool)
                .ok_or_else(|| path.decode_err(format!("invalid bool {s:?}"))),
            v => Err(expected(&v)),
        },
        Type::List(ety) | Type::Set(ety) => {
            let J::Array(items) = v else {
                return Err(expected(&v));
            };
            let elems = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| from_json(item, ety, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(elems)
            } else {
                Value::List(elems)
            })
        }
        Type::Tuple(etys) => {
            let J::Array(items) = v else {
                return Err(expected(&v));
            };
            if items.len() != etys.len() {
                return Err(path.decode_err(format!(
                    "expected a tuple of {} elements, got {}",
                    etys.len(),
                    items.len()
                )));
            }
            let elems = items
                .into_iter()
                .zip(etys)
                .enumerate()
                .map(|(i, (item, ety))| from_json(item, ety, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(elems))
        }
        Type::Map(ety) => {
            let J::Object(obj) = v else {
                return Err(expected(&v));
            };
            let mut out = BTreeMap::new();
            for (k, item) in obj {
                let val = from_json(item, ety, &path.key(&k))?;
                out.insert(k, val);
            }
            Ok(Value::Map(out))
        }
        Type::Object { attrs, .. } => {
            let J::Object(mut obj) = v else {
                return Err(expected(&v));
            };
            let mut out = BTreeMap::new();
            for (name, aty) in attrs {
                let val = match obj.remove(name) {
                    Some(item) => from_json(item, aty, &path.attr(name))?,
                    None => Value::Null,
                };
                out.insert(name.clone(), val);
            }
            Ok(Value::Object(out))
        }
    }
}

/// The type cty's JSON decoder implies for untyped JSON: objects become
/// objects, arrays tuples, null `dynamic`.
fn implied_type(v: &serde_json::Value) -> Type {
    use serde_json::Value as J;
    match v {
        J::Null => Type::Dynamic,
        J::Bool(_) => Type::Bool,
        J::Number(_) => Type::Number,
        J::String(_) => Type::String,
        J::Array(items) => Type::Tuple(items.iter().map(implied_type).collect()),
        J::Object(obj) => Type::object(obj.iter().map(|(k, e)| (k.clone(), implied_type(e)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn rt(v: &Value, ty: &Type) -> Value {
        let bytes = encode_msgpack(v, ty).unwrap();
        decode_msgpack(&bytes, ty).unwrap()
    }

    fn assert_rt(v: Value, ty: &Type) {
        assert_eq!(rt(&v, ty), v, "msgpack round trip of {v:?} as {ty}");
        if v.is_wholly_known() {
            let json = encode_json(&v, ty).unwrap();
            let back = decode_json_lenient(json.to_string().as_bytes(), ty).unwrap();
            assert_eq!(back, v, "JSON round trip of {v:?} via {json}");
        }
    }

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).unwrap())
    }

    fn role_type() -> Type {
        Type::object([
            ("name", Type::String),
            ("limit", Type::Number),
            ("login", Type::Bool),
            ("roles", Type::set(Type::String)),
        ])
    }

    fn role(name: &str) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("limit", Value::int(-1)),
            ("login", Value::bool(true)),
            ("roles", Value::string_set(["a", "b"])),
        ])
    }

    #[test]
    fn primitives_round_trip() {
        assert_rt(Value::string("hello"), &Type::String);
        assert_rt(Value::string(""), &Type::String);
        assert_rt(Value::string("ünïcødé ✓"), &Type::String);
        assert_rt(Value::bool(true), &Type::Bool);
        assert_rt(Value::bool(false), &Type::Bool);
        assert_rt(Value::int(0), &Type::Number);
        assert_rt(Value::int(42), &Type::Number);
        assert_rt(Value::int(-5), &Type::Number);
    }

    #[test]
    fn collections_round_trip() {
        let lt = Type::list(Type::String);
        assert_rt(Value::string_list(["a", "b", "a"]), &lt);
        assert_rt(Value::List(vec![]), &lt);
        let st = Type::set(Type::Number);
        assert_rt(Value::Set(vec![Value::int(3), Value::int(1)]), &st);
        let mt = Type::map(Type::Bool);
        assert_rt(
            Value::Map(BTreeMap::from([
                ("x".into(), Value::bool(true)),
                ("y\"z".into(), Value::bool(false)),
            ])),
            &mt,
        );
        assert_rt(Value::Map(BTreeMap::new()), &mt);
        let tt = Type::Tuple(vec![Type::String, Type::Number, Type::list(Type::Bool)]);
        assert_rt(
            Value::Tuple(vec![
                Value::string("s"),
                Value::int(7),
                Value::List(vec![Value::bool(true)]),
            ]),
            &tt,
        );
        assert_rt(Value::Tuple(vec![]), &Type::Tuple(vec![]));
    }

    #[test]
    fn nested_structures_round_trip() {
        // object in list in map, and a set of objects.
        let ty = Type::object([
            ("groups", Type::map(Type::list(role_type()))),
            ("members", Type::set(role_type())),
            ("meta", Type::object([("n", Type::Number)])),
        ]);
        let v = Value::object([
            (
                "groups",
                Value::Map(BTreeMap::from([
                    (
                        "admins".into(),
                        Value::List(vec![role("alice"), role("bob")]),
                    ),
                    ("empty".into(), Value::List(vec![])),
                ])),
            ),
            ("members", Value::Set(vec![role("carol"), role("dave")])),
            ("meta", Value::object([("n", num("2.5"))])),
        ]);
        assert_rt(v.clone(), &ty);

        // Sets keep wire order on decode, compare as multisets.
        let decoded = rt(&v, &ty);
        let members = decoded.get("members").as_elements().unwrap();
        assert_eq!(members[0].get("name").as_str(), Some("carol"));
        let swapped = Value::Set(vec![role("dave"), role("carol")]);
        assert_eq!(decoded.get("members"), &swapped);
    }

    #[test]
    fn null_at_each_level() {
        let ty = Type::object([
            ("s", Type::String),
            ("l", Type::list(Type::String)),
            ("m", Type::map(Type::Number)),
            ("o", Type::object([("x", Type::Bool)])),
            ("d", Type::Dynamic),
        ]);
        assert_rt(Value::Null, &ty);
        assert_eq!(encode_msgpack(&Value::Null, &ty).unwrap(), vec![0xc0]);
        let all_null = Value::object([
            ("s", Value::Null),
            ("l", Value::Null),
            ("m", Value::Null),
            ("o", Value::Null),
            ("d", Value::Null),
        ]);
        assert_rt(all_null.clone(), &ty);
        // Missing attributes encode as nil and decode back as null.
        assert_eq!(
            rt(&Value::object(Vec::<(String, Value)>::new()), &ty),
            all_null
        );
        let inner_nulls = Value::object([
            ("s", Value::string("x")),
            ("l", Value::List(vec![Value::Null, Value::string("a")])),
            ("m", Value::Map(BTreeMap::from([("k".into(), Value::Null)]))),
            ("o", Value::object([("x", Value::Null)])),
            ("d", Value::Null),
        ]);
        assert_rt(inner_nulls, &ty);
    }

    #[test]
    fn unknown_at_each_level() {
        let ty = Type::object([
            ("s", Type::String),
            ("l", Type::list(Type::String)),
            ("m", Type::map(Type::Number)),
            ("o", Type::object([("x", Type::Bool)])),
            ("d", Type::Dynamic),
            ("t", Type::Tuple(vec![Type::String, Type::Number])),
        ]);
        assert_rt(Value::unknown(), &ty);
        assert_rt(
            Value::object([
                ("s", Value::unknown()),
                ("l", Value::List(vec![Value::string("a"), Value::unknown()])),
                (
                    "m",
                    Value::Map(BTreeMap::from([("k".into(), Value::unknown())])),
                ),
                ("o", Value::object([("x", Value::unknown())])),
                ("d", Value::unknown()),
                ("t", Value::Tuple(vec![Value::unknown(), Value::int(1)])),
            ]),
            &ty,
        );
        // JSON cannot carry unknowns.
        let err = encode_json(&Value::object([("s", Value::unknown())]), &ty).unwrap_err();
        assert!(err.to_string().contains(".s"), "{err}");
    }

    #[test]
    fn plain_unknown_bytes() {
        for ty in [
            Type::String,
            Type::Number,
            Type::list(Type::String),
            Type::Dynamic,
            role_type(),
        ] {
            assert_eq!(
                encode_msgpack(&Value::unknown(), &ty).unwrap(),
                vec![0xd4, 0x00, 0x00]
            );
        }
        // Refinements that do not apply to the type are dropped, leaving a
        // plain unknown; dynamic unknowns are never refined.
        let prefix_only = Value::Unknown(Refinements {
            string_prefix: Some("x".into()),
            ..Default::default()
        });
        assert_eq!(
            encode_msgpack(&prefix_only, &Type::Number).unwrap(),
            vec![0xd4, 0x00, 0x00]
        );
        assert_eq!(
            encode_msgpack(&Value::Unknown(Refinements::not_null()), &Type::Dynamic).unwrap(),
            vec![0xd4, 0x00, 0x00]
        );
        // Any extension type decodes as unknown, whatever its payload.
        assert_eq!(
            decode_msgpack(&[0xd4, 0x00, 0x00], &Type::String).unwrap(),
            Value::unknown()
        );
        assert_eq!(
            decode_msgpack(&[0xd5, 0x07, 0xff, 0xff], &Type::String).unwrap(),
            Value::unknown()
        );
        assert_eq!(
            decode_msgpack(&[0xc7, 0x00, 0x03], &Type::Bool).unwrap(),
            Value::unknown()
        );
        // Garbage in an ext 12 payload falls back to no refinements.
        assert_eq!(
            decode_msgpack(&[0xd5, 0x0c, 0xc1, 0xc1], &Type::String).unwrap(),
            Value::unknown()
        );
        assert_eq!(
            decode_msgpack(&[0xd4, 0x0c, 0x05], &Type::String).unwrap(),
            Value::unknown()
        );
    }

    #[test]
    fn object_exact_bytes() {
        let ty = Type::object([("a", Type::String)]);
        let bytes = encode_msgpack(&Value::object([("a", Value::string("x"))]), &ty).unwrap();
        assert_eq!(bytes, vec![0x81, 0xa1, 0x61, 0xa1, 0x78]);
        // Keys are sorted and every attribute of the type is written.
        let ty = Type::object([("b", Type::Bool), ("a", Type::String)]);
        let bytes = encode_msgpack(&Value::object([("b", Value::bool(true))]), &ty).unwrap();
        assert_eq!(bytes, vec![0x82, 0xa1, 0x61, 0xc0, 0xa1, 0x62, 0xc3]);
    }

    #[test]
    fn refined_unknowns_round_trip() {
        let s = Value::Unknown(Refinements {
            not_null: true,
            string_prefix: Some("role_".into()),
            ..Default::default()
        });
        let bytes = encode_msgpack(&s, &Type::String).unwrap();
        // ext8 (c7), length, type 12, then {1: false, 2: "role_"}.
        assert_eq!(&bytes[..3], &[0xc7, 10, 0x0c]);
        assert_eq!(
            &bytes[3..],
            &[0x82, 0x01, 0xc2, 0x02, 0xa5, b'r', b'o', b'l', b'e', b'_']
        );
        assert_rt(s, &Type::String);

        let n = Value::Unknown(Refinements {
            number_lower: Some((Number::from_i64(0), true)),
            number_upper: Some((Number::parse("0.1").unwrap(), false)),
            ..Default::default()
        });
        assert_rt(n, &Type::Number);

        let l = Value::Unknown(Refinements {
            not_null: true,
            length_lower: Some(1),
            length_upper: Some(5),
            ..Default::default()
        });
        for ty in [
            Type::list(Type::String),
            Type::set(Type::String),
            Type::map(Type::String),
        ] {
            assert_rt(l.clone(), &ty);
        }
        assert_rt(Value::Unknown(Refinements::not_null()), &role_type());

        // Inside a structure too.
        let ty = Type::object([("roles", Type::set(Type::String))]);
        assert_rt(Value::object([("roles", l)]), &ty);
    }

    #[test]
    fn refinement_decoding_is_tolerant() {
        // {1: false, 2: "p", 99: "future", 5: 3} as a string: keep not-null
        // and the prefix, ignore the unknown key and the inapplicable length.
        let payload = [
            0x84, 0x01, 0xc2, 0x02, 0xa1, b'p', 0x63, 0xa6, b'f', b'u', b't', b'u', b'r', b'e',
            0x05, 0x03,
        ];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        let v = decode_msgpack(&bytes, &Type::String).unwrap();
        assert_eq!(
            v,
            Value::Unknown(Refinements {
                not_null: true,
                string_prefix: Some("p".into()),
                ..Default::default()
            })
        );
        // A badly typed entry is skipped, the rest kept: {1: "x", 5: 2}.
        let payload = [0x82, 0x01, 0xa1, b'x', 0x05, 0x02];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        let v = decode_msgpack(&bytes, &Type::list(Type::Bool)).unwrap();
        assert_eq!(
            v,
            Value::Unknown(Refinements {
                length_lower: Some(2),
                ..Default::default()
            })
        );
        // Nullness true means a known null, as in cty: {1: true}.
        assert_eq!(
            decode_msgpack(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3], &Type::String).unwrap(),
            Value::Null
        );
        // Number bounds encoded as a string and as float32.
        let payload = [
            0x82, 0x03, 0x92, 0xa3, b'1', b'.', b'5', 0xc3, 0x04, 0x92, 0xca, 0x40, 0x20, 0x00,
            0x00, 0xc2,
        ];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        let v = decode_msgpack(&bytes, &Type::Number).unwrap();
        assert_eq!(
            v,
            Value::Unknown(Refinements {
                number_lower: Some((Number::parse("1.5").unwrap(), true)),
                number_upper: Some((Number::parse("2.5").unwrap(), false)),
                ..Default::default()
            })
        );
    }

    #[test]
    fn number_edge_cases() {
        let ty = Type::Number;
        // i64::MAX is an int64.
        let bytes = encode_msgpack(&Value::int(i64::MAX), &ty).unwrap();
        assert_eq!(
            bytes[0], 0xcf,
            "written as uint64 by rmp's smallest encoding"
        );
        assert_rt(Value::int(i64::MAX), &ty);
        assert_rt(Value::int(i64::MIN), &ty);
        assert_eq!(encode_msgpack(&Value::int(-1), &ty).unwrap(), vec![0xff]);
        assert_eq!(
            encode_msgpack(&Value::int(200), &ty).unwrap(),
            vec![0xcc, 200]
        );

        // uint64 beyond i64::MAX decodes as a number.
        let mut big = vec![0xcf];
        big.extend_from_slice(&u64::MAX.to_be_bytes());
        let v = decode_msgpack(&big, &ty).unwrap();
        assert_eq!(v, num("18446744073709551615"));
        assert_eq!(v.as_i64(), None);
        // ... and, not being an exact int64 or float64, re-encodes as text.
        let enc = encode_msgpack(&v, &ty).unwrap();
        assert_eq!(enc[0], 0xb4);
        assert_rt(v, &ty);

        // Every integer width decodes.
        for (bytes, want) in [
            (vec![0x05], 5i64),
            (vec![0xe0], -32),
            (vec![0xd0, 0x80], -128),
            (vec![0xd1, 0x80, 0x00], -32768),
            (vec![0xd2, 0x80, 0, 0, 0], i64::from(i32::MIN)),
            (vec![0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], i64::MIN),
            (vec![0xcc, 0xff], 255),
            (vec![0xcd, 0xff, 0xff], 65535),
            (vec![0xce, 0xff, 0xff, 0xff, 0xff], 4294967295),
        ] {
            assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), Value::int(want));
        }

        // 0.1 is not exact in binary, so (like cty) it goes as a string; 0.5
        // is, so it goes as float64.
        assert_eq!(
            encode_msgpack(&num("0.1"), &ty).unwrap(),
            vec![0xa3, b'0', b'.', b'1']
        );
        let half = encode_msgpack(&num("0.5"), &ty).unwrap();
        assert_eq!(half[0], 0xcb);
        assert_rt(num("0.1"), &ty);
        assert_rt(num("0.5"), &ty);
        assert_rt(num("-2.75"), &ty);
        assert_rt(num("-0.1"), &ty);
        assert_rt(num("123456789012345678901234567890.123456789"), &ty);
        // A float64 from the wire reads as exactly its value, as in cty
        // (Terraform itself sends 0.1 as a string, see above).
        let mut f = vec![0xcb];
        f.extend_from_slice(&0.1f64.to_be_bytes());
        assert_eq!(
            decode_msgpack(&f, &ty).unwrap(),
            num("0.1000000000000000055511151231257827021181583404541015625")
        );
        // 1e20 is no int64 but is an exact float64.
        assert_eq!(encode_msgpack(&num("1e20"), &ty).unwrap()[0], 0xcb);

        // 1e400 overflows float64: a string, exact round trip.
        let huge = num("1e400");
        let enc = encode_msgpack(&huge, &ty).unwrap();
        assert_eq!(enc[0], 0xda, "str16 holding the digits");
        assert_eq!(&enc[3..5], b"10");
        assert_eq!(enc.len(), 3 + 401);
        assert_rt(huge.clone(), &ty);
        assert_eq!(
            encode_json(&huge, &ty).unwrap(),
            serde_json::Value::String("1".to_string() + &"0".repeat(400))
        );

        // Numbers as decimal strings on the wire, in any notation.
        assert_eq!(
            decode_msgpack(&[0xa3, b'1', b'e', b'3'], &ty).unwrap(),
            Value::int(1000)
        );
        let err = decode_msgpack(&[0xa3, b'a', b'b', b'c'], &ty).unwrap_err();
        assert_eq!(err.to_string(), "at root: invalid number \"abc\"");

        // Infinities are float64 infinities, as in cty; NaN is refused.
        let inf = Value::float(f64::INFINITY);
        let mut want = vec![0xcb];
        want.extend_from_slice(&f64::INFINITY.to_be_bytes());
        assert_eq!(encode_msgpack(&inf, &ty).unwrap(), want);
        assert_rt(Value::float(f64::NEG_INFINITY), &ty);
        let mut nan = vec![0xcb];
        nan.extend_from_slice(&f64::NAN.to_be_bytes());
        assert!(decode_msgpack(&nan, &ty).is_err());
    }

    #[test]
    fn decodes_float32() {
        let mut bytes = vec![0xca];
        bytes.extend_from_slice(&1.5f32.to_be_bytes());
        assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap(), num("1.5"));
        let mut bytes = vec![0xca];
        bytes.extend_from_slice(&(-0.25f32).to_be_bytes());
        assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap(), num("-0.25"));
        // 0.1f32 widens to a float64, whose exact value cty keeps.
        let mut bytes = vec![0xca];
        bytes.extend_from_slice(&0.1f32.to_be_bytes());
        assert_eq!(
            decode_msgpack(&bytes, &Type::Number).unwrap(),
            num("0.100000001490116119384765625")
        );
    }

    #[test]
    fn float64_integers_beyond_2_pow_53_decode_exactly() {
        // cty reads a float64 into a big.Float of exactly its value; the
        // shortest round-tripping text (11893228812309471000) is another number.
        let f = 11893228812309471232f64;
        assert_eq!(f, 11893228812309471232u64 as f64);
        let mut bytes = vec![0xcb];
        bytes.extend_from_slice(&f.to_be_bytes());
        assert_eq!(
            decode_msgpack(&bytes, &Type::Number).unwrap(),
            num("11893228812309471232")
        );
        // And it goes back out as the same float64.
        let out = encode_msgpack(&num("11893228812309471232"), &Type::Number).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn huge_exponents_are_refused_without_allocating() {
        // Once a request that aborted the plugin (about 9.2e18 bytes of
        // zeros): a number string with an exponent near i64's end.
        let mut bytes = vec![0xb8, 24];
        bytes.extend_from_slice(b"0.5e-9223372036854775807");
        assert!(decode_msgpack(&bytes, &Type::Number).is_err());
        for text in [
            "0.5e-9223372036854775807",
            "5e9223372036854775807",
            "1e-9223372036854775808",
            "123.456e99999999999999999999",
            "-0.000001e-4000000000",
        ] {
            assert_eq!(Number::parse(text), None, "{text}");
        }
        // JSON numbers go through f64 first, which rounds this to zero.
        assert_eq!(
            decode_json_lenient(br#"1e-9223372036854775807"#, &Type::Number).unwrap(),
            num("0")
        );
    }

    #[test]
    fn dynamic_round_trip() {
        let ty = Type::object([("d", Type::Dynamic)]);
        for (t, v) in [
            (Type::String, Value::string("s")),
            (Type::Number, num("1.5")),
            (Type::list(Type::String), Value::string_list(["a"])),
            (
                Type::object([("x", Type::Number), ("y", Type::Dynamic)]),
                Value::object([
                    ("x", Value::int(1)),
                    (
                        "y",
                        Value::Dynamic(Box::new(Type::Bool), Box::new(Value::bool(true))),
                    ),
                ]),
            ),
            // A typed null or unknown in a dynamic slot keeps its type.
            (Type::String, Value::Null),
            (Type::String, Value::unknown()),
        ] {
            let d = Value::Dynamic(Box::new(t), Box::new(v));
            assert_rt(Value::object([("d", d)]), &ty);
        }

        // The wire form: [bin(type JSON), value].
        let d = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("x")));
        assert_eq!(
            encode_msgpack(&d, &Type::Dynamic).unwrap(),
            vec![0x92, 0xc4, 0x08, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa1, b'x']
        );
        // The type may also arrive as a str.
        let as_str = [
            0x92, 0xa8, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa1, b'x',
        ];
        assert_eq!(decode_msgpack(&as_str, &Type::Dynamic).unwrap(), d);
        // Wholly unknown and null dynamic values are bare.
        assert_eq!(
            decode_msgpack(&[0xd4, 0, 0], &Type::Dynamic).unwrap(),
            Value::unknown()
        );
        assert_eq!(
            decode_msgpack(&[0xc0], &Type::Dynamic).unwrap(),
            Value::Null
        );

        // The JSON form is {"value": .., "type": ..}.
        assert_eq!(
            encode_json(&d, &Type::Dynamic).unwrap().to_string(),
            r#"{"value":"x","type":"string"}"#
        );

        // Unwrapped values get an inferred type.
        let inferred = rt(&Value::string_list(["a", "b"]), &Type::Dynamic);
        assert_eq!(
            inferred,
            Value::Dynamic(
                Box::new(Type::list(Type::String)),
                Box::new(Value::string_list(["a", "b"]))
            )
        );
        let with_null = Value::List(vec![Value::Null, Value::string("a")]);
        assert_eq!(
            rt(&with_null, &Type::Dynamic),
            Value::Dynamic(
                Box::new(Type::list(Type::String)),
                Box::new(with_null.clone())
            )
        );
        let mixed = Value::List(vec![Value::int(1), Value::string("x")]);
        assert!(encode_msgpack(&mixed, &Type::Dynamic).is_err());

        // Broken dynamic wrappers are errors with a path.
        let err = decode_msgpack(&[0x81, 0xa1, b'd', 0x91, 0xc0], &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at .d: a dynamic value must be a [type, value] array, got 1 elements"
        );
        let err =
            decode_msgpack(&[0x92, 0xa3, b'"', b'x', b'"', 0xc0], &Type::Dynamic).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("at root: dynamic value: invalid type description"),
            "{err}"
        );
    }

    #[test]
    fn decode_error_paths() {
        let ty = Type::object([("roles", Type::list(Type::String))]);
        // {"roles": ["a", "b", 7]}
        let bytes = [
            0x81, 0xa5, b'r', b'o', b'l', b'e', b's', 0x93, 0xa1, b'a', 0xa1, b'b', 0x07,
        ];
        let err = decode_msgpack(&bytes, &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at .roles[2]: expected string, got integer"
        );

        let ty = Type::object([("m", Type::map(Type::object([("n", Type::Number)])))]);
        // {"m": {"k\"1": {"n": true}}}
        let bytes = [
            0x81, 0xa1, b'm', 0x81, 0xa3, b'k', b'"', b'1', 0x81, 0xa1, b'n', 0xc3,
        ];
        let err = decode_msgpack(&bytes, &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"at .m["k\"1"].n: expected number, got boolean"#
        );

        let err = decode_msgpack(&[0xa1, b'x'], &role_type()).unwrap_err();
        assert_eq!(err.to_string(), "at root: expected object, got string");
        let err =
            decode_msgpack(&[0x81, 0xa4, b'n', b'o', b'p', b'e', 0xc0], &role_type()).unwrap_err();
        assert_eq!(err.to_string(), "at root: unsupported attribute \"nope\"");
        let err = decode_msgpack(
            &[0x91, 0xc0],
            &Type::Tuple(vec![Type::String, Type::String]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "at root: expected a tuple of 2 elements, got 1"
        );
        assert!(matches!(
            decode_msgpack(&[0xc0, 0xc0], &Type::String),
            Err(CodecError::Malformed { .. })
        ));
        assert!(matches!(
            decode_msgpack(&[0x92, 0xc0], &Type::list(Type::String)),
            Err(CodecError::Malformed { .. })
        ));
        assert!(matches!(
            decode_msgpack(&[], &Type::String),
            Err(CodecError::Malformed { .. })
        ));
    }

    #[test]
    fn encode_checks_values_against_the_type() {
        let ty = Type::object([("a", Type::list(Type::Number))]);
        let err = encode_msgpack(
            &Value::object([("a", Value::List(vec![Value::bool(true)]))]),
            &ty,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot encode value at .a[0]: expected number, got bool"
        );
        let err = encode_msgpack(&Value::object([("b", Value::Null)]), &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot encode value at root: unsupported attribute \"b\""
        );
        // cty's conversions.
        let conv = Type::object([
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("l", Type::list(Type::String)),
        ]);
        let v = Value::object([
            ("s", Value::int(5)),
            ("n", Value::string("2.5")),
            ("b", Value::string("true")),
            ("l", Value::string_set(["x"])),
        ]);
        assert_eq!(
            rt(&v, &conv),
            Value::object([
                ("s", Value::string("5")),
                ("n", num("2.5")),
                ("b", Value::bool(true)),
                ("l", Value::string_list(["x"])),
            ])
        );
    }

    #[test]
    fn lenient_json() {
        let ty = Type::object([
            ("name", Type::String),
            ("limit", Type::Number),
            ("big", Type::Number),
            ("login", Type::Bool),
            ("roles", Type::set(Type::String)),
            ("added_later", Type::String),
        ]);
        let raw = br#"{"name":"alice","limit":"-1","big":12.5,"login":true,"roles":["a","b"],"removed":{"x":1}}"#;
        let v = decode_json_lenient(raw, &ty).unwrap();
        assert_eq!(
            v,
            Value::object([
                ("name", Value::string("alice")),
                ("limit", Value::int(-1)),
                ("big", num("12.5")),
                ("login", Value::bool(true)),
                ("roles", Value::string_set(["b", "a"])),
                ("added_later", Value::Null),
            ])
        );
        // cty's primitive conversions.
        let v = decode_json_lenient(br#"{"name":5,"login":"false","limit":1e3}"#, &ty).unwrap();
        assert_eq!(v.get("name").as_str(), Some("5"));
        assert_eq!(v.get("login").as_bool(), Some(false));
        assert_eq!(v.get("limit").as_i64(), Some(1000));
        // Errors carry the path.
        let err = decode_json_lenient(br#"{"roles":["a",{}]}"#, &ty).unwrap_err();
        assert_eq!(err.to_string(), "at .roles[1]: expected string, got object");
        assert!(matches!(
            decode_json_lenient(b"{", &ty),
            Err(CodecError::Malformed { .. })
        ));
        assert_eq!(decode_json_lenient(b"null", &ty).unwrap(), Value::Null);

        // Dynamic: wrapped, or plain JSON with its implied type.
        let dty = Type::object([("d", Type::Dynamic)]);
        let v = decode_json_lenient(br#"{"d":{"value":["a"],"type":["list","string"]}}"#, &dty)
            .unwrap();
        assert_eq!(
            v.get("d"),
            &Value::Dynamic(
                Box::new(Type::list(Type::String)),
                Box::new(Value::string_list(["a"]))
            )
        );
        let v = decode_json_lenient(br#"{"d":{"k":[1,"x"]}}"#, &dty).unwrap();
        let implied = Type::object([("k", Type::Tuple(vec![Type::Number, Type::String]))]);
        assert_eq!(
            v.get("d"),
            &Value::Dynamic(
                Box::new(implied),
                Box::new(Value::object([(
                    "k",
                    Value::Tuple(vec![Value::int(1), Value::string("x")])
                )]))
            )
        );
    }

    #[test]
    fn json_encoding_shapes() {
        let ty = Type::object([
            ("n", Type::Number),
            ("f", Type::Number),
            ("u", Type::Number),
            ("p", Type::Number),
            ("m", Type::map(Type::String)),
            ("missing", Type::String),
        ]);
        let v = Value::object([
            ("n", Value::int(-3)),
            ("f", num("0.1")),
            ("u", num("18446744073709551615")),
            ("p", num("0.1000000000000000055511151231257827")),
            (
                "m",
                Value::Map(BTreeMap::from([("k".into(), Value::string("v"))])),
            ),
        ]);
        assert_eq!(
            encode_json(&v, &ty).unwrap().to_string(),
            r#"{"f":0.1,"m":{"k":"v"},"missing":null,"n":-3,"p":"0.1000000000000000055511151231257827","u":18446744073709551615}"#
        );
    }

    #[test]
    fn type_json_round_trips() {
        let types = [
            Type::String,
            Type::Number,
            Type::Bool,
            Type::Dynamic,
            Type::list(Type::String),
            Type::set(Type::map(Type::Number)),
            Type::Tuple(vec![Type::String, Type::Bool]),
            Type::Tuple(vec![]),
            role_type(),
            Type::object(Vec::<(String, Type)>::new()),
            Type::object_with_optional(
                [("a", Type::String), ("b", Type::list(Type::Dynamic))],
                ["b"],
            ),
        ];
        for t in types {
            let bytes = t.to_json_bytes();
            assert_eq!(
                Type::from_json_bytes(&bytes).unwrap(),
                t,
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
        assert_eq!(
            String::from_utf8(
                Type::object([("b", Type::Bool), ("a", Type::list(Type::String))]).to_json_bytes()
            )
            .unwrap(),
            r#"["object",{"a":["list","string"],"b":"bool"}]"#
        );
        let opt = Type::object_with_optional([("a", Type::String), ("b", Type::Number)], ["b"]);
        assert_eq!(
            String::from_utf8(opt.to_json_bytes()).unwrap(),
            r#"["object",{"a":"string","b":"number"},["b"]]"#
        );
        let Type::Object { optional, .. } =
            Type::from_json_bytes(br#"["object",{"a":"string"},["a"]]"#).unwrap()
        else {
            panic!("not an object");
        };
        assert_eq!(optional, BTreeSet::from(["a".to_string()]));
        for bad in [
            r#""strin""#,
            r#"["list"]"#,
            r#"["list","string","x"]"#,
            r#"["object",{"a":"string"},["b"]]"#,
            r#"["tuple","string"]"#,
            r#"["frob","string"]"#,
            "7",
        ] {
            assert!(Type::from_json_bytes(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
