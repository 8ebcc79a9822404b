//! The msgpack wire format as Terraform writes it.

use super::*;

#[test]
fn terraform_msgpack_blob_round_trips() {
    let ty = RoleResource::new(Arc::new(ProviderState::default()))
        .schema()
        .block
        .implied_type();
    use rmpv::Value as M;
    let strings = |items: &[&str]| M::Array(items.iter().map(|s| M::from(*s)).collect());
    // A planned state as go-cty encodes it: every attribute, sorted keys,
    // integers in their shortest form, `id` unknown (fixext1 type 0), nulls.
    let blob = raw_object(
        &ty,
        vec![
            ("assume_role", M::from("")),
            ("bypass_row_level_security", M::from(false)),
            ("connection_limit", M::from(-1)),
            ("create_database", M::from(false)),
            ("create_role", M::from(true)),
            ("encrypted_password", M::from(true)),
            ("id", M::Ext(0, vec![0])),
            ("idle_in_transaction_session_timeout", M::from(0)),
            ("inherit", M::from(true)),
            ("login", M::from(true)),
            ("name", M::from("app_owner")),
            ("password", refined_unknown_string("SCRAM")),
            ("replication", M::from(false)),
            ("roles", strings(&["readers", "writers"])),
            ("search_path", strings(&["app", "$user", "public"])),
            ("skip_drop_role", M::from(false)),
            ("skip_reassign_owned", M::from(false)),
            ("statement_timeout", M::from(300_000)),
            ("superuser", M::from(false)),
            ("valid_until", M::from("infinity")),
            // encrypted, password_wo and password_wo_version stay nil.
        ],
    );
    assert!(
        blob.windows(3).any(|w| w == [0xd4, 0x00, 0x00]),
        "the blob must hold a plain unknown"
    );

    let v = decode_msgpack(&blob, &ty).unwrap();
    assert!(v.get("id").is_unknown());
    assert!(v.get("encrypted").is_null());
    assert!(v.get("password_wo").is_null());
    assert_eq!(v.get("name").as_str(), Some("app_owner"));
    assert_eq!(v.get("connection_limit").as_i64(), Some(-1));
    assert_eq!(v.get("statement_timeout").as_i64(), Some(300_000));
    assert_eq!(
        v.get("roles").as_string_set(),
        Some(vec!["readers".to_string(), "writers".to_string()])
    );
    assert_eq!(
        v.get("search_path"),
        &Value::string_list(["app", "$user", "public"])
    );
    assert_eq!(
        v.get("password"),
        &Value::Unknown(Refinements {
            not_null: true,
            string_prefix: Some("SCRAM".into()),
            ..Default::default()
        })
    );

    let again = encode_msgpack(&v, &ty).unwrap();
    assert_eq!(again, blob, "re-encoding changed the bytes");

    // A wholly null or wholly unknown object is a single nil / fixext1.
    assert_eq!(
        encode_msgpack(&decode_msgpack(&[0xc0], &ty).unwrap(), &ty).unwrap(),
        [0xc0]
    );
    let unknown = decode_msgpack(&[0xd4, 0, 0], &ty).unwrap();
    assert!(unknown.is_unknown());
    assert_eq!(encode_msgpack(&unknown, &ty).unwrap(), [0xd4, 0, 0]);
}
