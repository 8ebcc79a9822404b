//! Acceptance tests as lists of steps, the way terraform-plugin-testing
//! writes them: a [`TestCase`] runs its [`Step`]s in order in one Terraform
//! workspace, then destroys everything and runs the destroy check.
//!
//! What each kind of step does:
//! * [`Step::apply`]: writes the configuration (after the provider block),
//!   runs what [`Step::before`] asks, checks what the plan shows when
//!   [`Step::plan_shows`] or [`Step::plan_check`] ask, applies, requires an
//!   empty plan, refreshes, requires an empty plan again, then runs the
//!   step's checks.
//! * [`Step::plan_only`]: the plan of the configuration must be empty;
//!   nothing is applied (terraform-plugin-testing's `PlanOnly`).
//! * [`Step::plan`]: the plan of the configuration must succeed, with or
//!   without changes; its checks read what it says (warnings, the summary
//!   line); nothing is applied.
//! * [`Step::fails`]: the plan or apply of the configuration must fail with
//!   the given text; later steps start from the last applied configuration
//!   (or the provider block alone when there is none yet).
//! * [`Step::validate_fails`]: `terraform validate` of the configuration
//!   must fail with the given text: checks that need no server.
//! * [`Step::import`]: imports an address by ID into a fresh state with the
//!   last applied configuration, requires that the plan for that address
//!   is empty there, and compares every attribute with the state the
//!   earlier steps left (except those named in [`Step::ignore`]).
//! * [`Step::import_blocks`]: the same for several addresses at once, with
//!   `import` blocks (Terraform's configuration-driven import) and an apply
//!   targeting them, instead of `terraform import`.
//! * [`Step::import_expect`]: imports an address by ID into a fresh state,
//!   with the step's own configuration when it has one ([`Step::config`])
//!   or else the last applied one; the plan for that address must then
//!   show changes, checked with [`Step::plan_shows`] and
//!   [`Step::plan_check`].
//! * [`Step::import_fails`]: the import of an address by ID into a fresh
//!   state must fail with the given text.
//! * [`Step::query`]: runs `terraform query` with a list block, writing
//!   the configuration it generates to `generated.tf` in the workspace,
//!   where later steps' plans and applies read it too (Terraform 1.14+).
//! * [`Step::destroy`]: destroys what the earlier steps applied, for
//!   checks of what comes after a destroy (the final destroy then has
//!   nothing left to do).
//! * [`Step::destroy_fails`]: the destroy of what the earlier steps
//!   applied must fail with the given text; nothing is written, so later
//!   steps (and the final destroy, which must succeed) start from the same
//!   configuration and state.
//!
//! An apply step can also apply only some addresses ([`Step::targets`]),
//! allow a plan that is never empty ([`Step::expect_non_empty_plan`]), or
//! act while the apply runs ([`Step::during`]). A case can set environment
//! variables (`TF_VAR_*` for a configuration's variables,
//! [`TestCase::env`]), Terraform's parallelism ([`TestCase::parallelism`]),
//! write configurations exactly as given ([`TestCase::raw`]), or leave
//! out the final destroy ([`TestCase::skip_destroy`]).
//!
//! Checks are closures; they get the workspace, so they can look at state
//! or output, and capture whatever else they need (a SQL client, names).

use serde_json::Value as Json;

use super::terraform::{import_blocks, Output, Workspace};

type Check<'a> = Box<dyn Fn(&Workspace, &Output) + 'a>;
type Before<'a> = Box<dyn Fn(&Workspace) + 'a>;
type PlanCheck<'a> = Box<dyn Fn(&str) + 'a>;

enum Kind<'a> {
    Apply,
    PlanOnly,
    Plan,
    Fails(&'a str),
    ValidateFails(&'a str),
    Import {
        address: &'a str,
        id: String,
        ignore: Vec<&'a str>,
    },
    ImportBlocks {
        imports: Vec<(String, String)>,
        ignore: Vec<&'a str>,
    },
    ImportExpect {
        address: &'a str,
        id: String,
    },
    ImportFails {
        address: &'a str,
        id: String,
        text: &'a str,
    },
    Destroy,
    DestroyFails(&'a str),
    Query(String),
}

impl Kind<'_> {
    /// Whether the step runs in a fresh workspace of its own, so that its
    /// configuration is never written into the main one.
    fn own_workspace(&self, fresh_state: bool) -> bool {
        matches!(self, Kind::ImportExpect { .. } | Kind::ImportFails { .. })
            || (fresh_state && matches!(self, Kind::Fails(_)))
    }
}

/// One step of a [`TestCase`].
pub struct Step<'a> {
    config: Option<String>,
    kind: Kind<'a>,
    before: Vec<Before<'a>>,
    plan_shows: Vec<String>,
    plan_checks: Vec<PlanCheck<'a>>,
    checks: Vec<Check<'a>>,
    targets: Vec<String>,
    non_empty_plan: bool,
    during: Vec<Before<'a>>,
    between: Vec<Before<'a>>,
    fresh_state: bool,
}

