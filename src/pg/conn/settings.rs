//! How to reach the PostgreSQL server: host, credentials, TLS mode and pool
//! limits, independent of where the values came from.
//!
//! [`ConnectSettings::pg_config`] turns them into a `tokio_postgres::Config`
//! for one database; the TLS connector itself is built by the pool module,
//! because it needs file I/O that can fail.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::pg::conn::iam::IamAuth;
use crate::pg::conn::reach::Reach;

/// libpq's `sslmode`, without `allow` (which tokio-postgres cannot express).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SslMode {
    /// Plaintext only.
    Disable,
    /// TLS if the server offers it, plaintext otherwise (libpq's default).
    #[default]
    Prefer,
    /// TLS required; the certificate is not checked unless `sslrootcert` is
    /// given, in which case the chain is verified as for `verify-ca`.
    Require,
    /// TLS required and the certificate chain must lead to `sslrootcert`.
    VerifyCa,
    /// As `verify-ca`, and the certificate must also name the host.
    VerifyFull,
}

impl SslMode {
    /// The libpq spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// An `sslmode` value that is not one of the supported libpq spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid sslmode {0:?}: expected one of \"disable\", \"prefer\", \"require\", \
     \"verify-ca\", \"verify-full\""
)]
pub struct ParseSslModeError(pub String);

impl FromStr for SslMode {
    type Err = ParseSslModeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(ParseSslModeError(other.to_owned())),
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TLS client certificate and its private key: paths to PEM files, or
/// (`inline`) the PEM text itself, as libpq's `sslinline` has it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCert {
    /// Certificate (chain) file, or its PEM text when `inline`.
    pub cert: String,
    /// Private key file (PKCS#8, PKCS#1 or SEC1), or its PEM text when
    /// `inline`.
    pub key: String,
    /// Whether `cert` and `key` hold PEM text rather than paths.
    pub inline: bool,
}

impl fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings end up in logs; an inline key must not.
        if self.inline {
            f.debug_struct("ClientCert")
                .field("cert", &"<inline PEM>")
                .field("key", &"<inline PEM, redacted>")
                .finish()
        } else {
            f.debug_struct("ClientCert")
                .field("cert", &self.cert)
                .field("key", &self.key)
                .finish()
        }
    }
}

/// Whether a `sslrootcert`, `sslcert` or `sslkey` value is PEM text rather
/// than a path (no path starts a line with `-----BEGIN`).
pub fn is_inline_pem(value: &str) -> bool {
    value.contains("-----BEGIN")
}

/// Everything needed to open connections to one PostgreSQL server.
#[derive(Clone)]
pub struct ConnectSettings {
    /// Host name or IP address, or an absolute directory path meaning the
    /// Unix-domain socket in that directory.
    pub host: String,
    /// TCP port, or the number in the socket file name (`.s.PGSQL.<port>`).
    pub port: u16,
    /// Database used when a caller names none.
    pub database: String,
    /// Role to log in as.
    pub username: String,
    /// Password; when `None`, the libpq password file is consulted per
    /// database (see [`ConnectSettings::pg_config`]).
    pub password: Option<String>,
    /// TLS mode.
    pub sslmode: SslMode,
    /// PEM file of trusted root certificates, or their PEM text.
    pub sslrootcert: Option<String>,
    /// Client certificate to present.
    pub clientcert: Option<ClientCert>,
    /// Limit on establishing a connection, including authentication; `None`
    /// or zero waits indefinitely, as libpq does for `connect_timeout=0`.
    pub connect_timeout: Option<Duration>,
    /// Most connections open at once, per database.
    pub max_connections: usize,
    /// `application_name` reported to the server (empty: not sent).
    pub application_name: String,
    /// Lock wait limit for statements the caller runs. It is not applied by
    /// [`ConnectSettings::pg_config`]; callers set it (e.g. `SET LOCAL
    /// lock_timeout`) where they want it.
    pub lock_timeout: Option<Duration>,
    /// How connections reach the server: directly, or through a SOCKS5
    /// proxy, an SSH bastion, or both.
    pub reach: Reach,
    /// A cloud IAM login: a token fetched for each new connection is its
    /// password (`password` is then unused).
    pub iam: Option<IamAuth>,
}

