//! Every resource's import ID, in one place: each resource type has a type
//! here that renders its ID (for the `id` attribute, import commands in
//! diagnostics, and list results) and parses it back, with an error that
//! shows the right form. No resource file writes or splits an ID itself.
//!
//! | resource | ID | grammar |
//! |---|---|---|
//! | `postgresql_role`, `postgresql_database` | the name, as is | [`NameId`] |
//! | `postgresql_grant_role` | `["member","granted"]` | [`grammar::pair`] |
//! | `postgresql_schema`, `postgresql_extension` | `[database.]name` | [`grammar::dotted`] |
//! | `postgresql_server` | `[database.]server_name` | [`grammar::dotted`] |
//! | `postgresql_user_mapping` | `[database.]user_name.server_name` | [`grammar::dotted`] |
//! | `postgresql_row_level_security` | `[database.]schema.table` | [`grammar::dotted`] |
//! | `postgresql_policy` | `[database.]schema.table.policy` | [`grammar::dotted`] |
//! | `postgresql_security_label` | `label_provider.object_type.object_name` | [`grammar::dotted`] |
//! | `postgresql_function` | `[database.]schema.name(types)` | [`grammar::call`] |
//! | `postgresql_grant` | `role/database/schema/object_type[/objects[/columns]]` | [`grammar::slashed`] |
//! | `postgresql_default_privileges` | `role/database/schema/owner/object_type` | [`grammar::slashed`] |
//! | `postgresql_publication`, `postgresql_subscription`, `postgresql_replication_slot` | `[database.]name` | [`grammar::dotted`], in [`replication`] |
//! | `postgresql_physical_replication_slot` | the name, as is | [`NameId`] |
//!
//! A part in brackets may be left out on import; the rendered ID has it
//! whenever the model knows it.

pub mod grammar;
pub mod replication;

use crate::protocol::{Diagnostic, Diagnostics};
use grammar::{call, dotted, pair, slashed};
pub use replication::{PublicationId, ReplicationSlotId, SubscriptionId};

/// A malformed import ID. Becomes an "Invalid Import ID" diagnostic whose
/// detail says what is wrong and what the right form is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId(pub String);

impl From<InvalidId> for Diagnostics {
    fn from(e: InvalidId) -> Diagnostics {
        Diagnostic::error("Invalid Import ID", e.0).into()
    }
}

/// `{id:?}: {why}. {form}`: the wording of every dotted ID's error.
fn refused(id: &str, why: &str, form: &str) -> InvalidId {
    InvalidId(format!("{id:?}: {why}. {form}"))
}

/// Splits a dotted ID of `n` names that may start with a database name.
fn dotted_in_database(
    id: &str,
    n: usize,
    form: &str,
) -> Result<(Option<String>, Vec<String>), InvalidId> {
    dotted::parse_in_database(id, n).map_err(|why| refused(id, &why, form))
}

/// A dotted ID: the database when there is one, then `names`.
fn render_in_database(database: Option<&str>, names: &[&str]) -> String {
    let parts: Vec<&str> = database.into_iter().chain(names.iter().copied()).collect();
    dotted::render(&parts)
}

// ------------------------------------------------------------------ names --

/// `postgresql_role`, `postgresql_database` and
/// `postgresql_physical_replication_slot`: the exact name, as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameId {
    /// The role or database name.
    pub name: String,
}

impl NameId {
    /// The ID of `name`.
    pub fn render(name: &str) -> String {
        name.to_string()
    }

    /// Any text is a name; whether it exists is the resource's question.
    pub fn parse(id: &str) -> NameId {
        NameId {
            name: id.to_string(),
        }
    }
}

// ------------------------------------------------------------ memberships --

/// `postgresql_grant_role`: `["member","granted"]`, a JSON array of the two
/// role names, so any name fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipId {
    /// The member role (attribute `role`).
    pub member: String,
    /// The granted role (attribute `grant_role`).
    pub granted: String,
}

impl MembershipId {
    /// The ID text.
    pub fn render(&self) -> String {
        pair::render(&self.member, &self.granted)
    }

    /// Parses an ID; any JSON spacing is accepted.
    pub fn parse(id: &str) -> Result<MembershipId, InvalidId> {
        let (member, granted) = pair::parse(id).map_err(|why| Self::invalid(id, &why))?;
        Ok(MembershipId { member, granted })
    }

