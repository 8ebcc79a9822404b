//! cty types: what a schema attribute holds, and their JSON form (the one
//! schemas and dynamic values use on the wire).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::protocol::cty::error::CodecError;

/// A Terraform (cty) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A Unicode string.
    String,
    /// An arbitrary-precision decimal number.
    Number,
    /// `true` or `false`.
    Bool,
    /// cty's `DynamicPseudoType`: the concrete type is only known at run time,
    /// so values of this type carry their own type on the wire.
    Dynamic,
    /// An ordered sequence of one element type.
    List(Box<Type>),
    /// An unordered collection of distinct values of one element type.
    Set(Box<Type>),
    /// String keys to values of one element type.
    Map(Box<Type>),
    /// An object type. `optional` names attributes that may be omitted in a
    /// type constraint; it only matters for the type's JSON form.
    Object {
        /// Attribute name to attribute type.
        attrs: BTreeMap<String, Type>,
        /// Attributes that may be omitted.
        optional: BTreeSet<String>,
    },
    /// A fixed-length sequence whose positions have their own types.
    Tuple(Vec<Type>),
}

impl Type {
    /// An object type with the given attributes and no optional attributes.
    pub fn object(attrs: impl IntoIterator<Item = (impl Into<String>, Type)>) -> Type {
        Type::Object {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// An object type where the attributes named in `optional` are optional.
    pub fn object_with_optional(
        attrs: impl IntoIterator<Item = (impl Into<String>, Type)>,
        optional: impl IntoIterator<Item = impl Into<String>>,
    ) -> Type {
        Type::Object {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: optional.into_iter().map(Into::into).collect(),
        }
    }

    /// `list(t)`.
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    /// `set(t)`.
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    /// `map(t)`.
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// True for list, set and map: the types cty calls collections, which are
    /// the only ones that can carry length refinements.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The type of an object attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object { attrs, .. } => attrs.get(name),
            _ => None,
        }
    }

    /// The cty JSON form of the type, as used in schemas and in the type half
    /// of dynamic values: `"string"`, `["list","string"]`,
    /// `["object",{..}]` or `["object",{..},["opt",..]]`, `["tuple",[..]]`,
    /// `"dynamic"`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let kind = |k: &str, t: &Type| J::Array(vec![J::from(k), t.to_json()]);
        match self {
            Type::String => J::from("string"),
            Type::Number => J::from("number"),
            Type::Bool => J::from("bool"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(t) => kind("list", t),
            Type::Set(t) => kind("set", t),
            Type::Map(t) => kind("map", t),
            Type::Object { attrs, optional } => {
                let attrs: serde_json::Map<String, J> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                let mut out = vec![J::from("object"), J::Object(attrs)];
                // cty only writes the third element when there is something in
                // it, so plain objects keep the two-element form.
                if !optional.is_empty() {
                    out.push(J::Array(
                        optional.iter().map(|s| J::from(s.as_str())).collect(),
                    ));
                }
                J::Array(out)
            }
            Type::Tuple(ts) => J::Array(vec![
                J::from("tuple"),
                J::Array(ts.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// [`Type::to_json`] serialized compactly, the form Terraform expects in
    /// `Schema.Attribute.type` and in msgpack dynamic values.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // Display of a serde_json::Value is infallible (all keys are strings).
        self.to_json().to_string().into_bytes()
    }

    /// Parses the cty JSON form of a type.
    pub fn from_json(v: &serde_json::Value) -> Result<Type, CodecError> {
        use serde_json::Value as J;
        let bad = |msg: String| CodecError::InvalidType(msg);
        match v {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(bad(format!("unknown primitive type {other:?}"))),
            },
            J::Array(items) => {
                let Some(J::String(kind)) = items.first() else {
                    return Err(bad("a complex type must start with its kind name".into()));
                };
                let arity_ok = match kind.as_str() {
                    "object" => items.len() == 2 || items.len() == 3,
                    _ => items.len() == 2,
                };
                if !arity_ok {
                    return Err(bad(format!("wrong number of elements for {kind:?} type")));
                }
                let arg = &items[1];
                match kind.as_str() {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "tuple" => {
                        let J::Array(elems) = arg else {
                            return Err(bad("tuple element types must be an array".into()));
                        };
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    "object" => {
                        let J::Object(attrs_json) = arg else {
                            return Err(bad("object attribute types must be an object".into()));
                        };
                        let mut attrs = BTreeMap::new();
                        for (name, t) in attrs_json {
                            attrs.insert(name.clone(), Type::from_json(t)?);
                        }
                        let mut optional = BTreeSet::new();
                        if let Some(opt) = items.get(2) {
                            let J::Array(names) = opt else {
                                return Err(
                                    bad("optional attribute names must be an array".into()),
                                );
                            };
                            for n in names {
                                let J::String(n) = n else {
                                    return Err(bad(
                                        "optional attribute names must be strings".into()
                                    ));
                                };
                                // cty panics on this; we refuse it instead.
                                if !attrs.contains_key(n) {
                                    return Err(bad(format!(
                                        "optional attribute {n:?} is not an attribute"
                                    )));
                                }
                                optional.insert(n.clone());
                            }
                        }
                        Ok(Type::Object { attrs, optional })
                    }
                    other => Err(bad(format!("unknown complex type kind {other:?}"))),
                }
            }
            _ => Err(bad("a type must be a string or an array".into())),
        }
    }

    /// Parses the cty JSON form of a type from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, CodecError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| CodecError::InvalidType(e.to_string()))?;
        Type::from_json(&v)
    }
}

impl fmt::Display for Type {
    /// A short human name, used in error messages ("list of string").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Set(t) => write!(f, "set of {t}"),
            Type::Map(t) => write!(f, "map of {t}"),
            Type::Object { .. } => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}