impl Default for ConnectSettings {
    /// libpq-like defaults over TCP to localhost, with a 30 s connect timeout
    /// and a small pool.
    fn default() -> Self {
        ConnectSettings {
            host: "localhost".to_owned(),
            port: 5432,
            database: "postgres".to_owned(),
            username: "postgres".to_owned(),
            password: None,
            sslmode: SslMode::Prefer,
            sslrootcert: None,
            clientcert: None,
            connect_timeout: Some(Duration::from_secs(30)),
            max_connections: 4,
            application_name: "terraform-provider-postgresql".to_owned(),
            lock_timeout: None,
            reach: Reach::default(),
            iam: None,
        }
    }
}

impl fmt::Debug for ConnectSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings end up in logs and error reports; the password must not.
        let password = self.password.as_ref().map(|_| "<redacted>");
        f.debug_struct("ConnectSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("username", &self.username)
            .field("password", &password)
            .field("sslmode", &self.sslmode)
            .field(
                "sslrootcert",
                &self.sslrootcert.as_deref().map(
                    |r| {
                        if is_inline_pem(r) {
                            "<inline PEM>"
                        } else {
                            r
                        }
                    },
                ),
            )
            .field("clientcert", &self.clientcert)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_connections", &self.max_connections)
            .field("application_name", &self.application_name)
            .field("lock_timeout", &self.lock_timeout)
            .field("reach", &self.reach)
            .field("iam", &self.iam)
            .finish()
    }
}

impl ConnectSettings {
    /// Whether `host` names a Unix-socket directory rather than a network
    /// host (libpq's rule: it is an absolute path).
    pub fn is_unix_socket(&self) -> bool {
        self.host.starts_with('/')
    }

    /// The server's address for messages: `host:port` (`[addr]:port` for an
    /// IPv6 literal) or `/dir (unix socket, port N)`.
    pub fn endpoint(&self) -> String {
        if self.is_unix_socket() {
            format!("{} (unix socket, port {})", self.host, self.port)
        } else if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The connection timeout to enforce, if any (zero means none).
    pub fn effective_connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout.filter(|t| !t.is_zero())
    }

    /// The tokio-postgres configuration for connecting to `database`.
    ///
    /// Without a configured password, the libpq password file is consulted
    /// for this exact host, port, database and user, as libpq would: entries
    /// can differ per database.
    ///
    /// The TLS requirement is set here, the TLS connector separately:
    /// `verify-ca`/`verify-full` become "require" plus a verifying connector.
    /// Over a Unix socket TLS is turned off: PostgreSQL does not offer it
    /// there and libpq does not attempt it, whatever `sslmode` says.
    pub fn pg_config(&self, database: &str) -> tokio_postgres::Config {
        use tokio_postgres::config::SslMode as PgSslMode;

        let mut config = tokio_postgres::Config::new();
        if self.is_unix_socket() {
            config.host_path(&self.host);
        } else {
            config.host(&self.host);
        }
        config.port(self.port).dbname(database).user(&self.username);
        if !self.application_name.is_empty() {
            config.application_name(&self.application_name);
        }
        let password = self.password.clone().or_else(|| {
            crate::pg::conn::pgpass::lookup(&self.host, self.port, database, &self.username)
        });
        if let Some(password) = password {
            config.password(password);
        }
        if let Some(timeout) = self.effective_connect_timeout() {
            config.connect_timeout(timeout);
        }
        let ssl = if self.is_unix_socket() {
            PgSslMode::Disable
        } else {
            match self.sslmode {
                SslMode::Disable => PgSslMode::Disable,
                SslMode::Prefer => PgSslMode::Prefer,
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => PgSslMode::Require,
            }
        };
        config.ssl_mode(ssl);
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::config::{Host, SslMode as PgSslMode};

    #[test]
    fn sslmode_round_trips() {
        for s in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            let m: SslMode = s.parse().unwrap();
            assert_eq!(m.to_string(), s);
        }
        let err = "allow".parse::<SslMode>().unwrap_err();
        assert_eq!(err, ParseSslModeError("allow".to_owned()));
        assert!(err.to_string().contains("verify-full"));
        assert!("Require".parse::<SslMode>().is_err());
        assert_eq!(SslMode::default(), SslMode::Prefer);
    }

    fn settings() -> ConnectSettings {
        ConnectSettings {
            host: "db.internal".to_owned(),
            port: 6543,
            database: "app".to_owned(),
            username: "admin".to_owned(),
            password: Some("hunter2-secret".to_owned()),
            ..ConnectSettings::default()
        }
    }

