//! The deadpool connector for connections that go through a tunnel or a
//! proxy, or log in with a cloud IAM token: it fetches the token, opens the
//! stream, then runs the PostgreSQL handshake over it with `connect_raw`.
//!
//! TLS, when `sslmode` asks for it, runs inside the stream to the server,
//! with the certificate checked against the server's real host name: for
//! `verify-full`, the name the configuration gives, never the tunnel's or
//! the proxy's.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use deadpool_postgres::Connect;
use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::task::JoinHandle;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::ssh::SshTunnel;
use super::{BoxIo, Reach, ReachError};
use crate::pg::conn::iam::TokenSource;

/// How one connection's stream is opened.
#[derive(Debug)]
pub struct Route {
    reach: Reach,
    /// `Some` when every connection goes through the bastion.
    tunnel: Option<SshTunnel>,
}

impl Route {
    /// Prepares the route: the tunnel's key and `known_hosts` are read now.
    /// A Unix-socket `host` cannot be reached through either.
    pub fn new(reach: Reach, host: &str) -> Result<Route, ReachError> {
        if host.starts_with('/') && !reach.is_direct() {
            return Err(ReachError::Settings(format!(
                "host {host:?} is a Unix socket directory; ssh_tunnel and proxy need a TCP \
                 host name or address"
            )));
        }
        let tunnel = match &reach.ssh {
            Some(ssh) => Some(SshTunnel::new(
                ssh.clone(),
                reach.proxy_for(&ssh.host).cloned(),
            )?),
            None => None,
        };
        Ok(Route { reach, tunnel })
    }

    /// "through the SSH tunnel …" or "through the SOCKS5 proxy …", for
    /// messages about connections to `host`; empty when they go directly.
    pub fn describe(&self, host: &str) -> String {
        match (&self.tunnel, self.reach.proxy_for(host)) {
            (Some(t), _) => format!(" through the SSH tunnel {}", t.name()),
            (None, Some(p)) => format!(" through the SOCKS5 proxy {p}"),
            (None, None) => String::new(),
        }
    }

    /// A stream to `host:port`: a channel of the tunnel, else through the
    /// proxy, else (`NO_PROXY`) a plain TCP connection.
    pub async fn open(&self, host: &str, port: u16) -> Result<BoxIo, ReachError> {
        if let Some(tunnel) = &self.tunnel {
            return tunnel.open(host, port).await;
        }
        match self.reach.proxy_for(host) {
            Some(proxy) => proxy.connect(host, port).await,
            None => {
                let tcp = tokio::net::TcpStream::connect((host.to_owned(), port))
                    .await
                    .map_err(|e| {
                        ReachError::Settings(format!("connecting to {host}:{port}: {e}"))
                    })?;
                let _ = tcp.set_nodelay(true);
                Ok(Box::new(tcp))
            }
        }
    }
}

/// deadpool's [`Connect`] for connections that go through a [`Route`], or
/// log in with an IAM token, or both.
pub struct Connector {
    /// Shared by every database's pool: one tunnel session for all.
    /// `None`: straight to the server.
    pub route: Option<Arc<Route>>,
    /// Where each new connection's password comes from, if a cloud's.
    pub iam: Option<Arc<TokenSource>>,
    /// `None` for plaintext.
    pub tls: Option<MakeRustlsConnect>,
    /// The server's real host name and port.
    pub host: String,
    /// The server's port.
    pub port: u16,
}

