//! The Terraform side: tfplugin6 service, values, schemas, diagnostics, planning.
//!
//! Nothing in here knows about PostgreSQL; resources plug in through the
//! traits in [`resource`].

pub mod cty;
pub mod diagnostics;
pub mod docs;
pub mod function;
pub mod generated;
pub mod identity;
pub mod list;
pub mod model;
pub mod plan;
pub mod private;
pub mod resource;
pub mod schema;
pub mod server;
pub mod stateless;
pub mod typed;
pub mod validate;
pub mod view;

pub use cty::{Type, Value};
pub use diagnostics::{AttrPath, DResult, Diagnostic, Diagnostics, Severity};
pub use function::{Function, FunctionError, Parameter, Signature};
pub use identity::IdentitySchema;
pub use list::{ListFilter, ListQuery};
pub use model::{Model, Tf};
pub use plan::{PlanInput, Planned};
pub use private::Private;
pub use resource::{DataSource, Provider, Resource};
pub use schema::{Attribute, Block, NestedBlock, Nesting, Problem, Schema, Validator};
pub use stateless::action::{Action, ActionType, Progress};
pub use stateless::ephemeral::{EphemeralResource, EphemeralResourceType, Opened, Renewed};
pub use typed::{DataSourceType, ResourceType};
pub use view::{Plan, View, ViewOf, Viewed};
