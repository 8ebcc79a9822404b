//! The SSH tunnel: one session to the bastion carries every connection of
//! the provider, each as a `direct-tcpip` channel to the server's
//! `host:port` as the bastion resolves it.
//!
//! The session opens on the first connection and is opened again when the
//! bastion drops it. The bastion's host key is checked against
//! `known_hosts` before anything else is sent (the key exchange comes
//! first in SSH, the login after it), unless the policy is
//! [`HostKeyPolicy::Insecure`].

use std::fmt;
use std::sync::{Arc, Mutex as SyncMutex, PoisonError};
use std::time::Duration;

use russh::client::{self, Handle};
use russh::keys::key::PrivateKeyWithHashAlg;
use russh::keys::ssh_key::Algorithm;
use russh::keys::{HashAlg, PrivateKey, PublicKeyOrCertificate};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use super::known_hosts::{KnownHosts, Verdict};
use super::{BoxIo, ProxyUrl, ReachError};

/// How the bastion's host key is checked.
#[derive(Clone, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Against this `known_hosts` text; `source` says where it came from
    /// (the attribute, or the file), for messages.
    KnownHosts {
        /// The text, in OpenSSH's format.
        text: String,
        /// `ssh_tunnel.known_hosts`, or the path of the file it was read from.
        source: String,
    },
    /// Not at all: `insecure_ignore_host_key`.
    Insecure,
}

/// Where the bastion is and how to log in to it.
#[derive(Clone, PartialEq, Eq)]
pub struct SshSettings {
    /// The bastion's host name or address.
    pub host: String,
    /// Its SSH port.
    pub port: u16,
    /// The user to log in as.
    pub user: String,
    /// The private key in OpenSSH, PEM or PuTTY form; `None` uses the agent
    /// at `SSH_AUTH_SOCK`.
    pub private_key: Option<String>,
    /// The key's passphrase, when it is encrypted.
    pub passphrase: Option<String>,
    /// How the host key is checked.
    pub host_keys: HostKeyPolicy,
}

impl SshSettings {
    /// `user@host:port`, the tunnel's name in messages.
    pub fn name(&self) -> String {
        if self.host.contains(':') {
            format!("{}@[{}]:{}", self.user, self.host, self.port)
        } else {
            format!("{}@{}:{}", self.user, self.host, self.port)
        }
    }
}

impl fmt::Debug for SshSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings reach the debug log: the key and passphrase must not.
        let host_keys = match &self.host_keys {
            HostKeyPolicy::KnownHosts { source, .. } => format!("known_hosts from {source}"),
            HostKeyPolicy::Insecure => "not checked (insecure_ignore_host_key)".to_owned(),
        };
        f.debug_struct("SshSettings")
            .field("tunnel", &self.name())
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "<redacted>"),
            )
            .field("host_keys", &host_keys)
            .finish()
    }
}

/// Decodes a private key, saying what to do when it cannot be used. The
/// message never quotes the key.
pub fn decode_private_key(text: &str, passphrase: Option<&str>) -> Result<PrivateKey, String> {
    use russh::keys::Error as E;
    match russh::keys::decode_secret_key(text, passphrase) {
        Ok(key) => Ok(key),
        Err(E::KeyIsEncrypted) => Err(
            "the private key is encrypted: set private_key_passphrase to its passphrase".to_owned(),
        ),
        Err(e) if passphrase.is_some() && looks_encrypted(text) => Err(format!(
            "cannot decrypt the private key with private_key_passphrase (is the passphrase \
             right?): {e}"
        )),
        Err(e) => Err(format!(
            "not a private key russh can read (OpenSSH, PEM or PuTTY format): {e}"
        )),
    }
}

/// Whether key text declares encryption (OpenSSH keys say so only inside
/// the base64, so any OpenSSH key counts).
fn looks_encrypted(text: &str) -> bool {
    text.contains("ENCRYPTED")
        || text.contains("BEGIN OPENSSH PRIVATE KEY")
        || text.contains("Encryption: aes")
}

