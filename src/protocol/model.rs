//! Typed resource models: one struct per resource, naming every attribute
//! once, with its type, default, planning behaviour and validators, as
//! terraform-plugin-framework models do.
//!
//! A model is declared with [`model!`]:
//!
//! ```ignore
//! model! {
//!     /// State of a `postgresql_role`.
//!     pub struct RoleModel {
//!         id: Tf<String> = computed("The role name.").stable(),
//!         name: String = required("Name of the role."),
//!         login: bool = optional("Whether the role may log in.").default(false),
//!         roles: Option<BTreeSet<String>> = optional("Roles it is a member of."),
//!     }
//! }
//! ```
//!
//! The field's Rust type says how null and unknown are held: a plain type
//! for attributes that always have a value once planned (required ones and
//! those with a default, which fills a null), `Option<T>` for optional ones
//! (null is `None`), and [`Tf<T>`] for computed ones, which may still be
//! unknown in a plan. The cty type follows from the Rust type (`Vec<String>`
//! is a list, `BTreeSet<String>` a set). The macro writes the struct, the
//! schema attributes and both conversions; a resource never reads a
//! [`Value`] by string key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::protocol::cty::{Number, Type, Value};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::schema::{Attribute, Block, NestedBlock, Nesting};

/// A value that may be null or not known yet: what a computed attribute
/// holds during planning.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tf<T> {
    /// Null.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// A known value.
    Known(T),
}

impl<T> Tf<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Tf::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The value, when known, by value.
    pub fn into_known(self) -> Option<T> {
        match self {
            Tf::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Tf::Null)
    }

    /// Whether the value is not known yet.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Tf::Unknown)
    }

    /// Whether configuration gives a value, known or not (not null).
    pub fn is_set(&self) -> bool {
        !self.is_null()
    }

    /// Borrows the value inside.
    pub fn as_ref(&self) -> Tf<&T> {
        match self {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(v) => Tf::Known(v),
        }
    }

    /// Converts the known value, keeping null and unknown.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Tf<U> {
        match self {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(v) => Tf::Known(f(v)),
        }
    }
}

impl Tf<String> {
    /// The string, when known.
    pub fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T> From<Option<T>> for Tf<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Tf::Null, Tf::Known)
    }
}

/// Why a value could not become a model field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// The value is not known yet (only [`Tf`] fields hold unknowns).
    Unknown,
    /// The value is null and the field has no default.
    Missing,
    /// The value does not fit the field's type.
    Invalid(String),
}

/// A value that could not become a model, naming the attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    /// The attribute (or nested block) at fault.
    pub attribute: String,
    /// What is wrong with it.
    pub kind: FieldError,
}

impl ModelError {
    /// Whether the value only lacked values not known yet (during a plan).
    pub fn is_unknown(&self) -> bool {
        self.kind == FieldError::Unknown
    }

    /// The error as a diagnostic: a model mismatch after planning is a bug.
    pub fn into_diagnostics(self, what: &str) -> Diagnostics {
        Diagnostic::error(
            "Provider Value Error",
            format!(
                "The {what} has an unusable value for {}: {self}. This is a bug in the provider; \
                 please report it.",
                self.attribute
            ),
        )
        .at(&self.attribute)
        .into()
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FieldError::Unknown => write!(f, "{} is not known yet", self.attribute),
            FieldError::Missing => write!(f, "{} is null", self.attribute),
            FieldError::Invalid(why) => write!(f, "{}: {why}", self.attribute),
        }
    }
}

impl std::error::Error for ModelError {}

/// A Rust type that stands for one cty type.
pub trait TfValue: Sized {
    /// The cty type.
    fn ty() -> Type;
    /// Converts a known, non-null value.
    fn from_known(v: &Value) -> Result<Self, FieldError>;
    /// Converts to a value of [`TfValue::ty`].
    fn to_value(&self) -> Value;
}

impl TfValue for String {
    fn ty() -> Type {
        Type::String
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| FieldError::Invalid("not a string".into()))
    }
    fn to_value(&self) -> Value {
        Value::string(self)
    }
}

