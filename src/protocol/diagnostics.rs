//! Diagnostics: what the provider tells Terraform went wrong, or deserves a look.
//!
//! Every failure a user can act on travels as a diagnostic inside an `Ok`
//! response with a one-line summary and a detail that says what to do; a gRPC
//! `Status` would reach the user as an opaque "rpc error".

use std::fmt;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use crate::protocol::generated::tfplugin6 as pb;

/// How serious a diagnostic is. Warnings are shown but never block an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the operation.
    Error,
    /// Shown to the user; the operation goes on.
    Warning,
}

pub use crate::protocol::cty::{AttrPath, PathStep};

impl AttrPath {
    /// Converts to the wire form.
    pub fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::step::Selector;
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                        PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

/// A single diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line, Title Case, what happened.
    pub summary: String,
    /// What it means and what to do about it.
    pub detail: String,
    /// The attribute at fault, when there is one.
    pub attribute: Option<AttrPath>,
}

impl Diagnostic {
    /// An error without an attribute.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// A warning without an attribute.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// Points the diagnostic at a top-level attribute.
    pub fn at(mut self, attribute: &str) -> Diagnostic {
        self.attribute = Some(AttrPath::attr(attribute));
        self
    }

    /// Points the diagnostic at any attribute path.
    pub fn at_path(mut self, path: &AttrPath) -> Diagnostic {
        self.attribute = Some(path.clone());
        self
    }

    /// Converts to the wire form.
    pub fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::diagnostic::Severity::Error as i32,
                Severity::Warning => pb::diagnostic::Severity::Warning as i32,
            },
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.attribute.as_ref().map(AttrPath::to_proto),
        }
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

/// The result type of provider operations: diagnostics make `?` work.
pub type DResult<T> = Result<T, Diagnostics>;

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds all diagnostics of another collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether the collection is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err(self)` when there is an error, `Ok(())` otherwise.
    pub fn into_result(self) -> DResult<()> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(())
        }
    }

    /// Converts to the wire form.
    pub fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{:?}: {}: {}", d.severity, d.summary, d.detail)?;
        }
        Ok(())
    }
}

tokio::task_local! {
    /// The warnings of the apply in progress, when the server collects them.
    static APPLY_WARNINGS: Mutex<Vec<Diagnostic>>;
}

/// Adds a warning to the answer of the apply in progress, which otherwise
/// returns only a new state: something Terraform's user should know about
/// a change that succeeded (a replication slot left behind on a publisher
/// that could not be reached). Outside an apply the server collects
/// warnings of, it is logged instead.
pub fn warn_in_apply(d: Diagnostic) {
    let kept = APPLY_WARNINGS.try_with(|w| {
        w.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(d.clone())
    });
    if kept.is_err() {
        log::warn!("{}: {}", d.summary, d.detail);
    }
}

/// Runs `f`, collecting what it passes to [`warn_in_apply`].
pub async fn collect_apply_warnings<F: Future>(f: F) -> (F::Output, Diagnostics) {
    APPLY_WARNINGS
        .scope(Mutex::new(Vec::new()), async move {
            let out = f.await;
            let warnings = APPLY_WARNINGS
                .try_with(|w| {
                    std::mem::take(&mut *w.lock().unwrap_or_else(PoisonError::into_inner))
                })
                .unwrap_or_default();
            (out, Diagnostics(warnings))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn apply_warnings_are_collected_only_inside() {
        let (n, w) = collect_apply_warnings(async {
            warn_in_apply(Diagnostic::warning("Left Behind", "a slot"));
            7
        })
        .await;
        assert_eq!(n, 7);
        assert_eq!(w.0.len(), 1);
        assert_eq!(w.0[0].summary, "Left Behind");
        // Outside: logged, and nothing leaks into the next collection.
        warn_in_apply(Diagnostic::warning("Nobody Listens", "x"));
        let ((), w) = collect_apply_warnings(async {}).await;
        assert!(w.is_empty());
    }

    #[test]
    fn path_display_and_proto() {
        let p = AttrPath(vec![
            PathStep::Attr("clientcert".into()),
            PathStep::Index(0),
            PathStep::Attr("key".into()),
        ]);
        assert_eq!(p.to_string(), "clientcert[0].key");
        assert_eq!(p.to_proto().steps.len(), 3);
    }

    #[test]
    fn errors_and_warnings() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning("W", "w"));
        assert!(!d.has_errors());
        d.push(Diagnostic::error("E", "e").at("name"));
        assert!(d.has_errors());
        assert!(d.clone().into_result().is_err());
        assert_eq!(d.to_proto()[1].attribute.as_ref().unwrap().steps.len(), 1);
    }
}
