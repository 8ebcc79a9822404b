//! Smoke test of the acceptance-test harness itself: a PostgreSQL server
//! can be started and logged into, and Terraform runs in a workspace without
//! `terraform init`. It needs no provider functionality, so when it fails
//! the problem is the environment (tools, users, ports), not the provider.

mod support;

use support::{exists, query_one_str, Workspace};

#[tokio::test]
async fn cluster_accepts_password_login() {
    let cluster = support::shared();
    let admin = cluster.admin().await;
    assert_eq!(query_one_str(&admin, "SELECT 1::text", &[]).await, "1");
    assert_eq!(
        query_one_str(&admin, "SELECT current_setting('server_version_num')", &[]).await,
        cluster.server_version_num().to_string()
    );
    // The harness must not rely on trust authentication.
    assert!(
        exists(
            &admin,
            "SELECT 1 FROM pg_hba_file_rules WHERE auth_method = 'scram-sha-256' AND 'host' = type",
            &[]
        )
        .await
    );
    assert!(cluster
        .try_connect("postgres", "postgres", "wrong")
        .await
        .is_err());

    let role = support::unique_name("smoke_role");
    support::exec(&admin, &format!("CREATE ROLE {role} LOGIN PASSWORD 'pw'")).await;
    let as_role = cluster.connect("postgres", &role, "pw").await;
    assert_eq!(
        query_one_str(&as_role, "SELECT current_user::text", &[]).await,
        role
    );
    drop(as_role);
    support::exec(&admin, &format!("DROP ROLE {role}")).await;

    assert!(
        cluster.log_contents().contains("CREATE ROLE"),
        "log_statement=all is in effect"
    );
}

#[test]
fn terraform_runs_without_init() {
    let ws = Workspace::new();
    let version = ws.run(&["version"]);
    assert!(version.success(), "{}", version.combined());
    assert!(
        version.stdout.starts_with("Terraform v"),
        "{}",
        version.stdout
    );
    eprintln!(
        "terraform under test: {}",
        version.stdout.lines().next().unwrap()
    );

    // No provider is involved, so this works whatever state the provider
    // binary is in; a new output counts as a change.
    ws.write_config_raw("output \"greeting\" {\n  value = \"hello\"\n}\n");
    ws.validate();
    let (code, plan) = ws.plan_exit_code();
    assert_eq!(code, 2, "{}", plan.combined());
    ws.apply();
    ws.assert_no_changes();
    let state = ws.show_json();
    assert_eq!(state["values"]["outputs"]["greeting"]["value"], "hello");
    assert!(ws.state_raw().contains("\"greeting\""));
}
