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
//! * [`Step::fails`]: the plan or apply of the configuration must fail with
//!   the given text; later steps start from the last applied configuration
//!   (or the provider block alone when there is none yet).
//! * [`Step::import`]: imports an address by ID into a fresh state with the
//!   last applied configuration, requires that the plan for that address
//!   is empty there, and compares every attribute with the state the
//!   earlier steps left (except those named in [`Step::ignore`]).
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
//! * [`Step::destroy_fails`]: the destroy of what the earlier steps
//!   applied must fail with the given text; nothing is written, so later
//!   steps (and the final destroy, which must succeed) start from the same
//!   configuration and state.
//!
//! Checks are closures; they get the workspace, so they can look at state
//! or output, and capture whatever else they need (a SQL client, names).

use serde_json::Value as Json;

use super::terraform::{Output, Workspace};

type Check<'a> = Box<dyn Fn(&Workspace, &Output) + 'a>;
type Before<'a> = Box<dyn Fn(&Workspace) + 'a>;
type PlanCheck<'a> = Box<dyn Fn(&str) + 'a>;

enum Kind<'a> {
    Apply,
    PlanOnly,
    Fails(&'a str),
    Import {
        address: &'a str,
        id: String,
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
    DestroyFails(&'a str),
    Query(String),
}

impl Kind<'_> {
    /// Whether the step runs in a fresh workspace of its own, so that its
    /// configuration is never written into the main one.
    fn own_workspace(&self) -> bool {
        matches!(self, Kind::ImportExpect { .. } | Kind::ImportFails { .. })
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

    /// The plan (or, failing that, the apply) of `config` must fail, and
    /// its output contain `text`.
    pub fn fails(config: impl Into<String>, text: &'a str) -> Step<'a> {
        Step::new(Some(config.into()), Kind::Fails(text))
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
        if let Kind::Import { ignore, .. } = &mut self.kind {
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
}

impl<'a> TestCase<'a> {
    /// A test case whose configurations all start with `provider` (a
    /// provider block, e.g. [`super::Cluster::provider_block`]).
    pub fn new(provider: impl Into<String>) -> TestCase<'a> {
        TestCase {
            provider: provider.into(),
            steps: Vec::new(),
            check_destroy: Vec::new(),
        }
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
        let ws = Workspace::new();
        // A case whose first steps run in workspaces of their own still
        // ends with a destroy here.
        ws.write_config(&self.provider);
        let mut last_config: Option<String> = None;
        for (i, step) in self.steps.iter().enumerate() {
            let config = step
                .config
                .as_ref()
                .map(|hcl| format!("{}{hcl}", self.provider));
            if let (Some(c), false) = (&config, step.kind.own_workspace()) {
                ws.write_config(c);
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
                    let out = ws.apply_clean();
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
                    ws.write_config(last_config.as_deref().unwrap_or(&self.provider));
                }
                Kind::Fails(text) => {
                    let out = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
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
                        check(&ws, &out);
                    }
                    // Later steps, and the final destroy, start from the last
                    // good configuration: with none, the provider alone.
                    ws.write_config(last_config.as_deref().unwrap_or(&self.provider));
                }
                Kind::Import {
                    address,
                    id,
                    ignore,
                } => {
                    let config = last_config.as_ref().unwrap_or_else(|| {
                        panic!("step {i}: an import needs an applied step before it")
                    });
                    let fresh = Workspace::new();
                    fresh.write_config(config);
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
                Kind::ImportExpect { address, id } => {
                    let fresh = fresh_workspace(i, config.as_ref().or(last_config.as_ref()));
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
                    let fresh = fresh_workspace(i, config.as_ref().or(last_config.as_ref()));
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
        ws.destroy();
        for f in &self.check_destroy {
            f();
        }
    }
}

/// The configuration a [`Step::query`] generated in `ws`.
pub fn generated(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.path().join("generated.tf")).expect("generated.tf")
}

/// A workspace of its own for an import step, with `config` (the provider
/// block included).
fn fresh_workspace(step: usize, config: Option<&String>) -> Workspace {
    let config = config.unwrap_or_else(|| {
        panic!(
            "step {step}: an import needs a configuration: an applied step before it, or its own"
        )
    });
    let fresh = Workspace::new();
    fresh.write_config(config);
    fresh
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
