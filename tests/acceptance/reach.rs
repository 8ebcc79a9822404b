//! Reaching the server through an SSH bastion (`ssh_*`, Debian's OpenSSH
//! server, `SSHD`) and a SOCKS5 proxy (`socks_*`, microsocks,
//! `MICROSOCKS`), and both (`both_*`), started by the test on 127.0.0.1.
//! Where `scripts/install-tools.sh` cannot install them, `scripts/test.sh`
//! leaves these tests out with `--skip reach::ssh_`, `--skip
//! reach::socks_` and `--skip reach::both_`, and lists the skip; run
//! anyway, they fail saying why.

use std::path::Path;

use pgwarden::pg::conn::pool::Pools;
use pgwarden::pg::conn::reach::{HostKeyPolicy, ProxyUrl, Reach, SshSettings};
use pgwarden::pg::conn::settings::{ConnectSettings, SslMode};

use crate::support::bastion::{Socks, Sshd};
use crate::support::{flat, hcl, says, unique_name, Step, TestCase};
use crate::{acc, Acc};

/// The shared cluster and a running bastion.
fn sshd_acc() -> Option<(Acc, Sshd)> {
    let acc = acc()?;
    Some((acc, Sshd::start()))
}

/// The shared cluster and a running proxy with a login.
fn socks_acc() -> Option<(Acc, Socks)> {
    let acc = acc()?;
    Some((acc, Socks::start("pgwarden", "proxy-pw-1")))
}

fn path(p: &Path) -> String {
    hcl(&p.display().to_string())
}

/// A provider block for the shared cluster at `host`, with `extra` lines.
fn provider(acc: &Acc, host: &str, extra: &str) -> String {
    format!(
        r#"
provider "postgresql" {{
  host     = {host}
  port     = {port}
  username = "postgres"
  password = {password}
  sslmode  = "disable"
  connect_timeout = 15
{extra}}}
"#,
        host = hcl(host),
        port = acc.cluster.port(),
        password = hcl(acc.cluster.password()),
    )
}

/// An `ssh_tunnel` block for the bastion with `body` inside.
fn tunnel(sshd: &Sshd, body: &str) -> String {
    format!(
        "  ssh_tunnel {{\n    host = \"127.0.0.1\"\n    port = {}\n    user = {}\n{body}  }}\n",
        sshd.port(),
        hcl(sshd.user())
    )
}

fn role(key: &str, name: &str) -> String {
    format!(
        "resource \"postgresql_role\" \"{key}\" {{\n  name = {}\n}}\n",
        hcl(name)
    )
}

fn role_exists(acc: &Acc, name: &str) -> bool {
    acc.block(crate::support::exists(
        &acc.admin(),
        "SELECT 1 FROM pg_roles WHERE rolname = $1",
        &[&name],
    ))
}

/// Settings for the provider's pools through the bastion, for checks below
/// Terraform.
fn tunnel_settings(acc: &Acc, sshd: &Sshd, key: &Path, host: &str) -> ConnectSettings {
    ConnectSettings {
        host: host.to_owned(),
        port: acc.cluster.port(),
        username: acc.cluster.superuser().to_owned(),
        password: Some(acc.cluster.password().to_owned()),
        sslmode: SslMode::VerifyFull,
        sslrootcert: Some(acc.cluster.server_cert_path().display().to_string()),
        connect_timeout: Some(std::time::Duration::from_secs(15)),
        max_connections: 3,
        reach: Reach {
            ssh: Some(SshSettings {
                host: "127.0.0.1".into(),
                port: sshd.port(),
                user: sshd.user().to_owned(),
                private_key: Some(std::fs::read_to_string(key).unwrap()),
                passphrase: None,
                host_keys: HostKeyPolicy::KnownHosts {
                    text: sshd.known_hosts_line(),
                    source: "test".into(),
                },
            }),
            ..Reach::default()
        },
        ..ConnectSettings::default()
    }
}

