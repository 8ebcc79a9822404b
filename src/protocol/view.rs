//! Typed views of a configuration or plan: the model with every attribute
//! as [`Tf`], so a value that is null or not known yet still has a field.
//!
//! [`crate::model!`] writes the view of a model that names one
//! (`view RoleView;`). Validation and plan modification work on views
//! ([`ResourceType::validate`](crate::protocol::ResourceType::validate),
//! [`Plan`]); create, read and update work on the model, where everything
//! is known.
//!
//! A collection with an element not known yet is [`Tf::Unknown`] as a
//! whole: the number of elements of a set is not known either, since two
//! unknown elements may turn out equal.

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{AttrPath, Diagnostics};
use crate::protocol::model::{FieldError, Model, ModelError, SetBlocks, Tf, TfValue};
use crate::protocol::private::Private;

/// A model whose fields may be null or unknown; see the module docs.
pub trait View: Sized + Clone + PartialEq + Default + std::fmt::Debug + Send + Sync {
    /// Reads a value of the model's object type. Only a value of another
    /// type fails.
    fn from_value(v: &Value) -> Result<Self, ModelError>;

    /// Writes into `into` the attributes that differ from `before`, and only
    /// those: what the view holds as unknown may be partly known in `into`,
    /// and must stay so.
    fn write_changes(&self, before: &Self, into: &mut Value);

    /// Converts to a value of the model's object type.
    fn to_value(&self) -> Value;
}

/// A model with a view.
pub trait Viewed: Model {
    /// Its view.
    type View: View;

    /// The model, when every attribute it holds in a plain field is known;
    /// during planning, `None` means "not yet".
    fn from_view(v: &Self::View) -> Option<Self> {
        Self::from_value_known(&v.to_value())
    }
}

/// The view of model `M`.
pub type ViewOf<M> = <M as Viewed>::View;

/// Reads one attribute as a view field. A value the field cannot hold (a
/// null inside a list) is left to the declared validators, which say what
/// is wrong with it; the view holds it as not known.
pub fn field<T: TfValue>(v: &Value) -> Result<Tf<T>, FieldError> {
    match v {
        Value::Unknown(_) => Ok(Tf::Unknown),
        Value::Null => Ok(Tf::Null),
        v => Ok(T::from_known(v).map_or(Tf::Unknown, Tf::Known)),
    }
}

/// Converts a view field back.
pub fn field_value<T: TfValue>(f: &Tf<T>) -> Value {
    match f {
        Tf::Null => Value::Null,
        Tf::Unknown => Value::unknown(),
        Tf::Known(t) => t.to_value(),
    }
}

/// A list or set of nested blocks, as a view holds it.
pub trait BlockView {
    /// The view of one block.
    type Item: View;

    /// Whether the blocks are a set (else a list).
    const SET: bool;

    /// Converts the blocks back.
    fn blocks_value(v: &Tf<Vec<Self::Item>>) -> Value {
        match v {
            Tf::Null => Value::Null,
            Tf::Unknown => Value::unknown(),
            Tf::Known(items) if Self::SET => Value::Set(items.iter().map(View::to_value).collect()),
            Tf::Known(items) => Value::List(items.iter().map(View::to_value).collect()),
        }
    }

    /// Reads the blocks; a block not known yet makes the whole unknown.
    fn view_of(v: &Value) -> Result<Tf<Vec<Self::Item>>, ModelError> {
        let Some(items) = v.as_elements() else {
            return Ok(if v.is_unknown() {
                Tf::Unknown
            } else {
                Tf::Null
            });
        };
        if items.iter().any(Value::is_unknown) {
            return Ok(Tf::Unknown);
        }
        items
            .iter()
            .map(Self::Item::from_value)
            .collect::<Result<_, _>>()
            .map(Tf::Known)
    }

    /// Writes changed blocks into `slot`, block by block when their number
    /// is the same.
    fn write_changes(now: &Tf<Vec<Self::Item>>, before: &Tf<Vec<Self::Item>>, slot: &mut Value) {
        if now == before {
            return;
        }
        if let (Tf::Known(now), Tf::Known(before)) = (now, before) {
            if let Value::List(items) | Value::Set(items) = slot {
                if items.len() == now.len() && now.len() == before.len() {
                    for ((n, b), item) in now.iter().zip(before).zip(items.iter_mut()) {
                        n.write_changes(b, item);
                    }
                    return;
                }
            }
        }
        // A whole new list is only ever written from known blocks.
        if now.known().is_some() {
            *slot = Self::blocks_value(now);
        }
    }
}

impl<M: Viewed> BlockView for Vec<M> {
    type Item = M::View;
    const SET: bool = false;
}

impl<M: Viewed> BlockView for SetBlocks<M> {
    type Item = M::View;
    const SET: bool = true;
}

