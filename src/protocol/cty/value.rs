//! cty values ([`Value`]) and the refinements Terraform may attach to an
//! unknown one ([`Refinements`]).
//!
//! Values are deliberately *untyped* (a [`Value::Null`] has no type of its
//! own): the schema type travels beside the value and drives the wire codecs,
//! exactly as go-cty's msgpack and JSON encoders are driven by the type they
//! are given.

use std::collections::{BTreeMap, BTreeSet};

use crate::protocol::cty::number::Number;
use crate::protocol::cty::types::Type;

/// Refinements of an unknown value (msgpack ext 12). All optional; the default
/// is a wholly unknown value. Which ones apply depends on the type (prefix for
/// strings, number bounds for numbers, length bounds for list/set/map); the
/// codec drops the ones that do not, as cty does.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct Refinements {
    /// The final value is definitely not null.
    pub not_null: bool,
    /// The final string starts with this.
    pub string_prefix: Option<String>,
    /// Lower bound of the final number, and whether it is inclusive.
    pub number_lower: Option<(Number, bool)>,
    /// Upper bound of the final number, and whether it is inclusive.
    pub number_upper: Option<(Number, bool)>,
    /// Inclusive lower bound of the final collection length.
    pub length_lower: Option<u64>,
    /// Inclusive upper bound of the final collection length.
    pub length_upper: Option<u64>,
}

impl Refinements {
    /// Only "definitely not null", the most common refinement.
    pub fn not_null() -> Self {
        Refinements {
            not_null: true,
            ..Default::default()
        }
    }

    /// True when nothing is refined.
    pub fn is_empty(&self) -> bool {
        *self == Refinements::default()
    }
}

/// A Terraform value. It carries no type of its own (except [`Value::Dynamic`]);
/// the schema type is given to the codecs alongside it.
///
/// Equality is structural with three twists: sets compare as multisets
/// (order-insensitive), numbers compare numerically, and an unknown equals
/// another unknown only when their refinements are equal. That is *not* cty's
/// `Equals`, whose answer for unknowns is itself unknown; it answers "would
/// these encode the same", which is what plan-diffing needs.
#[derive(Clone, Debug)]
pub enum Value {
    /// Null of whatever type the schema gives the slot.
    Null,
    /// Not known until apply, with what is known about it already.
    Unknown(Refinements),
    /// A known bool.
    Bool(bool),
    /// A known number.
    Number(Number),
    /// A known string.
    String(String),
    /// A known list.
    List(Vec<Value>),
    /// Elements in wire order; duplicates are the caller's business.
    Set(Vec<Value>),
    /// A known map.
    Map(BTreeMap<String, Value>),
    /// A known object: attribute name to value.
    Object(BTreeMap<String, Value>),
    /// A known tuple.
    Tuple(Vec<Value>),
    /// A known value of a `dynamic`-typed attribute, carrying its concrete type.
    /// (A null or unknown with a concrete type in a dynamic slot also decodes
    /// to this, so that it round-trips; accessors look through the wrapper.)
    Dynamic(Box<Type>, Box<Value>),
}

/// What [`Value::get`] returns for a missing attribute.
static NULL: Value = Value::Null;

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Unknown(a), Unknown(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => multiset_eq(a, b),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Dynamic(ta, a), Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Order-insensitive comparison. Values have no hash or order, so this is
/// quadratic; greedy matching is correct because `==` is an equivalence.
fn multiset_eq(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    'next: for x in a {
        for (j, y) in b.iter().enumerate() {
            if !used[j] && x == y {
                used[j] = true;
                continue 'next;
            }
        }
        return false;
    }
    true
}