/// A role is created through the tunnel, with `verify-full` checking the
/// server's own name (`localhost`, as its certificate says) inside it.
/// Below Terraform: one SSH session carries all of a pool's connections,
/// each its own forwarded channel, and `verify-full` still refuses a name
/// the certificate does not carry.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and SSHD (scripts/test.sh runs it)"]
fn ssh_tunnel_carries_every_connection() {
    let Some((acc, sshd)) = sshd_acc() else {
        return;
    };
    let key = sshd.authorize_new_key("client", "");
    let known = sshd.known_hosts_file();
    let name = unique_name("via_bastion");
    let block = provider(
        &acc,
        "localhost",
        &format!(
            "  sslmode = \"verify-full\"\n  sslrootcert = {}\n{}",
            path(&acc.cluster.server_cert_path()),
            tunnel(
                &sshd,
                &format!(
                    "    private_key = file({})\n    known_hosts = file({})\n",
                    path(&key),
                    path(&known)
                )
            )
        ),
    )
    .replace("  sslmode  = \"disable\"\n", "");
    TestCase::new(block)
        .step(Step::apply(role("r", &name)).check(|_, _| {
            assert!(role_exists(&acc, &name));
            assert!(
                sshd.forwards() >= 1,
                "no forwarded channel:\n{}",
                sshd.log()
            );
        }))
        .run();

    let (logins, forwards) = (sshd.logins(), sshd.forwards());
    let pools = Pools::new(tunnel_settings(&acc, &sshd, &key, "localhost")).unwrap();
    acc.block(async {
        let mut held = Vec::new();
        for _ in 0..3 {
            let c = pools
                .get(None)
                .await
                .expect("a connection through the tunnel");
            let ssl: bool = c
                .query_one(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            assert!(ssl, "TLS inside the tunnel");
            held.push(c);
        }
    });
    assert_eq!(sshd.logins(), logins + 1, "one session:\n{}", sshd.log());
    assert_eq!(
        sshd.forwards(),
        forwards + 3,
        "three channels:\n{}",
        sshd.log()
    );

    let wrong_name = Pools::new(tunnel_settings(&acc, &sshd, &key, "127.0.0.1")).unwrap();
    let err = acc.block(wrong_name.get(None)).unwrap_err().to_string();
    assert!(
        err.contains("TLS"),
        "verify-full must check 127.0.0.1 against the certificate: {err}"
    );
}

/// With the bastion stopped, or refusing the login, an apply of two roles
/// fails with one error that names the tunnel, and no statement reaches
/// the server some other way.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and SSHD (scripts/test.sh runs it)"]
fn ssh_bastion_down_is_one_error_and_nothing_goes_around_it() {
    let Some((acc, mut sshd)) = sshd_acc() else {
        return;
    };
    let key = sshd.authorize_new_key("client", "");
    let stranger = sshd.stranger_key("stranger");
    let known = sshd.known_hosts_file();
    let (a, b) = (unique_name("no_tunnel_a"), unique_name("no_tunnel_b"));
    let roles = role("a", &a) + &role("b", &b);
    let with_key = |key: &Path| {
        provider(
            &acc,
            "127.0.0.1",
            &tunnel(
                &sshd,
                &format!(
                    "    private_key = file({})\n    known_hosts = file({})\n",
                    path(key),
                    path(&known)
                ),
            ),
        )
    };
    let tunnel_name = format!("{}@127.0.0.1:{}", sshd.user(), sshd.port());
    let one_error = |cause: &'static str| {
        let tunnel_name = tunnel_name.clone();
        move |_: &crate::support::Workspace, out: &crate::support::Output| {
            let text = flat(&out.combined());
            assert_eq!(
                text.matches("Cannot Connect Through The SSH Tunnel")
                    .count(),
                1,
                "one error expected:\n{text}"
            );
            assert!(
                text.contains(&format!("through the SSH tunnel {tunnel_name}")),
                "{text}"
            );
            assert!(text.contains(cause), "{text}");
        }
    };

    TestCase::new(with_key(&stranger))
        .step(
            Step::fails(roles.clone(), "Cannot Connect Through The SSH Tunnel")
                .check(one_error("refused the login")),
        )
        .run();

    let provider_block = with_key(&key);
    sshd.stop();
    TestCase::new(provider_block)
        .step(
            Step::fails(roles, "Cannot Connect Through The SSH Tunnel")
                .check(one_error("cannot connect to the bastion")),
        )
        .run();
    // Read before the checks below, whose own queries name the roles.
    let log = acc.cluster.log_contents();
    assert!(
        !log.contains(&a) && !log.contains(&b),
        "a statement went around the tunnel"
    );
    assert!(!role_exists(&acc, &a) && !role_exists(&acc, &b));
}

