//! `PlanResourceChange` without a server: plans with unknown values, and
//! destroy plans.

use super::*;

async fn plan_role(
    client: &mut ProviderClient,
    prior: Option<pb::DynamicValue>,
    config: Option<pb::DynamicValue>,
) -> pb::plan_resource_change::Response {
    within(
        "PlanResourceChange",
        client.plan_resource_change(pb::plan_resource_change::Request {
            type_name: "postgresql_role".into(),
            prior_state: prior,
            // For a create Terraform proposes the configuration itself
            // (computed attributes left null), so send the same value.
            proposed_new_state: config.clone(),
            config,
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn plan_with_unknowns_needs_no_server() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let pty = provider_type(&schema);

    // The provider's host comes from a resource not created yet.
    let provider_config = Value::object([("host", Value::unknown()), ("port", Value::int(5432))]);
    let configured = within(
        "ConfigureProvider",
        client.configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: dynamic(&provider_config, &pty),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{}",
        describe(&configured.diagnostics)
    );

    let nil = raw_dynamic(vec![0xc0]);
    let config = Value::object([
        ("name", Value::unknown()),
        ("login", Value::bool(true)),
        ("password_wo", Value::string("s3cret")),
        ("password_wo_version", Value::string("1")),
    ]);
    let resp = plan_role(&mut client, nil.clone(), dynamic(&config, &ty)).await;
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    assert!(resp.requires_replace.is_empty());
    assert!(!resp.legacy_type_system);
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert!(
        planned.get("id").is_unknown(),
        "id: {:?}",
        planned.get("id")
    );
    assert!(planned.get("name").is_unknown());
    assert_eq!(planned.get("login").as_bool(), Some(true));
    assert_eq!(planned.get("inherit").as_bool(), Some(true));
    assert_eq!(planned.get("superuser").as_bool(), Some(false));
    assert_eq!(planned.get("connection_limit").as_i64(), Some(-1));
    assert_eq!(planned.get("valid_until").as_str(), Some("infinity"));
    assert_eq!(planned.get("statement_timeout").as_i64(), Some(0));
    assert!(
        planned.get("password_wo").is_null(),
        "write-only value leaked into the plan"
    );
    assert_eq!(planned.get("password_wo_version").as_str(), Some("1"));
    assert!(planned.get("password").is_null());
    assert!(planned.get("roles").is_null());

    // A refined unknown in configuration plans without error and its
    // refinements survive (Terraform checks the planned value against it).
    let refined = raw_object(&ty, vec![("name", refined_unknown_string("app_"))]);
    let resp = plan_role(&mut client, nil.clone(), raw_dynamic(refined)).await;
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    let want = Value::Unknown(Refinements {
        not_null: true,
        string_prefix: Some("app_".into()),
        ..Default::default()
    });
    assert_eq!(planned.get("name"), &want);

    // A known name plans its id without a server.
    let known = Value::object([("name", Value::string("app"))]);
    let resp = plan_role(&mut client, nil.clone(), dynamic(&known, &ty)).await;
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(planned.get("id").as_str(), Some("app"));

    // Destroy: the proposed state is null and so is the plan.
    let resp = within(
        "PlanResourceChange (destroy)",
        client.plan_resource_change(pb::plan_resource_change::Request {
            type_name: "postgresql_role".into(),
            prior_state: dynamic(&planned, &ty),
            proposed_new_state: nil.clone(),
            config: nil.clone(),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let destroyed = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert!(destroyed.is_null());
}
