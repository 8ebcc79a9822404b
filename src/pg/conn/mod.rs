//! Reaching the server and running statements on it.
//!
//! * [`settings`]: host, credentials, TLS mode and pool limits;
//! * [`pgpass`]: password lookup in a libpq password file;
//! * [`tls`]: TLS judged the way libpq judges it;
//! * [`reach`]: SSH tunnels and SOCKS5 proxies on the way to the server;
//! * [`iam`]: cloud IAM tokens as the password of each new connection;
//! * [`pool`]: one pool per database, shared by every caller;
//! * [`exec`]: running statements with log lines that never carry a secret;
//! * [`pipeline`]: statements in a transaction sent back to back, one round
//!   trip for the lot;
//! * [`tx`]: the one transaction runner: retried on races, cancellable until
//!   `COMMIT`;
//! * [`alone`]: the one runner of statements that cannot run in a
//!   transaction block: autocommit, on a connection of their own;
//! * [`quiet`]: statements carrying a secret, run with the server's
//!   statement logging off for the session where the role may do that;
//! * [`locks`]: every lock a change takes, and the order that keeps parallel
//!   applies from deadlocking;
//! * [`acting`]: borrowing a role's privileges for the length of a
//!   transaction, for a provider role that is not a superuser.

pub mod acting;
pub mod alone;
pub mod exec;
pub mod iam;
pub mod locks;
pub mod pgpass;
pub mod pipeline;
pub mod pool;
pub mod quiet;
pub mod reach;
pub mod settings;
pub mod tls;
pub mod tx;
