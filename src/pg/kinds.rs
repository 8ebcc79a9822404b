//! The kinds of object privileges are about: one enum for the whole
//! provider, with each kind's names as Terraform spells them (`object_type`
//! values), as the catalog spells them (`pg_class.relkind`,
//! `pg_proc.prokind`, `pg_default_acl.defaclobjtype`, the object type
//! `acldefault` takes) and as SQL spells them (`GRANT ... ON TABLE`,
//! `ALTER DEFAULT PRIVILEGES ... ON TABLES`).
//!
//! Which privileges each kind has, and since which server version, is the
//! privilege table's business: [`crate::pg::privileges`] adds
//! `ObjectKind::privileges` there. Which kinds a statement builder accepts
//! is its own: `GRANT_KINDS` in [`crate::pg::grants::grant`],
//! `DEFAULT_KINDS` in [`crate::pg::grants::default_privileges`].

/// A kind of object that has privileges.
///
/// The order is the one lists and reports follow: containers first, then
/// relations, routines, types, foreign objects, and columns last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// A database (`pg_database`).
    Database,
    /// A schema (`pg_namespace`).
    Schema,
    /// A table, view, materialized view, foreign or partitioned table
    /// (`pg_class`): GRANT treats them alike.
    Table,
    /// A sequence.
    Sequence,
    /// A function, aggregate or window function (`pg_proc`). Where a model
    /// does not tell routines apart (the access model, default privileges,
    /// which PostgreSQL stores as one kind), every routine is a function
    /// and `prokind` says which it is.
    Function,
    /// A procedure.
    Procedure,
    /// Functions and procedures alike (`GRANT ... ON ROUTINE`).
    Routine,
    /// A type or domain (`pg_type`).
    Type,
    /// A foreign-data wrapper.
    ForeignDataWrapper,
    /// A foreign server.
    ForeignServer,
    /// A column with privileges of its own (`pg_attribute.attacl`).
    Column,
}

impl ObjectKind {
    /// Every kind, in order.
    pub const ALL: [ObjectKind; 11] = [
        ObjectKind::Database,
        ObjectKind::Schema,
        ObjectKind::Table,
        ObjectKind::Sequence,
        ObjectKind::Function,
        ObjectKind::Procedure,
        ObjectKind::Routine,
        ObjectKind::Type,
        ObjectKind::ForeignDataWrapper,
        ObjectKind::ForeignServer,
        ObjectKind::Column,
    ];

