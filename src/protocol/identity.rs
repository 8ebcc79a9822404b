//! Resource identity (tfplugin6 6.9, Terraform 1.12+): the few attributes
//! that name a remote object, which Terraform keeps beside the state and
//! which `import { identity = { … } }` and `terraform query` use.
//!
//! An identity here is always a projection of the state: the named
//! attributes, with sets written as sorted lists (identity attributes may
//! not be sets). So it is computed from the object every time, never echoed
//! from a request, and it is the same however the object was reached.

use crate::protocol::cty::{Type, Value};
use crate::protocol::generated::tfplugin6 as pb;
use crate::protocol::schema::Attribute;

/// The identity schema of one resource type.
#[derive(Debug, Clone)]
pub struct IdentitySchema {
    /// Identity schema version; stays 0 until an identity changes shape.
    pub version: i64,
    /// The identity attributes.
    pub attributes: Vec<IdentityAttribute>,
}

/// One identity attribute.
#[derive(Debug, Clone)]
pub struct IdentityAttribute {
    /// Name, the same as the state attribute it comes from.
    pub name: String,
    /// Its type: the state attribute's, with a set as a list.
    pub ty: Type,
    /// Whether `import { identity = … }` must give it.
    pub required: bool,
    /// What it means.
    pub description: String,
}

impl IdentitySchema {
    /// The identity of the state attributes named `names`, in that order.
    /// Attributes that are required in the resource, and `id`, are required
    /// for import.
    pub fn from_attributes(names: &[&str], attributes: &[Attribute]) -> IdentitySchema {
        let attributes = names
            .iter()
            .filter_map(|n| attributes.iter().find(|a| a.name == *n))
            .map(|a| IdentityAttribute {
                name: a.name.clone(),
                ty: match &a.ty {
                    Type::Set(e) => Type::List(e.clone()),
                    other => other.clone(),
                },
                // `id` is computed in the resource, but an identity made of
                // the import ID is nothing without it.
                required: a.required || a.name == "id",
                description: a.description.clone(),
            })
            .collect();
        IdentitySchema {
            version: 0,
            attributes,
        }
    }

    /// The object type identity values have on the wire.
    pub fn ty(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// The identity of a state; `None` unless every identity attribute of
    /// it is known (Terraform refuses unknown identities).
    pub fn project(&self, state: &Value) -> Option<Value> {
        if state.is_null() || state.is_unknown() {
            return None;
        }
        let mut out = Vec::with_capacity(self.attributes.len());
        for a in &self.attributes {
            let v = state.get(&a.name);
            if !v.is_wholly_known() {
                return None;
            }
            let v = match v {
                Value::Set(items) => {
                    let mut items = items.clone();
                    items.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
                    Value::List(items)
                }
                other => other.clone(),
            };
            out.push((a.name.as_str(), v));
        }
        Some(Value::object(out))
    }

    /// Sets the identity's values into a state object, turning lists back
    /// into sets where the state attribute is a set.
    pub fn apply_to(&self, identity: &Value, state: &mut Value, state_ty: &Type) {
        for a in &self.attributes {
            let v = identity.get(&a.name).clone();
            let v = match (state_ty.attribute_type(&a.name), v) {
                (Some(Type::Set(_)), Value::List(items)) => Value::Set(items),
                (_, v) => v,
            };
            state.set(&a.name, v);
        }
    }

    /// The wire form.
    pub fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    r#type: a.ty.to_json_bytes(),
                    required_for_import: a.required,
                    optional_for_import: !a.required,
                    description: a.description.clone(),
                })
                .collect(),
        }
    }
}