/// A plan being made: what a resource's `modify_plan` sees and changes.
#[derive(Debug)]
pub struct Plan<'a, M: Viewed> {
    /// The state before the change; `None` when creating.
    pub prior: Option<M::View>,
    /// The configuration.
    pub config: M::View,
    /// The planned state, after the generic planner; changes to it become
    /// the plan.
    pub planned: M::View,
    /// The prior private state.
    pub private: &'a Private,
    /// The attributes whose change replaces the object.
    pub requires_replace: Vec<AttrPath>,
}

impl<M: Viewed> Plan<'_, M> {
    /// Whether the plan creates the object.
    pub fn creating(&self) -> bool {
        self.prior.is_none()
    }

    /// Whether the plan replaces the object.
    pub fn replaces(&self) -> bool {
        !self.requires_replace.is_empty()
    }

    /// Marks an attribute as forcing replacement, once.
    pub fn replace_on(&mut self, attr: &str) {
        let path = AttrPath::attr(attr);
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }

    /// Takes back the replacement an attribute forced.
    pub fn no_replace_on(&mut self, attr: &str) {
        let path = AttrPath::attr(attr);
        self.requires_replace.retain(|p| *p != path);
    }

    /// The prior value of a field, when there is a prior state.
    pub fn prior_of<T: Clone>(&self, field: impl Fn(&M::View) -> &Tf<T>) -> Tf<T> {
        self.prior.as_ref().map_or(Tf::Null, |p| field(p).clone())
    }
}

/// Reads a view, or says why not (a bug: Terraform sends values of the
/// schema's type).
pub fn view_of<V: View>(v: &Value, what: &str) -> Result<V, Diagnostics> {
    V::from_value(v).map_err(|e| e.into_diagnostics(what))
}

/// Writes the view of a model; [`crate::model!`] calls it for a model
/// that names one (`view RoleView;`).
#[doc(hidden)]
#[macro_export]
macro_rules! model_view {
    (
        $vis:vis $name:ident $view:ident { $( $field:ident : $fty:ty ),* }
        $( blocks { $( $bfield:ident : $bty:ty ),* } )?
    ) => {
        #[doc = concat!("[`", stringify!($name), "`] as a configuration or plan holds it: any \
                         attribute may be null or not known yet.")]
        #[derive(Debug, Clone, PartialEq, Default)]
        $vis struct $view {
            $(
                #[doc = concat!("The `", stringify!($field), "` attribute.")]
                pub $field: $crate::protocol::model::Tf<
                    <$fty as $crate::protocol::model::Field>::Plain,
                >,
            )*
            $($(
                #[doc = concat!("The `", stringify!($bfield), "` blocks.")]
                pub $bfield: $crate::protocol::model::Tf<
                    Vec<<$bty as $crate::protocol::view::BlockView>::Item>,
                >,
            )*)?
        }

        impl $crate::protocol::view::Viewed for $name {
            type View = $view;
        }

        impl $crate::protocol::view::View for $view {
            fn from_value(
                v: &$crate::protocol::cty::Value,
            ) -> Result<Self, $crate::protocol::model::ModelError> {
                Ok($view {
                    $(
                        $field: $crate::protocol::view::field(
                            v.get($crate::protocol::model::attr_name(stringify!($field))),
                        )
                        .map_err(|kind| $crate::protocol::model::ModelError {
                            attribute: $crate::protocol::model::attr_name(stringify!($field)).to_string(),
                            kind,
                        })?,
                    )*
                    $($(
                        $bfield: <$bty as $crate::protocol::view::BlockView>::view_of(
                            v.get($crate::protocol::model::attr_name(stringify!($bfield))),
                        )
                        .map_err(|mut e| {
                            e.attribute = format!(
                                "{}.{}",
                                $crate::protocol::model::attr_name(stringify!($bfield)),
                                e.attribute
                            );
                            e
                        })?,
                    )*)?
                })
            }

            fn write_changes(&self, before: &Self, into: &mut $crate::protocol::cty::Value) {
                $(
                    if self.$field != before.$field {
                        into.set(
                            $crate::protocol::model::attr_name(stringify!($field)),
                            $crate::protocol::view::field_value(&self.$field),
                        );
                    }
                )*
                $($(
                    if let Some(slot) =
                        into.get_mut($crate::protocol::model::attr_name(stringify!($bfield)))
                    {
                        <$bty as $crate::protocol::view::BlockView>::write_changes(
                            &self.$bfield,
                            &before.$bfield,
                            slot,
                        );
                    }
                )*)?
            }

            fn to_value(&self) -> $crate::protocol::cty::Value {
                #[allow(unused_mut)]
                let mut attrs = ::std::collections::BTreeMap::new();
                $(
                    attrs.insert(
                        $crate::protocol::model::attr_name(stringify!($field)).to_string(),
                        $crate::protocol::view::field_value(&self.$field),
                    );
                )*
                $($(
                    attrs.insert(
                        $crate::protocol::model::attr_name(stringify!($bfield)).to_string(),
                        <$bty as $crate::protocol::view::BlockView>::blocks_value(&self.$bfield),
                    );
                )*)?
                $crate::protocol::cty::Value::Object(attrs)
            }
        }
    }
}
