//! Runs the real Terraform CLI against the provider binary built by Cargo.
//!
//! Each [`Workspace`] is a temporary working directory with its own CLI
//! configuration whose `dev_overrides` point `pgwarden/postgresql` at the
//! directory of `CARGO_BIN_EXE_terraform-provider-postgresql`. With only
//! dev-overridden providers Terraform needs no `terraform init`, so tests go
//! straight to plan/apply and always run the freshly built provider.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Terraform version that `scripts/install-tools.sh terraform` installs.
pub const PINNED_TERRAFORM_VERSION: &str = "1.15.5";
/// Upper bound for one Terraform command; a hung provider must fail the
/// test rather than the whole CI run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// Set to keep the workspace directory of failing tests for inspection.
const KEEP_ENV: &str = "PGWARDEN_KEEP_WORKSPACE";

/// What a finished command printed, and its exit code (`-1` when it was
/// killed by a signal, e.g. on timeout).
#[derive(Debug, Clone)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout followed by stderr, for searching messages wherever Terraform
    /// printed them.
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn success(&self) -> bool {
        self.status == 0
    }
}

/// The Terraform CLI to test with: `TF_ACC_TERRAFORM_PATH`, else
/// `terraform` on `PATH`, else the pinned one from the tool cache
/// (installed there first if need be).
pub fn terraform_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    if let Some(path) = find_on_path("terraform") {
        return path;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-tools.sh");
    let out = Command::new(&script)
        .arg("terraform")
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    let pinned = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if out.status.success() && is_executable(&pinned) {
        return pinned;
    }
    panic!(
        "no Terraform CLI: set TF_ACC_TERRAFORM_PATH, put terraform on PATH, \
         or run scripts/install-tools.sh terraform"
    );
}

/// Directory holding the provider binary that Cargo built for the tests.
pub fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_terraform-provider-postgresql"))
        .parent()
        .expect("provider binary has a parent dir")
        .to_path_buf()
}

/// A Terraform working directory. Commands run in it one at a time; tests
/// that run in parallel each use their own.
#[derive(Debug)]
pub struct Workspace {
    /// `Option` only so that `Drop` can keep the directory on failure.
    dir: Option<TempDir>,
    terraform: PathBuf,
    env: Mutex<Vec<(String, String)>>,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl Workspace {
    /// A new empty workspace with its CLI configuration written.
    pub fn new() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("pgwarden-tf-")
            .tempdir()
            .expect("create workspace dir");
        let cli_config = format!(
            r#"provider_installation {{
  dev_overrides {{
    "pgwarden/postgresql" = "{}"
  }}
  direct {{}}
}}
"#,
            provider_dir()
                .display()
                .to_string()
                .replace('\\', r"\\")
                .replace('"', "\\\"")
        );
        // Not *.tf, so Terraform does not read it as configuration.
        std::fs::write(dir.path().join("cli.tfrc"), cli_config).expect("write cli config");
        Workspace {
            dir: Some(dir),
            terraform: terraform_binary(),
            env: Mutex::new(Vec::new()),
        }
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.as_ref().expect("workspace dir").path()
    }

    /// Adds (or replaces) an environment variable for every later command,
    /// e.g. `ws.env("TF_LOG_PROVIDER", "debug")`.
    pub fn env(&self, key: &str, value: &str) -> &Self {
        let mut env = self.env.lock().unwrap();
        env.retain(|(k, _)| k != key);
        env.push((key.to_string(), value.to_string()));
        self
    }

    /// Writes `main.tf`: a `required_providers` block for
    /// `pgwarden/postgresql` followed by `hcl`.
    pub fn write_config(&self, hcl: &str) {
        let config = format!(
            r#"terraform {{
  required_providers {{
    postgresql = {{
      source = "pgwarden/postgresql"
    }}
  }}
}}

