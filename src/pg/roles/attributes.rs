//! The boolean role attributes (SUPERUSER, LOGIN, ...): one table that
//! names, for each, its `pg_roles` column, its `CREATE`/`ALTER ROLE`
//! keywords and its default, and the one type, [`RoleFlags`], that every
//! module holding role attributes uses: the role resource and its reads,
//! the role catalog, the audit, the access model and the plan review.
//!
//! Adding an attribute is one entry in the table below: the struct field,
//! the column list every `pg_roles` query selects ([`RoleFlags::columns`]),
//! the reading of a row by column name ([`RoleFlags::from_row`]) and the
//! keywords of the DDL all follow from it. Then a `bool` field of the same
//! name in the `postgresql_role` model (which reads and writes it by that
//! name, see `resources::support::role_flags`), and the docs regenerated.
//! The same field in the `postgresql_roles` data source's entry lists it
//! there too. One that decides access is marked `access true`, and what it
//! means is taught to [`crate::pg::access`].

use tokio_postgres::Row;

/// One boolean role attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// The attribute's name: the field of [`RoleFlags`], which is also the
    /// attribute of `postgresql_role` that sets it.
    pub name: &'static str,
    /// Its column in `pg_roles`.
    pub column: &'static str,
    /// The keyword that turns it on (`SUPERUSER`).
    pub on: &'static str,
    /// The keyword that turns it off (`NOSUPERUSER`).
    pub off: &'static str,
    /// What `CREATE ROLE` gives a role that does not name it.
    pub default: bool,
    /// Whether the access model ([`crate::pg::access`]) reads it, so that a
    /// planned change to it changes someone's effective access.
    pub access: bool,
}

