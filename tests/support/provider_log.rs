//! The provider's debug log of a workspace, for tests that check which SQL
//! the provider sent (a kept privilege never revoked, a server check made
//! only for new values) or that a secret never reached it.

use std::path::PathBuf;

use super::terraform::Workspace;

/// The file [`enable`] makes Terraform write the provider's log to.
pub fn path(ws: &Workspace) -> PathBuf {
    ws.path().join("provider.log")
}

/// Makes every later command of `ws` log the provider at debug level to
/// [`path`].
pub fn enable(ws: &Workspace) {
    let log = path(ws);
    ws.env("TF_LOG_PROVIDER", "debug")
        .env("TF_LOG_PATH", log.to_str().expect("utf-8 path"));
}

/// The log written so far (empty before the first command).
pub fn read(ws: &Workspace) -> String {
    std::fs::read_to_string(path(ws)).unwrap_or_default()
}

/// The log written so far, which is then emptied, so that each step sees
/// only what it caused.
pub fn take(ws: &Workspace) -> String {
    let text = read(ws);
    std::fs::write(path(ws), "").expect("truncate the provider log");
    text
}

/// The statements the provider logged ("executing SQL: ...") since the
/// last [`take`] or [`take_sql`], which empties the log.
pub fn take_sql(ws: &Workspace) -> Vec<String> {
    take(ws)
        .lines()
        .filter_map(|l| l.split_once("executing SQL: ").map(|(_, s)| s.to_string()))
        .collect()
}
