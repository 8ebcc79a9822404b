//! SOCKS5 proxies: the URL (`socks5://` or `socks5h://`, with an optional
//! user and password), the `NO_PROXY` exemptions, and connecting through
//! one.
//!
//! As in the reference provider (Go's `proxy.FromEnvironment`), `socks5://`
//! resolves the target's name here and sends the proxy an address, while
//! `socks5h://` sends the name for the proxy to resolve: the only way to
//! reach a host whose name only the proxy's side of the network knows.

use std::fmt;
use std::net::IpAddr;

use tokio::net::TcpStream;
use tokio_socks::tcp::Socks5Stream;
use tokio_socks::TargetAddr;

use super::{BoxIo, ReachError};

/// The port a SOCKS proxy listens on when the URL names none.
const DEFAULT_PORT: u16 = 1080;

/// A parsed SOCKS5 proxy URL.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    /// Whether the proxy resolves names (`socks5h`).
    pub remote_dns: bool,
    /// The proxy's host name or address.
    pub host: String,
    /// The proxy's port.
    pub port: u16,
    /// User and password for the proxy's login (RFC 1929).
    pub login: Option<(String, String)>,
}

/// A proxy URL that cannot be used; says what is wrong, never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProxyUrlError(pub String);

impl ProxyUrl {
    /// Parses `socks5://[user[:password]@]host[:port]` (or `socks5h://`).
    /// User and password may be percent-encoded; a trailing `/` is allowed.
    pub fn parse(text: &str) -> Result<ProxyUrl, ProxyUrlError> {
        let err = |why: &str| ProxyUrlError(why.to_owned());
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(err(
                "is not a URL: write socks5://host:port or socks5h://user:password@host:port",
            ));
        };
        let remote_dns = match scheme.to_ascii_lowercase().as_str() {
            "socks5" => false,
            "socks5h" => true,
            other => {
                return Err(ProxyUrlError(format!(
                    "has the scheme {other:?}; only SOCKS5 proxies are supported: socks5:// \
                     (names resolved here) or socks5h:// (names resolved by the proxy)"
                )))
            }
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(err("has a path, query or fragment; a proxy URL has none"));
        }
        let (login, hostport) = match rest.rsplit_once('@') {
            Some((userinfo, hostport)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let user = percent_decode(user).ok_or_else(|| err("has a malformed user"))?;
                let password =
                    percent_decode(password).ok_or_else(|| err("has a malformed password"))?;
                if user.len() > 255 || password.len() > 255 {
                    return Err(err(
                        "has a user or password longer than the 255 bytes SOCKS5 allows",
                    ));
                }
                (Some((user, password)), hostport)
            }
            None => (None, rest),
        };
        let (host, port) = split_host_port(hostport).ok_or_else(|| {
            err("has no valid host[:port] after the scheme (an IPv6 address goes in brackets)")
        })?;
        Ok(ProxyUrl {
            remote_dns,
            host,
            port: port.unwrap_or(DEFAULT_PORT),
            login,
        })
    }

    /// Connects to `host:port` through the proxy.
    pub async fn connect(&self, host: &str, port: u16) -> Result<BoxIo, ReachError> {
        let fail = |cause: String| ReachError::Proxy {
            proxy: self.to_string(),
            cause,
        };
        let socket = TcpStream::connect((self.host.clone(), self.port))
            .await
            .map_err(|e| fail(format!("cannot connect to the proxy: {e}")))?;
        let _ = socket.set_nodelay(true);
        let stream = if self.remote_dns {
            let target = TargetAddr::Domain(host.to_owned().into(), port);
            self.handshake(socket, target).await
        } else {
            let addr = tokio::net::lookup_host((host.to_owned(), port))
                .await
                .map_err(|e| fail(format!("cannot resolve {host}: {e}")))?
                .next()
                .ok_or_else(|| fail(format!("{host} has no address")))?;
            self.handshake(socket, TargetAddr::Ip(addr)).await
        };
        stream.map_err(|e| fail(describe_socks_error(&e, host, port)))
    }

    async fn handshake(
        &self,
        socket: TcpStream,
        target: TargetAddr<'static>,
    ) -> Result<BoxIo, tokio_socks::Error> {
        let stream = match &self.login {
            Some((user, password)) => {
                Socks5Stream::connect_with_password_and_socket(socket, target, user, password)
                    .await?
            }
            None => Socks5Stream::connect_with_socket(socket, target).await?,
        };
        Ok(Box::new(stream))
    }
}