/// The tunnel: settings, the decoded key, and the one session.
pub struct SshTunnel {
    settings: SshSettings,
    name: String,
    key: Option<Arc<PrivateKey>>,
    /// `None` when host keys are not checked.
    known_hosts: Option<Arc<KnownHosts>>,
    config: Arc<client::Config>,
    /// The proxy that carries the connection to the bastion.
    proxy: Option<ProxyUrl>,
    session: Mutex<Option<Arc<Handle<Bastion>>>>,
}

impl fmt::Debug for SshTunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SshTunnel")
            .field("settings", &self.settings)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl SshTunnel {
    /// Prepares the tunnel: decodes the key and parses `known_hosts` now,
    /// so mistakes show before anything connects. Nothing connects yet.
    pub fn new(settings: SshSettings, proxy: Option<ProxyUrl>) -> Result<SshTunnel, ReachError> {
        let name = settings.name();
        let fail = |cause: String| ReachError::Ssh {
            tunnel: name.clone(),
            cause,
        };
        let key = match &settings.private_key {
            Some(text) => Some(Arc::new(
                decode_private_key(text, settings.passphrase.as_deref()).map_err(fail)?,
            )),
            None => None,
        };
        let known_hosts = match &settings.host_keys {
            HostKeyPolicy::Insecure => None,
            HostKeyPolicy::KnownHosts { text, source } => Some(Arc::new(
                KnownHosts::parse(text).map_err(|e| fail(format!("{source}: {e}")))?,
            )),
        };
        let mut config = client::Config {
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_max: 3,
            nodelay: true,
            ..client::Config::default()
        };
        if let Some(kh) = &known_hosts {
            let recorded = kh.algorithms(&settings.host, settings.port);
            config.preferred.key = prefer(&config.preferred.key, &recorded).into();
        }
        Ok(SshTunnel {
            settings,
            name,
            key,
            known_hosts,
            config: Arc::new(config),
            proxy,
            session: Mutex::new(None),
        })
    }

    /// `user@host:port`.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn fail(&self, cause: impl Into<String>) -> ReachError {
        ReachError::Ssh {
            tunnel: self.name.clone(),
            cause: cause.into(),
        }
    }

    /// A stream to `host:port`, through a new channel of the session.
    pub async fn open(&self, host: &str, port: u16) -> Result<BoxIo, ReachError> {
        let mut fresh = false;
        loop {
            let session = self.session(fresh).await?;
            match session
                .channel_open_direct_tcpip(
                    host.to_owned(),
                    u32::from(port),
                    "127.0.0.1".to_owned(),
                    0,
                )
                .await
            {
                Ok(channel) => return Ok(Box::new(channel.into_stream())),
                Err(russh::Error::ChannelOpenFailure(reason)) => {
                    return Err(self.fail(format!(
                        "the bastion refused to forward to {host}:{port} ({reason:?}); check \
                         that it can reach the server and that its sshd allows TCP forwarding"
                    )))
                }
                // The session ended under us (the bastion restarted, a
                // keepalive went unanswered): open a new one, once.
                Err(e) if !fresh => {
                    log::debug!("SSH session to {} ended ({e}); reconnecting", self.name);
                    fresh = true;
                }
                Err(e) => return Err(self.fail(format!("opening a channel to {host}:{port}: {e}"))),
            }
        }
    }

    /// The live session, opened (and logged in) when there is none, it has
    /// closed, or `fresh` asks for a new one.
    async fn session(&self, fresh: bool) -> Result<Arc<Handle<Bastion>>, ReachError> {
        let mut slot = self.session.lock().await;
        if let Some(s) = slot.as_ref() {
            if !fresh && !s.is_closed() {
                return Ok(s.clone());
            }
        }
        *slot = None;
        let session = Arc::new(self.connect().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    async fn connect(&self) -> Result<Handle<Bastion>, ReachError> {
        let (host, port) = (self.settings.host.as_str(), self.settings.port);
        let stream: BoxIo = match &self.proxy {
            Some(proxy) => proxy
                .connect(host, port)
                .await
                .map_err(|e| self.fail(format!("cannot reach the bastion: {e}")))?,
            None => {
                let tcp = TcpStream::connect((host.to_owned(), port))
                    .await
                    .map_err(|e| self.fail(format!("cannot connect to the bastion: {e}")))?;
                Box::new(tcp)
            }
        };
        let rejection = Arc::new(SyncMutex::new(None));
        let handler = Bastion {
            known_hosts: self.known_hosts.clone(),
            host: host.to_owned(),
            port,
            rejection: rejection.clone(),
        };
        let mut handle = client::connect_stream(self.config.clone(), stream, handler)
            .await
            .map_err(|e| {
                let refused = rejection
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                match refused {
                    Some(why) => self.fail(why),
                    None => self.fail(format!("the SSH handshake failed: {e}")),
                }
            })?;
        self.login(&mut handle).await?;
        log::info!("SSH tunnel {} is open", self.name);
        Ok(handle)
    }

    /// Logs in with the configured key, else with each key of the agent.
    async fn login(&self, handle: &mut Handle<Bastion>) -> Result<(), ReachError> {
        let user = self.settings.user.as_str();
        if let Some(key) = &self.key {
            let hash = self.rsa_hash(handle, key.algorithm()).await?;
            let result = handle
                .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key.clone(), hash))
                .await
                .map_err(|e| self.fail(format!("logging in: {e}")))?;
            return match result {
                client::AuthResult::Success => Ok(()),
                client::AuthResult::Failure {
                    remaining_methods, ..
                } => Err(self.fail(format!(
                    "the bastion refused the login of {user:?} with private_key (it accepts: \
                     {}); check that the key's public half is in the user's authorized_keys",
                    methods(&remaining_methods)
                ))),
            };
        }
        let mut agent = russh::keys::agent::client::AgentClient::connect_env()
            .await
            .map_err(|e| {
                self.fail(format!(
                    "no private_key is set, and no SSH agent can be used ({e}); set \
                     ssh_tunnel.private_key, or start an agent and set SSH_AUTH_SOCK"
                ))
            })?;
        let identities = agent
            .request_identities()
            .await
            .map_err(|e| self.fail(format!("asking the SSH agent for its keys: {e}")))?;
        let mut tried = 0;
        for identity in identities {
            let russh::keys::agent::AgentIdentity::PublicKey { key, .. } = identity else {
                continue;
            };
            tried += 1;
            let hash = self.rsa_hash(handle, key.algorithm()).await?;
            match handle
                .authenticate_publickey_with(user, key, hash, &mut agent)
                .await
            {
                Ok(client::AuthResult::Success) => return Ok(()),
                Ok(_) => {}
                Err(e) => log::debug!("the SSH agent could not sign: {e}"),
            }
        }
        Err(self.fail(format!(
            "the bastion refused the login of {user:?} with every key of the SSH agent ({tried} \
             tried); set ssh_tunnel.private_key, or add the right key to the agent"
        )))
    }

    /// The signature hash for an RSA key (what the server accepts), none
    /// for other keys.
    async fn rsa_hash(
        &self,
        handle: &Handle<Bastion>,
        algorithm: Algorithm,
    ) -> Result<Option<HashAlg>, ReachError> {
        if !algorithm.is_rsa() {
            return Ok(None);
        }
        handle
            .best_supported_rsa_hash()
            .await
            .map(Option::flatten)
            .map_err(|e| self.fail(format!("negotiating the RSA signature: {e}")))
    }
}

