//! Round trips and edge cases of both wire formats, against byte layouts
//! and values go-cty produces.

use crate::protocol::cty::*;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

fn rt(v: &Value, ty: &Type) -> Value {
    let bytes = encode_msgpack(v, ty).unwrap();
    decode_msgpack(&bytes, ty).unwrap()
}

fn assert_rt(v: Value, ty: &Type) {
    assert_eq!(rt(&v, ty), v, "msgpack round trip of {v:?} as {ty}");
    if v.is_wholly_known() {
        let json = encode_json(&v, ty).unwrap();
        let back = decode_json_lenient(json.to_string().as_bytes(), ty).unwrap();
        assert_eq!(back, v, "JSON round trip of {v:?} via {json}");
    }
}

fn num(s: &str) -> Value {
    Value::Number(Number::parse(s).unwrap())
}

fn role_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("limit", Type::Number),
        ("login", Type::Bool),
        ("roles", Type::set(Type::String)),
    ])
}

fn role(name: &str) -> Value {
    Value::object([
        ("name", Value::string(name)),
        ("limit", Value::int(-1)),
        ("login", Value::bool(true)),
        ("roles", Value::string_set(["a", "b"])),
    ])
}

#[test]
fn primitives_round_trip() {
    assert_rt(Value::string("hello"), &Type::String);
    assert_rt(Value::string(""), &Type::String);
    assert_rt(Value::string("ünïcødé ✓"), &Type::String);
    assert_rt(Value::bool(true), &Type::Bool);
    assert_rt(Value::bool(false), &Type::Bool);
    assert_rt(Value::int(0), &Type::Number);
    assert_rt(Value::int(42), &Type::Number);
    assert_rt(Value::int(-5), &Type::Number);
}

#[test]
fn collections_round_trip() {
    let lt = Type::list(Type::String);
    assert_rt(Value::string_list(["a", "b", "a"]), &lt);
    assert_rt(Value::List(vec![]), &lt);
    let st = Type::set(Type::Number);
    assert_rt(Value::Set(vec![Value::int(3), Value::int(1)]), &st);
    let mt = Type::map(Type::Bool);
    assert_rt(
        Value::Map(BTreeMap::from([
            ("x".into(), Value::bool(true)),
            ("y\"z".into(), Value::bool(false)),
        ])),
        &mt,
    );
    assert_rt(Value::Map(BTreeMap::new()), &mt);
    let tt = Type::Tuple(vec![Type::String, Type::Number, Type::list(Type::Bool)]);
    assert_rt(
        Value::Tuple(vec![
            Value::string("s"),
            Value::int(7),
            Value::List(vec![Value::bool(true)]),
        ]),
        &tt,
    );
    assert_rt(Value::Tuple(vec![]), &Type::Tuple(vec![]));
}

#[test]
fn nested_structures_round_trip() {
    // object in list in map, and a set of objects.
    let ty = Type::object([
        ("groups", Type::map(Type::list(role_type()))),
        ("members", Type::set(role_type())),
        ("meta", Type::object([("n", Type::Number)])),
    ]);
    let v = Value::object([
        (
            "groups",
            Value::Map(BTreeMap::from([
                (
                    "admins".into(),
                    Value::List(vec![role("alice"), role("bob")]),
                ),
                ("empty".into(), Value::List(vec![])),
            ])),
        ),
        ("members", Value::Set(vec![role("carol"), role("dave")])),
        ("meta", Value::object([("n", num("2.5"))])),
    ]);
    assert_rt(v.clone(), &ty);

    // Sets keep wire order on decode, compare as multisets.
    let decoded = rt(&v, &ty);
    let members = decoded.get("members").as_elements().unwrap();
    assert_eq!(members[0].get("name").as_str(), Some("carol"));
    let swapped = Value::Set(vec![role("dave"), role("carol")]);
    assert_eq!(decoded.get("members"), &swapped);
}

