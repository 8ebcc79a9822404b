//! Privileges on objects.
//!
//! * [`grant`]: `GRANT`/`REVOKE … ON … TO` and the read of a grantee's ACL
//!   entries;
//! * [`default_privileges`]: `ALTER DEFAULT PRIVILEGES FOR ROLE …`.

pub mod default_privileges;
pub mod grant;
