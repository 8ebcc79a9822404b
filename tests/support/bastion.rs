//! Servers on the way to PostgreSQL, started by the test on 127.0.0.1:
//! Debian's OpenSSH server as a bastion ([`Sshd`]) and microsocks as a
//! SOCKS5 proxy ([`Socks`]). `scripts/install-tools.sh sshd` and
//! `microsocks` install them (as root); `SSHD` and `MICROSOCKS` name the
//! programs, which `scripts/test.sh` sets.
//!
//! sshd runs with its own config, host key and authorized keys in a temp
//! directory. Run by root it needs the privilege-separation directory and
//! logs in the unprivileged user `pgwarden-ssh` that install-tools
//! creates; run by anyone else, it can log in only that user.

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The program an environment variable names, or a failure saying how to
/// get it and how to leave the tests out.
fn program(var: &str, install: &str, skip: &str) -> PathBuf {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => panic!(
            "{var} is not set: set it to the output of `scripts/install-tools.sh {install}` \
             (scripts/test.sh does), or leave these tests out with --skip {skip}"
        ),
    }
}

/// A free loopback port (released for the server to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("pick a free port")
        .port()
}

/// Waits until something accepts connections on the port, or the child
/// exits.
fn wait_listening(child: &mut Child, port: u16, log: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening:\n{}",
                fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} does not listen on 127.0.0.1:{port} after 15 s");
}

fn stop(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Runs `ssh-keygen` to make a key pair at `path` (and `path.pub`).
pub fn keygen(path: &Path, passphrase: &str) {
    let out = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            passphrase,
            "-C",
            "pgwarden-test",
            "-f",
        ])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .expect("run ssh-keygen (Debian's openssh-client)");
    assert!(out.status.success(), "ssh-keygen: {out:?}");
}

/// The user a root-run sshd logs in; `scripts/install-tools.sh sshd`
/// creates it, unlocked and without a password.
const ROOT_LOGIN_USER: &str = "pgwarden-ssh";

/// An OpenSSH server on a loopback port that allows TCP forwarding to
/// the keys it is given.
pub struct Sshd {
    dir: TempDir,
    port: u16,
    user: String,
    child: Option<Child>,
}

impl Sshd {
    /// Starts sshd with a fresh host key. Panics, saying why, when `SSHD`
    /// is unset.
    pub fn start() -> Sshd {
        let sshd = program("SSHD", "sshd", "reach::ssh_");
        let dir = tempfile::Builder::new()
            .prefix("pgwarden-sshd-")
            .tempdir_in("/tmp")
            .expect("sshd temp dir");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        keygen(&dir.path().join("host_key"), "");
        fs::write(dir.path().join("authorized_keys"), "").unwrap();
        fs::set_permissions(
            dir.path().join("authorized_keys"),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        // SAFETY: geteuid cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        let user = if root {
            // sshd refuses to start as root without it.
            fs::create_dir_all("/run/sshd").expect("create /run/sshd");
            let ok = Command::new("id")
                .arg(ROOT_LOGIN_USER)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "no user {ROOT_LOGIN_USER} for sshd to log in: run `scripts/install-tools.sh sshd` \
                 as root (scripts/test.sh does), or leave these tests out with --skip reach::ssh_ \
                 --skip reach::both_"
            );
            ROOT_LOGIN_USER.to_owned()
        } else {
            let out = Command::new("id").arg("-un").output().expect("id -un");
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        let mut s = Sshd {
            dir,
            port: 0,
            user,
            child: None,
        };
        s.run(&sshd);
        s
    }

    fn run(&mut self, sshd: &Path) {
        self.port = free_port();
        let d = self.dir.path().display();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nAllowTcpForwarding yes\nPermitRootLogin no\n\
             LogLevel DEBUG1\n",
            port = self.port
        );
        fs::write(self.dir.path().join("sshd_config"), config).unwrap();
        let log = self.log_path();
        let mut child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(self.dir.path().join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", sshd.display()));
        wait_listening(&mut child, self.port, &log, "sshd");
        self.child = Some(child);
    }

    /// Stops the server (connections then fail: "the bastion is down").
    pub fn stop(&mut self) {
        stop(&mut self.child);
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user it logs in.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// A new client key pair in the temp dir, authorized for the user;
    /// returns the private key's path.
    pub fn authorize_new_key(&self, name: &str, passphrase: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        keygen(&path, passphrase);
        let public = fs::read_to_string(path.with_extension("pub")).unwrap();
        let mut keys = fs::read_to_string(self.dir.path().join("authorized_keys")).unwrap();
        keys.push_str(&public);
        fs::write(self.dir.path().join("authorized_keys"), keys).unwrap();
        path
    }

    /// A key pair that is not authorized; returns the private key's path.
    pub fn stranger_key(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        keygen(&path, "");
        path
    }

    /// The `known_hosts` line for this server's real host key.
    pub fn known_hosts_line(&self) -> String {
        let public = fs::read_to_string(self.dir.path().join("host_key.pub")).unwrap();
        let mut parts = public.split_whitespace();
        let (kind, key) = (parts.next().unwrap(), parts.next().unwrap());
        format!("[127.0.0.1]:{} {kind} {key}\n", self.port)
    }

    /// A `known_hosts` line for this address with some other key: what a
    /// man in the middle would present.
    pub fn wrong_known_hosts_line(&self) -> String {
        let other = self.dir.path().join("other_host_key");
        if !other.exists() {
            keygen(&other, "");
        }
        let public = fs::read_to_string(other.with_extension("pub")).unwrap();
        let mut parts = public.split_whitespace();
        let (kind, key) = (parts.next().unwrap(), parts.next().unwrap());
        format!("[127.0.0.1]:{} {kind} {key}\n", self.port)
    }

    /// `known_hosts` in the server's directory, trusting its host key: the
    /// file a client that checks the host key is given.
    pub fn known_hosts_file(&self) -> PathBuf {
        self.write("known_hosts", &self.known_hosts_line())
    }

    /// Writes `text` to a file in the temp dir and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("sshd.log")
    }

    /// What sshd logged so far.
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = fs::File::open(self.log_path()) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }

    /// Successful logins so far.
    pub fn logins(&self) -> usize {
        self.log().matches("Accepted publickey").count()
    }

    /// Forwarded channels (`direct-tcpip`) opened so far.
    pub fn forwards(&self) -> usize {
        self.log().matches("server_request_direct_tcpip").count()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// microsocks on a loopback port, with a user and password.
pub struct Socks {
    port: u16,
    user: String,
    password: String,
    child: Option<Child>,
    _log: TempDir,
}

impl Socks {
    /// Starts microsocks. Panics, saying why, when `MICROSOCKS` is unset.
    pub fn start(user: &str, password: &str) -> Socks {
        let program = program("MICROSOCKS", "microsocks", "reach::socks_");
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("microsocks.log");
        let port = free_port();
        let mut child = Command::new(&program)
            .args([
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-u",
                user,
                "-P",
                password,
            ])
            .stdin(Stdio::null())
            .stdout(fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        wait_listening(&mut child, port, &log, "microsocks");
        Socks {
            port,
            user: user.to_owned(),
            password: password.to_owned(),
            child: Some(child),
            _log: dir,
        }
    }

    /// `socks5://user:password@127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!(
            "socks5://{}:{}@127.0.0.1:{}",
            self.user, self.password, self.port
        )
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the proxy.
    pub fn stop(&mut self) {
        stop(&mut self.child);
    }
}

impl Drop for Socks {
    fn drop(&mut self) {
        self.stop();
    }
}
