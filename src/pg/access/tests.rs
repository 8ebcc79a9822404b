//! Unit tests of the access model on a small hand-built estate.

use crate::pg::access::catalog::{AclEntry, Membership, Object};
use crate::pg::access::*;
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::{Privilege, Privs};
use crate::pg::roles::attributes::RoleFlags;

fn privs(list: &[Privilege]) -> Privs {
    list.iter().copied().collect()
}

fn entry(grantee: &str, list: &[Privilege]) -> AclEntry {
    AclEntry {
        grantee: grantee.into(),
        privs: privs(list),
        grantable: Privs::NONE,
    }
}

fn object(kind: ObjectKind, schema: &str, name: &str, owner: &str, acl: Vec<AclEntry>) -> Object {
    Object {
        id: ObjectId {
            kind,
            schema: schema.into(),
            name: name.into(),
            column: None,
        },
        owner: owner.into(),
        acl,
        prokind: (kind == ObjectKind::Function).then_some('f'),
        security_definer: false,
    }
}

fn member(member: &str, role: &str) -> Membership {
    Membership {
        member: member.into(),
        role: role.into(),
        grantor: "postgres".into(),
        admin: false,
        inherit: true,
        set: true,
    }
}

fn id(kind: ObjectKind, schema: &str, name: &str) -> ObjectId {
    ObjectId {
        kind,
        schema: schema.into(),
        name: name.into(),
        column: None,
    }
}

/// app_user → tenant_ro → readers; readers may SELECT app.orders and use
/// schema app; app.secret is the owner's alone; boss is a superuser.
fn estate(version_num: i32) -> Catalog {
    use Privilege::*;
    let all_table = Privs::all_for(ObjectKind::Table, version_num);
    let mut c = Catalog {
        version_num,
        database: "db".into(),
        ..Catalog::default()
    };
    for (name, login) in [
        ("postgres", true),
        ("owner", true),
        ("app_user", true),
        ("tenant_ro", false),
        ("readers", false),
        ("boss", false),
        ("newbie", true),
    ] {
        c.roles.insert(
            name.into(),
            RoleFlags {
                login,
                superuser: name == "postgres" || name == "boss",
                ..RoleFlags::default()
            },
        );
    }
    c.memberships = vec![
        member("app_user", "tenant_ro"),
        member("tenant_ro", "readers"),
    ];
    let owner_all = AclEntry {
        grantee: "owner".into(),
        privs: all_table,
        grantable: Privs::NONE,
    };
    c.objects = [
        object(
            ObjectKind::Database,
            "",
            "db",
            "postgres",
            vec![entry(PUBLIC, &[Connect, Temporary])],
        ),
        object(
            ObjectKind::Schema,
            "app",
            "app",
            "owner",
            vec![entry("owner", &[Usage, Create]), entry("readers", &[Usage])],
        ),
        object(
            ObjectKind::Table,
            "app",
            "orders",
            "owner",
            vec![owner_all.clone(), entry("readers", &[Select])],
        ),
        object(ObjectKind::Table, "app", "secret", "owner", vec![owner_all]),
        object(
            ObjectKind::Sequence,
            "app",
            "s",
            "owner",
            vec![entry("owner", &[Usage, Select, Update])],
        ),
        object(
            ObjectKind::Function,
            "app",
            "f(integer)",
            "owner",
            vec![entry("owner", &[Execute]), entry(PUBLIC, &[Execute])],
        ),
    ]
    .into_iter()
    .map(std::sync::Arc::new)
    .collect();
    c
}

const ORDERS: (ObjectKind, &str, &str) = (ObjectKind::Table, "app", "orders");

fn orders() -> ObjectId {
    id(ORDERS.0, ORDERS.1, ORDERS.2)
}

#[test]
fn a_two_level_chain_gives_the_privileges_with_its_path() {
    for version in [150_000, 170_000] {
        let a = estate(version).access("app_user");
        let routes = &a.held[&orders()];
        assert_eq!(
            routes[&Privilege::Select],
            Via::Role(vec!["tenant_ro".into(), "readers".into()])
        );
        assert_eq!(
            routes[&Privilege::Select].to_string(),
            "through tenant_ro → readers"
        );
        assert!(!a.held.contains_key(&id(ObjectKind::Table, "app", "secret")));
        let f = &a.held[&id(ObjectKind::Function, "app", "f(integer)")];
        assert_eq!(f[&Privilege::Execute], Via::Public);
        assert_eq!(a.uses["readers"], vec!["tenant_ro", "readers"]);
    }
}

