//! The planned change of a `postgresql_grant`, `postgresql_default_privileges`
//! or `postgresql_role`, applied to a copy of the access catalog the way the
//! resource's statements will change the real one, and turned into the
//! effective-access report (`PGW001`) by [`crate::resources::review::access_review`].
//!
//! The resources hand over their prior and planned values as the plain
//! specs here ([`GrantSpec`], [`DefaultSpec`], [`RoleSpec`]), so that no
//! resource file imports another. A resource that cannot fill one (a value
//! is not known yet) hands over `None`: no report, never an error.

use std::collections::BTreeSet;

use crate::pg::access::{Catalog, GrantOptions, Scope, PUBLIC};
use crate::pg::grants::default_privileges::default_kind;
use crate::pg::grants::grant::grant_kind;
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::{expand_privileges, Privilege, Privs};
use crate::pg::roles::attributes::RoleFlags;
use crate::protocol::{Diagnostic, Tf};

use crate::resources::review::access_review::review;
use crate::resources::review::codes::Code;
use crate::resources::support::state::ProviderState;

/// Privilege names (already expanded) as a set; names the model does not
/// follow are dropped.
fn privs_of<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Privs {
    names
        .into_iter()
        .filter_map(|n| Privilege::parse(n.as_ref()))
        .collect()
}

/// A `postgresql_grant` as planned or stored, with every attribute the
/// report reads known.
#[derive(Debug, Clone)]
pub struct GrantSpec {
    /// `role`.
    pub role: String,
    /// `database`.
    pub database: String,
    /// `schema`; empty when unset.
    pub schema: String,
    /// `object_type`.
    pub object_type: String,
    /// `objects`; empty when unset.
    pub objects: Vec<String>,
    /// `columns`; empty when unset.
    pub columns: Vec<String>,
    /// `privileges`, as configured.
    pub privileges: Vec<String>,
}

/// One side (prior or planned) of a `postgresql_grant`.
struct GrantSide {
    role: String,
    database: String,
    scope: Scope,
    /// The privileges it holds on the scope.
    privs: Privs,
    /// Every privilege of the type (what create revokes when unwanted).
    all: Privs,
}

impl GrantSide {
    fn of(v: Option<&GrantSpec>, version: i32) -> Option<GrantSide> {
        let v = v?;
        let (role, database) = (v.role.clone(), v.database.clone());
        let ty = grant_kind(&v.object_type)?;
        let names = v.objects.clone();
        // The model files every routine as a function, told apart by prokind.
        let (kind, prokinds, names): (ObjectKind, &'static [char], Vec<String>) = match ty {
            ObjectKind::Database => (ty, &[], vec![database.clone()]),
            ObjectKind::Schema => (ty, &[], Vec::new()),
            ObjectKind::Table
            | ObjectKind::Sequence
            | ObjectKind::Column
            | ObjectKind::ForeignDataWrapper
            | ObjectKind::ForeignServer => (ty, &[], names),
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => {
                (ObjectKind::Function, ty.prokinds(), names)
            }
            // Not in the model: no report.
            ObjectKind::Type => return None,
        };
        Some(GrantSide {
            role,
            database,
            scope: Scope {
                kind,
                prokinds,
                schema: v.schema.clone(),
                names,
                columns: v.columns.clone(),
            },
            privs: privs_of(expand_privileges(&v.privileges, ty, Some(version))),
            all: privs_of(expand_privileges(&["ALL"], ty, Some(version))),
        })
    }

