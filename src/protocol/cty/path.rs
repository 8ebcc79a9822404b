//! Paths into a value: where a codec error happened, or which attribute a
//! diagnostic is about. One type serves both, so a decoding error and a
//! validation error point at an attribute the same way.

use std::fmt;

/// One step of a path into a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute (or nested block) by name.
    Attr(String),
    /// A map element by key.
    Key(String),
    /// A list or tuple element by index.
    Index(i64),
}

/// A path from the root of a value to one of its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    /// The path of a top-level attribute.
    pub fn attr(name: &str) -> AttrPath {
        AttrPath(vec![PathStep::Attr(name.to_string())])
    }

    /// This path extended by one step.
    pub fn then(&self, step: PathStep) -> AttrPath {
        let mut steps = self.0.clone();
        steps.push(step);
        AttrPath(steps)
    }

    /// This path extended by an attribute name.
    pub fn then_attr(&self, name: &str) -> AttrPath {
        self.then(PathStep::Attr(name.to_string()))
    }

    /// Runs `f` with `step` pushed, for walks that descend in place.
    pub(crate) fn within<T>(&mut self, step: PathStep, f: impl FnOnce(&mut Self) -> T) -> T {
        self.0.push(step);
        let out = f(self);
        self.0.pop();
        out
    }

    /// The form codec errors use: `.roles[2]`, `.labels["k"]`, or `root`.
    pub fn render(&self) -> String {
        if self.0.is_empty() {
            return "root".to_string();
        }
        match self.0.first() {
            Some(PathStep::Attr(_)) => format!(".{self}"),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for AttrPath {
    /// `roles[2]`, `labels["k"]`, `clientcert[0].cert`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// An index as a path step (lengths never come near `i64::MAX`).
pub(crate) fn index(i: usize) -> PathStep {
    PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_for_codecs_and_diagnostics() {
        let p = AttrPath::attr("clientcert")
            .then(PathStep::Index(0))
            .then_attr("cert")
            .then(PathStep::Key("k".into()));
        assert_eq!(p.to_string(), "clientcert[0].cert[\"k\"]");
        assert_eq!(p.render(), ".clientcert[0].cert[\"k\"]");
        assert_eq!(AttrPath::default().render(), "root");
        let mut walk = AttrPath::default();
        let inner = walk.within(PathStep::Attr("a".into()), |p| p.render());
        assert_eq!(inner, ".a");
        assert!(walk.0.is_empty());
    }
}