    /// The error for an ID that is not a pair.
    fn invalid(id: &str, problem: &str) -> InvalidId {
        let mut msg = format!(
            "The import ID {id} is not valid: {problem}.\n\nExpected a JSON array of two strings, \
             the member role (attribute role) and then the granted role (attribute grant_role), \
             exactly as PostgreSQL spells them (case-sensitive):\n\n  \
             terraform import postgresql_grant_role.example '[\"app_user\",\"readers\"]'\n\n\
             Escape a double quote or backslash inside a name as in JSON (\\\" and \\\\)."
        );
        if !id.trim_start().starts_with('[') && (id.ends_with("_true") || id.ends_with("_false")) {
            msg.push_str(
                " (IDs of the form role_grantrole_bool from the reference provider are ambiguous \
                 and cannot be imported.)",
            );
        }
        InvalidId(msg)
    }
}

// -------------------------------------------------- objects in a database --

/// `postgresql_schema`: `database.schema`, or `schema` for one in the
/// provider's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaId {
    /// The database; `None` for the provider's.
    pub database: Option<String>,
    /// The schema.
    pub name: String,
}

impl SchemaId {
    const FORM: &'static str = "Use database.schema, or schema for one in the provider's \
        database, for example mydb.app. Names are taken exactly as written; put a name \
        containing '.' or '\"' in double quotes and double any '\"' inside it: \
        mydb.\"my.schema\"";

    /// The ID text.
    pub fn render(&self) -> String {
        render_in_database(self.database.as_deref(), &[&self.name])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<SchemaId, InvalidId> {
        let (database, mut names) = dotted_in_database(id, 1, Self::FORM)?;
        Ok(SchemaId {
            database,
            name: names.pop().unwrap_or_default(),
        })
    }
}

/// `postgresql_extension`: `database.extension`, or the extension alone for
/// the provider's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionId {
    /// The database; `None` for the provider's.
    pub database: Option<String>,
    /// The extension.
    pub name: String,
}

impl ExtensionId {
    const FORM: &'static str = "Use database.extension, for example mydb.pg_trgm, or just the \
        extension name for the provider's database. Put a name containing '.' or '\"' in \
        double quotes and double any '\"' inside it: \"my.db\".pg_trgm";

    /// The ID text.
    pub fn render(&self) -> String {
        render_in_database(self.database.as_deref(), &[&self.name])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<ExtensionId, InvalidId> {
        let (database, mut names) = dotted_in_database(id, 1, Self::FORM)?;
        Ok(ExtensionId {
            database,
            name: names.pop().unwrap_or_default(),
        })
    }
}

/// `postgresql_server`: `database.server`, or the server alone for the
/// provider's database (the reference provider's ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerId {
    /// The database; `None` for the provider's.
    pub database: Option<String>,
    /// The server.
    pub name: String,
}

impl ServerId {
    const FORM: &'static str = "Use database.server, for example mydb.warehouse, or just the \
        server name for the provider's database. Names are taken exactly as written; put a \
        name containing '.' or '\"' in double quotes and double any '\"' inside it: \
        mydb.\"my.server\"";

    /// The ID text.
    pub fn render(&self) -> String {
        render_in_database(self.database.as_deref(), &[&self.name])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<ServerId, InvalidId> {
        let (database, mut names) = dotted_in_database(id, 1, Self::FORM)?;
        Ok(ServerId {
            database,
            name: names.pop().unwrap_or_default(),
        })
    }
}

/// `postgresql_user_mapping`: `database.user.server`, or `user.server` for
/// the provider's database (the reference provider's ID); `public` for the
/// PUBLIC mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMappingId {
    /// The database; `None` for the provider's.
    pub database: Option<String>,
    /// The mapped role, or `public`.
    pub user: String,
    /// The server.
    pub server: String,
}

impl UserMappingId {
    const FORM: &'static str = "Use database.user_name.server_name, for example \
        mydb.app.warehouse (public.warehouse for the PUBLIC mapping), or \
        user_name.server_name for the provider's database. Names are taken exactly as written; \
        put a name containing '.' or '\"' in double quotes and double any '\"' inside it: \
        mydb.\"app.user\".warehouse";

    /// The ID text.
    pub fn render(&self) -> String {
        render_in_database(self.database.as_deref(), &[&self.user, &self.server])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<UserMappingId, InvalidId> {
        let (database, names) = dotted_in_database(id, 2, Self::FORM)?;
        let [user, server] = <[String; 2]>::try_from(names).unwrap_or_default();
        Ok(UserMappingId {
            database,
            user,
            server,
        })
    }
}

/// `postgresql_row_level_security`: `schema.table` or
/// `database.schema.table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableId {
    /// The database; `None` for the provider's.
    pub database: Option<String>,
    /// The schema.
    pub schema: String,
    /// The table.
    pub table: String,
}

