//! The shape of `src/`, checked so that it stays what DESIGN.md says:
//!
//! * no folder holds more than 16 `.rs` files;
//! * no two files import each other, and the layers hold: `pg` knows
//!   nothing of Terraform, `protocol` nothing of PostgreSQL, and no
//!   resource type's file uses another's;
//! * DESIGN.md names every module, by its path under `src/`;
//! * no SQLSTATE code is written in `src/resources/`: those checks go
//!   through `PgError`'s predicates.
//!
//! A module's references are the `crate::…` and `super::…` paths in its
//! file, comments and the `#[cfg(test)] mod tests` block left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path, `["pg", "conn", "pool"]` for `src/pg/conn/pool.rs`.
type ModPath = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, with its module path.
fn modules() -> BTreeMap<ModPath, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(src()).expect("under src");
            let mut segs: ModPath = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if segs.last().is_some_and(|s| s == "mod") {
                segs.pop();
            }
            if segs == ["lib"] || segs == ["main"] {
                segs.clear();
            }
            (segs, file)
        })
        .collect()
}

/// The file's code without its test module and without comments.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("read source");
    let head = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text,
    };
    head.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string (a URL) cuts the line short; that only
            // loses paths, never invents one.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path `crate::a::b::…` in `code` (with `super::` resolved against
/// `here`), grouped imports `crate::a::{b, c::d}` expanded, as segment
/// lists.
fn paths_in(code: &str, here: &[String]) -> Vec<ModPath> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 8)].iter().collect();
        let at_word_start = i == 0 || !is_ident_char(bytes[i - 1]);
        let (mut base, mut j) = if at_word_start && rest.starts_with("crate::") {
            (Vec::new(), i + "crate::".len())
        } else if at_word_start && rest.starts_with("super::") {
            let mut j = i;
            let mut ups = 0;
            while bytes[j..].iter().collect::<String>().starts_with("super::") {
                ups += 1;
                j += "super::".len();
            }
            (here[..here.len().saturating_sub(ups)].to_vec(), j)
        } else {
            i += 1;
            continue;
        };
        loop {
            let start = j;
            while j < bytes.len() && is_ident_char(bytes[j]) {
                j += 1;
            }
            if j > start {
                base.push(bytes[start..j].iter().collect());
            }
            if bytes[j..].iter().take(3).collect::<String>() == "::{" {
                // A group: each item is a path under `base`.
                let close = matching_brace(&bytes, j + 2);
                let inner: String = bytes[j + 3..close].iter().collect();
                for item in split_top_level(&inner) {
                    let mut p = base.clone();
                    p.extend(
                        item.trim()
                            .split("::")
                            .map(|s| s.trim().to_string())
                            .take_while(|s| !s.is_empty() && s.chars().all(is_ident_char)),
                    );
                    out.push(p);
                }
                j = close + 1;
                break;
            }
            if bytes[j..].iter().take(2).collect::<String>() == "::" {
                j += 2;
                continue;
            }
            out.push(base.clone());
            break;
        }
        i = j.max(i + 1);
    }
    out
}

fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    chars.len() - 1
}

fn split_top_level(s: &str) -> Vec<String> {
    let (mut items, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items
}

/// The modules each module refers to (the longest module prefix of each of
/// its paths), not counting itself.
fn references() -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mods = modules();
    mods.iter()
        .map(|(m, file)| {
            let refs = paths_in(&code_of(file), m)
                .into_iter()
                .filter_map(|p| {
                    (1..=p.len())
                        .rev()
                        .map(|k| p[..k].to_vec())
                        .find(|prefix| mods.contains_key(prefix))
                })
                .filter(|r| r != m)
                .collect();
            (m.clone(), refs)
        })
        .collect()
}

fn name(m: &[String]) -> String {
    m.join("::")
}