#[test]
fn null_at_each_level() {
    let ty = Type::object([
        ("s", Type::String),
        ("l", Type::list(Type::String)),
        ("m", Type::map(Type::Number)),
        ("o", Type::object([("x", Type::Bool)])),
        ("d", Type::Dynamic),
    ]);
    assert_rt(Value::Null, &ty);
    assert_eq!(encode_msgpack(&Value::Null, &ty).unwrap(), vec![0xc0]);
    let all_null = Value::object([
        ("s", Value::Null),
        ("l", Value::Null),
        ("m", Value::Null),
        ("o", Value::Null),
        ("d", Value::Null),
    ]);
    assert_rt(all_null.clone(), &ty);
    // Missing attributes encode as nil and decode back as null.
    assert_eq!(
        rt(&Value::object(Vec::<(String, Value)>::new()), &ty),
        all_null
    );
    let inner_nulls = Value::object([
        ("s", Value::string("x")),
        ("l", Value::List(vec![Value::Null, Value::string("a")])),
        ("m", Value::Map(BTreeMap::from([("k".into(), Value::Null)]))),
        ("o", Value::object([("x", Value::Null)])),
        ("d", Value::Null),
    ]);
    assert_rt(inner_nulls, &ty);
}

#[test]
fn unknown_at_each_level() {
    let ty = Type::object([
        ("s", Type::String),
        ("l", Type::list(Type::String)),
        ("m", Type::map(Type::Number)),
        ("o", Type::object([("x", Type::Bool)])),
        ("d", Type::Dynamic),
        ("t", Type::Tuple(vec![Type::String, Type::Number])),
    ]);
    assert_rt(Value::unknown(), &ty);
    assert_rt(
        Value::object([
            ("s", Value::unknown()),
            ("l", Value::List(vec![Value::string("a"), Value::unknown()])),
            (
                "m",
                Value::Map(BTreeMap::from([("k".into(), Value::unknown())])),
            ),
            ("o", Value::object([("x", Value::unknown())])),
            ("d", Value::unknown()),
            ("t", Value::Tuple(vec![Value::unknown(), Value::int(1)])),
        ]),
        &ty,
    );
    // JSON cannot carry unknowns.
    let err = encode_json(&Value::object([("s", Value::unknown())]), &ty).unwrap_err();
    assert!(err.to_string().contains(".s"), "{err}");
}

#[test]
fn plain_unknown_bytes() {
    for ty in [
        Type::String,
        Type::Number,
        Type::list(Type::String),
        Type::Dynamic,
        role_type(),
    ] {
        assert_eq!(
            encode_msgpack(&Value::unknown(), &ty).unwrap(),
            vec![0xd4, 0x00, 0x00]
        );
    }
    // Refinements that do not apply to the type are dropped, leaving a
    // plain unknown; dynamic unknowns are never refined.
    let prefix_only = Value::Unknown(Refinements {
        string_prefix: Some("x".into()),
        ..Default::default()
    });
    assert_eq!(
        encode_msgpack(&prefix_only, &Type::Number).unwrap(),
        vec![0xd4, 0x00, 0x00]
    );
    assert_eq!(
        encode_msgpack(&Value::Unknown(Refinements::not_null()), &Type::Dynamic).unwrap(),
        vec![0xd4, 0x00, 0x00]
    );
    // Any extension type decodes as unknown, whatever its payload.
    assert_eq!(
        decode_msgpack(&[0xd4, 0x00, 0x00], &Type::String).unwrap(),
        Value::unknown()
    );
    assert_eq!(
        decode_msgpack(&[0xd5, 0x07, 0xff, 0xff], &Type::String).unwrap(),
        Value::unknown()
    );
    assert_eq!(
        decode_msgpack(&[0xc7, 0x00, 0x03], &Type::Bool).unwrap(),
        Value::unknown()
    );
    // Garbage in an ext 12 payload falls back to no refinements.
    assert_eq!(
        decode_msgpack(&[0xd5, 0x0c, 0xc1, 0xc1], &Type::String).unwrap(),
        Value::unknown()
    );
    assert_eq!(
        decode_msgpack(&[0xd4, 0x0c, 0x05], &Type::String).unwrap(),
        Value::unknown()
    );
}

#[test]
fn object_exact_bytes() {
    let ty = Type::object([("a", Type::String)]);
    let bytes = encode_msgpack(&Value::object([("a", Value::string("x"))]), &ty).unwrap();
    assert_eq!(bytes, vec![0x81, 0xa1, 0x61, 0xa1, 0x78]);
    // Keys are sorted and every attribute of the type is written.
    let ty = Type::object([("b", Type::Bool), ("a", Type::String)]);
    let bytes = encode_msgpack(&Value::object([("b", Value::bool(true))]), &ty).unwrap();
    assert_eq!(bytes, vec![0x82, 0xa1, 0x61, 0xc0, 0xa1, 0x62, 0xc3]);
}

