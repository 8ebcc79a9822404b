//! Checks of the project's own tooling, run by a plain `cargo test` (no
//! `TF_ACC`, nothing installed, nothing touched outside temporary
//! directories):
//!
//! * `scripts/install-tools.sh dummy-seclabel` on a machine whose
//!   PostgreSQL has no server headers (Debian without
//!   `postgresql-server-dev-15`): not root, it skips with one line saying
//!   what, why and what to run; as root, it asks apt-get for the headers
//!   instead of compiling; for a PostgreSQL that is not Debian's, it skips.
//!   Fake `id`, `apt-get` and `pg_config` programs stand in for the system.
//! * every acceptance test is `#[ignore]`d with a reason, so that a plain
//!   `cargo test` counts it as ignored rather than passed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ------------------------------------------------------- install-tools.sh --

/// A machine as install-tools.sh sees it: a `pg_config` whose server
/// include directory is empty, fake `id` and `apt-get` ahead of the real
/// ones on PATH, and a tool cache of its own.
struct FakeMachine {
    dir: tempfile::TempDir,
}

impl FakeMachine {
    /// `uid`: what `id -u` answers; `pg_version`: what `pg_config
    /// --version` answers.
    fn new(uid: u32, pg_version: &str) -> FakeMachine {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in [
            "bin",
            "pg/include/server",
            "pg/lib/pgxs/src/makefiles",
            "tools",
        ] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        // PGXS is there, as on Debian, where it comes with the client: only
        // the headers are missing.
        std::fs::write(root.join("pg/lib/pgxs/src/makefiles/pgxs.mk"), "").unwrap();
        let pg = root.join("pg");
        script(
            &root.join("pg/pg_config"),
            &format!(
                "case \"$1\" in\n\
                 --version) echo '{pg_version}' ;;\n\
                 --includedir-server) echo '{pg}/include/server' ;;\n\
                 --pgxs) echo '{pg}/lib/pgxs/src/makefiles/pgxs.mk' ;;\n\
                 --bindir) echo '{pg}/bin' ;;\n\
                 --cc) echo gcc ;;\n\
                 *) exit 1 ;;\n\
                 esac\n",
                pg = pg.display()
            ),
        );
        script(
            &root.join("bin/id"),
            &format!("[ \"$1\" = -u ] && [ $# = 1 ] && {{ echo {uid}; exit 0; }}\nexit 1\n"),
        );
        // Records each call, with the environment variable apt needs to run
        // unattended, and succeeds without installing anything.
        script(
            &root.join("bin/apt-get"),
            &format!(
                "echo \"DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*\" >>'{}'\n",
                root.join("apt.log").display()
            ),
        );
        FakeMachine { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn install_tools(&self, part: &str) -> Output {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.path("bin")];
        dirs.extend(std::env::split_paths(&path));
        Command::new(repo().join("scripts/install-tools.sh"))
            .arg(part)
            .env("PATH", std::env::join_paths(dirs).unwrap())
            .env("PG_CONFIG", self.path("pg/pg_config"))
            .env("PGWARDEN_TOOLS", self.path("tools"))
            .output()
            .expect("run scripts/install-tools.sh")
    }

    /// The apt-get calls, one a line.
    fn apt_calls(&self) -> String {
        std::fs::read_to_string(self.path("apt.log")).unwrap_or_default()
    }

    /// Whether a build of the module was started (it logs to the cache).
    fn built(&self) -> bool {
        std::fs::read_dir(self.path("tools"))
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("seclabel"))
    }
}

fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const DEBIAN_PG: &str = "PostgreSQL 15.18 (Debian 15.18-0+deb12u1)";

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn seclabel_without_headers_and_not_root_skips_with_one_line() {
    let m = FakeMachine::new(1000, DEBIAN_PG);
    let out = m.install_tools("dummy-seclabel");
    let text = describe(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let line = lines[0];
    // The part, the reason, the command.
    assert!(line.starts_with("security label tests"), "{line}");
    let header = m.path("pg/include/server/postgres.h");
    assert!(
        line.contains(&format!("{} is missing", header.display())),
        "{line}"
    );
    assert!(
        line.contains("run as root: apt-get update && apt-get install -y")
            && line.contains("postgresql-server-dev-15"),
        "{line}"
    );
    assert_eq!(m.apt_calls(), "", "{text}");
    assert!(!m.built(), "{text}");
}

#[test]
fn seclabel_without_headers_as_root_installs_them_with_apt() {
    let m = FakeMachine::new(0, DEBIAN_PG);
    let out = m.install_tools("dummy-seclabel");
    let text = describe(&out);
    let calls = m.apt_calls();
    let install = calls
        .lines()
        .find(|l| l.contains(" install "))
        .unwrap_or_else(|| panic!("no apt-get install:\n{calls}\n{text}"));
    assert!(
        install.starts_with("DEBIAN_FRONTEND=noninteractive install -y --no-install-recommends ")
            && install.split(' ').any(|w| w == "postgresql-server-dev-15"),
        "{install}"
    );
    // The fake apt-get installed nothing: the script says so and fails,
    // rather than skipping or compiling without headers.
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("postgres.h is still missing"),
        "{text}"
    );
    assert!(out.stdout.is_empty(), "{text}");
    assert!(!m.built(), "{text}");
}