impl Connect for Connector {
    fn connect(
        &self,
        pg_config: &Config,
    ) -> BoxFuture<'_, Result<(Client, JoinHandle<()>), tokio_postgres::Error>> {
        let mut pg_config = pg_config.clone();
        Box::pin(async move {
            if let Some(iam) = &self.iam {
                let user = pg_config.get_user().unwrap_or_default().to_owned();
                match iam.token(&self.host, self.port, &user).await {
                    Ok(token) => {
                        pg_config.password(token);
                    }
                    Err(e) => return Err(failure(pg_config, ReachError::Iam(e)).await),
                }
            }
            let Some(route) = &self.route else {
                let handshake: BoxFuture<'_, _> = match &self.tls {
                    Some(tls) => Box::pin(async {
                        let (client, connection) = pg_config.connect(tls.clone()).await?;
                        Ok((client, spawn(connection)))
                    }),
                    None => Box::pin(async {
                        let (client, connection) = pg_config.connect(NoTls).await?;
                        Ok((client, spawn(connection)))
                    }),
                };
                return handshake.await;
            };
            let stream = match route.open(&self.host, self.port).await {
                Ok(s) => s,
                Err(e) => return Err(failure(pg_config, e).await),
            };
            match &self.tls {
                Some(tls) => {
                    let mut tls = tls.clone();
                    let connector =
                        match MakeTlsConnect::<BoxIo>::make_tls_connect(&mut tls, &self.host) {
                            Ok(c) => c,
                            Err(e) => {
                                let e = ReachError::Settings(format!(
                                    "{:?} is not a name TLS can check: {e}",
                                    self.host
                                ));
                                return Err(failure(pg_config, e).await);
                            }
                        };
                    let handshake: BoxFuture<'_, _> =
                        Box::pin(pg_config.connect_raw(stream, connector));
                    let (client, connection) = handshake.await?;
                    Ok((client, spawn(connection)))
                }
                None => {
                    let handshake: BoxFuture<'_, _> =
                        Box::pin(pg_config.connect_raw(stream, NoTls));
                    let (client, connection) = handshake.await?;
                    Ok((client, spawn(connection)))
                }
            }
        })
    }
}

fn spawn<F>(connection: F) -> JoinHandle<()>
where
    F: std::future::Future<Output = Result<(), tokio_postgres::Error>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            log::debug!("connection closed: {e}");
        }
    })
}

/// tokio-postgres has no public constructor for its error type, so the
/// route's failure becomes the I/O error of a stream that never opened;
/// [`super::reach_error`] takes it out again.
async fn failure(mut config: Config, e: ReachError) -> tokio_postgres::Error {
    // Plaintext, so the first thing tokio-postgres does is write to it.
    config.ssl_mode(tokio_postgres::config::SslMode::Disable);
    let handshake: BoxFuture<'_, _> = Box::pin(config.connect_raw(Failed(Some(e)), NoTls));
    match handshake.await {
        Err(err) => err,
        // A stream that fails every read and write cannot complete a
        // handshake; tokio-postgres's timeout error is the fallback.
        Ok(_) => tokio_postgres::Error::__private_api_timeout(),
    }
}

/// A stream whose every read and write fails with the route's error.
struct Failed(Option<ReachError>);

impl Failed {
    fn error(&mut self) -> io::Error {
        match self.0.take() {
            Some(e) => io::Error::other(e),
            None => io::Error::new(io::ErrorKind::NotConnected, "no stream to the server"),
        }
    }
}

impl AsyncRead for Failed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.error()))
    }
}

impl AsyncWrite for Failed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(self.error()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.error()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_route_failure_survives_the_trip_through_tokio_postgres() {
        let e = ReachError::Ssh {
            tunnel: "ops@bastion:22".into(),
            cause: "cannot connect to the bastion: refused".into(),
        };
        let mut config = Config::new();
        config.user("u").dbname("d");
        let err = failure(config, e.clone()).await;
        assert_eq!(super::super::reach_error(&err), Some(&e));
    }

    #[test]
    fn unix_sockets_cannot_be_tunnelled() {
        let reach = Reach {
            proxy: Some(super::super::ProxyUrl::parse("socks5://p:1").unwrap()),
            ..Reach::default()
        };
        assert!(matches!(
            Route::new(reach.clone(), "/var/run/postgresql"),
            Err(ReachError::Settings(_))
        ));
        assert!(Route::new(reach, "db").is_ok());
    }
}
