//! The action and ephemeral resource RPCs of the real provider binary,
//! driven as Terraform drives them but with no PostgreSQL server: what can
//! be decided without one (validation naming the attribute, plans that
//! wait for the server or for unknown values, refusals that say why),
//! and requests Terraform would never send (garbled values, foreign private
//! data), which must come back as diagnostics, never as a crash.

use super::*;

fn action_type(schema: &pb::get_provider_schema::Response, name: &str) -> Type {
    block_type(
        schema.action_schemas[name]
            .schema
            .as_ref()
            .and_then(|s| s.block.as_ref())
            .unwrap(),
    )
}

fn temporary_role_type(schema: &pb::get_provider_schema::Response) -> Type {
    block_type(
        schema.ephemeral_resource_schemas["postgresql_temporary_role"]
            .block
            .as_ref()
            .unwrap(),
    )
}

fn garbled() -> Option<pb::DynamicValue> {
    raw_dynamic(vec![0x8f, 0xa4, b'r'])
}

fn summaries(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.summary.clone()).collect()
}

async fn validate_action(
    client: &mut ProviderClient,
    type_name: &str,
    config: Option<pb::DynamicValue>,
) -> Vec<pb::Diagnostic> {
    within(
        "ValidateActionConfig",
        client.validate_action_config(pb::validate_action_config::Request {
            type_name: type_name.into(),
            config,
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .diagnostics
}

async fn plan_action(
    client: &mut ProviderClient,
    action_type: &str,
    config: Option<pb::DynamicValue>,
) -> pb::plan_action::Response {
    within(
        "PlanAction",
        client.plan_action(pb::plan_action::Request {
            action_type: action_type.into(),
            config,
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
            }),
        }),
    )
    .await
    .unwrap()
    .into_inner()
}

/// The events of one invocation: progress messages, then the summaries of
/// the completion's diagnostics.
async fn invoke_action(
    client: &mut ProviderClient,
    action_type: &str,
    config: Option<pb::DynamicValue>,
) -> (Vec<String>, Vec<String>) {
    let mut stream = within(
        "InvokeAction",
        client.invoke_action(pb::invoke_action::Request {
            action_type: action_type.into(),
            config,
            client_capabilities: None,
        }),
    )
    .await
    .unwrap()
    .into_inner();
    let mut progress = Vec::new();
    let mut completed = None;
    while let Some(event) = within("an InvokeAction event", stream.message())
        .await
        .unwrap()
    {
        match event.r#type {
            Some(pb::invoke_action::event::Type::Progress(p)) => progress.push(p.message),
            Some(pb::invoke_action::event::Type::Completed(c)) => {
                assert!(completed.is_none(), "two completions");
                completed = Some(summaries(&c.diagnostics));
            }
            None => panic!("an empty event"),
        }
    }
    (progress, completed.expect("a completion ends the stream"))
}

#[tokio::test]
async fn actions_are_declared_validated_and_planned_without_a_server() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    check_schema_response(&schema);
    let meta = within(
        "GetMetadata",
        client.get_metadata(pb::get_metadata::Request {}),
    )
    .await
    .unwrap()
    .into_inner();
    let mut actions: Vec<_> = meta.actions.iter().map(|a| a.type_name.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        ["postgresql_reassign_owned", "postgresql_terminate_sessions"]
    );
    assert_eq!(
        meta.ephemeral_resources[0].type_name,
        "postgresql_temporary_role"
    );

    let ts = action_type(&schema, "postgresql_terminate_sessions");
    let ro = action_type(&schema, "postgresql_reassign_owned");

    // Validation names the attribute.
    let empty_role = Value::object([("role", Value::string(""))]);
    let d = validate_action(
        &mut client,
        "postgresql_terminate_sessions",
        dynamic(&empty_role, &ts),
    )
    .await;
    assert_eq!(
        diag_attr(&d[0]).as_deref(),
        Some("role"),
        "{}",
        describe(&d)
    );
    let same = Value::object([
        ("role", Value::string("app")),
        ("new_owner", Value::string("app")),
    ]);
    let d = validate_action(
        &mut client,
        "postgresql_reassign_owned",
        dynamic(&same, &ro),
    )
    .await;
    assert_eq!(summaries(&d), ["Same Role Twice"]);
    assert_eq!(diag_attr(&d[0]).as_deref(), Some("new_owner"));
    let d = validate_action(&mut client, "postgresql_reassign_owned", garbled()).await;
    assert!(d.iter().all(is_error) && !d.is_empty(), "{}", describe(&d));
    let d = validate_action(
        &mut client,
        "postgresql_no_such_action",
        dynamic(&same, &ro),
    )
    .await;
    assert_eq!(summaries(&d), ["Unknown Action Type"]);

    // Not configured yet, or values not known yet: checked when it runs.
    let known = Value::object([("role", Value::string("app"))]);
    let unknown = Value::object([("role", Value::unknown())]);
    for config in [known.clone(), unknown] {
        let plan = plan_action(
            &mut client,
            "postgresql_terminate_sessions",
            dynamic(&config, &ts),
        )
        .await;
        assert_eq!(
            summaries(&plan.diagnostics),
            ["Checked When The Action Runs"]
        );
        assert!(!plan.diagnostics.iter().any(is_error));
        assert!(plan.deferred.is_none());
    }
    let plan = plan_action(&mut client, "postgresql_terminate_sessions", garbled()).await;
    assert!(plan.diagnostics.iter().any(is_error));

    // Invoking needs the server, and says so; garbled input is refused.
    let (progress, done) = invoke_action(
        &mut client,
        "postgresql_terminate_sessions",
        dynamic(&known, &ts),
    )
    .await;
    assert!(progress.is_empty());
    assert_eq!(done, ["Provider Not Configured"]);
    let (_, done) = invoke_action(&mut client, "postgresql_reassign_owned", garbled()).await;
    assert_eq!(done, ["Provider Value Encoding Error"]);
    let (_, done) = invoke_action(
        &mut client,
        "postgresql_terminate_sessions",
        dynamic(&Value::object([("role", Value::unknown())]), &ts),
    )
    .await;
    assert_eq!(done, ["Action Configuration Not Known"]);
}

