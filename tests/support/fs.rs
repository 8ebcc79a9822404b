//! Files for tests: copying example directories into a workspace.

use std::path::Path;

/// Copies a directory tree, leaving out entries named in `skip`.
pub fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for e in entries.flatten() {
        let name = e.file_name();
        if skip.iter().any(|s| name.to_string_lossy() == *s) {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(&name), skip);
        } else {
            std::fs::copy(&p, to.join(&name))
                .unwrap_or_else(|e| panic!("copy {}: {e}", p.display()));
        }
    }
}