#[test]
fn refined_unknowns_round_trip() {
    let s = Value::Unknown(Refinements {
        not_null: true,
        string_prefix: Some("role_".into()),
        ..Default::default()
    });
    let bytes = encode_msgpack(&s, &Type::String).unwrap();
    // ext8 (c7), length, type 12, then {1: false, 2: "role_"}.
    assert_eq!(&bytes[..3], &[0xc7, 10, 0x0c]);
    assert_eq!(
        &bytes[3..],
        &[0x82, 0x01, 0xc2, 0x02, 0xa5, b'r', b'o', b'l', b'e', b'_']
    );
    assert_rt(s, &Type::String);

    let n = Value::Unknown(Refinements {
        number_lower: Some((Number::from_i64(0), true)),
        number_upper: Some((Number::parse("0.1").unwrap(), false)),
        ..Default::default()
    });
    assert_rt(n, &Type::Number);

    let l = Value::Unknown(Refinements {
        not_null: true,
        length_lower: Some(1),
        length_upper: Some(5),
        ..Default::default()
    });
    for ty in [
        Type::list(Type::String),
        Type::set(Type::String),
        Type::map(Type::String),
    ] {
        assert_rt(l.clone(), &ty);
    }
    assert_rt(Value::Unknown(Refinements::not_null()), &role_type());

    // Inside a structure too.
    let ty = Type::object([("roles", Type::set(Type::String))]);
    assert_rt(Value::object([("roles", l)]), &ty);
}

#[test]
fn refinement_decoding_is_tolerant() {
    // {1: false, 2: "p", 99: "future", 5: 3} as a string: keep not-null
    // and the prefix, ignore the unknown key and the inapplicable length.
    let payload = [
        0x84, 0x01, 0xc2, 0x02, 0xa1, b'p', 0x63, 0xa6, b'f', b'u', b't', b'u', b'r', b'e', 0x05,
        0x03,
    ];
    let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
    bytes.extend_from_slice(&payload);
    let v = decode_msgpack(&bytes, &Type::String).unwrap();
    assert_eq!(
        v,
        Value::Unknown(Refinements {
            not_null: true,
            string_prefix: Some("p".into()),
            ..Default::default()
        })
    );
    // A badly typed entry is skipped, the rest kept: {1: "x", 5: 2}.
    let payload = [0x82, 0x01, 0xa1, b'x', 0x05, 0x02];
    let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
    bytes.extend_from_slice(&payload);
    let v = decode_msgpack(&bytes, &Type::list(Type::Bool)).unwrap();
    assert_eq!(
        v,
        Value::Unknown(Refinements {
            length_lower: Some(2),
            ..Default::default()
        })
    );
    // Nullness true means a known null, as in cty: {1: true}.
    assert_eq!(
        decode_msgpack(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3], &Type::String).unwrap(),
        Value::Null
    );
    // Number bounds encoded as a string and as float32.
    let payload = [
        0x82, 0x03, 0x92, 0xa3, b'1', b'.', b'5', 0xc3, 0x04, 0x92, 0xca, 0x40, 0x20, 0x00, 0x00,
        0xc2,
    ];
    let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
    bytes.extend_from_slice(&payload);
    let v = decode_msgpack(&bytes, &Type::Number).unwrap();
    assert_eq!(
        v,
        Value::Unknown(Refinements {
            number_lower: Some((Number::parse("1.5").unwrap(), true)),
            number_upper: Some((Number::parse("2.5").unwrap(), false)),
            ..Default::default()
        })
    );
}

