//! Plan-time review: what a reviewer reads in `terraform plan`.
//!
//! * [`codes`]: the stable `PGWnnn` codes every warning starts with;
//! * [`planned`]: what this run planned so far (roles, RLS switches), so a
//!   check can count what the same apply creates;
//! * [`access_plans`]: a planned grant, default privilege or role applied
//!   to a copy of the access catalog
//!   ([`crate::pg::catalog::cache::CatalogCache::access`]);
//! * [`access_review`], [`access_render`]: the effective-access report
//!   (`PGW001`) and its text;
//! * [`policy_report`]: the policy report (`PGW002`);
//! * [`policy_checks`], [`rls_lints`], [`membership_advice`]: the lints of
//!   policies, RLS switches and memberships;
//! * [`replication_lints`]: the lints of publications.

pub mod access_plans;
pub mod access_render;
pub mod access_review;
pub mod codes;
pub mod membership_advice;
pub mod planned;
pub mod policy_checks;
pub mod policy_report;
pub mod replication_lints;
pub mod rls_lints;