    #[test]
    fn debug_redacts_password() {
        let s = settings();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("hunter2-secret"), "{dbg}");
        assert!(dbg.contains("<redacted>"), "{dbg}");
        assert!(dbg.contains("db.internal"), "{dbg}");
        let none = ConnectSettings {
            password: None,
            ..settings()
        };
        assert!(format!("{none:?}").contains("password: None"));
    }

    #[test]
    fn debug_redacts_inline_keys() {
        let s = ConnectSettings {
            clientcert: Some(ClientCert {
                cert: "-----BEGIN CERTIFICATE-----\nAAA".into(),
                key: "-----BEGIN PRIVATE KEY-----\nsecret-key-bytes".into(),
                inline: true,
            }),
            sslrootcert: Some("-----BEGIN CERTIFICATE-----\nroot".into()),
            ..settings()
        };
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("secret-key-bytes"), "{dbg}");
        assert!(!dbg.contains("BEGIN"), "{dbg}");
        let files = ClientCert {
            cert: "/c.crt".into(),
            key: "/c.key".into(),
            inline: false,
        };
        assert!(format!("{files:?}").contains("/c.key"));
        assert!(is_inline_pem("-----BEGIN CERTIFICATE-----"));
        assert!(!is_inline_pem("/etc/ssl/root.crt"));
    }

    #[test]
    fn debug_redacts_tunnel_proxy_and_iam_secrets() {
        use crate::pg::conn::iam::{aws::AwsSettings, IamAuth};
        use crate::pg::conn::reach::{HostKeyPolicy, ProxyUrl, SshSettings};
        let s = ConnectSettings {
            reach: Reach {
                proxy: Some(ProxyUrl::parse("socks5://u:proxy-pw-secret@p:1080").unwrap()),
                ssh: Some(SshSettings {
                    host: "bastion".into(),
                    port: 22,
                    user: "ops".into(),
                    private_key: Some("-----BEGIN OPENSSH PRIVATE KEY-----\nkey-secret".into()),
                    passphrase: Some("phrase-secret".into()),
                    host_keys: HostKeyPolicy::Insecure,
                }),
                ..Reach::default()
            },
            iam: Some(IamAuth::Aws(AwsSettings {
                profile: Some("ops".into()),
                ..AwsSettings::default()
            })),
            ..settings()
        };
        let dbg = format!("{s:?}");
        for secret in [
            "proxy-pw-secret",
            "key-secret",
            "phrase-secret",
            "hunter2-secret",
        ] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        assert!(
            dbg.contains("ops@bastion:22") && dbg.contains("Aws("),
            "{dbg}"
        );
    }

    #[test]
    fn endpoints() {
        let mut s = settings();
        assert!(!s.is_unix_socket());
        assert_eq!(s.endpoint(), "db.internal:6543");
        s.host = "::1".to_owned();
        assert_eq!(s.endpoint(), "[::1]:6543");
        s.host = "/var/run/postgresql".to_owned();
        assert!(s.is_unix_socket());
        assert_eq!(s.endpoint(), "/var/run/postgresql (unix socket, port 6543)");
    }

    #[test]
    fn pg_config_tcp() {
        let mut s = settings();
        s.sslmode = SslMode::VerifyFull;
        s.connect_timeout = Some(Duration::from_secs(7));
        let c = s.pg_config("other");
        assert_eq!(c.get_hosts(), &[Host::Tcp("db.internal".to_owned())]);
        assert_eq!(c.get_ports(), &[6543]);
        assert_eq!(c.get_dbname(), Some("other"));
        assert_eq!(c.get_user(), Some("admin"));
        assert_eq!(c.get_password(), Some(&b"hunter2-secret"[..]));
        assert_eq!(
            c.get_application_name(),
            Some("terraform-provider-postgresql")
        );
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(7)));
        assert_eq!(c.get_ssl_mode(), PgSslMode::Require);

        s.sslmode = SslMode::Prefer;
        s.connect_timeout = Some(Duration::ZERO);
        s.application_name = String::new();
        let c = s.pg_config("app");
        assert_eq!(c.get_ssl_mode(), PgSslMode::Prefer);
        assert_eq!(c.get_connect_timeout(), None);
        assert_eq!(c.get_application_name(), None);

        s.sslmode = SslMode::Disable;
        assert_eq!(s.pg_config("app").get_ssl_mode(), PgSslMode::Disable);
    }

    #[test]
    fn pg_config_unix_socket_never_uses_tls() {
        let s = ConnectSettings {
            host: "/tmp".to_owned(),
            sslmode: SslMode::VerifyFull,
            ..settings()
        };
        let c = s.pg_config("app");
        assert_eq!(c.get_hosts(), &[Host::Unix("/tmp".into())]);
        assert_eq!(c.get_ssl_mode(), PgSslMode::Disable);
    }
}
