//! What `postgresql_grant_role` tells the user: why a membership cannot be
//! granted and what to do about it, and the reviewer warnings for granting
//! powerful roles.

use crate::pg::roles::attributes::RoleFlags;
use crate::pg::roles::grant_role::{GrantError, MissingAuthority, PG16};
use crate::protocol::{Diagnostic, Diagnostics};

use crate::resources::review::codes::Code;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::MembershipId;

/// Predefined roles whose membership is a privilege escalation in itself.
pub const POWERFUL_PREDEFINED: &[(&str, &str)] = &[
    (
        "pg_read_all_data",
        "read every table, view and sequence in every database",
    ),
    (
        "pg_write_all_data",
        "insert, update and delete rows of every table in every database",
    ),
    (
        "pg_execute_server_program",
        "run any program on the database server as the operating system user running PostgreSQL",
    ),
    (
        "pg_read_server_files",
        "read any file the database server can access",
    ),
    (
        "pg_write_server_files",
        "write any file the database server can access",
    ),
];

/// The import command for a membership.
pub fn import_command(member: &str, granted: &str) -> String {
    format!(
        "terraform import postgresql_grant_role.<resource name> '{}'",
        MembershipId {
            member: member.to_string(),
            granted: granted.to_string(),
        }
        .render()
        .replace('\'', "'\\''")
    )
}

/// `150004` as `15.4`.
pub fn version_text(version_num: i32) -> String {
    format!("{}.{}", version_num / 10_000, version_num % 10_000)
}

