//! What goes wrong converting values to and from the wire.

use crate::protocol::cty::path::AttrPath;

/// Why a value could not be decoded or encoded. Messages name the attribute
/// path where it happened, e.g. `at .roles[2]: expected string, got integer`.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not well-formed msgpack or JSON at all.
    #[error("malformed {format}: {message}")]
    Malformed {
        /// `msgpack` or `JSON`.
        format: &'static str,
        /// The parser's complaint.
        message: String,
    },
    /// Well-formed data that does not fit the type.
    #[error("at {path}: {message}")]
    Decode {
        /// Where, as [`AttrPath::render`] writes it.
        path: String,
        /// What does not fit.
        message: String,
    },
    /// A value that does not fit the type it is being encoded as.
    #[error("cannot encode value at {path}: {message}")]
    Encode {
        /// Where, as [`AttrPath::render`] writes it.
        path: String,
        /// What does not fit.
        message: String,
    },
    /// A cty type description (JSON) that is not valid.
    #[error("invalid type description: {0}")]
    InvalidType(String),
}

impl CodecError {
    /// A decoding error at `path`.
    pub fn decode(path: &AttrPath, message: impl Into<String>) -> CodecError {
        CodecError::Decode {
            path: path.render(),
            message: message.into(),
        }
    }

    /// An encoding error at `path`.
    pub fn encode(path: &AttrPath, message: impl Into<String>) -> CodecError {
        CodecError::Encode {
            path: path.render(),
            message: message.into(),
        }
    }
}