#[test]
fn pg16_inherit_option_false_gives_set_role_only() {
    let mut c = estate(170_000);
    c.memberships[0].inherit = false;
    let a = c.access("app_user");
    assert!(!a.held.contains_key(&orders()));
    assert!(a.can_set.contains_key("readers"));
    assert!(!a.uses.contains_key("tenant_ro"));
    // With SET FALSE on the second link the chain stops at tenant_ro.
    c.memberships[1].set = false;
    let a = c.access("app_user");
    assert!(a.can_set.contains_key("tenant_ro") && !a.can_set.contains_key("readers"));
}

#[test]
fn before_16_the_member_inherit_attribute_decides() {
    let mut c = estate(150_000);
    // Options in the grant mean nothing before 16.
    c.memberships[0].inherit = false;
    c.memberships[1].set = false;
    assert!(c.access("app_user").held.contains_key(&orders()));
    // A NOINHERIT link in the middle of the chain stops privileges there.
    if let Some(a) = c.roles.get_mut("tenant_ro") {
        a.inherit = false;
    }
    let a = c.access("app_user");
    assert!(!a.held.contains_key(&orders()));
    assert!(a.uses.contains_key("tenant_ro") && !a.uses.contains_key("readers"));
    assert!(a.can_set.contains_key("readers"));
}

#[test]
fn superusers_and_predefined_roles() {
    let mut c = estate(170_000);
    let boss = c.access("boss");
    assert_eq!(
        boss.privs_on(&id(ObjectKind::Table, "app", "secret")),
        Privs::all_for(ObjectKind::Table, 170_000)
    );
    c.roles
        .insert("pg_read_all_data".into(), RoleFlags::default());
    c.memberships.push(member("newbie", "pg_read_all_data"));
    let a = c.access("newbie");
    let secret = &a.held[&id(ObjectKind::Table, "app", "secret")];
    assert_eq!(
        secret[&Privilege::Select],
        Via::Predefined(vec!["pg_read_all_data".into()])
    );
    assert_eq!(secret.len(), 1);
    assert!(a.held[&id(ObjectKind::Schema, "app", "app")].contains_key(&Privilege::Usage));
    assert!(a.held[&id(ObjectKind::Sequence, "app", "s")].contains_key(&Privilege::Select));
    let powers = c.escalations(&a);
    assert_eq!(powers.len(), 1);
    assert_eq!(
        (powers[0].power.as_str(), powers[0].how),
        ("pg_read_all_data", How::Inherited)
    );
}

#[test]
fn granting_a_membership_shows_gains_and_escalations() {
    let before = estate(170_000);
    let mut after = before.clone();
    after.memberships.push(member("tenant_ro", "boss"));
    after.set_membership("newbie", "tenant_ro", None, Some(GrantOptions::default()));
    let d = delta(&before, &after, "newbie");
    assert_eq!(d.gained[&orders()], privs(&[Privilege::Select]));
    assert_eq!(d.uses_gained["readers"], vec!["tenant_ro", "readers"]);
    assert!(d.set_gained.contains_key("boss"));
    assert_eq!(d.powers_gained.len(), 1);
    assert_eq!(d.powers_gained[0].power, "SUPERUSER");
    assert_eq!(d.powers_gained[0].chain, vec!["tenant_ro", "boss"]);
    assert!(d.lost.is_empty() && d.gains() && !d.losses());
    // The reverse is a loss of the same.
    let back = delta(&after, &before, "newbie");
    assert_eq!(back.lost, d.gained);
    // Revoking through the grantor on 16+.
    let mut revoked = after.clone();
    revoked.set_membership("app_user", "tenant_ro", Some("postgres"), None);
    let d = delta(&after, &revoked, "app_user");
    assert_eq!(d.lost[&orders()], privs(&[Privilege::Select]));
}

/// The scope of a grant on tables of schema `app`: `names`, or every one.
fn app_tables(names: &[&str]) -> Scope {
    Scope {
        kind: ObjectKind::Table,
        prokinds: &[],
        schema: "app".into(),
        names: names.iter().map(|n| n.to_string()).collect(),
        columns: vec![],
    }
}

#[test]
fn privilege_changes_follow_the_grant_resource() {
    let before = estate(170_000);
    let mut after = before.clone();
    let scope = app_tables(&[]);
    let covered = after.change_privileges(
        "readers",
        &scope,
        privs(&[Privilege::Select, Privilege::Insert]),
        Privs::NONE,
    );
    assert_eq!(covered, 2);
    let d = delta(&before, &after, "app_user");
    assert_eq!(d.gained[&orders()], privs(&[Privilege::Insert]));
    assert_eq!(
        d.gained[&id(ObjectKind::Table, "app", "secret")],
        privs(&[Privilege::Select, Privilege::Insert])
    );
    // The owner is never changed.
    let mut owner = before.clone();
    owner.change_privileges(
        "owner",
        &scope,
        Privs::NONE,
        Privs::all_for(ObjectKind::Table, 170_000),
    );
    assert!(delta(&before, &owner, "owner").is_empty());
}