impl Value {
    /// A known string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A known bool.
    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    /// A known integer.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from_i64(i))
    }

    /// A known number from a float (see [`Number::from_f64`]).
    pub fn float(f: f64) -> Value {
        Value::Number(Number::from_f64(f))
    }

    /// A wholly unknown value (no refinements).
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    /// An object from attribute pairs.
    pub fn object(attrs: impl IntoIterator<Item = (impl Into<String>, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A set of strings; duplicates are dropped (keeping the first), since a
    /// cty set cannot hold them and Terraform would collapse them.
    pub fn string_set(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for s in items {
            let s: String = s.into();
            if seen.insert(s.clone()) {
                out.push(Value::String(s));
            }
        }
        Value::Set(out)
    }

    /// A list of strings.
    pub fn string_list(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
        Value::List(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// Looks through a [`Value::Dynamic`] wrapper to the value inside.
    pub fn unwrap_dynamic(&self) -> &Value {
        match self {
            Value::Dynamic(_, v) => v.unwrap_dynamic(),
            v => v,
        }
    }

    fn unwrap_dynamic_mut(&mut self) -> &mut Value {
        match self {
            Value::Dynamic(_, v) => v.unwrap_dynamic_mut(),
            v => v,
        }
    }

    /// True if this value itself is null.
    pub fn is_null(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Null)
    }

    /// True if this value itself is unknown (not whether something inside is;
    /// see [`Value::is_wholly_known`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Unknown(_))
    }

    /// True if no unknown appears anywhere in the value (nulls are known).
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
                vs.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
        }
    }

    /// An object attribute; a static null if this is not an object or has no
    /// such attribute, so lookups chain without ceremony.
    pub fn get(&self, attr: &str) -> &Value {
        match self.unwrap_dynamic() {
            Value::Object(m) => m.get(attr).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// A mutable object attribute, if this is an object that has it.
    pub fn get_mut(&mut self, attr: &str) -> Option<&mut Value> {
        match self.unwrap_dynamic_mut() {
            Value::Object(m) => m.get_mut(attr),
            _ => None,
        }
    }

    /// Sets an object attribute, returning whether it was set. Anything that
    /// is not an object (null and unknown included) is left alone: inventing
    /// an object there would turn "no object" into a partial object.
    pub fn set(&mut self, attr: impl Into<String>, value: Value) -> bool {
        match self.unwrap_dynamic_mut() {
            Value::Object(m) => {
                m.insert(attr.into(), value);
                true
            }
            _ => false,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.unwrap_dynamic() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The integer, if this is a known number that is an integer within i64.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self.unwrap_dynamic() {
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => Some(vs),
            _ => None,
        }
    }

    /// The entries of a known map or object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unwrap_dynamic() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The strings of a known list or set whose elements are all known
    /// strings; `None` if it is null, unknown, or any element is not a known
    /// string.
    pub fn as_string_set(&self) -> Option<Vec<String>> {
        match self.unwrap_dynamic() {
            Value::List(vs) | Value::Set(vs) => {
                vs.iter().map(|v| v.as_str().map(str::to_owned)).collect()
            }
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::int(i64::from(i))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

/// A list of strings.
impl From<Vec<String>> for Value {
    fn from(items: Vec<String>) -> Self {
        Value::string_list(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn value_equality_and_accessors() {
        let a = Value::Set(vec![Value::int(1), Value::int(2), Value::int(2)]);
        let b = Value::Set(vec![Value::int(2), Value::int(1), Value::int(2)]);
        let c = Value::Set(vec![Value::int(2), Value::int(1), Value::int(1)]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            Value::List(vec![Value::int(1), Value::int(2)]),
            Value::List(vec![Value::int(2), Value::int(1)])
        );
        assert_eq!(Value::Number(n("1.0")), Value::int(1));
        assert_eq!(Value::unknown(), Value::unknown());
        assert_ne!(Value::unknown(), Value::Unknown(Refinements::not_null()));

        let mut o = Value::object([
            ("name", Value::string("x")),
            ("roles", Value::string_set(["a", "b", "a"])),
        ]);
        assert_eq!(o.get("name").as_str(), Some("x"));
        assert!(o.get("missing").is_null());
        assert!(Value::Null.get("x").is_null());
        assert_eq!(
            o.get("roles").as_string_set(),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert!(o.set("n", Value::int(3)));
        assert_eq!(o.get("n").as_i64(), Some(3));
        *o.get_mut("n").unwrap() = Value::bool(true);
        assert_eq!(o.get("n").as_bool(), Some(true));
        assert!(!Value::Null.clone().set("x", Value::Null));
        assert!(o.is_wholly_known());
        o.set("late", Value::List(vec![Value::unknown()]));
        assert!(!o.is_wholly_known());
        assert!(!o.is_unknown());
        assert_eq!(
            Value::List(vec![Value::string("a"), Value::unknown()]).as_string_set(),
            None
        );
        assert_eq!(Value::unknown().as_string_set(), None);
        let d = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("s")));
        assert_eq!(d.as_str(), Some("s"));
    }
}