/// The login methods a server names, for messages.
fn methods(set: &russh::MethodSet) -> String {
    let names: Vec<String> = set.iter().map(|m| format!("{m:?}")).collect();
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        names.join(", ").to_lowercase()
    }
}

/// The default host-key algorithms with those of the recorded key types
/// first, so the bastion shows a key `known_hosts` can vouch for.
fn prefer(defaults: &[Algorithm], recorded: &[Algorithm]) -> Vec<Algorithm> {
    let family = |a: &Algorithm, b: &Algorithm| {
        a == b || (matches!(a, Algorithm::Rsa { .. }) && matches!(b, Algorithm::Rsa { .. }))
    };
    let (mut first, rest): (Vec<Algorithm>, Vec<Algorithm>) = defaults
        .iter()
        .cloned()
        .partition(|a| recorded.iter().any(|r| family(a, r)));
    first.extend(rest);
    first
}

/// The client side of the session: checks the host key.
pub struct Bastion {
    known_hosts: Option<Arc<KnownHosts>>,
    host: String,
    port: u16,
    /// Why the host key was refused, for the error.
    rejection: Arc<SyncMutex<Option<String>>>,
}

impl Bastion {
    fn refuse(&self, why: String) -> bool {
        *self
            .rejection
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(why);
        false
    }
}

