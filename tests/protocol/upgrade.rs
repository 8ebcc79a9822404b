//! `UpgradeResourceState` and `StopProvider`.

use super::*;

#[tokio::test]
async fn upgrade_state_and_stop_provider() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let upgrade = |version: i64, json: &str| pb::upgrade_resource_state::Request {
        type_name: "postgresql_role".into(),
        version,
        raw_state: Some(pb::RawState {
            json: json.as_bytes().to_vec(),
            ..Default::default()
        }),
    };

    // State written by an older provider: attributes missing, one we never
    // had, and a write-only value that must not survive.
    let raw = r#"{"id":"app","name":"app","login":true,"connection_limit":-1,
                  "password_wo":"leak","attribute_from_elsewhere":"x"}"#;
    let resp = within(
        "UpgradeResourceState",
        client.upgrade_resource_state(upgrade(0, raw)),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let state = decode_msgpack(&resp.upgraded_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("name").as_str(), Some("app"));
    assert_eq!(state.get("id").as_str(), Some("app"));
    assert_eq!(state.get("login").as_bool(), Some(true));
    assert_eq!(state.get("connection_limit").as_i64(), Some(-1));
    assert!(state.get("inherit").is_null());
    assert!(
        state.get("password_wo").is_null(),
        "write-only value kept in state"
    );

    // State from a newer provider is refused with a diagnostic.
    let resp = within(
        "UpgradeResourceState",
        client.upgrade_resource_state(upgrade(99, raw)),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(resp.diagnostics.iter().any(is_error));

    let stopped = within(
        "StopProvider",
        client.stop_provider(pb::stop_provider::Request {}),
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(stopped.error, "");
    // The process keeps answering after a stop.
    assert!(!get_schema(&mut client).await.resource_schemas.is_empty());
}
