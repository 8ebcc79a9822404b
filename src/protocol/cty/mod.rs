//! cty, Terraform's type system, as this provider needs it: types
//! ([`Type`]), arbitrary-precision numbers ([`Number`]), values ([`Value`])
//! with the refinements of unknowns ([`Refinements`]), paths into values
//! ([`AttrPath`]), and the two wire formats, msgpack and JSON.
//!
//! Both formats are driven by the schema type, as in go-cty: the wire data
//! carries no type information except inside `dynamic` values. They share
//! one walk over the type ([`walk`]); each format only says how its leaves
//! look. Modules depend downward only: `types`, `number` and `path` depend
//! on nothing else here, `value` on `types` and `number`, the formats on
//! all of them.

mod error;
mod json;
mod msgpack;
mod number;
mod path;
mod types;
mod value;
mod walk;

#[cfg(test)]
mod tests;

pub use error::CodecError;
pub use json::{decode_json_lenient, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::Number;
pub use path::{AttrPath, PathStep};
pub use types::Type;
pub use value::{Refinements, Value};