impl<'a> Step<'a> {
    fn new(config: Option<String>, kind: Kind<'a>) -> Step<'a> {
        Step {
            config,
            kind,
            before: Vec::new(),
            plan_shows: Vec::new(),
            plan_checks: Vec::new(),
            checks: Vec::new(),
            targets: Vec::new(),
            non_empty_plan: false,
            during: Vec::new(),
            between: Vec::new(),
            fresh_state: false,
        }
    }

    /// Applies `config` (HCL after the provider block) and requires empty
    /// plans after apply and after refresh.
    pub fn apply(config: impl Into<String>) -> Step<'a> {
        Step::new(Some(config.into()), Kind::Apply)
    }

    /// The plan of `config` must be empty; nothing is applied, and later
    /// steps (imports included) still use the last applied configuration.
    pub fn plan_only(config: impl Into<String>) -> Step<'a> {
        Step::new(Some(config.into()), Kind::PlanOnly)
    }

    /// The plan of `config` must succeed, with or without changes; the
    /// step's checks get its output (for plan-time warnings, which only a
    /// plan that has changes may show). Nothing is applied, and later steps
    /// still use the last applied configuration.
    pub fn plan(config: impl Into<String>) -> Step<'a> {
        Step::new(Some(config.into()), Kind::Plan)
    }

    /// The plan (or, failing that, the apply) of `config` must fail, and
    /// its output contain `text`.
    pub fn fails(config: impl Into<String>, text: &'a str) -> Step<'a> {
        Step::new(Some(config.into()), Kind::Fails(text))
    }

    /// `terraform validate` of `config` must fail, its output containing
    /// `text`: for checks that must not need the server (validate never
    /// configures the provider). Later steps start from the last applied
    /// configuration.
    pub fn validate_fails(config: impl Into<String>, text: &'a str) -> Step<'a> {
        Step::new(Some(config.into()), Kind::ValidateFails(text))
    }

    /// Imports `address` by `id` into a fresh state, with the configuration
    /// of the last applied step, and compares it with the current state.
    pub fn import(address: &'a str, id: impl Into<String>) -> Step<'a> {
        Step::new(
            None,
            Kind::Import {
                address,
                id: id.into(),
                ignore: Vec::new(),
            },
        )
    }

    /// Imports every `(address, id)` into one fresh state, with the last
    /// applied configuration plus an `import` block for each, applied with
    /// `-target`s on those addresses (the rest of the configuration belongs
    /// to the main workspace); the plan for them must then be empty, and
    /// each compares with the current state as in [`Step::import`].
    pub fn import_blocks<A: Into<String>, I: Into<String>>(
        imports: impl IntoIterator<Item = (A, I)>,
    ) -> Step<'a> {
        Step::new(
            None,
            Kind::ImportBlocks {
                imports: imports
                    .into_iter()
                    .map(|(a, i)| (a.into(), i.into()))
                    .collect(),
                ignore: Vec::new(),
            },
        )
    }

    /// Imports `address` by `id` into a fresh state; the plan for it must
    /// then show changes (see [`Step::plan_shows`], [`Step::plan_check`]).
    /// Uses the last applied configuration unless [`Step::config`] gives
    /// one.
    pub fn import_expect(address: &'a str, id: impl Into<String>) -> Step<'a> {
        Step::new(
            None,
            Kind::ImportExpect {
                address,
                id: id.into(),
            },
        )
    }

    /// The import of `address` by `id` into a fresh state must fail, its
    /// output containing `text`. Uses the last applied configuration unless
    /// [`Step::config`] gives one.
    pub fn import_fails(address: &'a str, id: impl Into<String>, text: &'a str) -> Step<'a> {
        Step::new(
            None,
            Kind::ImportFails {
                address,
                id: id.into(),
                text,
            },
        )
    }

    /// Destroys what the earlier steps applied; the step's checks get the
    /// destroy's output (terraform-plugin-testing's `Destroy: true`).
    pub fn destroy() -> Step<'a> {
        Step::new(None, Kind::Destroy)
    }

    /// The destroy of what the earlier steps applied must fail, its output
    /// containing `text`. The step's checks get the destroy's output; a
    /// later step (or the final destroy) needs the cause removed, e.g. in
    /// its [`Step::before`].
    pub fn destroy_fails(text: &'a str) -> Step<'a> {
        Step::new(None, Kind::DestroyFails(text))
    }

    /// Runs `terraform query` with `list` (a `.tfquery.hcl` file), writing
    /// what it generates to `generated.tf`; the step's checks can read it
    /// there ([`generated`]).
    pub fn query(list: impl Into<String>) -> Step<'a> {
        Step::new(None, Kind::Query(list.into()))
    }

    /// The configuration (HCL after the provider block) of an
    /// [`Step::import_expect`] or [`Step::import_fails`] step.
    pub fn config(mut self, config: impl Into<String>) -> Step<'a> {
        self.config = Some(config.into());
        self
    }

    /// Attributes an import cannot know (write-only values, configuration
    /// only settings) and so leaves out of the comparison.
    pub fn ignore(mut self, attributes: &[&'a str]) -> Step<'a> {
        if let Kind::Import { ignore, .. } | Kind::ImportBlocks { ignore, .. } = &mut self.kind {
            ignore.extend_from_slice(attributes);
        }
        self
    }

    /// Runs `f` before the step (for example a change made outside
    /// Terraform, whose drift the step's plan should show).
    pub fn before(mut self, f: impl Fn(&Workspace) + 'a) -> Step<'a> {
        self.before.push(Box::new(f));
        self
    }

    /// The plan before the apply must have changes, showing every text.
    pub fn plan_shows(mut self, texts: &[&str]) -> Step<'a> {
        self.plan_shows
            .extend(texts.iter().map(|t| (*t).to_string()));
        self
    }

    /// The plan before the apply must have changes; `f` gets its text, for
    /// checks finer than [`Step::plan_shows`] (a line's old and new value).
    pub fn plan_check(mut self, f: impl Fn(&str) + 'a) -> Step<'a> {
        self.plan_checks.push(Box::new(f));
        self
    }

    /// Applies only `addresses` (`-target`), as a README that has some
    /// objects made first asks. The rest of the configuration is still to
    /// be created, so the plan afterwards is not required to be empty.
    pub fn targets(mut self, addresses: &[&str]) -> Step<'a> {
        self.targets
            .extend(addresses.iter().map(|a| (*a).to_string()));
        self
    }

    /// The apply succeeds but the plans after it need not be empty (and no
    /// refresh is run): terraform-plugin-testing's `ExpectNonEmptyPlan`,
    /// for configurations Terraform always plans something for (a data
    /// source in a `check` block is read again at every apply).
    pub fn expect_non_empty_plan(mut self) -> Step<'a> {
        self.non_empty_plan = true;
        self
    }

    /// Runs a [`Step::fails`] step in a workspace of its own, with no state:
    /// as a second configuration managing the same objects would, e.g. to
    /// create what the earlier steps made already.
    pub fn fresh_state(mut self) -> Step<'a> {
        self.fresh_state = true;
        self
    }

    /// Runs `f` while the apply runs (it is started in the background and
    /// waited for after every `f`): for what happens concurrently with an
    /// apply, e.g. another session acting while a lock holds the provider.
    pub fn during(mut self, f: impl Fn(&Workspace) + 'a) -> Step<'a> {
        self.during.push(Box::new(f));
        self
    }

    /// Saves the plan (`plan -out`), runs `f`, then applies the saved plan,
    /// as a pipeline that plans and applies in two jobs does: for what
    /// changes between the two (objects created meanwhile).
    pub fn between_plan_and_apply(mut self, f: impl Fn(&Workspace) + 'a) -> Step<'a> {
        self.between.push(Box::new(f));
        self
    }

    /// Runs `f` after the step, with the apply's output.
    pub fn check(mut self, f: impl Fn(&Workspace, &Output) + 'a) -> Step<'a> {
        self.checks.push(Box::new(f));
        self
    }
}

/// Steps run in order in one workspace, then a destroy.
pub struct TestCase<'a> {
    provider: String,
    steps: Vec<Step<'a>>,
    check_destroy: Vec<Box<dyn Fn() + 'a>>,
    raw: bool,
    env: Vec<(String, String)>,
    parallelism: Option<u32>,
    skip_destroy: bool,
}

impl<'a> TestCase<'a> {
    /// A test case whose configurations all start with `provider` (a
    /// provider block, e.g. [`super::Cluster::provider_block`]).
    pub fn new(provider: impl Into<String>) -> TestCase<'a> {
        TestCase {
            provider: provider.into(),
            steps: Vec::new(),
            check_destroy: Vec::new(),
            raw: false,
            env: Vec::new(),
            parallelism: None,
            skip_destroy: false,
        }
    }

    /// Writes every configuration exactly as given, without the `terraform`
    /// block [`Workspace::write_config`] adds: for a shipped example, which
    /// brings its own `terraform` and provider blocks (then `provider` is
    /// the example's text, or empty).
    pub fn raw(mut self) -> TestCase<'a> {
        self.raw = true;
        self
    }

    /// Sets an environment variable for every Terraform command of the case
    /// (imports' workspaces too): `TF_VAR_name` gives a configuration's
    /// variable, as `-var` would.
    pub fn env(mut self, key: &str, value: &str) -> TestCase<'a> {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Applies and destroys with `-parallelism=n`: Terraform's default of
    /// 10 is too few to make many changes to the same catalog rows at once.
    pub fn parallelism(mut self, n: u32) -> TestCase<'a> {
        self.parallelism = Some(n);
        self
    }

    /// Leaves out the final destroy: for a case that adopts objects it did
    /// not make (a whole estate imported on a cluster of its own, which is
    /// thrown away after), whose destroy would fail on what the objects
    /// hold that the configuration does not (tables in a schema). The
    /// destroy checks still run.
    pub fn skip_destroy(mut self) -> TestCase<'a> {
        self.skip_destroy = true;
        self
    }

    /// Adds a step.
    pub fn step(mut self, step: Step<'a>) -> TestCase<'a> {
        self.steps.push(step);
        self
    }

    /// Adds a step when `cond` holds.
    pub fn step_if(self, cond: bool, step: Step<'a>) -> TestCase<'a> {
        if cond {
            self.step(step)
        } else {
            self
        }
    }

    /// Runs `f` after the final destroy.
    pub fn check_destroy(mut self, f: impl Fn() + 'a) -> TestCase<'a> {
        self.check_destroy.push(Box::new(f));
        self
    }

    /// Runs every step, destroys, runs the destroy checks.
    pub fn run(self) {
        let ws = self.workspace();
        // A case whose first steps run in workspaces of their own still
        // ends with a destroy here.
        self.write(&ws, &self.provider);
        let mut last_config: Option<String> = None;
        for (i, step) in self.steps.iter().enumerate() {
            let config = step
                .config
                .as_ref()
                .map(|hcl| format!("{}{hcl}", self.provider));
            if let (Some(c), false) = (&config, step.kind.own_workspace(step.fresh_state)) {
                self.write(&ws, c);
            }
            for f in &step.before {
                f(&ws);
            }
            match &step.kind {
                Kind::Apply => {
                    if !step.plan_shows.is_empty() || !step.plan_checks.is_empty() {
                        let plan = ws.assert_changes();
                        for text in &step.plan_shows {
                            assert!(
                                plan.contains(text.as_str()),
                                "step {i}: the plan does not show {text:?}:\n{plan}"
                            );
                        }
                        for f in &step.plan_checks {
                            f(&plan);
                        }
                    }
                    let out = self.apply(&ws, step);
                    last_config = config;
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                }
                Kind::PlanOnly => {
                    let (code, out) = ws.plan_exit_code();
                    assert_eq!(
                        code,
                        0,
                        "step {i}: expected an empty plan:\n{}",
                        out.combined()
                    );
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                    // Later steps start from the last applied configuration.
                    self.write(&ws, last_config.as_deref().unwrap_or(&self.provider));
                }
                Kind::Plan => {
                    let out = ws.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
                    assert_ne!(
                        out.status,
                        1,
                        "step {i}: the plan failed:\n{}",
                        out.combined()
                    );
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                    self.write(&ws, last_config.as_deref().unwrap_or(&self.provider));
                }
                Kind::ValidateFails(text) => {
                    let out = ws.run(&["validate", "-no-color"]);
                    assert!(
                        !out.success(),
                        "step {i}: expected validate to fail mentioning {text:?}, but it passed"
                    );
                    assert!(
                        out.combined().contains(text),
                        "step {i}: validate does not mention {text:?}:\n{}",
                        out.combined()
                    );
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                    self.write(&ws, last_config.as_deref().unwrap_or(&self.provider));
                }
                Kind::Fails(text) => {
                    // A fresh state of its own, or the main workspace's.
                    let fresh = step
                        .fresh_state
                        .then(|| self.fresh_workspace(i, config.as_ref()));
                    let target = fresh.as_ref().unwrap_or(&ws);
                    let out = target.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
                    assert!(
                        !out.success(),
                        "step {i}: expected a failure mentioning {text:?}, but it applied"
                    );
                    assert!(
                        out.combined().contains(text),
                        "step {i}: the failure does not mention {text:?}:\n{}",
                        out.combined()
                    );
                    for check in &step.checks {
                        check(target, &out);
                    }
                    // Later steps, and the final destroy, start from the last
                    // good configuration: with none, the provider alone.
                    if fresh.is_none() {
                        self.write(&ws, last_config.as_deref().unwrap_or(&self.provider));
                    }
                }
                Kind::Import {
                    address,
                    id,
                    ignore,
                } => {
                    let config = last_config.as_ref().unwrap_or_else(|| {
                        panic!("step {i}: an import needs an applied step before it")
                    });
                    let fresh = self.workspace();
                    self.write(&fresh, config);
                    let out = fresh.import(address, id);
                    let target = format!("-target={address}");
                    let plan = fresh.run(&[
                        "plan",
                        "-detailed-exitcode",
                        "-input=false",
                        "-no-color",
                        &target,
                    ]);
                    assert_eq!(
                        plan.status,
                        0,
                        "step {i}: the plan after importing {address} is not empty:\n{}",
                        plan.combined()
                    );
                    let imported = fresh.state_resource(address);
                    let applied = ws.state_resource(address);
                    assert_same_attributes(i, address, &applied, &imported, ignore);
                    for check in &step.checks {
                        check(&fresh, &out);
                    }
                    // Dropping `fresh` removes its directory only: the
                    // objects belong to the main workspace.
                }
                Kind::ImportBlocks { imports, ignore } => {
                    let config = last_config.as_ref().unwrap_or_else(|| {
                        panic!("step {i}: an import needs an applied step before it")
                    });
                    let fresh = self.workspace();
                    self.write(&fresh, &format!("{config}\n{}", import_blocks(imports)));
                    let targets: Vec<String> = imports
                        .iter()
                        .map(|(address, _)| format!("-target={address}"))
                        .collect();
                    let mut apply = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
                    apply.extend(targets.iter().map(String::as_str));
                    let out = fresh.run_ok(&apply);
                    let mut plan = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
                    plan.extend(targets.iter().map(String::as_str));
                    let plan = fresh.run(&plan);
                    assert_eq!(
                        plan.status,
                        0,
                        "step {i}: the plan after the import blocks is not empty:\n{}",
                        plan.combined()
                    );
                    for (address, _) in imports {
                        let imported = fresh.state_resource(address);
                        let applied = ws.state_resource(address);
                        assert_same_attributes(i, address, &applied, &imported, ignore);
                    }
                    for check in &step.checks {
                        check(&fresh, &out);
                    }
                }
                Kind::ImportExpect { address, id } => {
                    let fresh = self.fresh_workspace(i, config.as_ref().or(last_config.as_ref()));
                    let out = fresh.import(address, id);
                    let target = format!("-target={address}");
                    let plan = fresh.run(&[
                        "plan",
                        "-detailed-exitcode",
                        "-input=false",
                        "-no-color",
                        &target,
                    ]);
                    assert_eq!(
                        plan.status,
                        2,
                        "step {i}: the plan after importing {address} should show changes:\n{}",
                        plan.combined()
                    );
                    for text in &step.plan_shows {
                        assert!(
                            plan.stdout.contains(text.as_str()),
                            "step {i}: the plan after importing {address} does not show \
                             {text:?}:\n{}",
                            plan.stdout
                        );
                    }
                    for f in &step.plan_checks {
                        f(&plan.stdout);
                    }
                    for check in &step.checks {
                        check(&fresh, &out);
                    }
                }
                Kind::ImportFails { address, id, text } => {
                    let fresh = self.fresh_workspace(i, config.as_ref().or(last_config.as_ref()));
                    let out = fresh.run(&["import", "-input=false", "-no-color", address, id]);
                    assert!(
                        !out.success(),
                        "step {i}: expected the import of {address} to fail mentioning \
                         {text:?}, but it succeeded"
                    );
                    assert!(
                        out.combined().contains(text),
                        "step {i}: the failed import does not mention {text:?}:\n{}",
                        out.combined()
                    );
                    for check in &step.checks {
                        check(&fresh, &out);
                    }
                }
                Kind::Query(list) => {
                    ws.write_file("query.tfquery.hcl", list);
                    let out =
                        ws.run_ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                }
                Kind::Destroy => {
                    let out = self.destroy(&ws);
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                }
                Kind::DestroyFails(text) => {
                    let out = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
                    assert!(
                        !out.success(),
                        "step {i}: expected the destroy to fail mentioning {text:?}, but it \
                         succeeded"
                    );
                    assert!(
                        out.combined().contains(text),
                        "step {i}: the failed destroy does not mention {text:?}:\n{}",
                        out.combined()
                    );
                    for check in &step.checks {
                        check(&ws, &out);
                    }
                }
            }
        }
        if !self.skip_destroy {
            self.destroy(&ws);
        }
        for f in &self.check_destroy {
            f();
        }
    }
}

impl TestCase<'_> {
    /// A workspace with the case's environment.
    fn workspace(&self) -> Workspace {
        let ws = Workspace::new();
        for (key, value) in &self.env {
            ws.env(key, value);
        }
        ws
    }

    /// Writes `config` (the provider block included) into `ws`.
    fn write(&self, ws: &Workspace, config: &str) {
        if self.raw {
            ws.write_config_raw(config);
        } else {
            ws.write_config(config);
        }
    }

    /// The apply of an apply step: with its targets, its parallelism and
    /// what runs during it; then, unless it is targeted or expects them
    /// not to be, empty plans before and after a refresh.
    fn apply(&self, ws: &Workspace, step: &Step<'_>) -> Output {
        let mut args: Vec<String> = ["apply", "-auto-approve", "-input=false", "-no-color"]
            .map(String::from)
            .to_vec();
        args.extend(self.parallelism.map(|n| format!("-parallelism={n}")));
        args.extend(step.targets.iter().map(|t| format!("-target={t}")));
        if !step.between.is_empty() {
            let out = ws.run(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
            assert!(out.success(), "the plan failed:\n{}", out.combined());
            for f in &step.between {
                f(ws);
            }
            args.push("tfplan".to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let running = ws.spawn(&args);
        for f in &step.during {
            f(ws);
        }
        let out = running.wait();
        assert!(
            out.success(),
            "terraform {} failed:\n{}",
            args.join(" "),
            out.combined()
        );
        if step.targets.is_empty() && !step.non_empty_plan {
            ws.assert_no_changes();
            ws.refresh();
            ws.assert_no_changes();
        }
        out
    }

    /// `terraform destroy`, with the case's parallelism.
    fn destroy(&self, ws: &Workspace) -> Output {
        let mut args = vec!["destroy", "-auto-approve", "-input=false", "-no-color"];
        let parallelism = self.parallelism.map(|n| format!("-parallelism={n}"));
        args.extend(parallelism.as_deref());
        ws.run_ok(&args)
    }

    /// A workspace of its own for an import step, with `config` (the
    /// provider block included).
    fn fresh_workspace(&self, step: usize, config: Option<&String>) -> Workspace {
        let config = config.unwrap_or_else(|| {
            panic!(
                "step {step}: an import needs a configuration: an applied step before it, or \
                 its own"
            )
        });
        let fresh = self.workspace();
        self.write(&fresh, config);
        fresh
    }
}

/// The configuration a [`Step::query`] generated in `ws`.
pub fn generated(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.path().join("generated.tf")).expect("generated.tf")
}

/// Every attribute of `imported` equals the one in `applied`, except the
/// ignored ones.
fn assert_same_attributes(
    step: usize,
    address: &str,
    applied: &Json,
    imported: &Json,
    ignore: &[&str],
) {
    let empty = serde_json::Map::new();
    let a = applied.as_object().unwrap_or(&empty);
    let b = imported.as_object().unwrap_or(&empty);
    let mut differ = Vec::new();
    for key in a.keys().chain(b.keys()) {
        if ignore.contains(&key.as_str()) || differ.contains(key) {
            continue;
        }
        if a.get(key) != b.get(key) {
            differ.push(key.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "step {step}: importing {address} gives other values for {differ:?}\n\
         applied:  {applied}\nimported: {imported}"
    );
}