impl TfValue for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        v.as_bool()
            .ok_or_else(|| FieldError::Invalid("not a bool".into()))
    }
    fn to_value(&self) -> Value {
        Value::bool(*self)
    }
}

impl TfValue for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        v.as_number()
            .and_then(Number::as_i64)
            .ok_or_else(|| FieldError::Invalid("not a whole number".into()))
    }
    fn to_value(&self) -> Value {
        Value::int(*self)
    }
}

impl TfValue for Vec<String> {
    fn ty() -> Type {
        Type::list(Type::String)
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        strings_of(v)
    }
    fn to_value(&self) -> Value {
        Value::string_list(self.iter().cloned())
    }
}

impl TfValue for BTreeSet<String> {
    fn ty() -> Type {
        Type::set(Type::String)
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        strings_of(v).map(|s| s.into_iter().collect())
    }
    fn to_value(&self) -> Value {
        Value::string_set(self.iter().cloned())
    }
}

/// A map; an element that is null is refused, since map elements have no
/// "unset" for the attribute's SQL to mean.
impl<T: TfValue> TfValue for BTreeMap<String, T> {
    fn ty() -> Type {
        Type::map(T::ty())
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        let entries = v
            .as_map()
            .ok_or_else(|| FieldError::Invalid("not a map".into()))?;
        entries
            .iter()
            .map(|(k, e)| match e {
                Value::Unknown(_) => Err(FieldError::Unknown),
                Value::Null => Err(FieldError::Invalid(format!("element {k:?} is null"))),
                e => T::from_known(e)
                    .map(|t| (k.clone(), t))
                    .map_err(|why| match why {
                        FieldError::Invalid(why) => {
                            FieldError::Invalid(format!("element {k:?}: {why}"))
                        }
                        other => other,
                    }),
            })
            .collect()
    }
    fn to_value(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

/// A list of objects (not nested blocks: an attribute of type
/// `list(object(...))`, as data sources return results).
impl<M: Model> TfValue for Vec<M> {
    fn ty() -> Type {
        Type::list(Type::object(
            M::attributes()
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        ))
    }
    fn from_known(v: &Value) -> Result<Self, FieldError> {
        let items = v
            .as_elements()
            .ok_or_else(|| FieldError::Invalid("not a list".into()))?;
        items
            .iter()
            .map(|item| M::from_value(item).map_err(|e| FieldError::Invalid(e.to_string())))
            .collect()
    }
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(Model::to_value).collect())
    }
}

/// The strings of a list or set; an unknown element makes the whole unknown.
fn strings_of(v: &Value) -> Result<Vec<String>, FieldError> {
    let items = v
        .as_elements()
        .ok_or_else(|| FieldError::Invalid("not a list or set".into()))?;
    items
        .iter()
        .map(|e| match e {
            Value::Unknown(_) => Err(FieldError::Unknown),
            e => e
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| FieldError::Invalid("an element is not a string".into())),
        })
        .collect()
}

/// How a model field holds null and unknown; see the module docs.
pub trait Field: Sized {
    /// The value type once known, without null or unknown: what the
    /// attribute holds in a [`crate::protocol::view::View`] as `Tf<Plain>`.
    type Plain: TfValue + Clone + PartialEq + fmt::Debug + Send + Sync;
    /// The cty type of the attribute.
    fn ty() -> Type;
    /// Converts the attribute's value; a null takes `default` when there is one.
    fn from_field(v: &Value, default: Option<&Value>) -> Result<Self, FieldError>;
    /// Converts back.
    fn to_field(&self) -> Value;
}

impl<T: TfValue + Clone + PartialEq + fmt::Debug + Send + Sync> Field for T {
    type Plain = T;
    fn ty() -> Type {
        T::ty()
    }
    fn from_field(v: &Value, default: Option<&Value>) -> Result<Self, FieldError> {
        match (v, default) {
            (Value::Unknown(_), _) => Err(FieldError::Unknown),
            (Value::Null, Some(d)) => T::from_known(d),
            (Value::Null, None) => Err(FieldError::Missing),
            (v, _) => T::from_known(v),
        }
    }
    fn to_field(&self) -> Value {
        self.to_value()
    }
}

