//! The IDs of the logical replication resources: `database.name`, as the
//! reference provider writes them, or the name alone for one in the
//! provider's database. `postgresql_physical_replication_slot` belongs to
//! the whole cluster and takes its name alone ([`super::NameId`]).

use super::{dotted_in_database, render_in_database, InvalidId};

/// Declares the ID type of one resource: a database and a name.
macro_rules! in_database_id {
    ($(#[$doc:meta])* $ty:ident, $form:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty {
            /// The database; `None` for the provider's.
            pub database: Option<String>,
            /// The object's name.
            pub name: String,
        }

        impl $ty {
            const FORM: &'static str = $form;

            /// The ID text.
            pub fn render(&self) -> String {
                render_in_database(self.database.as_deref(), &[&self.name])
            }

            /// Parses an ID.
            pub fn parse(id: &str) -> Result<$ty, InvalidId> {
                let (database, mut names) = dotted_in_database(id, 1, Self::FORM)?;
                Ok($ty {
                    database,
                    name: names.pop().unwrap_or_default(),
                })
            }
        }
    };
}

in_database_id!(
    /// `postgresql_publication`: `database.publication`.
    PublicationId,
    "Use database.publication, for example mydb.orders, or just the publication's name for \
     one in the provider's database. Names are taken exactly as written; put a name \
     containing '.' or '\"' in double quotes and double any '\"' inside it: \"my.db\".orders"
);

in_database_id!(
    /// `postgresql_subscription`: `database.subscription`.
    SubscriptionId,
    "Use database.subscription, for example mydb.orders_sub, or just the subscription's \
     name for one in the provider's database. Names are taken exactly as written; put a \
     name containing '.' or '\"' in double quotes and double any '\"' inside it: \
     \"my.db\".orders_sub"
);

in_database_id!(
    /// `postgresql_replication_slot`: `database.slot`, the database the
    /// logical slot decodes.
    ReplicationSlotId,
    "Use database.slot, for example mydb.orders_slot, or just the slot's name for one of \
     the provider's database. Names are taken exactly as written; put a name containing \
     '.' or '\"' in double quotes and double any '\"' inside it: \"my.db\".orders_slot"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_ids_parse_and_awkward_names_round_trip() {
        let p = PublicationId::parse("app.orders").unwrap();
        assert_eq!(p.database.as_deref(), Some("app"));
        assert_eq!(p.name, "orders");
        assert_eq!(p.render(), "app.orders");
        let s = SubscriptionId::parse("orders_sub").unwrap();
        assert_eq!(s.database, None);
        let awkward = ReplicationSlotId {
            database: Some("My \"DB\".x".into()),
            name: "slot.1".into(),
        };
        assert_eq!(awkward.render(), "\"My \"\"DB\"\".x\".\"slot.1\"");
        assert_eq!(
            ReplicationSlotId::parse(&awkward.render()).unwrap(),
            awkward
        );
        let e = PublicationId::parse("a.b.c").unwrap_err().0;
        assert!(e.contains("database.publication"), "{e}");
    }
}
