//! Ctrl-C in the middle of an apply or a destroy: Terraform sends
//! StopProvider, and whatever the provider then reports must be true. A
//! change whose COMMIT was already sent is reported as done, so the state
//! always equals the catalog and the next run converges. Plain workspace
//! commands: steps cannot signal a running apply.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::support::{query_strings, unique_name, ClusterOptions, Workspace};
use crate::{acc_own_cluster, Acc};

/// Roles per run: enough that an interrupt lands while many are in flight.
const ROLES: usize = 200;
/// Interrupted runs, alternating apply and destroy.
const ROUNDS: usize = 10;

/// The role names the state holds.
fn state_roles(ws: &Workspace) -> BTreeSet<String> {
    let raw = ws.state_raw();
    if raw.is_empty() {
        return BTreeSet::new();
    }
    let state: serde_json::Value = serde_json::from_str(&raw).expect("state is JSON");
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "postgresql_role")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["attributes"]["name"].as_str().map(str::to_string))
        .collect()
}

/// The role names the catalog holds with the test's prefix.
fn catalog_roles(acc: &Acc, prefix: &str) -> BTreeSet<String> {
    let admin = acc.admin();
    acc.block(query_strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)",
        &[&format!("{prefix}_")],
    ))
    .into_iter()
    .collect()
}

/// Runs on a server whose COMMITs take a while, as on real disks and
/// networks: `commit_delay` holds each commit's WAL flush for 20 ms while
/// other transactions run. (The shared cluster runs with fsync off, where
/// commits are instant and an interrupt almost never finds one in flight.)
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn interrupted_applies_and_destroys_leave_state_equal_to_catalog() {
    let Some(acc) = acc_own_cluster(ClusterOptions {
        settings: vec![
            ("fsync".into(), "on".into()),
            ("commit_delay".into(), "20000".into()),
            ("commit_siblings".into(), "1".into()),
        ],
        ..ClusterOptions::default()
    }) else {
        return;
    };
    let prefix = unique_name("sigint");
    let ws = Workspace::new();
    ws.write_config(&format!(
        "{}resource \"postgresql_role\" \"r\" {{\n  count = {ROLES}\n  name  = \"{prefix}_${{count.index}}\"\n}}\n",
        acc.cluster.provider_block()
    ));
    let mut rng = rand::rng();
    let mut interrupted = 0;
    for round in 0..ROUNDS {
        let verb = if round % 2 == 0 { "apply" } else { "destroy" };
        let mut child = ws.spawn(&[
            verb,
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-parallelism=10",
        ]);
        // Interrupt once the run is well into its changes: some random
        // number of roles created (or dropped) so far.
        let before = catalog_roles(&acc, &prefix).len();
        let target = rng.random_range(5..ROLES - 20);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let now = catalog_roles(&acc, &prefix).len();
            let done = if verb == "apply" {
                now.saturating_sub(before)
            } else {
                before.saturating_sub(now)
            };
            let finished = child.finished();
            if done >= target || finished || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child.interrupt();
        let out = child.wait();
        if !out.success() {
            interrupted += 1;
        }
        let in_state = state_roles(&ws);
        let in_catalog = catalog_roles(&acc, &prefix);
        eprintln!(
            "round {round} ({verb}): exit {}, {} roles in state, {} in catalog, {} cancelled",
            out.status,
            in_state.len(),
            in_catalog.len(),
            out.combined().matches("Operation Cancelled").count()
        );
        assert_eq!(
            in_state,
            in_catalog,
            "round {round} ({verb}): the state and the catalog disagree\n\
             only in state: {:?}\nonly in catalog: {:?}\n{}",
            in_state.difference(&in_catalog).collect::<Vec<_>>(),
            in_catalog.difference(&in_state).collect::<Vec<_>>(),
            out.combined()
        );
    }
    eprintln!("interrupt: {interrupted} of {ROUNDS} runs were cut short");
    // Whatever happened, a plain rerun converges.
    ws.apply();
    assert_eq!(state_roles(&ws).len(), ROLES);
    ws.assert_no_changes();
    ws.destroy();
    assert!(catalog_roles(&acc, &prefix).is_empty());
}