/// Turns a membership error into a diagnostic that says what to do.
pub fn grant_diag(
    e: &GrantError,
    ctx: &ErrorContext,
    connected_as: &str,
    version_num: i32,
    member: &str,
    granted: &str,
) -> Diagnostics {
    let d = match e {
        GrantError::Pg(pg) => {
            let server = pg.db_message().unwrap_or_else(|| pg.to_string());
            if pg.is_dependent_objects_still_exist() {
                // The grant's ADMIN OPTION was used to grant the role on.
                Diagnostic::error(
                    "Dependent Grants Exist",
                    format!(
                        "{server}\n\nRole {member:?} has used the ADMIN OPTION of this grant to grant \
                         role {granted:?} to other roles. PostgreSQL keeps the ADMIN OPTION while those \
                         grants exist. Revoke them first (they are the pg_auth_members rows of role \
                         {granted:?} whose grantor is {member:?}), then apply again."
                    ),
                )
            } else if pg.is_invalid_grant_operation() {
                // PostgreSQL's own cycle check.
                Diagnostic::error(
                    "Role Membership Cycle",
                    format!(
                        "{server}\n\nGranting role {granted:?} to {member:?} would make a role a member \
                         of itself. Remove one of the memberships."
                    ),
                )
            } else {
                return pg_diag(pg, ctx);
            }
        }
        GrantError::RoleMissing { name, is_member } => missing_role(name, *is_member, true),
        GrantError::Cycle { member, granted } => cycle_diag(member, granted),
        GrantError::AlreadyGranted {
            member,
            granted,
            grantor,
        } => Diagnostic::error(
            "Role Membership Already Granted",
            format!(
                "Role {member:?} already has a grant of role {granted:?}{} that is not in the \
                 Terraform state. To manage it, import it:\n\n  {}",
                grantor
                    .as_ref()
                    .map(|g| format!(" recorded with grantor {g:?}"))
                    .unwrap_or_default(),
                import_command(member, granted)
            ),
        ),
        GrantError::NotAuthorized {
            user,
            granted,
            reason,
        } => not_authorized(user, granted, *reason, version_num),
        GrantError::OptionsUnsupported { version_num } => Diagnostic::error(
            "Option Requires PostgreSQL 16",
            format!(
                "inherit_option and set_option need PostgreSQL 16 or later; this server runs {}. \
                 Remove them: on older servers inheritance follows the member's INHERIT attribute \
                 and every member may SET ROLE.",
                version_text(*version_num)
            ),
        ),
        GrantError::NotGranted {
            member,
            granted,
            grantor: None,
            ..
        } => Diagnostic::error(
            "Role Membership Not Found",
            format!(
                "Role {member:?} is not a member of role {granted:?}, so there is nothing to \
                 import. Let Terraform create the membership instead."
            ),
        ),
        GrantError::NotGranted {
            member,
            granted,
            grantor: Some(grantor),
            others,
        } => Diagnostic::error(
            "Role Membership Not Found",
            format!(
                "Role {member:?} has no grant of role {granted:?} recorded with grantor {grantor:?}, \
                 the grantor PostgreSQL records for grants made by the provider's user {:?}.{} This \
                 resource manages only that grant, so there is nothing to import. Let Terraform \
                 create it instead.",
                connected_as,
                if others.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Grants of this pair by other grantors exist ({}); they are left alone.",
                        others
                            .iter()
                            .map(|o| format!("{o:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        ),
    };
    d.into()
}

/// A role of the pair does not exist; `at_apply` drops the advice about
/// referencing a `postgresql_role` (too late for that).
pub fn missing_role(name: &str, is_member: bool, at_apply: bool) -> Diagnostic {
    let attr = if is_member { "role" } else { "grant_role" };
    let what = if is_member {
        "the member"
    } else {
        "the role being granted"
    };
    let mut detail = format!(
        "Role {name:?} ({what}, attribute {attr}) does not exist. Create it first, or fix the name \
         (role names are case-sensitive and used exactly as written)."
    );
    if !at_apply {
        detail.push_str(
            " If a postgresql_role resource in this configuration creates it, reference that \
             resource (for example role = postgresql_role.app.name) so Terraform plans and creates \
             it before this grant.",
        );
    }
    Diagnostic::error("Role Not Found", detail).at(attr)
}

/// Granting would make a role a member of itself.
pub fn cycle_diag(member: &str, granted: &str) -> Diagnostic {
    Diagnostic::error(
        "Role Membership Cycle",
        format!(
            "Granting role {granted:?} to role {member:?} would create a membership cycle: \
             {granted:?} is already a member of {member:?} (directly or through other roles), and \
             PostgreSQL does not allow a role to be a member of itself. Remove one of the two \
             memberships."
        ),
    )
    .at("grant_role")
}

/// The provider's user may not grant the role.
pub fn not_authorized(
    user: &str,
    granted: &str,
    reason: MissingAuthority,
    version_num: i32,
) -> Diagnostic {
    let summary = match reason {
        MissingAuthority::SuperuserRole => "Granting A Superuser Role Needs A Superuser",
        _ => "Missing ADMIN OPTION",
    };
    let detail = match reason {
        MissingAuthority::SuperuserRole => format!(
            "Role {granted:?} is a superuser, and only superusers may grant superuser roles. The \
             provider connects as {user:?}, which is not a superuser."
        ),
        MissingAuthority::NoAdmin if version_num >= PG16 => format!(
            "The provider connects as {user:?}, which does not hold ADMIN OPTION on role \
             {granted:?}. Since PostgreSQL 16 only roles with ADMIN OPTION on a role may grant it \
             (a CREATEROLE user gets it automatically for the roles it creates). Have a superuser \
             run GRANT \"{granted}\" TO \"{user}\" WITH ADMIN OPTION, or configure the provider \
             with a role that has it."
        ),
        MissingAuthority::NoAdmin => format!(
            "The provider connects as {user:?}, which has neither the CREATEROLE attribute nor \
             ADMIN OPTION on role {granted:?}. Give it one of them, or configure the provider with \
             a role that has it."
        ),
        MissingAuthority::AdminNotInherited => format!(
            "The provider connects as {user:?}, which holds ADMIN OPTION on role {granted:?} only \
             through a membership granted WITH INHERIT FALSE. PostgreSQL records a grant in the name \
             of a role whose privileges the grantor inherits, so it cannot grant {granted:?}. Grant \
             {user:?} ADMIN OPTION on {granted:?} directly, or make that membership inherit."
        ),
    };
    Diagnostic::error(summary, detail).at("grant_role")
}

/// The reviewer warning for granting a role with powerful attributes, or
/// one of the predefined roles that amount to them. The summary names the
/// role: Terraform folds warnings with equal summaries into one.
pub fn escalation_warning(member: &str, granted: &str, flags: RoleFlags) -> Option<Diagnostic> {
    if let Some((_, power)) = POWERFUL_PREDEFINED.iter().find(|(n, _)| *n == granted) {
        return Some(
            Code::PrivilegedMembership
                .warning(
                    format!("Granting Privileged Role {granted:?}"),
                    format!(
                "This grants the predefined role {granted:?} to {member:?}, which lets it {power}. \
                 Check that {member:?} should have this power. (Warning only; the apply is not \
                 blocked.)"
            ),
                )
                .at("grant_role"),
        );
    }
    let mut attrs = Vec::new();
    if flags.superuser {
        attrs.push("SUPERUSER (bypasses every permission check)");
    }
    if flags.bypass_row_level_security {
        attrs.push("BYPASSRLS (ignores every row-level security policy)");
    }
    if flags.create_role {
        attrs.push("CREATEROLE (creates and administers roles)");
    }
    if attrs.is_empty() {
        return None;
    }
    Some(
        Code::PrivilegedMembership
            .warning(
                format!("Granting Privileged Role {granted:?}"),
                format!(
                "This grants role {granted:?} to {member:?}. {granted:?} has {}. Role attributes \
                 are not inherited, but a member allowed to SET ROLE {granted:?} acts with them. \
                 Check that {member:?} should have this power. (Warning only; the apply is not \
                 blocked.)",
                attrs.join(", ")
            ),
            )
            .at("grant_role"),
    )
}

/// The lint for `postgresql_role` (`PGW201`): SUPERUSER or BYPASSRLS on a
/// role that can log in, when the plan creates such a role or makes one so.
/// A session of that role sees every row whatever the policies say, so the
/// usual advice is a NOLOGIN role reached by SET ROLE from a login role.
pub fn privileged_login_warning(
    prior: Option<&RoleFlags>,
    name: Option<&str>,
    planned: &RoleFlags,
) -> Option<Diagnostic> {
    let risky = |f: &RoleFlags| f.login && (f.superuser || f.bypass_row_level_security);
    if !risky(planned) || prior.is_some_and(risky) {
        return None;
    }
    let name = name?;
    let mut attrs = Vec::new();
    if planned.superuser {
        attrs.push("SUPERUSER");
    }
    if planned.bypass_row_level_security {
        attrs.push("BYPASSRLS");
    }
    let attrs = attrs.join(" and ");
    Some(
        Code::PrivilegedLoginRole
            .warning(
                format!("Login Role {name:?} Has {attrs}"),
                format!(
                    "Role {name:?} can log in and has {attrs}: every session of it ignores \
                     row-level security{}. A leaked password or a compromised application then \
                     exposes every row. Prefer a NOLOGIN role with {attrs} that a login role \
                     reaches with SET ROLE when needed. (Warning only; the apply is not blocked.)",
                    if attrs.contains("SUPERUSER") {
                        " and every permission check"
                    } else {
                        ""
                    }
                ),
            )
            .at("login"),
    )
}
