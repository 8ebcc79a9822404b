//! The provider block's way to the server: the `ssh_tunnel` block and the
//! `proxy` attribute, with `ALL_PROXY`/`NO_PROXY` from the environment, and
//! their plan-time checks.

use crate::model;
use crate::pg::conn::reach::ssh::decode_private_key;
use crate::pg::conn::reach::{HostKeyPolicy, NoProxy, ProxyUrl, Reach, SshSettings};
use crate::protocol::cty::PathStep;
use crate::protocol::model::Tf;
use crate::protocol::model::{optional, required};
use crate::protocol::{AttrPath, Diagnostic, Diagnostics, Problem};

model! {
    /// The `ssh_tunnel` block.
    pub struct SshTunnelModel {
        host: String = required(
            "The bastion's host name or address. The server's `host` is resolved by the \
             bastion, so it can be a name only the bastion's network knows.",
        ),
        port: i64 = optional("The bastion's SSH port. Default `22`.")
            .default(22)
            .int_range(1, 65535),
        user: String = required("The user to log in to the bastion as."),
        private_key: Option<String> = optional(
            "The private key to log in with, as text (OpenSSH, PEM or PuTTY format): write \
             `file(\"~/.ssh/id_ed25519\")`. Without it, the keys of the SSH agent at \
             `SSH_AUTH_SOCK` are tried.",
        )
        .sensitive(),
        private_key_passphrase: Option<String> = optional(
            "The passphrase of an encrypted `private_key`.",
        )
        .sensitive(),
        known_hosts: Option<String> = optional(
            "The bastion's host key, as `known_hosts` text (write \
             `file(\"~/.ssh/known_hosts\")`, or the line `ssh-keyscan` prints after checking \
             its fingerprint). A key that differs from it, or a bastion it does not name, is \
             refused before anything is sent. Default: the contents of `~/.ssh/known_hosts`.",
        )
        .each(known_hosts_text),
        insecure_ignore_host_key: bool = optional(
            "Skips the check of the bastion's host key. Anyone between the provider and the \
             bastion could then pose as it and read the connection's credentials: use it only \
             on a network you trust, for a test. Default `false`.",
        )
        .default(false),
    }
    view SshTunnelView;
}

/// The `proxy` attribute's check.
pub fn proxy_url(attr: &str, v: &str) -> Option<Problem> {
    if v.is_empty() {
        return None;
    }
    ProxyUrl::parse(v).err().map(|e| {
        Problem::new(
            "Invalid proxy",
            format!(
                "{attr} {e}. Write socks5://host:port or socks5h://user:password@host:port, or \
                 \"\" to connect directly whatever ALL_PROXY says."
            ),
        )
    })
}

/// The `ssh_tunnel.known_hosts` check: every line must parse.
pub fn known_hosts_text(attr: &str, v: &str) -> Option<Problem> {
    crate::pg::conn::reach::known_hosts::KnownHosts::parse(v)
        .err()
        .map(|e| {
            Problem::new(
                "Invalid known_hosts",
                format!("{attr}: {e}. Each line is `host-patterns key-type base64-key`, as in ~/.ssh/known_hosts."),
            )
        })
}

fn tunnel_path(attr: &str) -> AttrPath {
    AttrPath::attr("ssh_tunnel")
        .then(PathStep::Index(0))
        .then_attr(attr)
}