/// The shared cluster, a running proxy and a running bastion.
fn both_acc() -> Option<(Acc, Socks, Sshd)> {
    let (acc, socks) = socks_acc()?;
    Some((acc, socks, Sshd::start()))
}

/// A bastion whose host key differs from `known_hosts`, or that
/// `known_hosts` does not name, is refused before the login; with
/// `insecure_ignore_host_key` it is accepted, and the plan warns.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and SSHD (scripts/test.sh runs it)"]
fn ssh_wrong_host_key_is_refused() {
    let Some((acc, sshd)) = sshd_acc() else {
        return;
    };
    let key = sshd.authorize_new_key("client", "");
    let block = |known_hosts: &str, extra: &str| {
        let known = sshd.write("kh", known_hosts);
        provider(
            &acc,
            "127.0.0.1",
            &tunnel(
                &sshd,
                &format!(
                    "    private_key = file({})\n    known_hosts = file({})\n{extra}",
                    path(&key),
                    path(&known)
                ),
            ),
        )
    };
    let name = unique_name("host_key");
    TestCase::new(block(&sshd.wrong_known_hosts_line(), ""))
        .step(
            Step::fails(role("r", &name), "Cannot Connect Through The SSH Tunnel")
                .check(says("is not the one known_hosts records for [127.0.0.1]")),
        )
        .run();
    let other_port = sshd.known_hosts_line().replace(
        &format!("]:{} ", sshd.port()),
        &format!("]:{} ", sshd.port() + 1),
    );
    TestCase::new(block(&other_port, ""))
        .step(
            Step::fails(role("r", &name), "Cannot Connect Through The SSH Tunnel")
                .check(says("known_hosts has no entry for [127.0.0.1]")),
        )
        .run();
    assert_eq!(sshd.logins(), 0, "a login was attempted:\n{}", sshd.log());
    assert!(!role_exists(&acc, &name));

    TestCase::new(block(
        &sshd.wrong_known_hosts_line(),
        "    insecure_ignore_host_key = true\n",
    ))
    .step(
        Step::apply(role("r", &name))
            .plan_shows(&["SSH Host Key Not Checked"])
            .check(|_, _| assert!(role_exists(&acc, &name))),
    )
    .run();
}

/// An encrypted key works with its passphrase; without it, or with a
/// wrong one, the plan says what to do before anything connects.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and SSHD (scripts/test.sh runs it)"]
fn ssh_encrypted_key_works_with_its_passphrase() {
    let Some((acc, sshd)) = sshd_acc() else {
        return;
    };
    let key = sshd.authorize_new_key("client_enc", "correct horse");
    let known = sshd.known_hosts_file();
    let block = |passphrase: Option<&str>| {
        let pass = passphrase
            .map(|p| format!("    private_key_passphrase = {}\n", hcl(p)))
            .unwrap_or_default();
        provider(
            &acc,
            "127.0.0.1",
            &tunnel(
                &sshd,
                &format!(
                    "    private_key = file({})\n{pass}    known_hosts = file({})\n",
                    path(&key),
                    path(&known)
                ),
            ),
        )
    };
    let name = unique_name("enc_key");
    TestCase::new(block(None))
        .step(
            Step::fails(role("r", &name), "Unusable SSH Private Key").check(says(
                "the private key is encrypted: set private_key_passphrase",
            )),
        )
        .run();
    TestCase::new(block(Some("wrong horse")))
        .step(
            Step::fails(role("r", &name), "Unusable SSH Private Key")
                .check(says("cannot decrypt the private key")),
        )
        .run();
    assert_eq!(sshd.logins(), 0);
    TestCase::new(block(Some("correct horse")))
        .step(Step::apply(role("r", &name)).check(|_, _| assert!(role_exists(&acc, &name))))
        .run();
}

