//! The one walk of a value along its type that both wire formats share.
//!
//! Decoding reads a format's parsed tree ([`WireIn`]) and encoding builds
//! one ([`WireOut`]); how lists, sets, tuples, maps, objects and dynamic
//! values nest, and which conversions cty allows, is written once here. The
//! formats only say how their leaves, nulls, unknowns and dynamic wrappers
//! look.

use std::collections::BTreeMap;

use crate::protocol::cty::error::CodecError;
use crate::protocol::cty::number::Number;
use crate::protocol::cty::path::{index, AttrPath, PathStep};
use crate::protocol::cty::types::Type;
use crate::protocol::cty::value::{Refinements, Value};

/// A leaf conversion: `Err(node)` when the node is not of the kind asked
/// for (so the walk can say what it found), else the conversion's outcome.
pub(super) type Leaf<T, W> = Result<Result<T, CodecError>, W>;

/// A parsed tree of one wire format, as the decoding walk reads it.
pub(super) trait WireIn: Sized {
    /// Whether objects may carry attributes the type lacks (state written by
    /// an older schema), which are then ignored, instead of being an error.
    const LENIENT_OBJECTS: bool;

    /// The node's kind, for "expected X, got Y" messages.
    fn kind(&self) -> &'static str;
    /// Whether the node is null.
    fn is_null(&self) -> bool;
    /// The unknown value this node stands for, if it is an unknown marker.
    fn unknown(&self, ty: &Type) -> Option<Value>;
    /// A dynamic value's concrete type and inner node.
    fn into_dynamic(self, path: &AttrPath) -> Result<(Type, Self), CodecError>;
    /// A string (or what the format converts to one).
    fn into_string(self, path: &AttrPath) -> Leaf<String, Self>;
    /// A number.
    fn into_number(self, path: &AttrPath) -> Leaf<Number, Self>;
    /// A bool.
    fn into_bool(self, path: &AttrPath) -> Leaf<bool, Self>;
    /// The elements of an array.
    fn into_array(self) -> Result<Vec<Self>, Self>;
    /// The entries of a map; keys must be strings.
    fn into_entries(self, path: &AttrPath) -> Leaf<Vec<(String, Self)>, Self>;
}

/// Decodes `raw` as a value of `ty`.
pub(super) fn decode<W: WireIn>(
    raw: W,
    ty: &Type,
    path: &mut AttrPath,
) -> Result<Value, CodecError> {
    // Null and unknown override the type's own encoding at every level.
    if raw.is_null() {
        return Ok(Value::Null);
    }
    if let Some(unknown) = raw.unknown(ty) {
        return Ok(unknown);
    }
    let expected = |raw: &W, path: &AttrPath| {
        CodecError::decode(
            path,
            format!("expected {}, got {}", type_kind(ty), raw.kind()),
        )
    };
    match ty {
        Type::Dynamic => {
            let (inner_ty, inner) = raw.into_dynamic(path)?;
            let inner = decode(inner, &inner_ty, path)?;
            Ok(Value::Dynamic(Box::new(inner_ty), Box::new(inner)))
        }
        Type::String => match raw.into_string(path) {
            Ok(s) => s.map(Value::String),
            Err(raw) => Err(expected(&raw, path)),
        },
        Type::Number => match raw.into_number(path) {
            Ok(n) => n.map(Value::Number),
            Err(raw) => Err(expected(&raw, path)),
        },
        Type::Bool => match raw.into_bool(path) {
            Ok(b) => b.map(Value::Bool),
            Err(raw) => Err(expected(&raw, path)),
        },
        Type::List(ety) | Type::Set(ety) => {
            let items = raw.into_array().map_err(|raw| expected(&raw, path))?;
            let elems = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| path.within(index(i), |p| decode(item, ety, p)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(elems)
            } else {
                Value::List(elems)
            })
        }
        Type::Tuple(etys) => {
            let items = raw.into_array().map_err(|raw| expected(&raw, path))?;
            if items.len() != etys.len() {
                return Err(CodecError::decode(
                    path,
                    format!(
                        "expected a tuple of {} elements, got {}",
                        etys.len(),
                        items.len()
                    ),
                ));
            }
            let elems = items
                .into_iter()
                .zip(etys)
                .enumerate()
                .map(|(i, (item, ety))| path.within(index(i), |p| decode(item, ety, p)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(elems))
        }
        Type::Map(ety) => {
            let entries = raw
                .into_entries(path)
                .map_err(|raw| expected(&raw, path))??;
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                let v = path.within(PathStep::Key(k.clone()), |p| decode(item, ety, p))?;
                out.insert(k, v);
            }
            Ok(Value::Map(out))
        }
        Type::Object { attrs, .. } => {
            let entries = raw
                .into_entries(path)
                .map_err(|raw| expected(&raw, path))??;
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                let Some(aty) = attrs.get(&k) else {
                    if W::LENIENT_OBJECTS {
                        continue;
                    }
                    return Err(CodecError::decode(
                        path,
                        format!("unsupported attribute {k:?}"),
                    ));
                };
                let v = path.within(PathStep::Attr(k.clone()), |p| decode(item, aty, p))?;
                out.insert(k, v);
            }
            // Decoded objects always have every attribute of their type
            // (Terraform sends them all; state from an older schema may not).
            for name in attrs.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
    }
}

