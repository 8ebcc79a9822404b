//! Provider configuration: unreachable servers, unknown configuration at plan time.

use crate::acc;
use crate::support::Workspace;

#[test]
fn unreachable_server_is_one_clear_error() {
    let Some(_acc) = acc() else { return };
    let ws = Workspace::new();
    // Port 1 on loopback: nothing listens there.
    ws.write_config(
        r#"
provider "postgresql" {
  host            = "127.0.0.1"
  port            = 1
  password        = "x"
  sslmode         = "disable"
  connect_timeout = 5
}
resource "postgresql_role" "a" { name = "a" }
resource "postgresql_role" "b" { name = "b" }
"#,
    );
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(out.status, 0);
    let text = out.combined();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert_eq!(
        text.matches("Cannot Connect To PostgreSQL").count(),
        1,
        "exactly one connection error expected:\n{text}"
    );
}

#[test]
fn unknown_provider_config_does_not_fail_plan() {
    let Some(acc) = acc() else { return };
    let ws = Workspace::new();
    ws.write_config(&format!(
        r#"
resource "terraform_data" "host" {{ input = "{host}" }}
provider "postgresql" {{
  host     = terraform_data.host.output
  port     = {port}
  username = "postgres"
  password = "{password}"
  sslmode  = "disable"
}}
resource "postgresql_role" "a" {{ name = "{name}" }}
"#,
        host = acc.cluster.host(),
        port = acc.cluster.port(),
        password = acc.cluster.password(),
        name = crate::support::unique_name("deferred"),
    ));
    let (code, out) = ws.plan_exit_code();
    assert_eq!(
        code,
        2,
        "plan should succeed with changes:\n{}",
        out.combined()
    );
    ws.apply();
    ws.assert_no_changes();
    ws.destroy();
}