/// Declares [`FLAGS`] and [`RoleFlags`] from one list, so the two cannot
/// drift apart.
macro_rules! role_flags {
    ($(
        $(#[$doc:meta])*
        $field:ident = $column:literal, $on:literal / $off:literal,
            default $default:literal, access $access:literal;
    )*) => {
        /// Every boolean role attribute, in the order `CREATE ROLE` states
        /// them.
        pub const FLAGS: &[Flag] = &[$(
            Flag {
                name: stringify!($field),
                column: $column,
                on: $on,
                off: $off,
                default: $default,
                access: $access,
            },
        )*];

        /// A role's boolean attributes. [`Default`] is what `CREATE ROLE`
        /// gives.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct RoleFlags {
            $( $(#[$doc])* pub $field: bool, )*
        }

        impl RoleFlags {
            /// The values, in the order of [`FLAGS`].
            fn values(&self) -> [bool; FLAGS.len()] {
                [$( self.$field ),*]
            }

            /// The flags with these values, in the order of [`FLAGS`].
            fn from_values(values: [bool; FLAGS.len()]) -> RoleFlags {
                let [$( $field ),*] = values;
                RoleFlags { $( $field ),* }
            }
        }
    };
}

role_flags! {
    /// SUPERUSER: passes every permission check.
    superuser = "rolsuper", "SUPERUSER" / "NOSUPERUSER", default false, access true;
    /// CREATEDB: may create databases.
    create_database = "rolcreatedb", "CREATEDB" / "NOCREATEDB", default false, access false;
    /// CREATEROLE: may create, alter and drop roles.
    create_role = "rolcreaterole", "CREATEROLE" / "NOCREATEROLE", default false, access true;
    /// INHERIT: uses the privileges of the roles it is a member of (before
    /// PostgreSQL 16; from 16 the default of a new grant's INHERIT option).
    inherit = "rolinherit", "INHERIT" / "NOINHERIT", default true, access true;
    /// LOGIN: may open a session.
    login = "rolcanlogin", "LOGIN" / "NOLOGIN", default false, access true;
    /// REPLICATION: may start streaming replication.
    replication = "rolreplication", "REPLICATION" / "NOREPLICATION", default false, access false;
    /// BYPASSRLS: ignores every row-level security policy.
    bypass_row_level_security = "rolbypassrls", "BYPASSRLS" / "NOBYPASSRLS", default false,
        access true;
}

impl Default for RoleFlags {
    fn default() -> Self {
        RoleFlags::from_fn(|f| f.default)
    }
}

impl RoleFlags {
    /// The flags with the value `value` gives each entry of [`FLAGS`].
    pub fn from_fn(mut value: impl FnMut(&'static Flag) -> bool) -> RoleFlags {
        let mut values = [false; FLAGS.len()];
        for (slot, flag) in values.iter_mut().zip(FLAGS) {
            *slot = value(flag);
        }
        RoleFlags::from_values(values)
    }

    /// Each entry of [`FLAGS`] with its value here.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Flag, bool)> {
        FLAGS.iter().zip(self.values())
    }

    /// The column list to select from `pg_roles` (as `alias`), each column
    /// under its own name for [`RoleFlags::from_row`]: `r.rolsuper, ...`.
    pub fn columns(alias: &str) -> String {
        let columns: Vec<String> = FLAGS
            .iter()
            .map(|f| format!("{alias}.{}", f.column))
            .collect();
        columns.join(", ")
    }

    /// Reads the [`RoleFlags::columns`] of a row, by column name.
    pub fn from_row(row: &Row) -> Result<RoleFlags, tokio_postgres::Error> {
        let mut values = [false; FLAGS.len()];
        for (slot, flag) in values.iter_mut().zip(FLAGS) {
            *slot = row.try_get(flag.column)?;
        }
        Ok(RoleFlags::from_values(values))
    }

    /// The `CREATE ROLE` options stating every flag: `NOSUPERUSER ... LOGIN ...`.
    pub fn keywords(&self) -> impl Iterator<Item = &'static str> {
        self.iter().map(|(f, on)| if on { f.on } else { f.off })
    }

    /// The `ALTER ROLE` options that turn `old` into these flags: only the
    /// flags that differ.
    pub fn changes_from(&self, old: &RoleFlags) -> impl Iterator<Item = &'static str> {
        self.iter()
            .zip(old.values())
            .filter(|((_, on), was)| on != was)
            .map(|((f, on), _)| if on { f.on } else { f.off })
    }

    /// The flags the access model reads; the others at their defaults. Two
    /// roles equal in these have the same effective access.
    pub fn for_access(&self) -> RoleFlags {
        let mut values = self.values();
        for (value, flag) in values.iter_mut().zip(FLAGS) {
            if !flag.access {
                *value = flag.default;
            }
        }
        RoleFlags::from_values(values)
    }

    /// Whether the role has one of the attributes that are powers of their
    /// own, beyond any privilege: SUPERUSER, BYPASSRLS, CREATEROLE.
    pub fn has_powers(&self) -> bool {
        self.superuser || self.bypass_row_level_security || self.create_role
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_attribute_column_and_keyword_once() {
        for (i, a) in FLAGS.iter().enumerate() {
            for b in &FLAGS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.column, b.column);
                assert!(![b.on, b.off].contains(&a.on) && ![b.on, b.off].contains(&a.off));
            }
            assert_eq!(a.off, format!("NO{}", a.on), "{a:?}");
        }
    }

    #[test]
    fn default_is_create_role_s() {
        let d = RoleFlags::default();
        assert!(d.inherit && !d.superuser && !d.login);
        assert!(d.iter().all(|(f, on)| on == f.default));
    }

    #[test]
    fn keywords_follow_the_table() {
        let flags = RoleFlags {
            login: true,
            ..RoleFlags::default()
        };
        let stated: Vec<&str> = flags.keywords().collect();
        assert_eq!(stated.len(), FLAGS.len());
        for keyword in [
            "NOSUPERUSER",
            "NOCREATEDB",
            "INHERIT",
            "LOGIN",
            "NOBYPASSRLS",
        ] {
            assert!(stated.contains(&keyword), "{keyword} in {stated:?}");
        }
        let more = RoleFlags {
            create_database: true,
            login: false,
            ..flags
        };
        assert_eq!(
            more.changes_from(&flags).collect::<Vec<_>>(),
            ["CREATEDB", "NOLOGIN"]
        );
        assert_eq!(flags.changes_from(&flags).count(), 0);
    }

    #[test]
    fn from_fn_and_iter_agree() {
        let flags = RoleFlags::from_fn(|f| f.name == "replication" || f.name == "superuser");
        assert!(flags.replication && flags.superuser && !flags.inherit);
        let on: Vec<&str> = flags
            .iter()
            .filter(|(_, on)| *on)
            .map(|(f, _)| f.name)
            .collect();
        assert_eq!(on, ["superuser", "replication"]);
        assert!(RoleFlags::columns("r").starts_with("r.rolsuper, r.rolcreatedb, "));
    }

    #[test]
    fn for_access_keeps_what_decides_access() {
        let all = RoleFlags::from_fn(|_| true);
        let access = all.for_access();
        for (f, on) in access.iter() {
            assert_eq!(on, if f.access { true } else { f.default }, "{f:?}");
        }
        assert!(access.has_powers() && !access.create_database && !access.replication);
    }
}
