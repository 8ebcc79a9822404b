//! `ValidateResourceConfig`: diagnostics that name the attribute path, and
//! write-only attributes refused to clients that would store them.

use super::*;

async fn validate_role(
    client: &mut ProviderClient,
    config: Option<pb::DynamicValue>,
) -> Vec<pb::Diagnostic> {
    // As Terraform 1.11 and later send it.
    let capabilities = pb::ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    };
    validate_role_as(client, config, Some(capabilities)).await
}

async fn validate_role_as(
    client: &mut ProviderClient,
    config: Option<pb::DynamicValue>,
    client_capabilities: Option<pb::ClientCapabilities>,
) -> Vec<pb::Diagnostic> {
    within(
        "ValidateResourceConfig",
        client.validate_resource_config(pb::validate_resource_config::Request {
            type_name: "postgresql_role".into(),
            config,
            client_capabilities,
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .diagnostics
}

#[tokio::test]
async fn validate_resource_config_reports_attribute_paths() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let config = |attrs: Vec<(&str, Value)>| dynamic(&Value::object(attrs), &ty);

    let long = "r".repeat(64);
    let cases: Vec<(&str, Attrs, &str)> = vec![
        ("empty name", vec![("name", Value::string(""))], "name"),
        ("64-byte name", vec![("name", Value::string(&long))], "name"),
        (
            "reserved name",
            vec![("name", Value::string("public"))],
            "name",
        ),
        (
            "connection_limit -2",
            vec![
                ("name", Value::string("app")),
                ("connection_limit", Value::int(-2)),
            ],
            "connection_limit",
        ),
        (
            "password and password_wo",
            vec![
                ("name", Value::string("app")),
                ("password", Value::string("a")),
                ("password_wo", Value::string("b")),
                ("password_wo_version", Value::string("1")),
            ],
            "password_wo",
        ),
    ];
    for (what, attrs, attr) in cases {
        let diags = validate_role(&mut client, config(attrs)).await;
        let errors: Vec<_> = diags.iter().filter(|d| is_error(d)).collect();
        assert!(!errors.is_empty(), "{what}: no error");
        assert!(
            errors.iter().all(|d| diag_attr(d).is_some()),
            "{what}: error without attribute path:\n{}",
            describe(&diags)
        );
        assert!(
            errors.iter().any(|d| diag_attr(d).as_deref() == Some(attr)),
            "{what}: no error at {attr}:\n{}",
            describe(&diags)
        );
        assert!(
            errors
                .iter()
                .all(|d| !d.summary.is_empty() && !d.detail.is_empty()),
            "{what}: diagnostics need a summary and a detail:\n{}",
            describe(&diags)
        );
    }

    // 63 bytes is PostgreSQL's limit, not beyond it.
    let ok_63 = "r".repeat(63);
    let valid: Vec<Attrs> = vec![
        vec![("name", Value::string(&ok_63))],
        vec![
            ("name", Value::string("app_reader")),
            ("login", Value::bool(true)),
            ("connection_limit", Value::int(5)),
            ("valid_until", Value::string("2030-01-01 00:00:00+00")),
            ("password_wo", Value::string("s3cret")),
            ("password_wo_version", Value::string("1")),
            ("roles", Value::string_set(["readers"])),
            ("search_path", Value::string_list(["app", "public"])),
        ],
        // Values not known until apply are never an error at validation.
        vec![
            ("name", Value::unknown()),
            ("connection_limit", Value::unknown()),
            ("password", Value::unknown()),
        ],
    ];
    for attrs in valid {
        let shown = format!("{attrs:?}");
        let diags = validate_role(&mut client, config(attrs)).await;
        assert!(
            diags.is_empty(),
            "valid config {shown}:\n{}",
            describe(&diags)
        );
    }

    // A refined unknown (ext 12), as Terraform 1.6+ sends for e.g. "app_${var.x}".
    let refined = raw_object(
        &ty,
        vec![
            ("name", refined_unknown_string("app_")),
            ("login", rmpv::Value::from(true)),
        ],
    );
    let diags = validate_role(&mut client, raw_dynamic(refined)).await;
    assert!(diags.is_empty(), "refined unknown:\n{}", describe(&diags));

    // Mistakes are diagnostics, never gRPC errors.
    let unknown_type = within(
        "ValidateResourceConfig",
        client.validate_resource_config(pb::validate_resource_config::Request {
            type_name: "postgresql_nope".into(),
            config: dynamic(&Value::Null, &ty),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .diagnostics;
    assert!(
        unknown_type.iter().any(is_error),
        "unknown resource type accepted"
    );
    // A truncated map, and a name that is not a string.
    let truncated = validate_role(&mut client, raw_dynamic(vec![0x81, 0xa4, b'n', b'a'])).await;
    assert!(truncated.iter().any(is_error), "malformed msgpack accepted");
    let mistyped = raw_object(&ty, vec![("name", rmpv::Value::from(7))]);
    let mistyped = validate_role(&mut client, raw_dynamic(mistyped)).await;
    assert!(
        mistyped
            .iter()
            .any(|d| is_error(d) && d.detail.contains(".name")),
        "mistyped msgpack accepted:\n{}",
        describe(&mistyped)
    );
}

/// Terraform and OpenTofu before 1.11 do not know write-only attributes and
/// would keep their values in plan and state: such a client may not set one.
#[tokio::test]
async fn write_only_attributes_need_a_client_that_allows_them() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let config = || {
        dynamic(
            &Value::object([
                ("name", Value::string("app")),
                ("password_wo", Value::string("s3cret")),
                ("password_wo_version", Value::string("1")),
            ]),
            &ty,
        )
    };
    let old_clients = [
        None,
        Some(pb::ClientCapabilities {
            deferral_allowed: true,
            write_only_attributes_allowed: false,
        }),
    ];
    for caps in old_clients {
        let diags = validate_role_as(&mut client, config(), caps).await;
        let errors: Vec<_> = diags.iter().filter(|d| is_error(d)).collect();
        assert_eq!(errors.len(), 1, "{}", describe(&diags));
        assert_eq!(diag_attr(errors[0]).as_deref(), Some("password_wo"));
        assert!(errors[0].detail.contains("1.11"), "{}", describe(&diags));
    }
    assert!(validate_role(&mut client, config()).await.is_empty());
    // Without a write-only value, an old client is fine.
    let plain = dynamic(&Value::object([("name", Value::string("app"))]), &ty);
    assert!(validate_role_as(&mut client, plain, None).await.is_empty());
}
