//! Searching Terraform's output for a sentence.
//!
//! Terraform wraps diagnostics to the terminal's width and frames them
//! with `│`, `╷` and `╵`, so a sentence of the provider's can come out
//! split over lines with frame characters in between. Tests compare
//! [`flat`] texts instead.

use crate::support::terraform::{Output, Workspace};

/// `text` with the diagnostic frame and line breaks gone and every run of
/// whitespace made one space, so a sentence Terraform wrapped reads whole
/// again.
pub fn flat(text: &str) -> String {
    text.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that flattened `text` holds every one of `wanted`.
pub fn expect_all(text: &str, wanted: &[&str]) {
    let f = flat(text);
    for w in wanted {
        assert!(f.contains(&flat(w)), "missing {w:?} in:\n{text}");
    }
}

/// A step check that the output (stdout and stderr) says `text`.
pub fn says(text: impl Into<String>) -> impl Fn(&Workspace, &Output) {
    let text = text.into();
    move |_, out| expect_all(&out.combined(), &[&text])
}