{hcl}"#
        );
        self.write_config_raw(&config);
    }

    /// Writes `main.tf` exactly as given.
    pub fn write_config_raw(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    /// Writes any file into the working directory (e.g. a second `.tf`).
    pub fn write_file(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents)
            .unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    /// `terraform apply`; panics with the full output unless it succeeds.
    pub fn apply(&self) -> Output {
        self.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform apply` that must fail; returns its output for checking the
    /// diagnostics.
    pub fn apply_expect_error(&self) -> Output {
        let out = self.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        if out.success() {
            panic!(
                "terraform apply succeeded but an error was expected\n{}",
                describe(&out)
            );
        }
        out
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 1 error,
    /// 2 changes present.
    pub fn plan_exit_code(&self) -> (i32, Output) {
        let out = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        (out.status, out)
    }

    /// Panics with the plan unless it is empty (idempotency / no drift).
    pub fn assert_no_changes(&self) {
        let (code, out) = self.plan_exit_code();
        if code != 0 {
            panic!(
                "expected an empty plan, got exit code {code}\n{}",
                describe(&out)
            );
        }
    }

    /// Panics unless the plan has changes; returns the plan text.
    pub fn assert_changes(&self) -> String {
        let (code, out) = self.plan_exit_code();
        if code != 2 {
            panic!(
                "expected a plan with changes, got exit code {code}\n{}",
                describe(&out)
            );
        }
        out.stdout
    }

    /// The terraform-plugin-testing step: apply, then the plan must be empty,
    /// and again after a refresh (no perpetual diffs).
    pub fn apply_clean(&self) -> Output {
        let out = self.apply();
        self.assert_no_changes();
        self.refresh();
        self.assert_no_changes();
        out
    }

    /// `terraform apply -refresh-only`: pulls real state into the state file.
    pub fn refresh(&self) -> Output {
        self.run_ok(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
    }

    /// `terraform import ADDR ID`; panics unless it succeeds. (The resource
    /// block must already be in the configuration.)
    pub fn import(&self, addr: &str, id: &str) -> Output {
        self.run_ok(&["import", "-input=false", "-no-color", addr, id])
    }

    /// `terraform destroy`; panics unless it succeeds.
    pub fn destroy(&self) -> Output {
        self.run_ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform validate`; panics unless the configuration is valid.
    pub fn validate(&self) -> Output {
        self.run_ok(&["validate", "-no-color"])
    }

    /// `terraform show -json` of the current state.
    pub fn show_json(&self) -> serde_json::Value {
        let out = self.run_ok(&["show", "-json", "-no-color"]);
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("show -json is not JSON ({e})\n{}", describe(&out)))
    }

    /// The attribute values of one resource in the state (its `values`
    /// object from `show -json`); panics if absent.
    pub fn state_resource(&self, addr: &str) -> serde_json::Value {
        let state = self.show_json();
        match find_resource(&state["values"]["root_module"], addr) {
            Some(values) => values,
            None => {
                let mut addrs = Vec::new();
                collect_addresses(&state["values"]["root_module"], &mut addrs);
                panic!("{addr} is not in the state; it holds: {addrs:?}");
            }
        }
    }

    /// Like [`Workspace::state_resource`], but `None` when absent.
    pub fn try_state_resource(&self, addr: &str) -> Option<serde_json::Value> {
        find_resource(&self.show_json()["values"]["root_module"], addr)
    }

    /// The raw `terraform.tfstate` (empty if there is none yet), e.g. to
    /// check that no secret leaked into it.
    pub fn state_raw(&self) -> String {
        std::fs::read_to_string(self.path().join("terraform.tfstate")).unwrap_or_default()
    }

    /// Runs `terraform ARGS...` in the workspace without judging the result.
    pub fn run(&self, args: &[&str]) -> Output {
        let (mut out, timed_out) = self.spawn(args).wait_with_timeout(COMMAND_TIMEOUT);
        if timed_out {
            out.stderr = format!(
                "[support: terraform {} killed after {COMMAND_TIMEOUT:?}]\n{}",
                args.join(" "),
                out.stderr
            );
        }
        out
    }

    /// Starts `terraform ARGS...` in its own process group (with its
    /// provider plugins) and returns at once.
    pub fn spawn(&self, args: &[&str]) -> Running {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Settings from the developer's shell that would change what
        // Terraform does (extra CLI args, another data dir or workspace) and
        // libpq variables the provider might fall back to are dropped, so a
        // test sees only what it configures itself.
        for (key, _) in std::env::vars_os() {
            let key_str = key.to_string_lossy();
            if key_str.starts_with("TF_CLI_ARGS")
                || matches!(
                    &*key_str,
                    "TF_DATA_DIR" | "TF_WORKSPACE" | "TF_PLUGIN_CACHE_DIR"
                )
                || key_str.starts_with("PG")
            {
                cmd.env_remove(&key);
            }
        }
        cmd.env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1");
        for (key, value) in self.env.lock().unwrap().iter() {
            cmd.env(key, value);
        }
        // Own process group, so a timeout kills provider plugins too, and
        // an interrupt reaches them as a Ctrl-C in a terminal would.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        Running::new(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", self.terraform.display())),
        )
    }

    /// [`Workspace::run`] that panics with the full output on failure.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        if !out.success() {
            panic!("terraform {} failed\n{}", args.join(" "), describe(&out));
        }
        out
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // Keep the evidence of a failing test when asked to.
        if std::thread::panicking() && std::env::var_os(KEEP_ENV).is_some() {
            if let Some(dir) = self.dir.take() {
                eprintln!(
                    "support::terraform: keeping workspace {}",
                    dir.keep().display()
                );
            }
        }
    }
}