impl TableId {
    const FORM: &'static str = "Use schema.table (the provider's database) or \
        database.schema.table, for example public.items. Names are taken exactly as written; \
        put a name containing '.' or '\"' in double quotes and double any '\"' inside it: \
        \"my.schema\".items";

    /// The ID text.
    pub fn render(&self) -> String {
        render_in_database(self.database.as_deref(), &[&self.schema, &self.table])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<TableId, InvalidId> {
        let (database, names) = dotted_in_database(id, 2, Self::FORM)?;
        let [schema, table] = <[String; 2]>::try_from(names).unwrap_or_default();
        Ok(TableId {
            database,
            schema,
            table,
        })
    }
}

/// `postgresql_policy`: `schema.table.policy` or
/// `database.schema.table.policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyId {
    /// The table.
    pub table: TableId,
    /// The policy.
    pub name: String,
}

impl PolicyId {
    const FORM: &'static str = "Use schema.table.name (the provider's database) or \
        database.schema.table.name, for example public.items.tenant_isolation. Names are \
        taken exactly as written; put a name containing '.' or '\"' in double quotes and \
        double any '\"' inside it: \"my.schema\".items.p";

    /// The ID text.
    pub fn render(&self) -> String {
        let t = &self.table;
        render_in_database(t.database.as_deref(), &[&t.schema, &t.table, &self.name])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<PolicyId, InvalidId> {
        let (database, names) = dotted_in_database(id, 3, Self::FORM)?;
        let [schema, table, name] = <[String; 3]>::try_from(names).unwrap_or_default();
        Ok(PolicyId {
            table: TableId {
                database,
                schema,
                table,
            },
            name,
        })
    }
}

/// `postgresql_security_label`: `label_provider.object_type.object_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityLabelId {
    /// The label provider.
    pub provider: String,
    /// The kind of object, as the resource spells it (`role`, `schema`, ...).
    pub object_type: String,
    /// The object.
    pub object_name: String,
}

impl SecurityLabelId {
    const FORM: &'static str = "Use label_provider.object_type.object_name, for example \
        pgaadauth.role.my_role; put a name containing '.' or '\"' in double quotes and double \
        any '\"' inside it: dummy.schema.\"my.schema\"";

    /// The ID text.
    pub fn render(&self) -> String {
        dotted::render(&[&self.provider, &self.object_type, &self.object_name])
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<SecurityLabelId, InvalidId> {
        let parts = dotted::parse(id).map_err(|why| refused(id, &why, Self::FORM))?;
        let [provider, object_type, object_name] = <[String; 3]>::try_from(parts).map_err(|p| {
            refused(
                id,
                &format!("it has {} part(s), not 3", p.len()),
                Self::FORM,
            )
        })?;
        Ok(SecurityLabelId {
            provider,
            object_type,
            object_name,
        })
    }

    /// The error for a well-formed ID the resource refuses (an object type
    /// it does not know), in the same words.
    pub fn refuse(id: &str, why: &str) -> InvalidId {
        refused(id, why, Self::FORM)
    }
}

/// `postgresql_function`: `database.schema.name(types)`, or
/// `schema.name(types)` for the provider's database; the types are those of
/// the input arguments, as written in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionId {
    /// The database; `None` for the provider's.
    pub database: Option<String>,
    /// The schema.
    pub schema: String,
    /// The function.
    pub name: String,
    /// The text between the parentheses: the input argument types separated
    /// by `,` (kept whole, since a type such as `numeric(10,2)` holds commas
    /// itself).
    pub types: String,
}

impl FunctionId {
    const FORM: &'static str = "Use database.schema.name(argument types), for example \
        mydb.public.increment(integer), or schema.name(types) for the provider's database; the \
        types are those of the input arguments, separated by commas. Put a name containing '.', \
        '\"', '(' or ')' in double quotes and double any '\"' inside it: mydb.\"my.schema\".f(text)";

    /// The ID of a function with these input argument types.
    pub fn new<'a>(
        database: &str,
        schema: &str,
        name: &str,
        types: impl IntoIterator<Item = &'a str>,
    ) -> FunctionId {
        FunctionId {
            database: Some(database.to_string()),
            schema: schema.to_string(),
            name: name.to_string(),
            types: types.into_iter().collect::<Vec<_>>().join(","),
        }
    }

    /// The ID text.
    pub fn render(&self) -> String {
        let names: Vec<&str> = self
            .database
            .as_deref()
            .into_iter()
            .chain([self.schema.as_str(), self.name.as_str()])
            .collect();
        call::render(&names, &self.types)
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<FunctionId, InvalidId> {
        let (names, types) = call::parse(id).map_err(|why| refused(id, &why, Self::FORM))?;
        let n = names.len();
        let (database, schema, name) = match <[String; 3]>::try_from(names) {
            Ok([d, s, f]) => (Some(d), s, f),
            Err(names) => match <[String; 2]>::try_from(names) {
                Ok([s, f]) => (None, s, f),
                Err(_) => {
                    let why = format!("it names {n} part(s) before the arguments, not 2 or 3");
                    return Err(refused(id, &why, Self::FORM));
                }
            },
        };
        Ok(FunctionId {
            database,
            schema,
            name,
            types,
        })
    }
}