/// Plan-time checks across attributes of the block: the key must decode
/// with the passphrase given, and switching the host-key check off is
/// warned about.
pub fn validate(ssh_tunnel: &Tf<Vec<SshTunnelView>>, d: &mut Diagnostics) {
    let Some(tunnel) = ssh_tunnel.known().and_then(|t| t.first()) else {
        return;
    };
    if tunnel.insecure_ignore_host_key.known() == Some(&true) {
        d.push(
            Diagnostic::warning(
                "SSH Host Key Not Checked",
                "ssh_tunnel.insecure_ignore_host_key is true: the bastion's host key is not \
                 checked, so anyone on the way to it could pose as the bastion and see the \
                 database credentials. Set known_hosts instead (for example \
                 file(\"~/.ssh/known_hosts\")) and remove insecure_ignore_host_key.",
            )
            .at_path(&tunnel_path("insecure_ignore_host_key")),
        );
    }
    let (key, passphrase) = (&tunnel.private_key, &tunnel.private_key_passphrase);
    if key.is_unknown() || passphrase.is_unknown() {
        return;
    }
    if let Some(text) = key.known() {
        if let Err(why) = decode_private_key(text, passphrase.known().map(String::as_str)) {
            d.push(
                Diagnostic::error(
                    "Unusable SSH Private Key",
                    format!("ssh_tunnel.private_key: {why}."),
                )
                .at_path(&tunnel_path("private_key")),
            );
        }
    } else if !passphrase.is_null() {
        d.push(
            Diagnostic::error(
                "Passphrase Without A Key",
                "ssh_tunnel.private_key_passphrase is set, but private_key is not: the agent's \
                 keys need no passphrase here. Set private_key, or remove the passphrase.",
            )
            .at_path(&tunnel_path("private_key_passphrase")),
        );
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The environment's proxy: `ALL_PROXY`, else `all_proxy`.
fn env_proxy() -> Option<(&'static str, String)> {
    ["ALL_PROXY", "all_proxy"]
        .into_iter()
        .find_map(|name| env(name).map(|v| (name, v)))
}

/// How to reach the server, from the block and the environment:
/// * `proxy` set: that proxy for every connection (`""`: none), whatever
///   `ALL_PROXY` and `NO_PROXY` say;
/// * else `ALL_PROXY`/`all_proxy`, except for the hosts `NO_PROXY`/
///   `no_proxy` names;
/// * with `ssh_tunnel`, the proxy (if any) carries the connection to the
///   bastion, and `NO_PROXY` is matched against the bastion's host.
pub fn reach(proxy: Option<&str>, tunnel: Option<&SshTunnelModel>) -> Result<Reach, Diagnostics> {
    let (proxy, no_proxy) = match proxy {
        Some("") => (None, NoProxy::default()),
        Some(text) => {
            let url = ProxyUrl::parse(text).map_err(|e| {
                Diagnostics::from(
                    Diagnostic::error("Invalid proxy", format!("proxy {e}.")).at("proxy"),
                )
            })?;
            (Some(url), NoProxy::default())
        }
        None => match env_proxy() {
            Some((name, text)) => {
                let url = ProxyUrl::parse(&text).map_err(|e| {
                    Diagnostics::from(Diagnostic::error(
                        "Invalid ALL_PROXY",
                        format!(
                            "The environment variable {name} {e}. Fix or unset it, or set the \
                             provider's proxy attribute (\"\" connects directly)."
                        ),
                    ))
                })?;
                let no_proxy = env("NO_PROXY").or_else(|| env("no_proxy"));
                (Some(url), NoProxy::parse(&no_proxy.unwrap_or_default()))
            }
            None => (None, NoProxy::default()),
        },
    };
    let ssh = match tunnel {
        Some(t) => Some(ssh_settings(t)?),
        None => None,
    };
    Ok(Reach {
        proxy,
        no_proxy,
        ssh,
    })
}

fn ssh_settings(t: &SshTunnelModel) -> Result<SshSettings, Diagnostics> {
    let host_keys = if t.insecure_ignore_host_key {
        HostKeyPolicy::Insecure
    } else if let Some(text) = &t.known_hosts {
        HostKeyPolicy::KnownHosts {
            text: text.clone(),
            source: "ssh_tunnel.known_hosts".to_owned(),
        }
    } else {
        let path = std::path::Path::new(&env("HOME").unwrap_or_default())
            .join(".ssh")
            .join("known_hosts");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(
                    "No known_hosts For The SSH Tunnel",
                    format!(
                        "ssh_tunnel.known_hosts is not set and {} cannot be read ({e}), so the \
                         bastion's host key cannot be checked. Set known_hosts to the \
                         bastion's line (ssh-keyscan -p {} {} prints it; check its \
                         fingerprint first).",
                        path.display(),
                        t.port,
                        t.host
                    ),
                )
                .at_path(&tunnel_path("known_hosts")),
            )
        })?;
        HostKeyPolicy::KnownHosts {
            text,
            source: path.display().to_string(),
        }
    };
    Ok(SshSettings {
        host: t.host.clone(),
        port: u16::try_from(t.port).unwrap_or(22),
        user: t.user.clone(),
        private_key: t.private_key.clone(),
        passphrase: t.private_key_passphrase.clone(),
        host_keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_values_are_checked() {
        assert!(proxy_url("proxy", "").is_none());
        assert!(proxy_url("proxy", "socks5h://u:p@h:1080").is_none());
        let p = proxy_url("proxy", "http://h:3128").unwrap();
        assert!(p.detail.starts_with("proxy has the scheme"), "{}", p.detail);
    }

    #[test]
    fn an_explicit_proxy_wins_and_empty_means_direct() {
        let r = reach(Some("socks5://h:1"), None).unwrap();
        assert_eq!(r.proxy.unwrap().port, 1);
        assert!(r.no_proxy == NoProxy::default());
        assert!(reach(Some(""), None).unwrap().is_direct());
        let err = reach(Some("ftp://x"), None).unwrap_err();
        assert_eq!(err.0[0].summary, "Invalid proxy");
    }

    #[test]
    fn known_hosts_lines_are_checked() {
        assert!(known_hosts_text("ssh_tunnel.known_hosts", "# nothing\n").is_none());
        let p = known_hosts_text("ssh_tunnel.known_hosts", "host ssh-ed25519").unwrap();
        assert!(p.detail.contains("line 1"), "{}", p.detail);
    }

    #[test]
    fn insecure_host_keys_warn_and_keys_are_decoded() {
        let tunnel = |t: SshTunnelView| Tf::Known(vec![t]);
        let mut d = Diagnostics::new();
        validate(
            &tunnel(SshTunnelView {
                insecure_ignore_host_key: Tf::Known(true),
                ..SshTunnelView::default()
            }),
            &mut d,
        );
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].summary, "SSH Host Key Not Checked");

        let mut d = Diagnostics::new();
        validate(
            &tunnel(SshTunnelView {
                private_key: Tf::Known("not a key".into()),
                ..SshTunnelView::default()
            }),
            &mut d,
        );
        assert_eq!(d.0[0].summary, "Unusable SSH Private Key");
        assert!(!d.0[0].detail.contains("not a key\""), "{}", d.0[0].detail);

        let mut d = Diagnostics::new();
        validate(
            &tunnel(SshTunnelView {
                private_key: Tf::Unknown,
                ..SshTunnelView::default()
            }),
            &mut d,
        );
        assert!(d.0.is_empty());

        let mut d = Diagnostics::new();
        validate(
            &tunnel(SshTunnelView {
                private_key_passphrase: Tf::Known("x".into()),
                ..SshTunnelView::default()
            }),
            &mut d,
        );
        assert_eq!(d.0[0].summary, "Passphrase Without A Key");
    }
}