    /// `every table in schema app`, `table app.orders, app.items`.
    fn describe(&self) -> String {
        let s = &self.scope;
        let kind = s.kind.as_str();
        match s.kind {
            ObjectKind::Database => format!("database {}", self.database),
            ObjectKind::Schema => format!("schema {}", s.schema),
            ObjectKind::Column => format!(
                "columns {} of {}.{}",
                s.columns.join(", "),
                s.schema,
                s.names.join("")
            ),
            ObjectKind::ForeignDataWrapper | ObjectKind::ForeignServer => {
                format!("{} {}", s.kind.plural(), s.names.join(", "))
            }
            _ if s.names.is_empty() => format!("every {kind} in schema {}", s.schema),
            _ => format!(
                "{kind} {}",
                s.names
                    .iter()
                    .map(|n| format!("{}.{n}", s.schema))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The report of a `postgresql_grant` created (`prior` none), changed,
/// replaced or destroyed (`planned` none).
pub async fn grant_report(
    state: &ProviderState,
    prior: Option<&GrantSpec>,
    planned: Option<&GrantSpec>,
) -> Option<Diagnostic> {
    let client = state.client_opt().await?;
    let version = client.info.version_num;
    let (old, new) = (
        GrantSide::of(prior, version),
        GrantSide::of(planned, version),
    );
    let side = new.as_ref().or(old.as_ref())?;
    let review = review(state, Some(&side.database)).await?;
    let before = review.base(state, &[&side.role]);
    let mut after = Catalog::clone(&before);
    apply_grant(&mut after, old.as_ref(), new.as_ref());
    let what = side.describe();
    review
        .report(&before, &after, &side.role, &format!("on {what}"))
        .map(|w| w.at("privileges"))
}

/// A grant's statements on a copy of the catalog: an in-place change by
/// difference, otherwise a revoke of the old scope and a create of the new.
fn apply_grant(after: &mut Catalog, old: Option<&GrantSide>, new: Option<&GrantSide>) {
    match (old, new) {
        (Some(o), Some(n))
            if o.role == n.role && o.database == n.database && o.scope == n.scope =>
        {
            after.change_privileges(&n.role, &n.scope, n.privs, o.privs.minus(n.privs));
        }
        _ => {
            if let Some(o) = old {
                after.change_privileges(&o.role, &o.scope, Privs::NONE, o.privs);
            }
            if let Some(n) = new {
                after.change_privileges(&n.role, &n.scope, n.privs, n.all.minus(n.privs));
            }
        }
    }
}

/// `PGW301` for a `postgresql_grant` that gives PUBLIC EXECUTE on a
/// SECURITY DEFINER function. A lint, so it reads the catalog even with
/// `plan_access_report = false`.
pub async fn grant_lint(
    state: &ProviderState,
    prior: Option<&GrantSpec>,
    planned: Option<&GrantSpec>,
) -> Option<Diagnostic> {
    let client = state.client_opt().await?;
    let version = client.info.version_num;
    let new = GrantSide::of(planned, version)?;
    if new.role != PUBLIC
        || new.scope.kind != ObjectKind::Function
        || !new.privs.contains(Privilege::Execute)
    {
        return None;
    }
    let catalog = match client.access_catalog(Some(&new.database)).await {
        Ok(c) => c,
        Err(e) => {
            log::info!("no SECURITY DEFINER check: cannot read the catalog: {e}");
            return None;
        }
    };
    let mut after = (*catalog).clone();
    apply_grant(
        &mut after,
        GrantSide::of(prior, version).as_ref(),
        Some(&new),
    );
    let exposed: Vec<String> = after
        .objects
        .iter()
        .filter(|o| o.security_definer && o.id.kind == ObjectKind::Function)
        .filter(|o| {
            after
                .privileges_on(PUBLIC, &o.id)
                .contains(Privilege::Execute)
                && !catalog
                    .privileges_on(PUBLIC, &o.id)
                    .contains(Privilege::Execute)
        })
        .map(|o| format!("{} (owner {:?})", o.id, o.owner))
        .collect();
    if exposed.is_empty() {
        return None;
    }
    Some(
        Code::SecurityDefinerPublic
            .warning(
                "PUBLIC Can Execute A SECURITY DEFINER Function",
                format!(
                    "This grants EXECUTE to PUBLIC on SECURITY DEFINER functions, which run with \
                     the privileges of their owner: {}. Every role can then call them, which is \
                     the classic way around row-level security and other privileges. Grant \
                     EXECUTE only to the roles that need it. (Warning only; the apply is not \
                     blocked.)",
                    exposed.join(", ")
                ),
            )
            .at("privileges"),
    )
}

/// A `postgresql_default_privileges` as planned or stored, with every
/// attribute the report reads known.
#[derive(Debug, Clone)]
pub struct DefaultSpec {
    /// `role`.
    pub role: String,
    /// `database`.
    pub database: String,
    /// `owner`.
    pub owner: String,
    /// `schema`; `None` when unset, empty or not known.
    pub schema: Option<String>,
    /// `object_type`.
    pub object_type: String,
    /// `privileges`, as configured.
    pub privileges: Vec<String>,
}

/// One side of a `postgresql_default_privileges`.
struct DefaultSide {
    role: String,
    database: String,
    owner: String,
    schema: Option<String>,
    kind: ObjectKind,
    privs: Privs,
}

impl DefaultSide {
    fn of(v: Option<&DefaultSpec>, version: i32) -> Option<DefaultSide> {
        let v = v?;
        let ty = default_kind(&v.object_type)?;
        // As pg_default_acl stores it: routines are functions.
        let kind = ObjectKind::from_defacl_code(ty.defacl_code()?)?;
        Some(DefaultSide {
            role: v.role.clone(),
            database: v.database.clone(),
            owner: v.owner.clone(),
            schema: v.schema.clone().filter(|s| !s.is_empty()),
            kind,
            privs: privs_of(expand_privileges(&v.privileges, ty, Some(version))),
        })
    }

    fn set(&self, c: &mut Catalog, privs: Privs) {
        c.set_default_privileges(
            &self.role,
            &self.owner,
            self.schema.as_deref(),
            self.kind,
            privs,
        );
    }
}

/// The report of a `postgresql_default_privileges` created, changed,
/// replaced or destroyed.
pub async fn default_privileges_report(
    state: &ProviderState,
    prior: Option<&DefaultSpec>,
    planned: Option<&DefaultSpec>,
) -> Option<Diagnostic> {
    let client = state.client_opt().await?;
    let version = client.info.version_num;
    let (old, new) = (
        DefaultSide::of(prior, version),
        DefaultSide::of(planned, version),
    );
    let side = new.as_ref().or(old.as_ref())?;
    let review = review(state, Some(&side.database)).await?;
    let before = review.base(state, &[&side.role, &side.owner]);
    let mut after = Catalog::clone(&before);
    if let Some(o) = &old {
        o.set(&mut after, Privs::NONE);
    }
    if let Some(n) = &new {
        n.set(&mut after, n.privs);
    }
    let future = format!(
        "on {} {} creates{}",
        side.kind.plural(),
        side.owner,
        side.schema
            .as_ref()
            .map(|s| format!(" in {s}"))
            .unwrap_or_default()
    );
    review
        .report(&before, &after, &side.role, &future)
        .map(|w| w.at("privileges"))
}

/// A `postgresql_role` as planned or stored: what the report reads.
#[derive(Debug, Clone)]
pub struct RoleSide {
    /// `name`.
    pub name: String,
    /// Its attributes; `None` while one the access model reads is not known.
    pub attrs: Option<RoleFlags>,
    /// `roles`: null when the memberships are not managed.
    pub roles: Tf<BTreeSet<String>>,
}

/// The report of a `postgresql_role` created or changed: its attributes
/// and its `roles` (memberships it manages). Renames are not reported.
/// `prior` is `None` when the role is created.
pub async fn role_report(
    state: &ProviderState,
    prior: Option<&RoleSide>,
    planned: &RoleSide,
) -> Option<Diagnostic> {
    let name = planned.name.as_str();
    if prior.is_some_and(|p| p.name != name) {
        return None;
    }
    let attrs = planned.attrs?;
    let old_attrs = prior.and_then(|p| p.attrs);
    // `roles` unset: memberships not managed, left as they are.
    let new_roles = match &planned.roles {
        Tf::Null => None,
        Tf::Unknown => return None,
        Tf::Known(r) => Some(r),
    };
    let empty = BTreeSet::new();
    let old_roles = prior.and_then(|p| p.roles.known()).unwrap_or(&empty);
    // Only what the access model reads counts as an attribute change.
    let attrs_changed = old_attrs.map(|a| a.for_access()) != Some(attrs.for_access());
    if !attrs_changed && new_roles.is_none_or(|r| r == old_roles) {
        return None;
    }
    let review = review(state, None).await?;
    // A new role without powers or memberships changes no one's access:
    // skip copying the catalog for an empty report (thousands of them in a
    // plan of many plain roles).
    if prior.is_none()
        && !attrs.has_powers()
        && new_roles.is_none_or(BTreeSet::is_empty)
        && review.catalog.role(name).is_none()
    {
        return None;
    }
    // A role created here starts from nothing, so its report shows what it
    // is created with; an existing one from what the catalog says.
    let mut names: Vec<&str> = vec![name];
    names.extend(new_roles.into_iter().flatten().map(String::as_str));
    let mut before = review.base(state, &names);
    let mut after = Catalog::clone(&before);
    if prior.is_none() {
        before.to_mut().roles.remove(name);
    }
    after.set_attrs(name, attrs);
    if let Some(new_roles) = new_roles {
        let old = if prior.is_none() { &empty } else { old_roles };
        for g in old.iter().filter(|g| !new_roles.contains(*g)) {
            after.set_membership(name, g, None, None);
        }
        for g in new_roles.iter().filter(|g| !old.contains(*g)) {
            after.set_membership(name, g, None, Some(GrantOptions::default()));
        }
    }
    let cause = match (old_attrs, new_roles) {
        (None, _) => "on creation".to_string(),
        (Some(_), _) if attrs_changed => "by its attribute change".to_string(),
        _ => "by its roles change".to_string(),
    };
    review.report(&before, &after, name, &cause)
}

/// The report of destroying a `postgresql_role`: what it and the roles that
/// used its privileges (or could SET ROLE to it) lose.
pub async fn role_drop_report(state: &ProviderState, name: &str) -> Option<Diagnostic> {
    let review = review(state, None).await?;
    if review.catalog.is_inert(name) {
        return None;
    }
    let before = review.base(state, &[name]);
    let mut after = Catalog::clone(&before);
    after.drop_role(name);
    review.report(&before, &after, name, "as it is dropped")
}
