//! Every example directory is applied against a throwaway PostgreSQL with
//! real Terraform, must plan no changes afterwards, and is destroyed.
//!
//! Conventions an example follows so this test can run it unchanged:
//! - connection settings come from variables named `host`, `port`,
//!   `username`, `password` and `database` when it declares them; otherwise
//!   (resource and data-source snippets) a provider block is added here;
//! - other variables without defaults are strings;
//! - `bootstrap.sql`, when present, is run by a superuser before apply (it
//!   creates what the provider does not manage: databases, tables, rows), and
//!   `teardown.sql` after destroy;
//! - `examples/modules/` holds modules used by other examples, not roots.
//!
//! The multi-tenant scenarios need their tables between two applies (roles
//! first, then `bootstrap.sql` with psql variables, then RLS); their own
//! tests in `multi_tenant.rs` follow those README steps exactly, including
//! the empty plan and the destroy, so they are listed in [`SCENARIO_TESTED`].
//!
//! Plain workspace commands: each example is its own root module with its
//! own provider block and variables, which steps do not take.

use std::path::{Path, PathBuf};

use crate::support::{exec, fs::copy_dir, ClusterOptions, Workspace};
use crate::{acc_own_cluster, Acc};

/// Example directories applied step by step by their own scenario tests.
const SCENARIO_TESTED: &[&str] = &[
    "multi-tenant-session-variable", // multi_tenant::multi_tenant_session_variable_example
    "multi-tenant-role-per-tenant",  // multi_tenant::multi_tenant_role_per_tenant_example
];

/// Example directories that need what one plain PostgreSQL lacks: the
/// security label example uses Azure's `pgaadauth` label provider
/// (security_label.rs tests the same resource with a `dummy` provider), and
/// the subscription example a publisher on another server
/// (subscription.rs tests the resource between two clusters).
const NEEDS_SERVER_MODULE: &[&str] = &[
    "resources/postgresql_security_label",
    "resources/postgresql_subscription",
];

fn example_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.ends_with("modules")
            || SCENARIO_TESTED.iter().any(|s| dir.ends_with(s))
            || NEEDS_SERVER_MODULE.iter().any(|s| dir.ends_with(s))
        {
            continue;
        }
        let mut has_tf = false;
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir);
        }
    }
    out.sort();
    out
}

/// Declared variables and whether each has a default.
fn variables(dir: &Path) -> Vec<(String, bool)> {
    let mut vars = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "tf") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("variable \"") {
            rest = &rest[i + 10..];
            let name = rest[..rest.find('"').unwrap()].to_string();
            // The block body runs to the first line that is a lone `}`, or
            // the closing brace on the same line for one-liners.
            let body_end = rest.find("\n}").unwrap_or(rest.len());
            let line_end = rest.find('\n').unwrap_or(rest.len());
            let body = if rest[..line_end].trim_end().ends_with('}') {
                &rest[..line_end]
            } else {
                &rest[..body_end]
            };
            vars.push((name, body.contains("default")));
        }
    }
    vars
}

/// Runs a psql-like script as the superuser: statements end with `;` at the
/// end of a line (outside `$$` bodies) and run one by one, so CREATE
/// DATABASE works; a `\connect db` line switches databases.
fn run_sql_file(acc: &Acc, path: &Path) {
    let Ok(sql) = std::fs::read_to_string(path) else {
        return;
    };
    let mut client = acc.admin();
    let mut statement = String::new();
    let mut in_body = false;
    for line in sql.lines() {
        let trimmed = line.trim();
        if statement.is_empty()
            && (trimmed.starts_with("\\connect ") || trimmed.starts_with("\\c "))
        {
            let db = trimmed.split_whitespace().nth(1).unwrap().to_string();
            client = acc.connect(&db);
            continue;
        }
        if trimmed.starts_with("--") && statement.is_empty() {
            continue;
        }
        statement.push_str(line);
        statement.push('\n');
        in_body ^= line.matches("$$").count() % 2 == 1;
        if !in_body && trimmed.ends_with(';') {
            acc.block(exec(&client, &statement));
            statement.clear();
        }
    }
    if !statement.trim().is_empty() {
        acc.block(exec(&client, &statement));
    }
}

