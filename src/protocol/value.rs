//! The cty-compatible value model: Terraform types ([`Type`]), values
//! ([`Value`]), arbitrary-precision numbers ([`Number`]) and the refinements
//! Terraform may attach to unknown values ([`Refinements`]).
//!
//! Values are deliberately *untyped* (a [`Value::Null`] has no type of its
//! own): the schema type travels beside the value and drives the wire codecs in
//! [`super::codec`], exactly as go-cty's msgpack and JSON encoders are driven by
//! the type they are given.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::codec::CodecError;

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// A Terraform (cty) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    /// cty's `DynamicPseudoType`: the concrete type is only known at run time,
    /// so values of this type carry their own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// An object type. `optional` names attributes that may be omitted in a
    /// type constraint; it only matters for the type's JSON form.
    Object {
        attrs: BTreeMap<String, Type>,
        optional: BTreeSet<String>,
    },
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

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// Decimal exponents (of the leading digit) beyond which the canonical text
/// switches from plain digits to scientific notation. cty prints plain digits
/// for any size; the cut-off only stops absurd inputs like `1e999999999` from
/// expanding into gigabytes of zeros.
const PLAIN_EXPONENT_LIMIT: i64 = 1000;

/// Inputs whose leading-digit exponent exceeds this are rejected; it is far
/// beyond anything Terraform (whose numbers are 512-bit big.Floats) produces,
/// and it keeps all exponent arithmetic well away from overflow.
const MAX_EXPONENT: i64 = 1_000_000_000;