/// One `import` block per `(address, ID)`, to append to a configuration:
/// the apply then imports them (the configuration-driven way, next to the
/// CLI's `terraform import`).
pub fn import_blocks<A: AsRef<str>, I: AsRef<str>>(imports: &[(A, I)]) -> String {
    imports
        .iter()
        .map(|(to, id)| {
            format!(
                "import {{\n  to = {}\n  id = {}\n}}\n",
                to.as_ref(),
                super::quote::hcl(id.as_ref())
            )
        })
        .collect()
}

fn describe(out: &Output) -> String {
    format!(
        "exit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status, out.stdout, out.stderr
    )
}

/// Waits for `child`, reading its pipes on threads so a chatty command
/// cannot block on a full pipe; kills its process group after `timeout`
/// (then the second value is true).
/// A command started with [`Workspace::spawn`]. Its output is read on
/// threads from the start, so a chatty command never blocks on a full pipe.
pub struct Running {
    child: Child,
    stdout: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Running {
    fn new(mut child: Child) -> Running {
        let read_all = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.read_to_end(&mut buf);
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let stdout = read_all(Box::new(child.stdout.take().expect("piped stdout")));
        let stderr = read_all(Box::new(child.stderr.take().expect("piped stderr")));
        Running {
            child,
            stdout,
            stderr,
        }
    }

    /// Sends SIGINT to the command's process group (Terraform and its
    /// provider plugins), like Ctrl-C in a terminal.
    pub fn interrupt(&self) {
        // SAFETY: kill(2) with a negative pid signals the process group
        // that `process_group(0)` created for this child.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGINT) };
    }

    /// Whether the command has exited.
    pub fn finished(&mut self) -> bool {
        self.child.try_wait().map(|s| s.is_some()).unwrap_or(true)
    }

    /// Waits for the command (killing it after the usual timeout).
    pub fn wait(self) -> Output {
        self.wait_with_timeout(COMMAND_TIMEOUT).0
    }

    /// Waits up to `timeout`, then kills the process group; the second value
    /// says whether that happened.
    fn wait_with_timeout(mut self, timeout: Duration) -> (Output, bool) {
        let deadline = Instant::now() + timeout;
        let mut timed_out = false;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for terraform") {
                break status;
            }
            if Instant::now() >= deadline {
                timed_out = true;
                // SAFETY: as in `interrupt`.
                unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
                break self.child.wait().expect("wait for killed terraform");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = Output {
            status: status.code().unwrap_or(-1),
            stdout: self.stdout.join().unwrap_or_default(),
            stderr: self.stderr.join().unwrap_or_default(),
        };
        (out, timed_out)
    }
}

fn find_resource(module: &serde_json::Value, addr: &str) -> Option<serde_json::Value> {
    if let Some(resources) = module["resources"].as_array() {
        if let Some(r) = resources.iter().find(|r| r["address"] == addr) {
            return Some(r["values"].clone());
        }
    }
    module["child_modules"]
        .as_array()?
        .iter()
        .find_map(|child| find_resource(child, addr))
}

fn collect_addresses(module: &serde_json::Value, out: &mut Vec<String>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        out.push(r["address"].as_str().unwrap_or_default().to_string());
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_addresses(child, out);
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