#[test]
fn seclabel_for_a_postgresql_not_from_debian_skips_even_as_root() {
    let m = FakeMachine::new(0, "PostgreSQL 17.10");
    let out = m.install_tools("dummy-seclabel");
    let text = describe(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{text}");
    assert!(
        stdout.contains(&format!(
            "{} has no server headers",
            m.path("pg/pg_config").display()
        )) && stdout.contains("unset PG_CONFIG"),
        "{text}"
    );
    assert_eq!(m.apt_calls(), "", "{text}");
    assert!(!m.built(), "{text}");
}

// ---------------------------------------------------- acceptance markings --

/// What makes a test an acceptance test: it calls one of these (defined in
/// tests/acceptance/main.rs), or a helper of its file that does.
const GATES: &[&str] = &["acc", "acc_own_cluster", "enabled"];

/// The reason `#[ignore]` gives, by the helper the test calls; the first
/// match wins, the last entry matches every acceptance test.
const REASONS: &[(&str, &str)] = &[
    (
        "citus_acc",
        "acceptance test: needs TF_ACC=1 and CITUS_PG_BIN (scripts/test.sh runs it)",
    ),
    (
        "aws_acc",
        "acceptance test: needs TF_ACC=1, root and AWS_TOKEN_VERIFIER_PYTHON (scripts/test.sh runs it)",
    ),
    (
        "both_acc",
        "acceptance test: needs TF_ACC=1, SSHD and MICROSOCKS (scripts/test.sh runs it)",
    ),
    (
        "sshd_acc",
        "acceptance test: needs TF_ACC=1 and SSHD (scripts/test.sh runs it)",
    ),
    (
        "socks_acc",
        "acceptance test: needs TF_ACC=1 and MICROSOCKS (scripts/test.sh runs it)",
    ),
    (
        "labelled_cluster",
        "acceptance test: needs TF_ACC=1 and DUMMY_SECLABEL (scripts/test.sh runs it)",
    ),
    (
        "",
        "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)",
    ),
];

/// Set to rewrite the files, adding the attribute where it is missing.
const MARK_ENV: &str = "MARK_ACCEPTANCE_TESTS";

/// A top-level function of a test file.
struct Function {
    name: String,
    /// Index of the `fn` line.
    line: usize,
    /// Its attribute lines, trimmed.
    attrs: Vec<String>,
    /// Its body, without comment lines.
    body: String,
}

impl Function {
    fn is_test(&self) -> bool {
        self.attrs.iter().any(|a| a == "#[test]")
    }

    fn is_ignored_with_reason(&self) -> bool {
        self.attrs.iter().any(|a| a.starts_with("#[ignore = \""))
    }

    fn calls(&self, name: &str) -> bool {
        calls(&self.body, name)
    }
}

/// Whether `body` calls a free function `name` (not a method, not a
/// function whose name merely ends so).
fn calls(body: &str, name: &str) -> bool {
    let pattern = format!("{name}(");
    body.match_indices(&pattern).any(|(at, _)| {
        let before = body[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}

/// The name in a line that starts a top-level function, if it does.
fn fn_name(line: &str) -> Option<String> {
    let mut rest = line;
    for prefix in ["pub(crate) ", "pub ", "async "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn functions(lines: &[&str]) -> Vec<Function> {
    let starts: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| fn_name(l).map(|n| (i, n)))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, (line, name))| {
            let mut attrs = Vec::new();
            let mut i = *line;
            while i > 0 {
                let above = lines[i - 1].trim();
                if above.starts_with("#[") {
                    attrs.push(above.to_string());
                } else if !above.starts_with("//") {
                    break;
                }
                i -= 1;
            }
            let end = starts.get(k + 1).map_or(lines.len(), |(l, _)| *l);
            let body = lines[line + 1..end]
                .iter()
                .filter(|l| !l.trim_start().starts_with("//"))
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            Function {
                name: name.clone(),
                line: *line,
                attrs,
                body,
            }
        })
        .collect()
}

/// The tests of one file that need the attribute and lack it, with the
/// reason each should give; and how many acceptance tests it has.
fn unmarked(functions: &[Function]) -> (Vec<(&Function, &'static str)>, usize) {
    // Helpers that call a gate are gates too, to a fixed point.
    let mut gates: Vec<&str> = GATES.to_vec();
    loop {
        let more: Vec<&str> = functions
            .iter()
            .filter(|f| !f.is_test() && !gates.contains(&f.name.as_str()))
            .filter(|f| gates.iter().any(|g| f.calls(g)))
            .map(|f| f.name.as_str())
            .collect();
        if more.is_empty() {
            break;
        }
        gates.extend(more);
    }
    let acceptance: Vec<&Function> = functions
        .iter()
        .filter(|f| f.is_test() && gates.iter().any(|g| f.calls(g)))
        .collect();
    let missing = acceptance
        .iter()
        .filter(|f| !f.is_ignored_with_reason())
        .map(|f| {
            let reason = REASONS
                .iter()
                .find(|(helper, _)| helper.is_empty() || f.calls(helper))
                .map_or("", |(_, reason)| reason);
            (*f, reason)
        })
        .collect();
    (missing, acceptance.len())
}

#[test]
fn acceptance_tests_are_ignored_with_a_reason() {
    let mark = std::env::var_os(MARK_ENV).is_some_and(|v| !v.is_empty());
    let dir = repo().join("tests/acceptance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut total = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let functions = functions(&lines);
        // Every #[test] must belong to a function the parser saw, or the
        // check below would pass without looking.
        let attributes = lines.iter().filter(|l| l.trim() == "#[test]").count();
        let tests = functions.iter().filter(|f| f.is_test()).count();
        let file = path.strip_prefix(repo()).unwrap().display().to_string();
        assert_eq!(
            attributes, tests,
            "{file}: a #[test] the check cannot place (tests must be top-level fns)"
        );
        let (missing, count) = unmarked(&functions);
        total += count;
        if missing.is_empty() {
            continue;
        }
        if mark {
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            // From the bottom up, so earlier line numbers stay valid.
            let mut inserts: Vec<(usize, &str)> = missing
                .iter()
                .map(|(f, reason)| {
                    let test_line = (0..f.line)
                        .rev()
                        .find(|&i| lines[i].trim() == "#[test]")
                        .unwrap();
                    (test_line + 1, *reason)
                })
                .collect();
            inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
            for (at, reason) in inserts {
                out.insert(at, format!("#[ignore = \"{reason}\"]"));
            }
            let mut new = out.join("\n");
            if text.ends_with('\n') {
                new.push('\n');
            }
            std::fs::write(path, new).unwrap();
            eprintln!("{file}: marked {} test(s)", missing.len());
        } else {
            problems.extend(missing.iter().map(|(f, _)| format!("{file}: {}", f.name)));
        }
    }
    assert!(total > 0, "no acceptance tests found in {}", dir.display());
    assert!(
        problems.is_empty(),
        "acceptance tests without #[ignore = \"<reason>\"] (a plain `cargo test` would count \
         them as passed; scripts/test.sh runs them with -- --include-ignored):\n  {}\n\
         Add the attribute below #[test], or let this check add it:\n  \
         {MARK_ENV}=1 cargo test --test tooling acceptance_tests_are_ignored",
        problems.join("\n  ")
    );
}

#[test]
fn the_check_finds_acceptance_tests_through_helpers() {
    let src = "\
fn helper() -> Option<Acc> {
    let a = acc()?;
    Some(a)
}

#[test]
fn through_a_helper() {
    let Some(a) = helper() else { return };
}

#[test]
#[ignore = \"acceptance test: reason\"]
fn marked() {
    let Some(acc) = acc() else { return };
    acc.cluster.admin();
}

#[test]
fn not_acceptance() {
    let x = citus_acc_like();
    x.acc();
}
";
    let lines: Vec<&str> = src.lines().collect();
    let functions = functions(&lines);
    let (missing, count) = unmarked(&functions);
    let names: Vec<&str> = missing.iter().map(|(f, _)| f.name.as_str()).collect();
    assert_eq!(names, ["through_a_helper"]);
    assert_eq!(count, 2);
}