#[test]
fn no_folder_holds_more_than_16_files() {
    let mut per_dir: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for file in modules().values() {
        *per_dir
            .entry(file.parent().unwrap().to_path_buf())
            .or_default() += 1;
    }
    let crowded: Vec<String> = per_dir
        .iter()
        .filter(|(_, n)| **n > 16)
        .map(|(d, n)| format!("{} holds {n} .rs files", d.display()))
        .collect();
    assert!(
        crowded.is_empty(),
        "split these folders:\n{}",
        crowded.join("\n")
    );
}

#[test]
fn no_two_files_import_each_other() {
    let refs = references();
    let mut pairs = BTreeSet::new();
    for (a, to) in &refs {
        for b in to {
            // A folder's mod.rs declares its children, and may re-export.
            if b.starts_with(a) || a.starts_with(b) {
                continue;
            }
            if refs.get(b).is_some_and(|back| back.contains(a)) {
                let (x, y) = if a < b { (a, b) } else { (b, a) };
                pairs.insert(format!("{} <-> {}", name(x), name(y)));
            }
        }
    }
    assert!(
        pairs.is_empty(),
        "import loops:\n{}",
        pairs.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_layers_hold() {
    let refs = references();
    let mut problems = Vec::new();
    // The resource types: every file of a domain folder of resources,
    // except that folder's shared modules.
    let shared = ["mod", "privileges", "table_target", "checks"];
    let domains = [
        "roles",
        "grants",
        "rls",
        "objects",
        "replication",
        "fdw",
        "actions",
        "ephemeral",
    ];
    let is_resource = |m: &ModPath| {
        m.len() == 3
            && m[0] == "resources"
            && domains.contains(&m[1].as_str())
            && !shared.contains(&m[2].as_str())
    };
    for (m, to) in &refs {
        for r in to {
            let (from, into) = (m.first().map(String::as_str), r.first().map(String::as_str));
            let bad = match (from, into) {
                (Some("pg"), Some("protocol" | "resources" | "plugin")) => true,
                (Some("protocol"), Some("pg" | "resources")) => true,
                _ => is_resource(m) && is_resource(r),
            };
            if bad {
                problems.push(format!("{} uses {}", name(m), name(r)));
            }
        }
        if m.first().is_some_and(|s| s == "protocol") {
            let file = &modules()[m];
            if code_of(file).contains("tokio_postgres") {
                problems.push(format!("{} uses tokio_postgres", name(m)));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn design_names_every_module() {
    let design = std::fs::read_to_string(src().join("../DESIGN.md")).expect("DESIGN.md");
    let missing: Vec<String> = modules()
        .values()
        .map(|f| f.strip_prefix(src()).unwrap().display().to_string())
        .filter(|rel| !design.contains(rel.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "DESIGN.md does not name these modules (write the path under src/):\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_sqlstate_in_resources() {
    let mut found = Vec::new();
    for (m, file) in modules() {
        if m.first().is_none_or(|s| s != "resources") {
            continue;
        }
        let code = code_of(&file);
        for (n, line) in code.lines().enumerate() {
            let literal = line.split('"').skip(1).step_by(2).any(|s| {
                s.len() == 5
                    && s.chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
                    && s.chars().take(2).all(|c| c.is_ascii_digit())
            });
            if literal || line.contains("SqlState::") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "check SQLSTATEs through PgError predicates:\n{}",
        found.join("\n")
    );
}

#[test]
fn paths_are_read_as_rust_reads_them() {
    let here: ModPath = vec!["resources".into(), "roles".into(), "role".into()];
    let got = paths_in(
        "use crate::pg::roles::{role::{self, RoleSpec}, grant_role};\nuse super::super::support::state::Client;",
        &here,
    );
    let want: Vec<ModPath> = [
        "pg::roles::role",
        "pg::roles::grant_role",
        "resources::support::state::Client",
    ]
    .iter()
    .map(|s| s.split("::").map(str::to_string).collect())
    .collect();
    assert_eq!(got, want);
}