// ----------------------------------------------------------------- grants --

/// `postgresql_grant`:
/// `<role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]]`.
///
/// `schema` is empty for database-level types; trailing empty parts are
/// left out, and lists are sorted, so one grant has one ID.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrantId {
    /// The grantee (`public` for PUBLIC).
    pub role: String,
    /// Database.
    pub database: String,
    /// Schema, or empty.
    pub schema: String,
    /// Object type as written in Terraform.
    pub object_type: String,
    /// Objects (empty: all of the type in the schema).
    pub objects: Vec<String>,
    /// Columns for `column`.
    pub columns: Vec<String>,
}

impl GrantId {
    /// The canonical text (lists sorted).
    pub fn render(&self) -> String {
        let mut parts = vec![
            slashed::escape(&self.role),
            slashed::escape(&self.database),
            slashed::escape(&self.schema),
            slashed::escape(&self.object_type),
            slashed::escape_list(&self.objects),
            slashed::escape_list(&self.columns),
        ];
        while parts.len() > 4 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        parts.join("/")
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<GrantId, InvalidId> {
        Self::split(id).map_err(|e| {
            InvalidId(format!(
                "{e}. The ID is <role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]], \
                 with list items separated by \",\" and %, / and , inside names written as %25, %2F \
                 and %2C; for example app/mydb/public/table/orders,customers."
            ))
        })
    }

    fn split(id: &str) -> Result<GrantId, String> {
        let parts: Vec<&str> = id.split('/').collect();
        if !(4..=6).contains(&parts.len()) {
            return Err(format!(
                "{id:?} has {} parts separated by \"/\"; expected 4 to 6",
                parts.len()
            ));
        }
        let part = |i: usize| parts.get(i).copied().unwrap_or("");
        Ok(GrantId {
            role: slashed::unescape(part(0))?,
            database: slashed::unescape(part(1))?,
            schema: slashed::unescape(part(2))?,
            object_type: slashed::unescape(part(3))?,
            objects: slashed::unescape_list(part(4))?,
            columns: slashed::unescape_list(part(5))?,
        })
    }
}

/// `postgresql_default_privileges`:
/// `<role>/<database>/<schema>/<owner>/<object_type>`, `schema` empty for
/// database-wide defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DefaultPrivilegesId {
    /// The grantee.
    pub role: String,
    /// Database.
    pub database: String,
    /// Schema, or empty.
    pub schema: String,
    /// The role whose new objects get the privileges.
    pub owner: String,
    /// Object type as written in Terraform.
    pub object_type: String,
}

impl DefaultPrivilegesId {
    /// The ID text.
    pub fn render(&self) -> String {
        [
            &self.role,
            &self.database,
            &self.schema,
            &self.owner,
            &self.object_type,
        ]
        .iter()
        .map(|p| slashed::escape(p))
        .collect::<Vec<_>>()
        .join("/")
    }

    /// Parses an ID.
    pub fn parse(id: &str) -> Result<DefaultPrivilegesId, InvalidId> {
        Self::split(id).map_err(|e| {
            InvalidId(format!(
                "{e}. The ID is <role>/<database>/<schema>/<owner>/<object_type> (schema empty \
                 for database-wide defaults; %, / and , inside names written %25, %2F and \
                 %2C), for example reader/mydb/public/app_owner/table."
            ))
        })
    }

    fn split(id: &str) -> Result<DefaultPrivilegesId, String> {
        let parts: Vec<&str> = id.split('/').collect();
        let [role, database, schema, owner, object_type] =
            <[&str; 5]>::try_from(parts).map_err(|p| {
                format!(
                    "{id:?} has {} parts separated by \"/\"; expected 5",
                    p.len()
                )
            })?;
        Ok(DefaultPrivilegesId {
            role: slashed::unescape(role)?,
            database: slashed::unescape(database)?,
            schema: slashed::unescape(schema)?,
            owner: slashed::unescape(owner)?,
            object_type: slashed::unescape(object_type)?,
        })
    }
}

#[cfg(test)]
mod tests;