/// An arbitrary-precision number, kept as canonical decimal text (cty keeps a
/// big.Float; decimal text is exact for every value Terraform can send us).
///
/// The canonical form has no exponent, leading zeros or trailing fractional
/// zeros (`"1"`, `"-0.25"`, `"1000"`), except that magnitudes beyond 10^±1000
/// use scientific notation (`"1.5e2000"`), and infinities are `"+Inf"` and
/// `"-Inf"` as cty prints them. Because the form is canonical, equality is
/// numeric: `"1"`, `"1.0"` and `"1e0"` all parse to the same `Number`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// The number zero.
    pub fn zero() -> Self {
        Number("0".to_string())
    }

    /// An integer.
    pub fn from_i64(i: i64) -> Self {
        Number(i.to_string())
    }

    /// An unsigned integer (msgpack uint64 can exceed `i64::MAX`).
    pub fn from_u64(u: u64) -> Self {
        Number(u.to_string())
    }

    /// The decimal that is the shortest text reading back as `f` (what cty
    /// shows for a float64-precision number: `0.1` is `"0.1"`). Infinities
    /// are kept. cty has no NaN, so NaN becomes zero; callers that can produce
    /// NaN must check for it themselves.
    pub fn from_f64(f: f64) -> Self {
        if f.is_nan() {
            return Self::zero();
        }
        if f.is_infinite() {
            return Number(if f > 0.0 { "+Inf" } else { "-Inf" }.to_string());
        }
        // Rust's Display for f64 is the shortest round-tripping decimal, in
        // plain notation, which `parse` always accepts; the fallback is
        // unreachable.
        Self::parse(&f.to_string()).unwrap_or_else(Self::zero)
    }

    /// The exact value of a finite `f64`, all of its digits (`2^64` is
    /// `"18446744073709551616"`, not its shortest spelling): what cty holds
    /// after decoding a float64 from msgpack. Infinities are kept; NaN, which
    /// cty cannot hold, is `None`.
    pub fn from_f64_exact(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            return Some(Number(if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()));
        }
        // Every finite f64 is a dyadic rational with at most 767 significant
        // decimal digits, so 800 digits of scientific notation print it
        // exactly (Rust's exact-precision formatting is correctly rounded).
        Self::parse(&format!("{f:.800e}"))
    }

    /// Parses decimal text: optional sign, digits with an optional fraction,
    /// optional exponent (`-1.5e3`, `.5`, `2.`), or an infinity (`Inf`,
    /// `+Inf`, `-inf`, `infinity`), like cty's `ParseNumberVal`. Returns
    /// `None` for anything else, including NaN and whitespace.
    pub fn parse(s: &str) -> Option<Self> {
        let (negative, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
            return Some(Number(if negative { "-Inf" } else { "+Inf" }.to_string()));
        }

        let (mantissa, exp_text) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() && frac_part.is_empty()
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return None;
        }

        let mut exp: i64 = match exp_text {
            None => 0,
            Some(t) => {
                let (neg, digits) = match t.as_bytes().first()? {
                    b'-' => (true, &t[1..]),
                    b'+' => (false, &t[1..]),
                    _ => (false, t),
                };
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                // Saturate, then refuse anything beyond twice the limit at
                // once: no input is long enough for its digits to bring such
                // an exponent back into range, and the arithmetic below then
                // never nears i64's ends.
                let mut e: i64 = 0;
                for b in digits.bytes() {
                    e = e.saturating_mul(10).saturating_add(i64::from(b - b'0'));
                }
                if e > 2 * MAX_EXPONENT {
                    return None;
                }
                if neg {
                    -e
                } else {
                    e
                }
            }
        };

        // value = digits × 10^exp, digits stripped of leading zeros and then
        // of trailing zeros (moved into the exponent).
        let joined: String = [int_part, frac_part].concat();
        let frac_len = i64::try_from(frac_part.len()).ok()?;
        exp = exp.checked_sub(frac_len)?;
        let trimmed = joined.trim_start_matches('0');
        let digits = trimmed.trim_end_matches('0');
        if digits.is_empty() {
            return Some(Self::zero());
        }
        exp = exp.checked_add(i64::try_from(trimmed.len() - digits.len()).ok()?)?;
        let n = i64::try_from(digits.len()).ok()?;
        let lead_exp = exp.checked_add(n - 1)?;
        if lead_exp.unsigned_abs() > MAX_EXPONENT.unsigned_abs() {
            return None;
        }
        Some(Number(canonical_text(negative, digits, exp, lead_exp)))
    }

    /// The integer value, if this is an integer within `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_plain_integer() {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The integer value, if this is a non-negative integer within `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        if self.is_plain_integer() {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The nearest `f64`; `None` if the number is finite but too large for
    /// `f64` (tiny magnitudes round to zero, as any float conversion does).
    pub fn as_f64(&self) -> Option<f64> {
        match self.0.as_str() {
            "+Inf" => Some(f64::INFINITY),
            "-Inf" => Some(f64::NEG_INFINITY),
            s => s.parse::<f64>().ok().filter(|f| f.is_finite()),
        }
    }

    /// The `f64` whose value is *exactly* this number, if there is one
    /// (`0.5`, `1e20`, the infinities; not `0.1`). This is the test cty's
    /// msgpack encoder applies before writing a number as float64.
    pub fn as_f64_exact(&self) -> Option<f64> {
        let f = self.as_f64()?;
        if f.is_infinite() {
            return Some(f);
        }
        let exact = Number::from_f64_exact(f)?;
        (exact == *self).then_some(f)
    }

    /// The canonical decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `±Inf`.
    pub fn is_infinite(&self) -> bool {
        self.0.ends_with("Inf")
    }

    fn is_plain_integer(&self) -> bool {
        let digits = self.0.strip_prefix('-').unwrap_or(&self.0);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Renders `±digits × 10^exp` (digits without leading or trailing zeros,
/// `lead_exp` the exponent of the first digit) in the canonical form.
fn canonical_text(negative: bool, digits: &str, exp: i64, lead_exp: i64) -> String {
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if lead_exp.abs() > PLAIN_EXPONENT_LIMIT {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push_str(&lead_exp.to_string());
        return out;
    }
    // Within the plain range, every padding count below is at most
    // PLAIN_EXPONENT_LIMIT + 1, so the conversions cannot fail.
    let pad = |n: i64| "0".repeat(usize::try_from(n).unwrap_or(0));
    if exp >= 0 {
        out.push_str(digits);
        out.push_str(&pad(exp));
    } else if lead_exp >= 0 {
        // The decimal point falls inside the digits.
        let int_len = usize::try_from(lead_exp + 1).unwrap_or(0);
        out.push_str(&digits[..int_len]);
        out.push('.');
        out.push_str(&digits[int_len..]);
    } else {
        out.push_str("0.");
        out.push_str(&pad(-lead_exp - 1));
        out.push_str(digits);
    }
    out
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::from_i64(i)
    }
}

// ---------------------------------------------------------------------------
// Unknown-value refinements
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

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
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements in wire order; duplicates are the caller's business.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn number_canonical_forms() {
        for (input, canon) in [
            ("1", "1"),
            ("1.0", "1"),
            ("1e0", "1"),
            ("+1.000", "1"),
            ("-0", "0"),
            ("0.000", "0"),
            (".5", "0.5"),
            ("2.", "2"),
            ("0012.3400", "12.34"),
            ("1.5e3", "1500"),
            ("15E-3", "0.015"),
            ("-1.25e-1", "-0.125"),
            ("123.456e1", "1234.56"),
            ("1e1001", "1e1001"),
            ("-12.5e-1200", "-1.25e-1199"),
            ("inf", "+Inf"),
            ("-Infinity", "-Inf"),
        ] {
            assert_eq!(n(input).as_str(), canon, "{input}");
        }
        assert_eq!(n("1e1000").as_str().len(), 1001);
        for bad in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            " 1",
            "1 ",
            "nan",
            "0x10",
            "1e99999999999",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn number_conversions() {
        assert_eq!(Number::from_f64(0.1).as_str(), "0.1");
        assert_eq!(Number::from_f64(-0.0).as_str(), "0");
        assert_eq!(Number::from_f64(1e21).as_str(), "1000000000000000000000");
        assert_eq!(Number::from_f64(1e-7).as_str(), "0.0000001");
        assert_eq!(n("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("9223372036854775808").as_u64(), Some(1 << 63));
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("1e400").as_f64(), None);
        assert_eq!(n("0.5").as_f64_exact(), Some(0.5));
        assert_eq!(n("0.1").as_f64_exact(), None);
        assert_eq!(n("0.1").as_f64(), Some(0.1));
        assert_eq!(n("1e20").as_f64_exact(), Some(1e20));
        assert_eq!(n("-Inf").as_f64_exact(), Some(f64::NEG_INFINITY));
        assert_eq!(
            n("0.1000000000000000055511151231257827021181583404541015625").as_f64_exact(),
            Some(0.1)
        );
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