#[test]
fn number_edge_cases() {
    let ty = Type::Number;
    // i64::MAX is an int64.
    let bytes = encode_msgpack(&Value::int(i64::MAX), &ty).unwrap();
    assert_eq!(
        bytes[0], 0xcf,
        "written as uint64 by rmp's smallest encoding"
    );
    assert_rt(Value::int(i64::MAX), &ty);
    assert_rt(Value::int(i64::MIN), &ty);
    assert_eq!(encode_msgpack(&Value::int(-1), &ty).unwrap(), vec![0xff]);
    assert_eq!(
        encode_msgpack(&Value::int(200), &ty).unwrap(),
        vec![0xcc, 200]
    );

    // uint64 beyond i64::MAX decodes as a number.
    let mut big = vec![0xcf];
    big.extend_from_slice(&u64::MAX.to_be_bytes());
    let v = decode_msgpack(&big, &ty).unwrap();
    assert_eq!(v, num("18446744073709551615"));
    assert_eq!(v.as_i64(), None);
    // ... and, not being an exact int64 or float64, re-encodes as text.
    let enc = encode_msgpack(&v, &ty).unwrap();
    assert_eq!(enc[0], 0xb4);
    assert_rt(v, &ty);

    // Every integer width decodes.
    for (bytes, want) in [
        (vec![0x05], 5i64),
        (vec![0xe0], -32),
        (vec![0xd0, 0x80], -128),
        (vec![0xd1, 0x80, 0x00], -32768),
        (vec![0xd2, 0x80, 0, 0, 0], i64::from(i32::MIN)),
        (vec![0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], i64::MIN),
        (vec![0xcc, 0xff], 255),
        (vec![0xcd, 0xff, 0xff], 65535),
        (vec![0xce, 0xff, 0xff, 0xff, 0xff], 4294967295),
    ] {
        assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), Value::int(want));
    }

    // 0.1 is not exact in binary, so (like cty) it goes as a string; 0.5
    // is, so it goes as float64.
    assert_eq!(
        encode_msgpack(&num("0.1"), &ty).unwrap(),
        vec![0xa3, b'0', b'.', b'1']
    );
    let half = encode_msgpack(&num("0.5"), &ty).unwrap();
    assert_eq!(half[0], 0xcb);
    assert_rt(num("0.1"), &ty);
    assert_rt(num("0.5"), &ty);
    assert_rt(num("-2.75"), &ty);
    assert_rt(num("-0.1"), &ty);
    assert_rt(num("123456789012345678901234567890.123456789"), &ty);
    // A float64 from the wire reads as exactly its value, as in cty
    // (Terraform itself sends 0.1 as a string, see above).
    let mut f = vec![0xcb];
    f.extend_from_slice(&0.1f64.to_be_bytes());
    assert_eq!(
        decode_msgpack(&f, &ty).unwrap(),
        num("0.1000000000000000055511151231257827021181583404541015625")
    );
    // 1e20 is no int64 but is an exact float64.
    assert_eq!(encode_msgpack(&num("1e20"), &ty).unwrap()[0], 0xcb);

    // 1e400 overflows float64: a string, exact round trip.
    let huge = num("1e400");
    let enc = encode_msgpack(&huge, &ty).unwrap();
    assert_eq!(enc[0], 0xda, "str16 holding the digits");
    assert_eq!(&enc[3..5], b"10");
    assert_eq!(enc.len(), 3 + 401);
    assert_rt(huge.clone(), &ty);
    assert_eq!(
        encode_json(&huge, &ty).unwrap(),
        serde_json::Value::String("1".to_string() + &"0".repeat(400))
    );

    // Numbers as decimal strings on the wire, in any notation.
    assert_eq!(
        decode_msgpack(&[0xa3, b'1', b'e', b'3'], &ty).unwrap(),
        Value::int(1000)
    );
    let err = decode_msgpack(&[0xa3, b'a', b'b', b'c'], &ty).unwrap_err();
    assert_eq!(err.to_string(), "at root: invalid number \"abc\"");

    // Infinities are float64 infinities, as in cty; NaN is refused.
    let inf = Value::float(f64::INFINITY);
    let mut want = vec![0xcb];
    want.extend_from_slice(&f64::INFINITY.to_be_bytes());
    assert_eq!(encode_msgpack(&inf, &ty).unwrap(), want);
    assert_rt(Value::float(f64::NEG_INFINITY), &ty);
    let mut nan = vec![0xcb];
    nan.extend_from_slice(&f64::NAN.to_be_bytes());
    assert!(decode_msgpack(&nan, &ty).is_err());
}

#[test]
fn decodes_float32() {
    let mut bytes = vec![0xca];
    bytes.extend_from_slice(&1.5f32.to_be_bytes());
    assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap(), num("1.5"));
    let mut bytes = vec![0xca];
    bytes.extend_from_slice(&(-0.25f32).to_be_bytes());
    assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap(), num("-0.25"));
    // 0.1f32 widens to a float64, whose exact value cty keeps.
    let mut bytes = vec![0xca];
    bytes.extend_from_slice(&0.1f32.to_be_bytes());
    assert_eq!(
        decode_msgpack(&bytes, &Type::Number).unwrap(),
        num("0.100000001490116119384765625")
    );
}

