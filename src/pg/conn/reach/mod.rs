//! Reaching a server the provider cannot connect to directly: through a
//! SOCKS5 proxy, an SSH bastion, or a proxy that carries the connection to
//! the bastion.
//!
//! * [`proxy`]: SOCKS5 proxy URLs, `NO_PROXY`, and connecting through one;
//! * [`ssh`]: the SSH tunnel: one session, one channel per connection;
//! * [`known_hosts`]: the bastion's host key checked against OpenSSH's
//!   `known_hosts` format;
//! * [`connect`]: the deadpool connector that opens a PostgreSQL connection
//!   over such a stream, with TLS checked against the real host name.
//!
//! A failure to reach the server travels through tokio-postgres as the
//! `io::Error` of a stream that never opened, carrying a [`ReachError`];
//! [`reach_error`] finds it again so the message names the tunnel or the
//! proxy instead of a generic I/O error.

pub mod connect;
pub mod known_hosts;
pub mod proxy;
pub mod ssh;

use std::fmt;

use tokio::io::{AsyncRead, AsyncWrite};

pub use proxy::{NoProxy, ProxyUrl};
pub use ssh::{HostKeyPolicy, SshSettings};

/// A byte stream to the server, whatever carries it.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// A boxed [`Io`].
pub type BoxIo = Box<dyn Io>;

/// How connections reach the server.
#[derive(Clone, Default)]
pub struct Reach {
    /// The SOCKS5 proxy every connection goes through (to the bastion when
    /// there is one), unless `no_proxy` exempts the host it connects to.
    pub proxy: Option<ProxyUrl>,
    /// Hosts the proxy is not used for (`NO_PROXY`; empty for a proxy set
    /// in the configuration).
    pub no_proxy: NoProxy,
    /// The SSH bastion every connection goes through.
    pub ssh: Option<SshSettings>,
}

impl Reach {
    /// Whether connections go straight to the server.
    pub fn is_direct(&self) -> bool {
        self.proxy.is_none() && self.ssh.is_none()
    }

    /// The proxy to use for a connection to `host`, if any.
    pub fn proxy_for(&self, host: &str) -> Option<&ProxyUrl> {
        self.proxy.as_ref().filter(|_| !self.no_proxy.matches(host))
    }
}

impl fmt::Debug for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both parts redact their secrets in their own Debug.
        f.debug_struct("Reach")
            .field("proxy", &self.proxy)
            .field("no_proxy", &self.no_proxy)
            .field("ssh", &self.ssh)
            .finish()
    }
}

/// Why the server could not be reached through the tunnel or the proxy.
/// Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReachError {
    /// The SOCKS5 proxy could not be reached, refused the login, or could
    /// not connect onwards.
    #[error("through the SOCKS5 proxy {proxy}: {cause}")]
    Proxy {
        /// The proxy, without its password.
        proxy: String,
        /// What went wrong.
        cause: String,
    },
    /// The SSH bastion could not be reached, was not the host
    /// `known_hosts` expects, refused the login, or refused the channel.
    #[error("through the SSH tunnel {tunnel}: {cause}")]
    Ssh {
        /// `user@host:port` of the bastion.
        tunnel: String,
        /// What went wrong.
        cause: String,
    },
    /// No IAM token could be had for the login.
    #[error("with an IAM login: {0}")]
    Iam(crate::pg::conn::iam::IamError),
    /// The settings cannot work (a Unix socket host with a tunnel, an
    /// unreadable key).
    #[error("{0}")]
    Settings(String),
}

impl ReachError {
    /// Whether the SSH tunnel (rather than the proxy) failed.
    pub fn is_ssh(&self) -> bool {
        matches!(self, ReachError::Ssh { .. })
    }
}

/// The [`ReachError`] behind a connection error, if a tunnel or proxy
/// failed.
pub fn reach_error(e: &tokio_postgres::Error) -> Option<&ReachError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(found) = io.get_ref().and_then(|i| i.downcast_ref::<ReachError>()) {
                return Some(found);
            }
        }
        if let Some(found) = s.downcast_ref::<ReachError>() {
            return Some(found);
        }
        source = s.source();
    }
    None
}