    /// The Terraform spelling (`object_type = "foreign_server"`), also the
    /// word reports and data sources use.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Database => "database",
            ObjectKind::Schema => "schema",
            ObjectKind::Table => "table",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Routine => "routine",
            ObjectKind::Type => "type",
            ObjectKind::ForeignDataWrapper => "foreign_data_wrapper",
            ObjectKind::ForeignServer => "foreign_server",
            ObjectKind::Column => "column",
        }
    }

    /// Parses [`ObjectKind::as_str`] (exactly: `TABLE` is not a kind).
    pub fn parse(s: &str) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The plural noun reports use (`tables`, `foreign servers`).
    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::Database => "databases",
            ObjectKind::Schema => "schemas",
            ObjectKind::Table => "tables",
            ObjectKind::Sequence => "sequences",
            ObjectKind::Function => "functions",
            ObjectKind::Procedure => "procedures",
            ObjectKind::Routine => "routines",
            ObjectKind::Type => "types",
            ObjectKind::ForeignDataWrapper => "foreign data wrappers",
            ObjectKind::ForeignServer => "foreign servers",
            ObjectKind::Column => "columns",
        }
    }

    /// Whether a schema name belongs to the object's name: the schema it
    /// lives in, or for a schema the schema itself. Databases and foreign
    /// objects are named alone.
    pub fn in_schema(self) -> bool {
        !matches!(
            self,
            ObjectKind::Database | ObjectKind::ForeignDataWrapper | ObjectKind::ForeignServer
        )
    }

    /// Whether it names routines, which may carry argument lists.
    pub fn is_routine(self) -> bool {
        matches!(
            self,
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine
        )
    }

    /// The `pg_proc.prokind`s it covers: functions are plain (`f`),
    /// aggregate (`a`) and window (`w`) functions, procedures are `p`.
    pub fn prokinds(self) -> &'static [char] {
        match self {
            ObjectKind::Function => &['f', 'a', 'w'],
            ObjectKind::Procedure => &['p'],
            ObjectKind::Routine => &['f', 'a', 'w', 'p'],
            _ => &[],
        }
    }

    /// The `pg_class.relkind`s it covers (for columns, those of the
    /// relations whose columns have privileges).
    pub fn relkinds(self) -> &'static [char] {
        match self {
            ObjectKind::Table | ObjectKind::Column => &['r', 'v', 'm', 'f', 'p'],
            ObjectKind::Sequence => &['S'],
            _ => &[],
        }
    }

    /// The object type `acldefault` takes: what a NULL ACL of this kind
    /// means.
    pub fn acldefault_code(self) -> &'static str {
        match self {
            ObjectKind::Database => "d",
            ObjectKind::Schema => "n",
            ObjectKind::Table => "r",
            ObjectKind::Sequence => "s",
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => "f",
            ObjectKind::Type => "T",
            ObjectKind::ForeignDataWrapper => "F",
            ObjectKind::ForeignServer => "S",
            ObjectKind::Column => "c",
        }
    }

    /// `pg_default_acl.defaclobjtype`; `None` for kinds without default
    /// privileges. Functions and procedures share one entry (`f`).
    pub fn defacl_code(self) -> Option<&'static str> {
        Some(match self {
            ObjectKind::Table => "r",
            ObjectKind::Sequence => "S",
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => "f",
            ObjectKind::Type => "T",
            ObjectKind::Schema => "n",
            _ => return None,
        })
    }

    /// The kind a `defaclobjtype` stands for (`f` is
    /// [`ObjectKind::Function`]); `None` for a code the provider does not
    /// know.
    pub fn from_defacl_code(code: &str) -> Option<ObjectKind> {
        Some(match code {
            "r" => ObjectKind::Table,
            "S" => ObjectKind::Sequence,
            "f" => ObjectKind::Function,
            "T" => ObjectKind::Type,
            "n" => ObjectKind::Schema,
            _ => return None,
        })
    }

    /// The keyword(s) after `ON` in GRANT and REVOKE (column privileges are
    /// granted `ON TABLE`, with the columns after the privilege).
    pub fn grant_keyword(self) -> &'static str {
        match self {
            ObjectKind::Database => "DATABASE",
            ObjectKind::Schema => "SCHEMA",
            ObjectKind::Table | ObjectKind::Column => "TABLE",
            ObjectKind::Sequence => "SEQUENCE",
            ObjectKind::Function => "FUNCTION",
            ObjectKind::Procedure => "PROCEDURE",
            ObjectKind::Routine => "ROUTINE",
            ObjectKind::Type => "TYPE",
            ObjectKind::ForeignDataWrapper => "FOREIGN DATA WRAPPER",
            ObjectKind::ForeignServer => "FOREIGN SERVER",
        }
    }

    /// The plural keyword after `ON` in `ALTER DEFAULT PRIVILEGES`
    /// (`TABLES`, `ROUTINES`); `None` for kinds without default privileges.
    pub fn defaults_keyword(self) -> Option<&'static str> {
        Some(match self {
            ObjectKind::Table => "TABLES",
            ObjectKind::Sequence => "SEQUENCES",
            ObjectKind::Function => "FUNCTIONS",
            ObjectKind::Routine => "ROUTINES",
            ObjectKind::Type => "TYPES",
            ObjectKind::Schema => "SCHEMAS",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_its_terraform_name() {
        for k in ObjectKind::ALL {
            assert_eq!(ObjectKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ObjectKind::parse("TABLE"), None);
        assert_eq!(ObjectKind::parse("tables"), None);
        let mut sorted = ObjectKind::ALL;
        sorted.sort();
        assert_eq!(sorted, ObjectKind::ALL, "ALL is in the enum's order");
    }

    #[test]
    fn default_acl_codes_round_trip() {
        for k in ObjectKind::ALL {
            let Some(code) = k.defacl_code() else {
                assert_eq!(k.defaults_keyword(), None, "{k:?}");
                continue;
            };
            let back = ObjectKind::from_defacl_code(code);
            // Routines of every kind are stored as functions.
            let want = if k.is_routine() {
                ObjectKind::Function
            } else {
                k
            };
            assert_eq!(back, Some(want), "{k:?}");
        }
        // Procedures alone have no `ALTER DEFAULT PRIVILEGES` keyword:
        // PostgreSQL takes FUNCTIONS or ROUTINES for both.
        assert_eq!(ObjectKind::Procedure.defaults_keyword(), None);
        assert_eq!(ObjectKind::from_defacl_code("L"), None);
    }

    #[test]
    fn catalog_and_sql_spellings() {
        assert_eq!(ObjectKind::Sequence.acldefault_code(), "s");
        assert_eq!(ObjectKind::Sequence.defacl_code(), Some("S"));
        assert_eq!(ObjectKind::ForeignServer.acldefault_code(), "S");
        assert_eq!(ObjectKind::Column.grant_keyword(), "TABLE");
        assert_eq!(ObjectKind::Routine.defaults_keyword(), Some("ROUTINES"));
        assert_eq!(ObjectKind::Routine.prokinds(), ['f', 'a', 'w', 'p']);
        assert!(!ObjectKind::ForeignServer.in_schema());
        assert!(ObjectKind::Schema.in_schema());
        assert_eq!(ObjectKind::Sequence.relkinds(), ['S']);
    }
}