/// Listed objects are found by name, however the list is ordered and
/// whether or not a name repeats; a name the catalog lacks covers nothing.
#[test]
fn listed_objects_are_found_by_name() {
    let before = estate(170_000);
    let mut after = before.clone();
    let scope = app_tables(&["secret", "missing", "orders", "secret"]);
    let covered =
        after.change_privileges("readers", &scope, privs(&[Privilege::Update]), Privs::NONE);
    assert_eq!(covered, 2);
    let d = delta(&before, &after, "app_user");
    assert_eq!(d.gained.len(), 2, "{d:?}");
    // Runs: one kind, one schema, one name; other kinds stay out.
    assert_eq!(before.run_of(ObjectKind::Table, Some("app"), None).len(), 2);
    assert_eq!(
        before
            .run_of(ObjectKind::Table, Some("app"), Some("orders"))
            .len(),
        1
    );
    assert_eq!(
        before.run_of(ObjectKind::Table, Some("other"), None).len(),
        0
    );
    assert_eq!(before.run_of(ObjectKind::Schema, None, None).len(), 1);
    assert_eq!(
        before.run_of(ObjectKind::Column, Some("app"), None).len(),
        0
    );
}

/// Foreign-data wrappers and servers are named alone, without a schema:
/// USAGE granted on one server reaches its members, not the other server.
#[test]
fn foreign_servers_and_wrappers_are_in_the_model() {
    let mut before = estate(170_000);
    for (kind, name) in [
        (ObjectKind::ForeignDataWrapper, "postgres_fdw"),
        (ObjectKind::ForeignServer, "warehouse"),
        (ObjectKind::ForeignServer, "other"),
    ] {
        before.objects.push(std::sync::Arc::new(object(
            kind,
            "",
            name,
            "postgres",
            vec![entry("postgres", &[Privilege::Usage])],
        )));
    }
    before.sort_objects();
    let mut after = before.clone();
    let scope = Scope {
        kind: ObjectKind::ForeignServer,
        prokinds: &[],
        schema: String::new(),
        names: vec!["warehouse".into()],
        columns: vec![],
    };
    let covered =
        after.change_privileges("readers", &scope, privs(&[Privilege::Usage]), Privs::NONE);
    assert_eq!(covered, 1);
    let d = delta(&before, &after, "app_user");
    let server = id(ObjectKind::ForeignServer, "", "warehouse");
    assert_eq!(d.gained.len(), 1, "{d:?}");
    assert_eq!(d.gained[&server], privs(&[Privilege::Usage]));
    assert_eq!(server.to_string(), "warehouse");
    assert_eq!(
        after.privileges_on(
            "app_user",
            &id(ObjectKind::ForeignDataWrapper, "", "postgres_fdw")
        ),
        Privs::NONE
    );
}

#[test]
fn function_signatures_match_loosely_or_by_name() {
    let mut c = estate(170_000);
    let scope = |n: &str| Scope {
        kind: ObjectKind::Function,
        prokinds: &['f'],
        schema: "app".into(),
        names: vec![n.into()],
        columns: vec![],
    };
    for n in ["f(INTEGER)", "f(int4)", "f"] {
        assert_eq!(
            c.change_privileges("x", &scope(n), Privs::NONE, Privs::NONE),
            1,
            "{n}"
        );
    }
    assert_eq!(
        c.change_privileges("x", &scope("g"), Privs::NONE, Privs::NONE),
        0
    );
}

#[test]
fn default_privileges_are_future_access() {
    let before = estate(170_000);
    let mut after = before.clone();
    after.set_default_privileges(
        "readers",
        "owner",
        Some("app"),
        ObjectKind::Table,
        privs(&[Privilege::Select]),
    );
    let d = delta(&before, &after, "app_user");
    let (future, p) = d.future_gained.iter().next().unwrap();
    assert_eq!(future.to_string(), "tables owner creates in app");
    assert_eq!(*p, privs(&[Privilege::Select]));
    assert!(d.gained.is_empty());
    // Functions: PUBLIC executes new ones unless the database-wide entry
    // says otherwise.
    assert!(before.public_executes_new_functions("owner", "app"));
    let mut locked = before.clone();
    locked.set_default_privileges(
        "owner",
        "owner",
        None,
        ObjectKind::Function,
        privs(&[Privilege::Execute]),
    );
    assert!(!locked.public_executes_new_functions("owner", "app"));
}

#[test]
fn rls_bypass_and_attribute_changes() {
    let mut c = estate(170_000);
    assert!(c.bypasses_rls("owner", "owner", false));
    assert!(!c.bypasses_rls("owner", "owner", true));
    assert!(c.bypasses_rls("boss", "owner", true));
    assert!(!c.bypasses_rls("app_user", "owner", false));
    let before = c.clone();
    c.set_attrs(
        "readers",
        RoleFlags {
            bypass_row_level_security: true,
            ..RoleFlags::default()
        },
    );
    // A member that can SET ROLE readers can now bypass RLS.
    let d = delta(&before, &c, "app_user");
    assert_eq!(d.powers_gained[0].power, "BYPASSRLS");
    assert_eq!(d.powers_gained[0].how, How::SetRole);
    assert_eq!(chain_text(&d.powers_gained[0].chain), "tenant_ro → readers");
}