impl<T: TfValue + Clone + PartialEq + fmt::Debug + Send + Sync> Field for Option<T> {
    type Plain = T;
    fn ty() -> Type {
        T::ty()
    }
    fn from_field(v: &Value, default: Option<&Value>) -> Result<Self, FieldError> {
        match (v, default) {
            (Value::Unknown(_), _) => Err(FieldError::Unknown),
            (Value::Null, Some(d)) => T::from_known(d).map(Some),
            (Value::Null, None) => Ok(None),
            (v, _) => T::from_known(v).map(Some),
        }
    }
    fn to_field(&self) -> Value {
        self.as_ref().map_or(Value::Null, TfValue::to_value)
    }
}

impl<T: TfValue + Clone + PartialEq + fmt::Debug + Send + Sync> Field for Tf<T> {
    type Plain = T;
    fn ty() -> Type {
        T::ty()
    }
    fn from_field(v: &Value, _default: Option<&Value>) -> Result<Self, FieldError> {
        match v {
            Value::Unknown(_) => Ok(Tf::Unknown),
            Value::Null => Ok(Tf::Null),
            v => T::from_known(v).map(Tf::Known),
        }
    }
    fn to_field(&self) -> Value {
        match self {
            Tf::Null => Value::Null,
            Tf::Unknown => Value::unknown(),
            Tf::Known(v) => v.to_value(),
        }
    }
}

/// A resource (or nested block) model, declared with [`model!`].
pub trait Model: Sized + Default + Clone + PartialEq + fmt::Debug + Send + Sync + 'static {
    /// The schema attributes, in declaration order.
    fn attributes() -> &'static [Attribute];
    /// The nested block types.
    fn blocks() -> Vec<NestedBlock>;
    /// Converts a value of the model's object type.
    fn from_value(v: &Value) -> Result<Self, ModelError>;
    /// Converts to a value of the model's object type.
    fn to_value(&self) -> Value;

    /// The model, when every attribute it holds in a plain field is known;
    /// during planning, `None` means "not yet".
    fn from_value_known(v: &Value) -> Option<Self> {
        Self::from_value(v).ok()
    }

    /// The schema block with `description`.
    fn block(description: &str) -> Block {
        Block {
            description: description.to_string(),
            attributes: Self::attributes().to_vec(),
            blocks: Self::blocks(),
        }
    }

    /// The default of attribute `name`, as declared.
    fn default_of(name: &str) -> Option<&'static Value> {
        Self::attributes()
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.default.as_ref())
    }
}

/// A list of nested blocks of model `M`.
pub trait BlockField: Sized {
    /// The nested block type (`name` and `nesting` set by the caller).
    fn block() -> Block;
    /// Converts the value of the block list.
    fn from_blocks(v: &Value) -> Result<Self, ModelError>;
    /// Converts back.
    fn to_blocks(&self) -> Value;
}

impl<M: Model> BlockField for Vec<M> {
    fn block() -> Block {
        M::block("")
    }
    fn from_blocks(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Null => Ok(Vec::new()),
            v => match v.as_elements() {
                Some(items) => items.iter().map(M::from_value).collect(),
                None => Err(ModelError {
                    attribute: String::new(),
                    kind: if v.is_unknown() {
                        FieldError::Unknown
                    } else {
                        FieldError::Invalid("not a list of blocks".into())
                    },
                }),
            },
        }
    }
    fn to_blocks(&self) -> Value {
        Value::List(self.iter().map(Model::to_value).collect())
    }
}

/// A set of nested blocks of model `M` (`set_block` nesting): the order of
/// the blocks carries no meaning, so two values with the same blocks in
/// another order are equal.
#[derive(Debug, Clone, Default)]
pub struct SetBlocks<M>(pub Vec<M>);