#[test]
fn float64_integers_beyond_2_pow_53_decode_exactly() {
    // cty reads a float64 into a big.Float of exactly its value; the
    // shortest round-tripping text (11893228812309471000) is another number.
    let f = 11893228812309471232f64;
    assert_eq!(f, 11893228812309471232u64 as f64);
    let mut bytes = vec![0xcb];
    bytes.extend_from_slice(&f.to_be_bytes());
    assert_eq!(
        decode_msgpack(&bytes, &Type::Number).unwrap(),
        num("11893228812309471232")
    );
    // And it goes back out as the same float64.
    let out = encode_msgpack(&num("11893228812309471232"), &Type::Number).unwrap();
    assert_eq!(out, bytes);
}

#[test]
fn huge_exponents_are_refused_without_allocating() {
    // Once a request that aborted the plugin (about 9.2e18 bytes of
    // zeros): a number string with an exponent near i64's end.
    let mut bytes = vec![0xb8, 24];
    bytes.extend_from_slice(b"0.5e-9223372036854775807");
    assert!(decode_msgpack(&bytes, &Type::Number).is_err());
    for text in [
        "0.5e-9223372036854775807",
        "5e9223372036854775807",
        "1e-9223372036854775808",
        "123.456e99999999999999999999",
        "-0.000001e-4000000000",
    ] {
        assert_eq!(Number::parse(text), None, "{text}");
    }
    // JSON numbers go through f64 first, which rounds this to zero.
    assert_eq!(
        decode_json_lenient(br#"1e-9223372036854775807"#, &Type::Number).unwrap(),
        num("0")
    );
}

#[test]
fn dynamic_round_trip() {
    let ty = Type::object([("d", Type::Dynamic)]);
    for (t, v) in [
        (Type::String, Value::string("s")),
        (Type::Number, num("1.5")),
        (Type::list(Type::String), Value::string_list(["a"])),
        (
            Type::object([("x", Type::Number), ("y", Type::Dynamic)]),
            Value::object([
                ("x", Value::int(1)),
                (
                    "y",
                    Value::Dynamic(Box::new(Type::Bool), Box::new(Value::bool(true))),
                ),
            ]),
        ),
        // A typed null or unknown in a dynamic slot keeps its type.
        (Type::String, Value::Null),
        (Type::String, Value::unknown()),
    ] {
        let d = Value::Dynamic(Box::new(t), Box::new(v));
        assert_rt(Value::object([("d", d)]), &ty);
    }

    // The wire form: [bin(type JSON), value].
    let d = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("x")));
    assert_eq!(
        encode_msgpack(&d, &Type::Dynamic).unwrap(),
        vec![0x92, 0xc4, 0x08, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa1, b'x']
    );
    // The type may also arrive as a str.
    let as_str = [
        0x92, 0xa8, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa1, b'x',
    ];
    assert_eq!(decode_msgpack(&as_str, &Type::Dynamic).unwrap(), d);
    // Wholly unknown and null dynamic values are bare.
    assert_eq!(
        decode_msgpack(&[0xd4, 0, 0], &Type::Dynamic).unwrap(),
        Value::unknown()
    );
    assert_eq!(
        decode_msgpack(&[0xc0], &Type::Dynamic).unwrap(),
        Value::Null
    );

    // The JSON form is {"value": .., "type": ..}.
    assert_eq!(
        encode_json(&d, &Type::Dynamic).unwrap().to_string(),
        r#"{"value":"x","type":"string"}"#
    );

    // Unwrapped values get an inferred type.
    let inferred = rt(&Value::string_list(["a", "b"]), &Type::Dynamic);
    assert_eq!(
        inferred,
        Value::Dynamic(
            Box::new(Type::list(Type::String)),
            Box::new(Value::string_list(["a", "b"]))
        )
    );
    let with_null = Value::List(vec![Value::Null, Value::string("a")]);
    assert_eq!(
        rt(&with_null, &Type::Dynamic),
        Value::Dynamic(
            Box::new(Type::list(Type::String)),
            Box::new(with_null.clone())
        )
    );
    let mixed = Value::List(vec![Value::int(1), Value::string("x")]);
    assert!(encode_msgpack(&mixed, &Type::Dynamic).is_err());

    // Broken dynamic wrappers are errors with a path.
    let err = decode_msgpack(&[0x81, 0xa1, b'd', 0x91, 0xc0], &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "at .d: a dynamic value must be a [type, value] array, got 1 elements"
    );
    let err = decode_msgpack(&[0x92, 0xa3, b'"', b'x', b'"', 0xc0], &Type::Dynamic).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("at root: dynamic value: invalid type description"),
        "{err}"
    );
}