impl client::Handler for Bastion {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let Some(known_hosts) = &self.known_hosts else {
            log::warn!(
                "not checking the host key of SSH bastion {}:{} (insecure_ignore_host_key)",
                self.host,
                self.port
            );
            return Ok(true);
        };
        let PublicKeyOrCertificate::PublicKey { key, .. } = server_public_key else {
            return Ok(self.refuse(
                "the bastion presented a host certificate, which is not supported; add its \
                 host key to known_hosts"
                    .to_owned(),
            ));
        };
        let fingerprint = key.fingerprint(HashAlg::Sha256);
        let name = if self.port == 22 {
            self.host.clone()
        } else {
            format!("[{}]:{}", self.host, self.port)
        };
        Ok(match known_hosts.check(&self.host, self.port, key) {
            Verdict::Known => true,
            Verdict::Mismatch { lines } => self.refuse(format!(
                "the bastion's host key ({} {fingerprint}) is not the one known_hosts records \
                 for {name} (line {}). Someone may be intercepting the connection, or the \
                 bastion's key changed; nothing was sent. If the change is expected, update \
                 known_hosts",
                key.algorithm(),
                lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Verdict::Revoked { line } => self.refuse(format!(
                "the bastion's host key ({fingerprint}) is marked @revoked in known_hosts \
                 (line {line}); nothing was sent"
            )),
            Verdict::Unknown => self.refuse(format!(
                "known_hosts has no entry for {name}, so its host key ({} {fingerprint}) \
                 cannot be checked; nothing was sent. Add the line `ssh-keyscan -p {} {}` \
                 prints, after checking its fingerprint, to known_hosts",
                key.algorithm(),
                self.port,
                self.host
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_key_and_passphrase() {
        let s = SshSettings {
            host: "bastion".into(),
            port: 2222,
            user: "ops".into(),
            private_key: Some("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-bytes".into()),
            passphrase: Some("pass-phrase-secret".into()),
            host_keys: HostKeyPolicy::Insecure,
        };
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("secret-key-bytes"), "{dbg}");
        assert!(!dbg.contains("pass-phrase-secret"), "{dbg}");
        assert!(dbg.contains("ops@bastion:2222"), "{dbg}");
        assert_eq!(
            SshSettings {
                host: "::1".into(),
                ..s
            }
            .name(),
            "ops@[::1]:2222"
        );
    }

    #[test]
    fn recorded_key_types_come_first() {
        let defaults = vec![
            Algorithm::Ed25519,
            Algorithm::Rsa {
                hash: Some(HashAlg::Sha512),
            },
            Algorithm::Rsa { hash: None },
        ];
        let got = prefer(&defaults, &[Algorithm::Rsa { hash: None }]);
        assert_eq!(got[0], defaults[1]);
        assert_eq!(got[1], defaults[2]);
        assert_eq!(got[2], Algorithm::Ed25519);
        assert_eq!(prefer(&defaults, &[]), defaults);
    }
}