impl fmt::Display for ProxyUrl {
    /// The URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.remote_dns { "socks5h" } else { "socks5" };
        write!(f, "{scheme}://")?;
        if let Some((user, _)) = &self.login {
            write!(f, "{user}:[redacted]@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

/// What a SOCKS error means for the person running Terraform.
fn describe_socks_error(e: &tokio_socks::Error, host: &str, port: u16) -> String {
    use tokio_socks::Error as E;
    match e {
        E::PasswordAuthFailure(_) => {
            "the proxy refused the user and password of the proxy URL".to_owned()
        }
        E::NoAcceptableAuthMethods => {
            "the proxy accepts none of the login methods offered (set or remove the user and \
             password in the proxy URL)"
                .to_owned()
        }
        E::ConnectionRefused => format!("the proxy's connection to {host}:{port} was refused"),
        E::HostUnreachable | E::NetworkUnreachable => {
            format!("the proxy cannot reach {host}:{port}")
        }
        E::ConnectionNotAllowedByRuleset => {
            format!("the proxy's rules do not allow connecting to {host}:{port}")
        }
        other => format!("connecting to {host}:{port}: {other}"),
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
pub(crate) fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
        None => None,
    };
    Some((host.to_owned(), port))
}

/// `%XX` escapes decoded; `None` when one is malformed or the result is not
/// UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The hosts `NO_PROXY` exempts: `*` for all, names (matching themselves
/// and their subdomains, with or without a leading dot), addresses and
/// CIDR ranges. A `:port` on an entry is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    entries: Vec<NoProxyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyEntry {
    All,
    Domain(String),
    Net(IpAddr, u8),
}

impl NoProxy {
    /// Parses the comma- or space-separated list of `NO_PROXY`.
    pub fn parse(text: &str) -> NoProxy {
        let entries = text
            .split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .filter_map(|e| {
                if e == "*" {
                    return Some(NoProxyEntry::All);
                }
                if let Some((addr, bits)) = e.split_once('/') {
                    let addr: IpAddr = addr.parse().ok()?;
                    let max = if addr.is_ipv4() { 32 } else { 128 };
                    let bits: u8 = bits.parse().ok().filter(|b| *b <= max)?;
                    return Some(NoProxyEntry::Net(addr, bits));
                }
                if let Ok(addr) = e.trim_matches(['[', ']']).parse::<IpAddr>() {
                    let bits = if addr.is_ipv4() { 32 } else { 128 };
                    return Some(NoProxyEntry::Net(addr, bits));
                }
                let host = split_host_port(e).map(|(h, _)| h)?;
                Some(NoProxyEntry::Domain(
                    host.trim_start_matches('.').to_ascii_lowercase(),
                ))
            })
            .collect();
        NoProxy { entries }
    }

    /// Whether connections to `host` skip the proxy.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ip = host.trim_matches(['[', ']']).parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| match entry {
            NoProxyEntry::All => true,
            NoProxyEntry::Domain(d) => {
                host == *d
                    || host
                        .strip_suffix(d.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
            NoProxyEntry::Net(net, bits) => ip.is_some_and(|ip| in_net(ip, *net, *bits)),
        })
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_parse() {
        let p = ProxyUrl::parse("socks5://127.0.0.1:1081").unwrap();
        assert_eq!(
            (p.remote_dns, p.host.as_str(), p.port),
            (false, "127.0.0.1", 1081)
        );
        assert_eq!(p.login, None);
        let p = ProxyUrl::parse("SOCKS5H://us%40er:p%3Ass@proxy.example/").unwrap();
        assert!(p.remote_dns);
        assert_eq!(p.port, 1080);
        assert_eq!(p.login, Some(("us@er".into(), "p:ss".into())));
        let p = ProxyUrl::parse("socks5://u:pw@[::1]:9050").unwrap();
        assert_eq!(p.host, "::1");
        assert_eq!(p.to_string(), "socks5://u:[redacted]@[::1]:9050");
        for bad in [
            "http://proxy:3128",
            "proxy:1080",
            "socks5://",
            "socks5://host:0",
            "socks5://host:99999",
            "socks5://host/path",
            "socks5://u:%zz@host",
            "socks4://host",
        ] {
            assert!(ProxyUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(ProxyUrl::parse("https://x")
            .unwrap_err()
            .to_string()
            .contains("only SOCKS5"));
    }

    #[test]
    fn the_password_is_never_shown() {
        let p = ProxyUrl::parse("socks5://alice:s3cret-pw@proxy:1080").unwrap();
        for text in [p.to_string(), format!("{p:?}")] {
            assert!(!text.contains("s3cret-pw"), "{text}");
            assert!(text.contains("alice"), "{text}");
        }
    }

    #[test]
    fn no_proxy_matches_names_addresses_and_ranges() {
        let n = NoProxy::parse("localhost, .internal.example,db.corp:5432 10.0.0.0/8,[::1],*.x");
        assert!(n.matches("localhost"));
        assert!(n.matches("pg.internal.example"));
        assert!(n.matches("internal.example"));
        assert!(!n.matches("notinternal.example"));
        assert!(n.matches("DB.corp."));
        assert!(n.matches("10.1.2.3"));
        assert!(!n.matches("11.1.2.3"));
        assert!(n.matches("::1"));
        assert!(!n.matches("example.com"));
        assert!(NoProxy::parse("*").matches("anything"));
        assert!(!NoProxy::default().matches("localhost"));
        assert!(NoProxy::parse("0.0.0.0/0").matches("192.0.2.1"));
    }
}
