//! What the resource types share.
//!
//! * [`state`]: the provider's configured connection ([`state::Client`])
//!   and the transaction runners every change goes through;
//! * [`errors`]: a PostgreSQL error to a diagnostic that says what to do;
//! * [`validators`]: checks of configured names and values;
//! * [`role_flags`]: the boolean role attributes in models and values, by
//!   the attribute names their table gives;
//! * [`import_id`]: every resource's import ID, rendered and parsed in one
//!   place, and the text grammars they are written in;
//! * [`sdk_state`]: reading state the reference provider wrote.

pub mod errors;
pub mod import_id;
pub mod role_flags;
pub mod sdk_state;
pub mod state;
pub mod validators;