#[test]
fn decode_error_paths() {
    let ty = Type::object([("roles", Type::list(Type::String))]);
    // {"roles": ["a", "b", 7]}
    let bytes = [
        0x81, 0xa5, b'r', b'o', b'l', b'e', b's', 0x93, 0xa1, b'a', 0xa1, b'b', 0x07,
    ];
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "at .roles[2]: expected string, got integer"
    );

    let ty = Type::object([("m", Type::map(Type::object([("n", Type::Number)])))]);
    // {"m": {"k\"1": {"n": true}}}
    let bytes = [
        0x81, 0xa1, b'm', 0x81, 0xa3, b'k', b'"', b'1', 0x81, 0xa1, b'n', 0xc3,
    ];
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"at .m["k\"1"].n: expected number, got boolean"#
    );

    let err = decode_msgpack(&[0xa1, b'x'], &role_type()).unwrap_err();
    assert_eq!(err.to_string(), "at root: expected object, got string");
    let err =
        decode_msgpack(&[0x81, 0xa4, b'n', b'o', b'p', b'e', 0xc0], &role_type()).unwrap_err();
    assert_eq!(err.to_string(), "at root: unsupported attribute \"nope\"");
    let err = decode_msgpack(
        &[0x91, 0xc0],
        &Type::Tuple(vec![Type::String, Type::String]),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "at root: expected a tuple of 2 elements, got 1"
    );
    assert!(matches!(
        decode_msgpack(&[0xc0, 0xc0], &Type::String),
        Err(CodecError::Malformed { .. })
    ));
    assert!(matches!(
        decode_msgpack(&[0x92, 0xc0], &Type::list(Type::String)),
        Err(CodecError::Malformed { .. })
    ));
    assert!(matches!(
        decode_msgpack(&[], &Type::String),
        Err(CodecError::Malformed { .. })
    ));
}

#[test]
fn encode_checks_values_against_the_type() {
    let ty = Type::object([("a", Type::list(Type::Number))]);
    let err = encode_msgpack(
        &Value::object([("a", Value::List(vec![Value::bool(true)]))]),
        &ty,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot encode value at .a[0]: expected number, got bool"
    );
    let err = encode_msgpack(&Value::object([("b", Value::Null)]), &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot encode value at root: unsupported attribute \"b\""
    );
    // cty's conversions.
    let conv = Type::object([
        ("s", Type::String),
        ("n", Type::Number),
        ("b", Type::Bool),
        ("l", Type::list(Type::String)),
    ]);
    let v = Value::object([
        ("s", Value::int(5)),
        ("n", Value::string("2.5")),
        ("b", Value::string("true")),
        ("l", Value::string_set(["x"])),
    ]);
    assert_eq!(
        rt(&v, &conv),
        Value::object([
            ("s", Value::string("5")),
            ("n", num("2.5")),
            ("b", Value::bool(true)),
            ("l", Value::string_list(["x"])),
        ])
    );
}

