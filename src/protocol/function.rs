//! Provider-defined functions (tfplugin6 5.x+, Terraform 1.8+, OpenTofu 1.7+):
//! `provider::postgresql::name(args)` in HCL.
//!
//! Terraform calls them on a provider that may not be configured, during
//! validate, plan and apply, and fails the run if two calls with the same
//! arguments answer differently. So a function is a pure computation on its
//! arguments: no database, no clock, no randomness.

use crate::protocol::cty::{Type, Value};
use crate::protocol::generated::tfplugin6 as pb;

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Name, shown in Terraform's error messages and in docs.
    pub name: &'static str,
    /// Its type; arguments arrive encoded with it.
    pub ty: Type,
    /// What the parameter means.
    pub description: &'static str,
}

/// What a function looks like to Terraform.
#[derive(Debug, Clone)]
pub struct Signature {
    /// One line for function listings.
    pub summary: &'static str,
    /// The full description (markdown).
    pub description: String,
    /// The parameters, in order. None accepts null or unknown arguments:
    /// Terraform rejects null before calling, and waits for unknowns.
    pub parameters: Vec<Parameter>,
    /// The type of the result.
    pub returns: Type,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// What is wrong and what to do, in one or two sentences.
    pub text: String,
    /// The 0-based argument to blame, so Terraform can point at it.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error blaming argument `index`.
    pub fn argument(index: usize, text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }
}

/// A provider-defined function.
pub trait Function: Send + Sync {
    /// Its name in `provider::<provider>::<name>`.
    fn name(&self) -> &'static str;
    /// Its signature.
    fn signature(&self) -> Signature;
    /// Computes the result from known, non-null arguments of the declared
    /// types.
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}

impl Signature {
    /// The wire form, for GetProviderSchema and GetFunctions.
    pub fn to_proto(&self) -> pb::Function {
        pb::Function {
            parameters: self
                .parameters
                .iter()
                .map(|p| pb::function::Parameter {
                    name: p.name.to_string(),
                    r#type: p.ty.to_json_bytes(),
                    allow_null_value: false,
                    allow_unknown_values: false,
                    description: p.description.to_string(),
                    description_kind: pb::StringKind::Markdown as i32,
                })
                .collect(),
            variadic_parameter: None,
            // Always present: Terraform reads the return type without
            // checking that it is there.
            r#return: Some(pb::function::Return {
                r#type: self.returns.to_json_bytes(),
            }),
            summary: self.summary.to_string(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }
}