impl<M: PartialEq> PartialEq for SetBlocks<M> {
    fn eq(&self, other: &Self) -> bool {
        if self.0.len() != other.0.len() {
            return false;
        }
        let mut used = vec![false; other.0.len()];
        self.0.iter().all(|a| {
            match other
                .0
                .iter()
                .enumerate()
                .find(|(i, b)| !used[*i] && a == *b)
            {
                Some((i, _)) => {
                    used[i] = true;
                    true
                }
                None => false,
            }
        })
    }
}

impl<M: Model> BlockField for SetBlocks<M> {
    fn block() -> Block {
        M::block("")
    }
    fn from_blocks(v: &Value) -> Result<Self, ModelError> {
        Vec::<M>::from_blocks(v).map(SetBlocks)
    }
    fn to_blocks(&self) -> Value {
        Value::Set(self.0.iter().map(Model::to_value).collect())
    }
}

/// The attribute name of a model field: the field's name, without the `r#`
/// of a raw identifier, so a field `r#type` declares the attribute `type`.
pub fn attr_name(field: &'static str) -> &'static str {
    field.strip_prefix("r#").unwrap_or(field)
}

/// A required attribute; the macro fills in its name and type.
pub fn required(description: &str) -> Attribute {
    Attribute::required("", Type::String, description)
}

/// An optional attribute; the macro fills in its name and type.
pub fn optional(description: &str) -> Attribute {
    Attribute::optional("", Type::String, description)
}

/// An attribute only the provider sets; the macro fills in its name and type.
pub fn computed(description: &str) -> Attribute {
    Attribute::computed("", Type::String, description)
}

/// A repeatable nested block; the macro fills in its name and content.
pub fn list_block(description: &str) -> NestedBlock {
    NestedBlock {
        name: String::new(),
        block: Block {
            description: description.to_string(),
            ..Block::default()
        },
        nesting: Nesting::List,
        max_items: 0,
    }
}

/// A set of nested blocks (order carries no meaning; held as
/// [`SetBlocks`]); the macro fills in its name and content.
pub fn set_block(description: &str) -> NestedBlock {
    NestedBlock {
        nesting: Nesting::Set,
        ..list_block(description)
    }
}

/// Declares a model struct and its [`Model`] implementation; see the module
/// docs. Attributes come first; an optional `blocks { ... }` section lists
/// nested block types as `name: Vec<Model> = list_block("...")` or
/// `name: SetBlocks<Model> = set_block("...")`.
///
/// A model that ends with `view NameView;` also gets a view: the same
/// fields, each a [`Tf`], for validation and planning (see
/// [`crate::protocol::view`]).
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $field:ident : $fty:ty = $spec:expr ),* $(,)?
        }
        $( blocks { $( $bfield:ident : $bty:ty = $bspec:expr ),* $(,)? } )?
        view $view:ident ;
    ) => {
        $crate::model! {
            @model
            $(#[$meta])*
            $vis struct $name { $( $field : $fty = $spec ),* }
            $( blocks { $( $bfield : $bty = $bspec ),* } )?
        }
        $crate::model_view! {
            $vis $name $view { $( $field : $fty ),* }
            $( blocks { $( $bfield : $bty ),* } )?
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $field:ident : $fty:ty = $spec:expr ),* $(,)?
        }
        $( blocks { $( $bfield:ident : $bty:ty = $bspec:expr ),* $(,)? } )?
    ) => {
        $crate::model! {
            @model
            $(#[$meta])*
            $vis struct $name { $( $field : $fty = $spec ),* }
            $( blocks { $( $bfield : $bty = $bspec ),* } )?
        }
    };
    (
        @model
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $field:ident : $fty:ty = $spec:expr ),* $(,)?
        }
        $( blocks { $( $bfield:ident : $bty:ty = $bspec:expr ),* $(,)? } )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $(
                #[doc = concat!("The `", stringify!($field), "` attribute.")]
                pub $field: $fty,
            )*
            $($(
                #[doc = concat!("The `", stringify!($bfield), "` blocks.")]
                pub $bfield: $bty,
            )*)?
        }

        /// Every attribute at its declared default (the type's own default
        /// where none is declared), every block list empty.
        impl Default for $name {
            fn default() -> Self {
                $name {
                    $(
                        $field: <$fty as $crate::protocol::model::Field>::from_field(
                            &$crate::protocol::cty::Value::Null,
                            <Self as $crate::protocol::model::Model>::default_of($crate::protocol::model::attr_name(stringify!($field))),
                        )
                        .unwrap_or_default(),
                    )*
                    $($( $bfield: Default::default(), )*)?
                }
            }
        }

        impl $crate::protocol::model::Model for $name {
            fn attributes() -> &'static [$crate::protocol::schema::Attribute] {
                static ATTRIBUTES: ::std::sync::OnceLock<Vec<$crate::protocol::schema::Attribute>> =
                    ::std::sync::OnceLock::new();
                ATTRIBUTES.get_or_init(|| {
                    vec![$({
                        let mut a: $crate::protocol::schema::Attribute = $spec;
                        a.name = $crate::protocol::model::attr_name(stringify!($field)).to_string();
                        a.ty = <$fty as $crate::protocol::model::Field>::ty();
                        a
                    }),*]
                })
            }

            fn blocks() -> Vec<$crate::protocol::schema::NestedBlock> {
                #[allow(unused_mut)]
                let mut out = Vec::new();
                $($({
                    let mut b: $crate::protocol::schema::NestedBlock = $bspec;
                    b.name = $crate::protocol::model::attr_name(stringify!($bfield)).to_string();
                    let description = ::std::mem::take(&mut b.block.description);
                    b.block = <$bty as $crate::protocol::model::BlockField>::block();
                    b.block.description = description;
                    out.push(b);
                })*)?
                out
            }

            fn from_value(
                v: &$crate::protocol::cty::Value,
            ) -> Result<Self, $crate::protocol::model::ModelError> {
                Ok($name {
                    $(
                        $field: <$fty as $crate::protocol::model::Field>::from_field(
                            v.get($crate::protocol::model::attr_name(stringify!($field))),
                            <Self as $crate::protocol::model::Model>::default_of($crate::protocol::model::attr_name(stringify!($field))),
                        )
                        .map_err(|kind| $crate::protocol::model::ModelError {
                            attribute: $crate::protocol::model::attr_name(stringify!($field)).to_string(),
                            kind,
                        })?,
                    )*
                    $($(
                        $bfield: <$bty as $crate::protocol::model::BlockField>::from_blocks(
                            v.get($crate::protocol::model::attr_name(stringify!($bfield))),
                        )
                        .map_err(|mut e| {
                            e.attribute = if e.attribute.is_empty() {
                                $crate::protocol::model::attr_name(stringify!($bfield)).to_string()
                            } else {
                                format!("{}.{}", $crate::protocol::model::attr_name(stringify!($bfield)), e.attribute)
                            };
                            e
                        })?,
                    )*)?
                })
            }

            fn to_value(&self) -> $crate::protocol::cty::Value {
                #[allow(unused_mut)]
                let mut attrs = ::std::collections::BTreeMap::new();
                $(
                    attrs.insert(
                        $crate::protocol::model::attr_name(stringify!($field)).to_string(),
                        $crate::protocol::model::Field::to_field(&self.$field),
                    );
                )*
                $($(
                    attrs.insert(
                        $crate::protocol::model::attr_name(stringify!($bfield)).to_string(),
                        $crate::protocol::model::BlockField::to_blocks(&self.$bfield),
                    );
                )*)?
                $crate::protocol::cty::Value::Object(attrs)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::model! {
        /// A test model.
        pub struct Sample {
            id: Tf<String> = computed("id").stable(),
            name: String = required("name"),
            flag: bool = optional("flag").default(true),
            limit: i64 = optional("limit").default(-1).int_range(-1, 100),
            note: Option<String> = optional("note"),
            tags: Option<BTreeSet<String>> = optional("tags"),
            path: Vec<String> = optional("path").default(Vec::<String>::new()),
        }
        blocks {
            inner: Vec<Inner> = list_block("inner").max_items(1),
        }
    }

    crate::model! {
        /// A nested block.
        pub struct Inner {
            cert: String = required("cert"),
        }
    }

    #[test]
    fn schema_names_each_attribute_once_with_its_type() {
        let attrs = Sample::attributes();
        let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["id", "name", "flag", "limit", "note", "tags", "path"]
        );
        assert_eq!(attrs[1].ty, Type::String);
        assert_eq!(attrs[2].ty, Type::Bool);
        assert_eq!(attrs[3].ty, Type::Number);
        assert_eq!(attrs[5].ty, Type::set(Type::String));
        assert_eq!(attrs[6].ty, Type::list(Type::String));
        assert!(attrs[0].computed && attrs[0].stable);
        assert_eq!(attrs[2].default, Some(Value::bool(true)));
        let blocks = Sample::blocks();
        assert_eq!(blocks[0].name, "inner");
        assert_eq!(blocks[0].max_items, 1);
        assert_eq!(blocks[0].block.description, "inner");
        assert_eq!(blocks[0].block.attributes[0].name, "cert");
    }

    #[test]
    fn nulls_take_defaults_and_unknowns_stay_unknown() {
        let v = Value::object([("name", Value::string("a")), ("id", Value::unknown())]);
        let m = Sample::from_value(&v).unwrap();
        assert_eq!(m.name, "a");
        assert!(m.flag);
        assert_eq!(m.limit, -1);
        assert_eq!(m.note, None);
        assert!(m.id.is_unknown());
        assert!(m.inner.is_empty());
        let back = m.to_value();
        assert!(back.get("id").is_unknown());
        assert_eq!(back.get("flag"), &Value::bool(true));
        assert!(back.get("note").is_null());
    }

    #[test]
    fn default_is_the_declared_default() {
        let m = Sample::default();
        assert!(m.flag);
        assert_eq!(m.limit, -1);
        assert_eq!(m.name, "");
        assert!(m.id.is_null());
    }

    crate::model! {
        /// A model with a set of blocks.
        pub struct WithSet {
            name: String = required("name"),
        }
        blocks {
            items: SetBlocks<Inner> = set_block("items"),
        }
    }

    #[test]
    fn set_blocks_are_sets() {
        let blocks = WithSet::blocks();
        assert_eq!(blocks[0].nesting, Nesting::Set);
        let item = |c: &str| Value::object([("cert", Value::string(c))]);
        let v = Value::object([
            ("name", Value::string("n")),
            ("items", Value::Set(vec![item("a"), item("b")])),
        ]);
        let m = WithSet::from_value(&v).unwrap();
        assert_eq!(m.items.0.len(), 2);
        assert_eq!(m.to_value(), v);
        let reordered = WithSet::from_value(&Value::object([
            ("name", Value::string("n")),
            ("items", Value::Set(vec![item("b"), item("a")])),
        ]))
        .unwrap();
        assert_eq!(m, reordered);
        let empty = WithSet::from_value(&Value::object([("name", Value::string("n"))])).unwrap();
        assert!(empty.items.0.is_empty());
        assert_eq!(empty.to_value().get("items"), &Value::Set(Vec::new()));
    }

    #[test]
    fn errors_name_the_attribute() {
        let missing = Sample::from_value(&Value::object([("flag", Value::bool(false))]));
        assert_eq!(
            missing.unwrap_err(),
            ModelError {
                attribute: "name".into(),
                kind: FieldError::Missing
            }
        );
        let unknown = Sample::from_value(&Value::object([("name", Value::unknown())]));
        assert!(unknown.unwrap_err().is_unknown());
        let nested = Sample::from_value(&Value::object([
            ("name", Value::string("a")),
            (
                "inner",
                Value::List(vec![Value::object([("cert", Value::Null)])]),
            ),
        ]));
        assert_eq!(nested.unwrap_err().attribute, "inner.cert");
    }
}