#[test]
fn lenient_json() {
    let ty = Type::object([
        ("name", Type::String),
        ("limit", Type::Number),
        ("big", Type::Number),
        ("login", Type::Bool),
        ("roles", Type::set(Type::String)),
        ("added_later", Type::String),
    ]);
    let raw = br#"{"name":"alice","limit":"-1","big":12.5,"login":true,"roles":["a","b"],"removed":{"x":1}}"#;
    let v = decode_json_lenient(raw, &ty).unwrap();
    assert_eq!(
        v,
        Value::object([
            ("name", Value::string("alice")),
            ("limit", Value::int(-1)),
            ("big", num("12.5")),
            ("login", Value::bool(true)),
            ("roles", Value::string_set(["b", "a"])),
            ("added_later", Value::Null),
        ])
    );
    // cty's primitive conversions.
    let v = decode_json_lenient(br#"{"name":5,"login":"false","limit":1e3}"#, &ty).unwrap();
    assert_eq!(v.get("name").as_str(), Some("5"));
    assert_eq!(v.get("login").as_bool(), Some(false));
    assert_eq!(v.get("limit").as_i64(), Some(1000));
    // Errors carry the path.
    let err = decode_json_lenient(br#"{"roles":["a",{}]}"#, &ty).unwrap_err();
    assert_eq!(err.to_string(), "at .roles[1]: expected string, got object");
    assert!(matches!(
        decode_json_lenient(b"{", &ty),
        Err(CodecError::Malformed { .. })
    ));
    assert_eq!(decode_json_lenient(b"null", &ty).unwrap(), Value::Null);

    // Dynamic: wrapped, or plain JSON with its implied type.
    let dty = Type::object([("d", Type::Dynamic)]);
    let v =
        decode_json_lenient(br#"{"d":{"value":["a"],"type":["list","string"]}}"#, &dty).unwrap();
    assert_eq!(
        v.get("d"),
        &Value::Dynamic(
            Box::new(Type::list(Type::String)),
            Box::new(Value::string_list(["a"]))
        )
    );
    let v = decode_json_lenient(br#"{"d":{"k":[1,"x"]}}"#, &dty).unwrap();
    let implied = Type::object([("k", Type::Tuple(vec![Type::Number, Type::String]))]);
    assert_eq!(
        v.get("d"),
        &Value::Dynamic(
            Box::new(implied),
            Box::new(Value::object([(
                "k",
                Value::Tuple(vec![Value::int(1), Value::string("x")])
            )]))
        )
    );
}

#[test]
fn json_encoding_shapes() {
    let ty = Type::object([
        ("n", Type::Number),
        ("f", Type::Number),
        ("u", Type::Number),
        ("p", Type::Number),
        ("m", Type::map(Type::String)),
        ("missing", Type::String),
    ]);
    let v = Value::object([
        ("n", Value::int(-3)),
        ("f", num("0.1")),
        ("u", num("18446744073709551615")),
        ("p", num("0.1000000000000000055511151231257827")),
        (
            "m",
            Value::Map(BTreeMap::from([("k".into(), Value::string("v"))])),
        ),
    ]);
    assert_eq!(
        encode_json(&v, &ty).unwrap().to_string(),
        r#"{"f":0.1,"m":{"k":"v"},"missing":null,"n":-3,"p":"0.1000000000000000055511151231257827","u":18446744073709551615}"#
    );
}

#[test]
fn type_json_round_trips() {
    let types = [
        Type::String,
        Type::Number,
        Type::Bool,
        Type::Dynamic,
        Type::list(Type::String),
        Type::set(Type::map(Type::Number)),
        Type::Tuple(vec![Type::String, Type::Bool]),
        Type::Tuple(vec![]),
        role_type(),
        Type::object(Vec::<(String, Type)>::new()),
        Type::object_with_optional(
            [("a", Type::String), ("b", Type::list(Type::Dynamic))],
            ["b"],
        ),
    ];
    for t in types {
        let bytes = t.to_json_bytes();
        assert_eq!(
            Type::from_json_bytes(&bytes).unwrap(),
            t,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    assert_eq!(
        String::from_utf8(
            Type::object([("b", Type::Bool), ("a", Type::list(Type::String))]).to_json_bytes()
        )
        .unwrap(),
        r#"["object",{"a":["list","string"],"b":"bool"}]"#
    );
    let opt = Type::object_with_optional([("a", Type::String), ("b", Type::Number)], ["b"]);
    assert_eq!(
        String::from_utf8(opt.to_json_bytes()).unwrap(),
        r#"["object",{"a":"string","b":"number"},["b"]]"#
    );
    let Type::Object { optional, .. } =
        Type::from_json_bytes(br#"["object",{"a":"string"},["a"]]"#).unwrap()
    else {
        panic!("not an object");
    };
    assert_eq!(optional, BTreeSet::from(["a".to_string()]));
    for bad in [
        r#""strin""#,
        r#"["list"]"#,
        r#"["list","string","x"]"#,
        r#"["object",{"a":"string"},["b"]]"#,
        r#"["tuple","string"]"#,
        r#"["frob","string"]"#,
        "7",
    ] {
        assert!(Type::from_json_bytes(bad.as_bytes()).is_err(), "{bad}");
    }
}
