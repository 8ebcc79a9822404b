//! postgresql_role acceptance tests.