/// A wire format's tree under construction, as the encoding walk builds it.
pub(super) trait WireOut: Sized {
    /// Null.
    fn null() -> Self;
    /// An unknown value of `ty` (a format that has none says so).
    fn unknown(r: &Refinements, ty: &Type, path: &AttrPath) -> Result<Self, CodecError>;
    /// A string.
    fn string(s: &str) -> Self;
    /// A number.
    fn number(n: &Number) -> Self;
    /// A bool.
    fn bool(b: bool) -> Self;
    /// An array of nodes.
    fn array(items: Vec<Self>) -> Self;
    /// A map of nodes (object attributes in type order).
    fn map(entries: Vec<(String, Self)>) -> Self;
    /// A value of a `dynamic` slot, with its concrete type.
    fn dynamic(ty: &Type, inner: Self) -> Self;
}

/// Encodes `v` as a value of `ty`.
///
/// The type drives the shape: objects get exactly one entry per attribute of
/// the type (absent ones null, keys sorted). Like cty's `Marshal`, which
/// converts before encoding, a few safe conversions are accepted: number or
/// bool into string, numeric string into number, `"true"`/`"false"` into
/// bool, list/set/tuple values into any of those types, map/object values
/// into either. A known value for a `dynamic` type is written with its
/// [`Value::Dynamic`] type, or with a type inferred from the value.
pub(super) fn encode<W: WireOut>(
    v: &Value,
    ty: &Type,
    path: &mut AttrPath,
) -> Result<W, CodecError> {
    match v {
        Value::Null => return Ok(W::null()),
        Value::Unknown(r) => return W::unknown(r, ty, path),
        _ => {}
    }
    if *ty == Type::Dynamic {
        let (inner_ty, inner) = match v {
            Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
            other => (
                infer_type(other).ok_or_else(|| {
                    CodecError::encode(
                        path,
                        "cannot infer the type of a value for a dynamic attribute; wrap it in \
                         Value::Dynamic",
                    )
                })?,
                other,
            ),
        };
        let inner_node = encode(inner, &inner_ty, path)?;
        return Ok(W::dynamic(&inner_ty, inner_node));
    }
    // A concrete type was asked for: the dynamic wrapper's own type is moot.
    let v = v.unwrap_dynamic();
    if matches!(v, Value::Null | Value::Unknown(_)) {
        return encode(v, ty, path);
    }
    let mismatch = |path: &AttrPath| {
        CodecError::encode(
            path,
            format!("expected {}, got {}", type_kind(ty), value_kind(v)),
        )
    };
    match ty {
        // Handled above; kept for exhaustiveness.
        Type::Dynamic => Err(mismatch(path)),
        Type::String => match v {
            Value::String(s) => Ok(W::string(s)),
            Value::Number(n) => Ok(W::string(n.as_str())),
            Value::Bool(b) => Ok(W::string(if *b { "true" } else { "false" })),
            _ => Err(mismatch(path)),
        },
        Type::Number => match v {
            Value::Number(n) => Ok(W::number(n)),
            Value::String(s) => Number::parse(s).map(|n| W::number(&n)).ok_or_else(|| {
                CodecError::encode(path, format!("cannot convert string {s:?} to number"))
            }),
            _ => Err(mismatch(path)),
        },
        Type::Bool => match v {
            Value::Bool(b) => Ok(W::bool(*b)),
            Value::String(s) => string_to_bool(s).map(W::bool).ok_or_else(|| {
                CodecError::encode(path, format!("cannot convert string {s:?} to bool"))
            }),
            _ => Err(mismatch(path)),
        },
        Type::List(ety) | Type::Set(ety) => {
            let elems = v.as_elements().ok_or_else(|| mismatch(path))?;
            let items = elems
                .iter()
                .enumerate()
                .map(|(i, e)| path.within(index(i), |p| encode(e, ety, p)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(W::array(items))
        }
        Type::Tuple(etys) => {
            let elems = v.as_elements().ok_or_else(|| mismatch(path))?;
            if elems.len() != etys.len() {
                return Err(CodecError::encode(
                    path,
                    format!(
                        "expected a tuple of {} elements, got {}",
                        etys.len(),
                        elems.len()
                    ),
                ));
            }
            let items = elems
                .iter()
                .zip(etys)
                .enumerate()
                .map(|(i, (e, ety))| path.within(index(i), |p| encode(e, ety, p)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(W::array(items))
        }
        Type::Map(ety) => {
            let m = v.as_map().ok_or_else(|| mismatch(path))?;
            let entries = m
                .iter()
                .map(|(k, e)| {
                    path.within(PathStep::Key(k.clone()), |p| encode(e, ety, p))
                        .map(|node| (k.clone(), node))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(W::map(entries))
        }
        Type::Object { attrs, .. } => {
            let m = v.as_map().ok_or_else(|| mismatch(path))?;
            // An attribute the schema does not know is a provider bug
            // (usually a typo); dropping it silently would hide that.
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::encode(
                    path,
                    format!("unsupported attribute {extra:?}"),
                ));
            }
            // BTreeMap iterates in byte order, the order cty sorts keys in.
            let entries = attrs
                .iter()
                .map(|(name, aty)| {
                    let av = m.get(name).unwrap_or(&Value::Null);
                    path.within(PathStep::Attr(name.clone()), |p| encode(av, aty, p))
                        .map(|node| (name.clone(), node))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(W::map(entries))
        }
    }
}

/// cty's string-to-bool conversion.
pub(super) fn string_to_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
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

/// The type a value would have in cty, for writing it into a `dynamic` slot
/// without an explicit [`Value::Dynamic`] wrapper. Null and unknown object
/// attributes and tuple elements become `dynamic`; the other elements of a
/// collection must share one type (one with none is a collection of
/// `dynamic`). `None` where no single type fits, and for a top-level null or
/// unknown (which need no type).
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
