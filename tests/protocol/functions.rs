//! Provider functions: declared in the schema, and called by
//! `CallFunction` with no provider configuration.

use super::*;

#[tokio::test]
async fn functions_are_declared_and_called_without_configuration() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    for name in ["quote_ident", "quote_literal", "scram_sha256_verifier"] {
        let f = &schema.functions[name];
        // Terraform reads the return type without checking it is there.
        assert!(
            f.r#return.as_ref().is_some_and(|r| !r.r#type.is_empty()),
            "{name}"
        );
        assert!(!f.description.is_empty() && !f.summary.is_empty(), "{name}");
    }
    let listed = within(
        "GetFunctions",
        client.get_functions(pb::get_functions::Request {}),
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(listed.functions.len(), schema.functions.len());

    let call = |name: &str, args: Vec<Option<pb::DynamicValue>>| pb::call_function::Request {
        name: name.into(),
        arguments: args.into_iter().map(Option::unwrap_or_default).collect(),
    };
    let s = |v: &str| dynamic(&Value::string(v), &Type::String);

    let ok = within(
        "CallFunction",
        client.call_function(call("quote_ident", vec![s("Tenant A")])),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(ok.error.is_none(), "{:?}", ok.error);
    let result = ok.result.unwrap();
    let value = pgwarden::protocol::cty::decode_msgpack(&result.msgpack, &Type::String).unwrap();
    assert_eq!(value.as_str(), Some("\"Tenant A\""));

    // An unknown argument (OpenTofu before 1.9 sends them) gives an unknown.
    let unknown = within(
        "CallFunction",
        client.call_function(call(
            "quote_literal",
            vec![dynamic(&Value::unknown(), &Type::String)],
        )),
    )
    .await
    .unwrap()
    .into_inner();
    let value =
        pgwarden::protocol::cty::decode_msgpack(&unknown.result.unwrap().msgpack, &Type::String)
            .unwrap();
    assert!(value.is_unknown());

    // Wrong arity, a null argument, garbage bytes and an unknown name are
    // errors, never a crash.
    for (req, argument) in [
        (call("quote_ident", vec![]), None),
        (call("quote_ident", vec![None]), Some(0)),
        (call("quote_ident", vec![raw_dynamic(vec![0xc1])]), Some(0)),
        (call("no_such_function", vec![s("x")]), None),
    ] {
        let r = within("CallFunction", client.call_function(req))
            .await
            .unwrap()
            .into_inner();
        let e = r.error.expect("an error");
        assert!(!e.text.is_empty());
        assert_eq!(e.function_argument, argument, "{}", e.text);
    }
}