fn apply_example(acc: &Acc, dir: &Path, repo: &Path) {
    let ws = Workspace::new();
    // Copy the example, keeping relative module sources working by copying
    // examples/modules next to it at the same relative depth.
    let rel = dir.strip_prefix(repo.join("examples")).unwrap();
    let dest = ws.path().join("examples").join(rel);
    copy_dir(
        &repo.join("examples/modules"),
        &ws.path().join("examples/modules"),
        &[],
    );
    copy_dir(dir, &dest, &[]);
    let (mut has_provider, mut has_source) = (false, false);
    for e in std::fs::read_dir(&dest).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        has_provider |= text.contains("provider \"postgresql\"");
        has_source |= text.contains("pgwarden/postgresql");
    }
    let mut extra = String::new();
    if !has_source {
        extra.push_str(
            "terraform {\n  required_providers {\n    postgresql = { source = \"pgwarden/postgresql\" }\n  }\n}\n",
        );
    }
    if !has_provider {
        extra.push_str(&acc.cluster.provider_block());
    }
    std::fs::write(dest.join("zz_test_provider.tf"), extra).unwrap();
    let mut args: Vec<String> = Vec::new();
    for (name, has_default) in variables(&dest) {
        let value = match name.as_str() {
            "host" => acc.cluster.host().to_string(),
            "port" => acc.cluster.port().to_string(),
            "username" => "postgres".into(),
            "password" => acc.cluster.password().to_string(),
            "database" => "postgres".into(),
            _ if has_default => continue,
            other => format!("example-{other}-secret"),
        };
        args.push("-var".into());
        args.push(format!("{name}={value}"));
    }
    run_sql_file(acc, &dir.join("bootstrap.sql"));
    let chdir = format!("-chdir={}", dest.display());
    let run = |cmd: &[&str]| {
        let mut all: Vec<&str> = vec![chdir.as_str()];
        all.extend_from_slice(cmd);
        all.extend(args.iter().map(String::as_str));
        ws.run(&all)
    };
    // Module sources are installed by `terraform get`; providers need no
    // init under dev_overrides.
    let get = ws.run(&[chdir.as_str(), "get", "-no-color"]);
    assert!(get.success(), "terraform get failed:\n{}", get.combined());
    let apply = run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        apply.success(),
        "example {} failed to apply:\n{}",
        rel.display(),
        apply.combined()
    );
    let plan = run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(
        plan.status,
        0,
        "example {} is not clean after apply:\n{}",
        rel.display(),
        plan.combined()
    );
    let destroy = run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        destroy.success(),
        "example {} failed to destroy:\n{}",
        rel.display(),
        destroy.combined()
    );
    run_sql_file(acc, &dir.join("teardown.sql"));
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn every_example_applies_cleanly() {
    // Data sources list cluster-wide roles, which other tests keep creating.
    // Logical replication slots need wal_level = logical.
    let Some(acc) = acc_own_cluster(ClusterOptions {
        settings: vec![("wal_level".into(), "logical".into())],
        ..ClusterOptions::default()
    }) else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = example_dirs(&repo.join("examples"));
    assert!(!dirs.is_empty());
    let (major, minor, _) = crate::support::terraform_version();
    for dir in dirs {
        // Actions came with Terraform 1.14, ephemeral resources with 1.10.
        let needs = if dir.to_string_lossy().contains("/examples/actions/") {
            14
        } else if dir
            .to_string_lossy()
            .contains("/examples/ephemeral-resources/")
        {
            10
        } else {
            0
        };
        if major == 1 && minor < needs {
            eprintln!(
                "skipped example {}: it needs Terraform 1.{needs}+, this is 1.{minor}",
                dir.display()
            );
            continue;
        }
        eprintln!("applying example {}", dir.display());
        apply_example(&acc, &dir, repo);
    }
}
