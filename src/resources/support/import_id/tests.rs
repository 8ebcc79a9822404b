//! Every resource's ID: rendered and parsed back with awkward names, and
//! refused with the right form shown.

use super::grammar::slashed;
use super::*;

/// Names that break naive grammars: separators of every grammar, quotes,
/// escapes, an empty name, spaces and non-ASCII.
const AWKWARD: &[&str] = &[
    "plain", "Mixed", "a.b", "a\"b", "\"", "a/b", "a,b", "50%", "%2F", "(x)", "[", "a b", "rôle",
    "",
];

/// The detail of the diagnostic an invalid ID becomes.
fn detail(e: InvalidId) -> String {
    Diagnostics::from(e).0.remove(0).detail
}

#[test]
fn names_are_taken_as_is() {
    for name in AWKWARD {
        assert_eq!(NameId::parse(&NameId::render(name)).name, *name);
    }
}

#[test]
fn memberships_round_trip() {
    for m in AWKWARD.iter().filter(|n| !n.is_empty()) {
        for g in ["readers", "c_d_true", "back\\slash", "p.q"] {
            let id = MembershipId {
                member: m.to_string(),
                granted: g.to_string(),
            };
            assert_eq!(MembershipId::parse(&id.render()), Ok(id.clone()));
        }
    }
    let id = MembershipId::parse(r#" [ "a" , "b" ] "#).unwrap();
    assert_eq!((id.member.as_str(), id.granted.as_str()), ("a", "b"));
    assert_eq!(
        MembershipId {
            member: "a".into(),
            granted: "b".into()
        }
        .render(),
        r#"["a","b"]"#
    );
}

#[test]
fn bad_memberships_explain_the_format() {
    for bad in [
        "a_b_false",
        "a|b",
        r#"["a"]"#,
        r#"["a","b","c"]"#,
        r#"["a",1]"#,
        r#"["","b"]"#,
        r#"{"role":"a"}"#,
        r#"["a","b"] x"#,
    ] {
        let err = detail(MembershipId::parse(bad).unwrap_err());
        assert!(err.contains(r#"'["app_user","readers"]'"#), "{err}");
        assert!(err.contains(bad), "{err}");
    }
    let err = detail(MembershipId::parse("a_b_false").unwrap_err());
    assert!(err.contains("reference provider"), "{err}");
}

#[test]
fn objects_in_a_database_round_trip() {
    for db in [None, Some("my.db"), Some("")] {
        for a in AWKWARD {
            for b in ["t", "x.y", "\"q\"", ""] {
                let database = db.map(str::to_string);
                let schema = SchemaId {
                    database: database.clone(),
                    name: a.to_string(),
                };
                assert_eq!(SchemaId::parse(&schema.render()), Ok(schema.clone()));
                let ext = ExtensionId {
                    database: database.clone(),
                    name: a.to_string(),
                };
                assert_eq!(ExtensionId::parse(&ext.render()), Ok(ext.clone()));
                let server = ServerId {
                    database: database.clone(),
                    name: a.to_string(),
                };
                assert_eq!(ServerId::parse(&server.render()), Ok(server.clone()));
                let mapping = UserMappingId {
                    database: database.clone(),
                    user: a.to_string(),
                    server: b.to_string(),
                };
                assert_eq!(UserMappingId::parse(&mapping.render()), Ok(mapping.clone()));
                let table = TableId {
                    database: database.clone(),
                    schema: a.to_string(),
                    table: b.to_string(),
                };
                assert_eq!(TableId::parse(&table.render()), Ok(table.clone()));
                let policy = PolicyId {
                    table: table.clone(),
                    name: b.to_string(),
                };
                assert_eq!(PolicyId::parse(&policy.render()), Ok(policy.clone()));
            }
        }
    }
    assert_eq!(
        TableId {
            database: None,
            schema: "public".into(),
            table: "Items".into()
        }
        .render(),
        "public.Items"
    );
    assert_eq!(
        PolicyId::parse("db.\"my.s\".items.p").unwrap().table.schema,
        "my.s"
    );
}

/// The reference provider's IDs: the server name, and `user.server`.
#[test]
fn reference_fdw_ids_parse() {
    let s = ServerId::parse("myserver_postgres").unwrap();
    assert_eq!((s.database, s.name.as_str()), (None, "myserver_postgres"));
    let m = UserMappingId::parse("remote.myserver_postgres").unwrap();
    assert_eq!(
        (m.database, m.user.as_str(), m.server.as_str()),
        (None, "remote", "myserver_postgres")
    );
    let m = UserMappingId::parse("db.public.\"my.srv\"").unwrap();
    assert_eq!(
        (m.database.as_deref(), m.user.as_str(), m.server.as_str()),
        (Some("db"), "public", "my.srv")
    );
}

#[test]
fn dotted_errors_show_the_form() {
    for (bad, form) in [
        ("a.b.c", "mydb.\"my.schema\""),
        ("a..b", "mydb.\"my.schema\""),
    ] {
        let err = detail(SchemaId::parse(bad).unwrap_err());
        assert!(err.starts_with(&format!("{bad:?}: ")), "{err}");
        assert!(err.ends_with(form), "{err}");
    }
    let err = detail(ExtensionId::parse("a.b.c").unwrap_err());
    assert!(err.contains("it has 3 part(s), not 1 or 2"), "{err}");
    assert!(err.ends_with("\"my.db\".pg_trgm"), "{err}");
    let err = detail(TableId::parse("items").unwrap_err());
    assert!(
        err.contains("not 2 or 3") && err.contains("public.items"),
        "{err}"
    );
    let err = detail(PolicyId::parse("s.t").unwrap_err());
    assert!(
        err.contains("not 3 or 4") && err.contains("tenant_isolation"),
        "{err}"
    );
    let err = detail(ServerId::parse("a.b.c").unwrap_err());
    assert!(
        err.contains("not 1 or 2") && err.contains("mydb.warehouse"),
        "{err}"
    );
    let err = detail(UserMappingId::parse("warehouse").unwrap_err());
    assert!(
        err.contains("not 2 or 3") && err.contains("public.warehouse"),
        "{err}"
    );
    let err = detail(PolicyId::parse("s.\"t.p").unwrap_err());
    assert!(err.contains("not closed"), "{err}");
}

#[test]
fn security_labels_round_trip() {
    for name in AWKWARD {
        let id = SecurityLabelId {
            provider: "dummy".into(),
            object_type: "schema".into(),
            object_name: name.to_string(),
        };
        assert_eq!(SecurityLabelId::parse(&id.render()), Ok(id.clone()));
    }
    let err = detail(SecurityLabelId::parse("a.b").unwrap_err());
    assert!(err.contains("it has 2 part(s), not 3"), "{err}");
    assert!(err.contains("pgaadauth.role.my_role"), "{err}");
    let err = detail(SecurityLabelId::refuse("a.b.c", "\"b\" is not one of role"));
    assert!(
        err.starts_with("\"a.b.c\": \"b\" is not one of role. Use "),
        "{err}"
    );
}

#[test]
fn functions_round_trip_and_match_the_reference() {
    let id = FunctionId::new("postgres", "public", "increment", ["integer", "text"]);
    assert_eq!(id.render(), "postgres.public.increment(integer,text)");
    let odd = FunctionId::new("my.db", "s(x)", "f\"g", ["numeric(10,2)"]);
    assert_eq!(odd.render(), "\"my.db\".\"s(x)\".\"f\"\"g\"(numeric(10,2))");
    assert_eq!(FunctionId::parse(&odd.render()), Ok(odd));
    for name in AWKWARD {
        let id = FunctionId::new(name, name, name, ["integer", "character varying"]);
        assert_eq!(
            FunctionId::parse(&id.render()),
            Ok(id.clone()),
            "{}",
            id.render()
        );
    }
    let short = FunctionId::parse("public.f()").unwrap();
    assert_eq!(
        short,
        FunctionId {
            database: None,
            schema: "public".into(),
            name: "f".into(),
            types: String::new()
        }
    );
    assert_eq!(short.render(), "public.f()");
    for bad in [
        "public.f",
        "public.f(int",
        "(int)",
        "a..f()",
        "f()",
        "a.b.c.d()",
    ] {
        let err = detail(FunctionId::parse(bad).unwrap_err());
        assert!(err.starts_with(&format!("{bad:?}: ")), "{err}");
        assert!(err.ends_with("mydb.\"my.schema\".f(text)"), "{err}");
    }
    let err = detail(FunctionId::parse("a.b.c.d()").unwrap_err());
    assert!(
        err.contains("it names 4 part(s) before the arguments"),
        "{err}"
    );
}

#[test]
fn grants_round_trip() {
    for name in AWKWARD {
        let id = GrantId {
            role: name.to_string(),
            database: "db/x".into(),
            schema: name.to_string(),
            object_type: "table".into(),
            objects: vec!["b,c".into(), name.to_string(), "a".into()],
            columns: vec![],
        };
        let mut sorted = id.clone();
        sorted.objects.sort();
        assert_eq!(GrantId::parse(&id.render()), Ok(sorted));
    }
    let db = GrantId {
        role: "public".into(),
        database: "mydb".into(),
        object_type: "database".into(),
        ..GrantId::default()
    };
    assert_eq!(db.render(), "public/mydb//database");
    assert_eq!(GrantId::parse("public/mydb//database"), Ok(db));
    let columns = GrantId {
        role: "r".into(),
        database: "d".into(),
        schema: "s".into(),
        object_type: "column".into(),
        objects: vec!["t".into()],
        columns: vec!["b".into(), "a,1".into()],
    };
    assert_eq!(columns.render(), "r/d/s/column/t/a%2C1,b");
}

#[test]
fn grant_errors_show_the_form() {
    for bad in ["a/b/c", "a/b/c/d/e/f/g", "a%zz/b/c/d"] {
        let err = detail(GrantId::parse(bad).unwrap_err());
        assert!(
            err.contains("The ID is <role>/<database>/<schema>/<object_type>"),
            "{err}"
        );
    }
    let err = detail(GrantId::parse("a/b/c").unwrap_err());
    assert!(err.starts_with("\"a/b/c\" has 3 parts"), "{err}");
}

#[test]
fn default_privileges_round_trip() {
    for name in AWKWARD {
        let id = DefaultPrivilegesId {
            role: name.to_string(),
            database: "my/db".into(),
            schema: name.to_string(),
            owner: "o,w".into(),
            object_type: "table".into(),
        };
        assert_eq!(DefaultPrivilegesId::parse(&id.render()), Ok(id.clone()));
    }
    let id = DefaultPrivilegesId {
        role: "r/x".into(),
        database: "d".into(),
        schema: String::new(),
        owner: "o".into(),
        object_type: "table".into(),
    };
    assert_eq!(id.render(), "r%2Fx/d//o/table");
    for bad in ["a/b/c/d", "a/b/c/d/e/f", "a/b/c/d/%"] {
        let err = detail(DefaultPrivilegesId::parse(bad).unwrap_err());
        assert!(err.contains("reader/mydb/public/app_owner/table"), "{err}");
    }
}

#[test]
fn grant_ids_round_trip_any_name() {
    let id = GrantId {
        role: "user@example.com".into(),
        database: "my/db".into(),
        schema: "a,b%c".into(),
        object_type: "table".into(),
        objects: vec!["t/2".into(), "t1".into()],
        columns: vec![],
    };
    let text = id.render();
    assert_eq!(text, "user@example.com/my%2Fdb/a%2Cb%25c/table/t%2F2,t1");
    assert_eq!(GrantId::parse(&text).unwrap(), id);
}

#[test]
fn grant_ids_drop_trailing_empty_parts() {
    let id = GrantId::parse("app/db//database").unwrap();
    assert_eq!(id.schema, "");
    assert!(id.objects.is_empty());
    assert_eq!(id.render(), "app/db//database");
    let col = GrantId::parse("app/db/s/column/t/b,a").unwrap();
    assert_eq!(col.columns, vec!["b".to_string(), "a".to_string()]);
    assert_eq!(col.render(), "app/db/s/column/t/a,b");
    assert!(GrantId::parse("app/db").is_err());
    assert!(GrantId::parse("a/b/c/d/e/f/g").is_err());
    assert!(GrantId::parse("a%2/b/c/table").is_err());
}

#[test]
fn unicode_survives_escaping() {
    assert_eq!(
        slashed::unescape(&slashed::escape("rôle/ü,%")).unwrap(),
        "rôle/ü,%"
    );
    assert_eq!(slashed::unescape("%C3%BC").unwrap(), "ü");
}