#[test]
fn renames_and_display() {
    let mut c = estate(170_000);
    c.rename_role("readers", "Readers");
    assert!(c.access("app_user").uses.contains_key("Readers"));
    let col = ObjectId {
        kind: ObjectKind::Column,
        schema: "app".into(),
        name: "Orders".into(),
        column: Some("tenant_id".into()),
    };
    assert_eq!(col.to_string(), "app.\"Orders\"(tenant_id)");
    assert_eq!(
        id(ObjectKind::Function, "app", "f(integer, text)").to_string(),
        "app.f(integer, text)"
    );
}

#[test]
fn dropping_a_role_takes_its_grants_and_memberships() {
    let before = estate(170_000);
    let mut after = before.clone();
    after.drop_role("tenant_ro");
    assert!(after.role("tenant_ro").is_none());
    assert!(after
        .memberships
        .iter()
        .all(|m| m.member != "tenant_ro" && m.role != "tenant_ro"));
    // app_user reached readers only through tenant_ro.
    let d = delta(&before, &after, "app_user");
    assert!(d.lost.contains_key(&orders()));
    assert!(d.uses_lost.contains_key("readers"));
    // readers itself keeps what was granted to it.
    assert!(delta(&before, &after, "readers").is_empty());
}

#[test]
fn inert_roles_change_no_ones_access() {
    let c = estate(150_000);
    assert!(c.is_inert("newbie"));
    assert!(c.is_inert("nobody"));
    for r in [
        "owner",
        "readers",
        "tenant_ro",
        "app_user",
        "boss",
        "postgres",
    ] {
        assert!(!c.is_inert(r), "{r}");
    }
    // What the reports skip computing is indeed empty.
    let mut dropped = c.clone();
    dropped.drop_role("newbie");
    assert!(delta(&c, &dropped, "newbie").is_empty());
    let mut added = c.clone();
    added.ensure_role(
        "fresh",
        RoleFlags {
            login: true,
            ..RoleFlags::default()
        },
    );
    assert!(delta(&c, &added, "fresh").is_empty());
}

#[test]
fn a_grant_copies_and_compares_only_the_objects_it_changes() {
    let c = estate(150_000);
    let mut after = c.clone();
    let scope = Scope {
        kind: ObjectKind::Table,
        prokinds: &[],
        schema: "app".into(),
        names: vec!["secret".into()],
        columns: Vec::new(),
    };
    after.change_privileges("readers", &scope, privs(&[Privilege::Select]), Privs::NONE);
    let copies = c
        .objects
        .iter()
        .zip(&after.objects)
        .filter(|(a, b)| !std::sync::Arc::ptr_eq(a, b))
        .count();
    assert_eq!(copies, 1);
    // The delta over the changed object alone is the whole delta: app_user
    // gains SELECT on app.secret through tenant_ro → readers, and nothing
    // else changes for anyone.
    for role in [
        "app_user",
        "tenant_ro",
        "readers",
        "owner",
        "newbie",
        PUBLIC,
    ] {
        let d = delta(&c, &after, role);
        let (a, b) = (c.access(role), after.access(role));
        for o in &c.objects {
            let gained = b.privs_on(&o.id).minus(a.privs_on(&o.id));
            let lost = a.privs_on(&o.id).minus(b.privs_on(&o.id));
            assert_eq!(
                d.gained.get(&o.id).copied().unwrap_or_default(),
                gained,
                "{role}"
            );
            assert_eq!(
                d.lost.get(&o.id).copied().unwrap_or_default(),
                lost,
                "{role}"
            );
        }
    }
    let d = delta(&c, &after, "app_user");
    assert_eq!(
        d.gained.keys().collect::<Vec<_>>(),
        vec![&id(ObjectKind::Table, "app", "secret")]
    );
}

#[test]
fn future_objects_list_tables_first() {
    use ObjectKind::*;
    let id = |kind| FutureId {
        owner: "owner".into(),
        schema: None,
        kind,
    };
    let mut ids: Vec<FutureId> = [Schema, Type, Function, Sequence, Table]
        .into_iter()
        .map(id)
        .collect();
    ids.sort();
    let kinds: Vec<ObjectKind> = ids.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [Table, Sequence, Function, Type, Schema]);
    // Owner and schema come first.
    assert!(
        id(Schema)
            < FutureId {
                owner: "p".into(),
                ..id(Table)
            }
    );
}
