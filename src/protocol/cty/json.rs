//! cty's JSON encoding: `DynamicValue.json`, and the `raw_state.json`
//! handed to `UpgradeResourceState`.

use serde_json::Value as J;

use crate::protocol::cty::error::CodecError;
use crate::protocol::cty::number::Number;
use crate::protocol::cty::path::AttrPath;
use crate::protocol::cty::types::Type;
use crate::protocol::cty::value::{Refinements, Value};
use crate::protocol::cty::walk::{decode, encode, string_to_bool, Leaf, WireIn, WireOut};

/// Encodes a wholly known value of type `ty` as cty JSON (unknowns are an
/// error: JSON cannot represent them). Numbers are JSON numbers when the
/// JSON text reads back as the same number, else strings; dynamic values
/// are `{"value": .., "type": ..}`.
pub fn encode_json(v: &Value, ty: &Type) -> Result<J, CodecError> {
    encode(v, ty, &mut AttrPath::default())
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
    let v: J = serde_json::from_slice(bytes).map_err(|e| CodecError::Malformed {
        format: "JSON",
        message: e.to_string(),
    })?;
    decode(v, ty, &mut AttrPath::default())
}

impl WireIn for J {
    const LENIENT_OBJECTS: bool = true;

    fn kind(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "boolean",
            J::Number(_) => "number",
            J::String(_) => "string",
            J::Array(_) => "array",
            J::Object(_) => "object",
        }
    }

    fn is_null(&self) -> bool {
        self.is_null()
    }

    fn unknown(&self, _ty: &Type) -> Option<Value> {
        None
    }

    fn into_dynamic(self, _path: &AttrPath) -> Result<(Type, Self), CodecError> {
        // cty's wrapper is exactly {"type": .., "value": ..}; anything else
        // is taken as plain JSON with the type its shape implies.
        let wrapper_type = match &self {
            J::Object(obj) if obj.len() == 2 && obj.contains_key("value") => {
                obj.get("type").and_then(|t| Type::from_json(t).ok())
            }
            _ => None,
        };
        Ok(match (wrapper_type, self) {
            (Some(t), J::Object(mut obj)) => (t, obj.remove("value").unwrap_or(J::Null)),
            (_, v) => (implied_type(&v), v),
        })
    }

    fn into_string(self, _path: &AttrPath) -> Leaf<String, Self> {
        match self {
            J::String(s) => Ok(Ok(s)),
            // cty keeps the number's JSON text.
            J::Number(n) => Ok(Ok(n.to_string())),
            J::Bool(b) => Ok(Ok(b.to_string())),
            other => Err(other),
        }
    }

    fn into_number(self, path: &AttrPath) -> Leaf<Number, Self> {
        match self {
            J::Number(n) => Ok(json_number(&n)
                .ok_or_else(|| CodecError::decode(path, format!("invalid number {n}")))),
            J::String(s) => Ok(Number::parse(&s)
                .ok_or_else(|| CodecError::decode(path, format!("invalid number {s:?}")))),
            other => Err(other),
        }
    }

    fn into_bool(self, path: &AttrPath) -> Leaf<bool, Self> {
        match self {
            J::Bool(b) => Ok(Ok(b)),
            J::String(s) => Ok(string_to_bool(&s)
                .ok_or_else(|| CodecError::decode(path, format!("invalid bool {s:?}")))),
            other => Err(other),
        }
    }

    fn into_array(self) -> Result<Vec<Self>, Self> {
        match self {
            J::Array(items) => Ok(items),
            other => Err(other),
        }
    }

    fn into_entries(self, _path: &AttrPath) -> Leaf<Vec<(String, Self)>, Self> {
        match self {
            J::Object(obj) => Ok(Ok(obj.into_iter().collect())),
            other => Err(other),
        }
    }
}

fn json_number(n: &serde_json::Number) -> Option<Number> {
    // Display is exact for integers and the shortest round-trip text for
    // floats (and the original text if arbitrary_precision is ever on).
    Number::parse(&n.to_string()).or_else(|| n.as_f64().map(Number::from_f64))
}

/// The type cty's JSON decoder implies for untyped JSON: objects become
/// objects, arrays tuples, null `dynamic`.
fn implied_type(v: &J) -> Type {
    match v {
        J::Null => Type::Dynamic,
        J::Bool(_) => Type::Bool,
        J::Number(_) => Type::Number,
        J::String(_) => Type::String,
        J::Array(items) => Type::Tuple(items.iter().map(implied_type).collect()),
        J::Object(obj) => Type::object(obj.iter().map(|(k, e)| (k.clone(), implied_type(e)))),
    }
}

impl WireOut for J {
    fn null() -> Self {
        J::Null
    }

    fn unknown(_r: &Refinements, _ty: &Type, path: &AttrPath) -> Result<Self, CodecError> {
        Err(CodecError::encode(
            path,
            "value is not known, which JSON cannot represent",
        ))
    }

    fn string(s: &str) -> Self {
        J::String(s.to_string())
    }

    fn number(n: &Number) -> Self {
        number_to_json(n)
    }

    fn bool(b: bool) -> Self {
        J::Bool(b)
    }

    fn array(items: Vec<Self>) -> Self {
        J::Array(items)
    }

    fn map(entries: Vec<(String, Self)>) -> Self {
        J::Object(entries.into_iter().collect())
    }

    fn dynamic(ty: &Type, inner: Self) -> Self {
        let mut obj = serde_json::Map::new();
        // cty writes "value" before "type"; preserve_order keeps that.
        obj.insert("value".into(), inner);
        obj.insert("type".into(), ty.to_json());
        J::Object(obj)
    }
}

/// A JSON number if serde_json's text for it reads back as exactly this
/// number (integers, and decimals like `0.1` whose shortest float text is the
/// decimal itself), else the decimal as a string so no digit is lost.
fn number_to_json(n: &Number) -> J {
    if let Some(i) = n.as_i64() {
        return i.into();
    }
    if let Some(u) = n.as_u64() {
        return u.into();
    }
    if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
        if Number::from_f64(f) == *n {
            if let Some(j) = serde_json::Number::from_f64(f) {
                return J::Number(j);
            }
        }
    }
    J::String(n.as_str().to_string())
}