async fn open(
    client: &mut ProviderClient,
    config: Option<pb::DynamicValue>,
    deferral_allowed: bool,
) -> pb::open_ephemeral_resource::Response {
    within(
        "OpenEphemeralResource",
        client.open_ephemeral_resource(pb::open_ephemeral_resource::Request {
            type_name: "postgresql_temporary_role".into(),
            config,
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed,
                write_only_attributes_allowed: true,
            }),
        }),
    )
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn temporary_role_refuses_bad_input_without_a_server() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = temporary_role_type(&schema);
    let eph = schema.ephemeral_resource_schemas["postgresql_temporary_role"]
        .block
        .as_ref()
        .unwrap();
    let password = eph.attributes.iter().find(|a| a.name == "password");
    assert!(password.is_some_and(|a| a.sensitive && a.computed && !a.optional));

    let validate = |config| {
        let mut client = client.clone();
        async move {
            within(
                "ValidateEphemeralResourceConfig",
                client.validate_ephemeral_resource_config(
                    pb::validate_ephemeral_resource_config::Request {
                        type_name: "postgresql_temporary_role".into(),
                        config,
                    },
                ),
            )
            .await
            .unwrap()
            .into_inner()
            .diagnostics
        }
    };
    let d = validate(dynamic(
        &Value::object([("ttl", Value::string("soon"))]),
        &ty,
    ))
    .await;
    assert_eq!(summaries(&d), ["Invalid Duration"]);
    assert_eq!(diag_attr(&d[0]).as_deref(), Some("ttl"));
    let d = validate(dynamic(&Value::object([("ttl", Value::string("2d"))]), &ty)).await;
    assert_eq!(diag_attr(&d[0]).as_deref(), Some("ttl"), "{}", describe(&d));
    let d = validate(dynamic(
        &Value::object([("name_prefix", Value::string("pg_x"))]),
        &ty,
    ))
    .await;
    assert_eq!(diag_attr(&d[0]).as_deref(), Some("name_prefix"));
    let d = validate(dynamic(
        &Value::object([("ttl", Value::string("15m"))]),
        &ty,
    ))
    .await;
    assert!(d.is_empty(), "{}", describe(&d));
    let d = validate(garbled()).await;
    assert!(!d.is_empty() && d.iter().all(is_error));

    // Nothing is opened without a server; a garbled request is refused.
    let opened = open(
        &mut client,
        dynamic(&Value::object([("ttl", Value::string("15m"))]), &ty),
        false,
    )
    .await;
    assert_eq!(summaries(&opened.diagnostics), ["Provider Not Configured"]);
    assert!(opened.result.is_none() && opened.private.is_none());
    let opened = open(&mut client, garbled(), false).await;
    assert!(opened.diagnostics.iter().any(is_error));
    assert!(opened.result.is_none() && opened.private.is_none());
    // A configuration not known yet opens nothing and is no error.
    let opened = open(
        &mut client,
        dynamic(&Value::object([("ttl", Value::unknown())]), &ty),
        false,
    )
    .await;
    assert!(
        opened.diagnostics.is_empty(),
        "{}",
        describe(&opened.diagnostics)
    );
    assert!(opened.private.is_none());

    // Private data this provider did not write, and none at all.
    let renewed = within(
        "RenewEphemeralResource",
        client.renew_ephemeral_resource(pb::renew_ephemeral_resource::Request {
            type_name: "postgresql_temporary_role".into(),
            private: Some(b"not json".to_vec()),
        }),
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(summaries(&renewed.diagnostics), ["Unusable Private Data"]);
    let close = |private: Option<Vec<u8>>| {
        let mut client = client.clone();
        async move {
            within(
                "CloseEphemeralResource",
                client.close_ephemeral_resource(pb::close_ephemeral_resource::Request {
                    type_name: "postgresql_temporary_role".into(),
                    private,
                }),
            )
            .await
            .unwrap()
            .into_inner()
            .diagnostics
        }
    };
    assert!(close(None).await.is_empty(), "nothing was opened");
    assert_eq!(
        summaries(&close(Some(b"{".to_vec())).await),
        ["Unusable Private Data"]
    );
}

#[tokio::test]
async fn temporary_role_waits_for_an_unknown_provider_configuration() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = temporary_role_type(&schema);
    let pty = provider_type(&schema);
    let provider_config = Value::object([("host", Value::unknown())]);
    let configured = within(
        "ConfigureProvider",
        client.configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dynamic(&provider_config, &pty),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(configured.diagnostics.is_empty());
    let config = dynamic(&Value::object([("ttl", Value::string("15m"))]), &ty);
    let refused = open(&mut client, config.clone(), false).await;
    assert_eq!(
        summaries(&refused.diagnostics),
        ["Provider Configuration Not Known Yet"]
    );
    let deferred = open(&mut client, config, true).await;
    assert!(deferred.diagnostics.is_empty());
    assert_eq!(
        deferred.deferred.map(|d| d.reason),
        Some(pb::deferred::Reason::ProviderConfigUnknown as i32)
    );
    assert!(deferred.private.is_none());
}