/// Through microsocks with a user and password: set as `proxy`, and from
/// `ALL_PROXY`. A wrong password or a stopped proxy fails with one error
/// naming the proxy; `NO_PROXY` lets the host go direct.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1 and MICROSOCKS (scripts/test.sh runs it)"]
fn socks_proxy_with_a_login() {
    let Some((acc, mut socks)) = socks_acc() else {
        return;
    };
    let name = unique_name("via_socks");
    let with_proxy = |url: &str| provider(&acc, "127.0.0.1", &format!("  proxy = {}\n", hcl(url)));
    TestCase::new(with_proxy(&socks.url()))
        .step(Step::apply(role("r", &name)).check(|_, _| assert!(role_exists(&acc, &name))))
        .run();

    let env_name = unique_name("via_all_proxy");
    let url = socks.url();
    TestCase::new(provider(&acc, "127.0.0.1", ""))
        .step(
            Step::apply(role("r", &env_name))
                .before(move |ws| {
                    ws.env("ALL_PROXY", &url);
                })
                .check(|_, _| assert!(role_exists(&acc, &env_name))),
        )
        .run();

    let bad = socks.url().replace("proxy-pw-1", "wrong-pw");
    let refused = unique_name("socks_refused");
    TestCase::new(with_proxy(&bad))
        .step(
            Step::fails(role("r", &refused), "Cannot Connect Through The Proxy").check(|_, out| {
                let text = flat(&out.combined());
                assert!(text.contains("refused the user and password"), "{text}");
                assert!(
                    !text.contains("wrong-pw"),
                    "the password was shown:\n{text}"
                );
            }),
        )
        .run();

    let url = socks.url();
    socks.stop();
    TestCase::new(with_proxy(&url))
        .step(
            Step::fails(role("r", &refused), "Cannot Connect Through The Proxy").check(|_, out| {
                let text = flat(&out.combined());
                assert_eq!(
                    text.matches("Cannot Connect Through The Proxy").count(),
                    1,
                    "{text}"
                );
                assert!(
                    text.contains(&format!("127.0.0.1:{}", socks.port())),
                    "{text}"
                );
            }),
        )
        .run();
    assert!(!role_exists(&acc, &refused));

    let direct = unique_name("no_proxy");
    let url2 = url.clone();
    TestCase::new(provider(&acc, "127.0.0.1", ""))
        .step(
            Step::apply(role("r", &direct))
                .before(move |ws| {
                    ws.env("ALL_PROXY", &url2);
                    ws.env("NO_PROXY", "localhost,127.0.0.1");
                })
                .check(|_, _| assert!(role_exists(&acc, &direct))),
        )
        .run();
}

/// With a tunnel and a proxy both, the proxy carries the connection to the
/// bastion: it works, and fails naming the tunnel once the proxy stops.
#[test]
#[ignore = "acceptance test: needs TF_ACC=1, SSHD and MICROSOCKS (scripts/test.sh runs it)"]
fn both_proxy_carries_the_ssh_tunnel() {
    let Some((acc, mut socks, sshd)) = both_acc() else {
        return;
    };
    let key = sshd.authorize_new_key("client", "");
    let known = sshd.known_hosts_file();
    let block = provider(
        &acc,
        "127.0.0.1",
        &format!(
            "  proxy = {}\n{}",
            hcl(&socks.url()),
            tunnel(
                &sshd,
                &format!(
                    "    private_key = file({})\n    known_hosts = file({})\n",
                    path(&key),
                    path(&known)
                )
            )
        ),
    );
    let name = unique_name("proxy_and_tunnel");
    TestCase::new(block.clone())
        .step(Step::apply(role("r", &name)).check(|_, _| assert!(role_exists(&acc, &name))))
        .run();
    assert!(
        sshd.log().contains("Connection from 127.0.0.1"),
        "{}",
        sshd.log()
    );
    socks.stop();
    let other = unique_name("proxy_and_tunnel");
    TestCase::new(block)
        .step(
            Step::fails(role("r", &other), "Cannot Connect Through The SSH Tunnel").check(
                |_, out| {
                    let text = flat(&out.combined());
                    assert!(
                        text.contains(
                            "through the SOCKS5 proxy socks5://pgwarden:[redacted]@127.0.0.1"
                        ),
                        "{text}"
                    );
                },
            ),
        )
        .run();
    // The URL type is public for configurations built in code.
    assert!(ProxyUrl::parse(&socks.url()).is_ok());
}
