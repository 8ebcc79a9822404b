//! In-process tests of the action and ephemeral resource RPCs, and of what
//! an apply answers besides the new state (warnings, the state after a
//! change that failed half-way), on a toy provider that needs no
//! PostgreSQL: the service is called as tonic calls it, with requests as
//! Terraform builds them and with malformed ones.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use futures::StreamExt;
use tonic::Request;

use super::ProviderService;
use crate::model;
use crate::protocol::cty::{encode_msgpack, Type, Value};
use crate::protocol::diagnostics::{warn_in_apply, DResult, Diagnostic, Diagnostics};
use crate::protocol::generated::tfplugin6 as pb;
use crate::protocol::generated::tfplugin6::provider_server::Provider as _;
use crate::protocol::model::{computed, optional, required, Model};
use crate::protocol::resource::{DataSource, Provider, Resource};
use crate::protocol::schema::{Problem, Schema};
use crate::protocol::stateless::action::{Action, ActionType, Progress};
use crate::protocol::stateless::ephemeral::{
    EphemeralResource, EphemeralResourceType, Opened, Renewed,
};
use crate::protocol::typed::ResourceType;
use crate::protocol::Tf;

fn no_bang(attr: &str, v: &str) -> Option<Problem> {
    v.contains('!')
        .then(|| Problem::new("Bang", format!("{attr} must not contain !")))
}

model! {
    /// The toy action's configuration.
    pub struct EchoModel {
        message: String = required("What to say.").each(no_bang),
        times: i64 = optional("How often.").default(2),
    }
}

struct Echo;

#[async_trait]
impl ActionType for Echo {
    type Model = EchoModel;
    const NAME: &'static str = "toy_echo";

    fn description(&self) -> String {
        "Says a message.".into()
    }

    async fn plan(&self, config: &Value) -> Diagnostics {
        match EchoModel::from_value_known(config) {
            Some(m) => Diagnostic::warning(
                "Will Echo",
                format!("will say {} {} times", m.message, m.times),
            )
            .into(),
            None => Diagnostic::warning("Checked At Invoke", "not known yet").into(),
        }
    }

    async fn invoke(&self, config: EchoModel, progress: &Progress) -> DResult<Diagnostics> {
        for i in 0..config.times {
            progress.report(format!("{} {i}", config.message));
        }
        if config.message == "fail" {
            return Err(Diagnostic::error("Failed", "as asked").at("message").into());
        }
        Ok(Diagnostics::new())
    }
}

model! {
    /// The toy ephemeral resource.
    pub struct SecretModel {
        prefix: String = optional("Prefix.").default("p"),
        unavailable: bool = optional("Pretend the provider is not configured.").default(false),
        value: Tf<String> = computed("The secret.").sensitive(),
    }
}

struct Secret {
    closed: Arc<Mutex<Vec<String>>>,
}

#[async_trait]
impl EphemeralResourceType for Secret {
    type Model = SecretModel;
    const NAME: &'static str = "toy_secret";

    fn description(&self) -> String {
        "A secret.".into()
    }

    async fn open(&self, config: SecretModel) -> DResult<(SecretModel, Opened)> {
        if config.unavailable {
            let why = "not configured".to_string();
            return Ok((config, Opened::ProviderConfigUnknown { why }));
        }
        let private = config.prefix.clone().into_bytes();
        let model = SecretModel {
            value: Tf::Known(format!("{}-1", config.prefix)),
            ..config
        };
        let opened = Opened::Open {
            result: Value::Null,
            renew_at: Some(SystemTime::now() + Duration::from_secs(60)),
            private,
            warnings: Diagnostics::new(),
        };
        Ok((model, opened))
    }

    async fn renew(&self, private: &[u8]) -> DResult<Renewed> {
        if private.is_empty() {
            return Err(Diagnostic::error("Nothing To Renew", "empty").into());
        }
        Ok(Renewed {
            renew_at: Some(SystemTime::now() + Duration::from_secs(60)),
            private: None,
        })
    }

    async fn close(&self, private: &[u8]) -> DResult<()> {
        let name = String::from_utf8_lossy(private).into_owned();
        self.closed.lock().expect("not poisoned").push(name);
        Ok(())
    }
}

model! {
    /// The toy resource: made in two steps, the first of which commits.
    pub struct HalfModel {
        name: String = required("Its name; `half…` fails after the first step."),
        steps: Tf<i64> = computed("How many steps are done."),
    }
}

struct Half;

#[async_trait]
impl ResourceType for Half {
    type Model = HalfModel;
    const NAME: &'static str = "toy_half";

    fn description(&self) -> String {
        "Made in two steps.".into()
    }

    async fn create(&self, planned: HalfModel, _: HalfModel) -> DResult<HalfModel> {
        warn_in_apply(Diagnostic::warning("Step One Done", planned.name.clone()));
        if planned.name.starts_with("half") {
            return Err(Diagnostic::error("Step Two Failed", "as asked").into());
        }
        Ok(HalfModel {
            steps: Tf::Known(2),
            ..planned
        })
    }

    async fn update(&self, _: HalfModel, planned: HalfModel, c: HalfModel) -> DResult<HalfModel> {
        ResourceType::create(self, planned, c).await
    }

    async fn delete(&self, _: HalfModel) -> DResult<()> {
        Ok(())
    }

    async fn read(&self, current: HalfModel) -> DResult<Option<HalfModel>> {
        Ok(Some(current))
    }

    async fn import(&self, id: &str) -> DResult<HalfModel> {
        Ok(HalfModel {
            name: id.into(),
            steps: Tf::Known(2),
        })
    }

    async fn after_failure(&self, _: Option<HalfModel>, planned: HalfModel) -> Option<HalfModel> {
        (planned.name != "half-unknown").then_some(HalfModel {
            steps: Tf::Known(1),
            ..planned
        })
    }
}

struct Toy {
    closed: Arc<Mutex<Vec<String>>>,
}

#[async_trait]
impl Provider for Toy {
    fn schema(&self) -> Schema {
        Schema::default()
    }

    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Diagnostics {
        Diagnostics::new()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Half)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        vec![Arc::new(Echo)]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(Secret {
            closed: self.closed.clone(),
        })]
    }
}

fn service() -> (ProviderService, Arc<Mutex<Vec<String>>>) {
    let closed = Arc::new(Mutex::new(Vec::new()));
    let toy = Toy {
        closed: closed.clone(),
    };
    (ProviderService::new(Arc::new(toy)), closed)
}

fn echo_type() -> Type {
    EchoModel::block("").implied_type()
}

fn secret_type() -> Type {
    SecretModel::block("").implied_type()
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).expect("encodes"),
        json: Vec::new(),
    })
}

/// Not msgpack of anything: a map header promising more than follows.
fn garbage() -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: vec![0x8f, 0xa1],
        json: Vec::new(),
    })
}

fn echo(message: Value, times: Value) -> Option<pb::DynamicValue> {
    dv(
        &Value::object([("message", message), ("times", times)]),
        &echo_type(),
    )
}

fn summaries(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.summary.clone()).collect()
}

fn errors(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[tokio::test]
async fn schema_and_metadata_list_actions_and_ephemeral_resources() {
    let (svc, _) = service();
    let schema = svc
        .get_provider_schema(Request::new(Default::default()))
        .await
        .expect("answers")
        .into_inner();
    let action = schema.action_schemas["toy_echo"]
        .schema
        .as_ref()
        .and_then(|s| s.block.as_ref())
        .expect("an action block");
    let times = action
        .attributes
        .iter()
        .find(|a| a.name == "times")
        .expect("times");
    // An action's configuration is input only.
    assert!(times.optional && !times.computed);
    let eph = schema.ephemeral_resource_schemas["toy_secret"]
        .block
        .as_ref()
        .expect("an ephemeral block");
    let value = eph.attributes.iter().find(|a| a.name == "value");
    assert!(value.is_some_and(|a| a.computed && a.sensitive));

    let meta = svc
        .get_metadata(Request::new(Default::default()))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(meta.actions[0].type_name, "toy_echo");
    assert_eq!(meta.ephemeral_resources[0].type_name, "toy_secret");
}

#[tokio::test]
async fn validate_action_config_runs_validators_and_refuses_bad_input() {
    let (svc, _) = service();
    let validate = |type_name: &str, config| {
        svc.validate_action_config(Request::new(pb::validate_action_config::Request {
            type_name: type_name.into(),
            config,
        }))
    };
    let ok = validate("toy_echo", echo(Value::string("hi"), Value::Null))
        .await
        .expect("answers")
        .into_inner();
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    let bang = validate("toy_echo", echo(Value::string("hi!"), Value::Null))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(summaries(&bang.diagnostics), ["Bang"]);
    let unknown_value = validate("toy_echo", echo(Value::unknown(), Value::Null))
        .await
        .expect("answers")
        .into_inner();
    assert!(unknown_value.diagnostics.is_empty());
    let garbled = validate("toy_echo", garbage())
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(
        summaries(&garbled.diagnostics),
        ["Provider Value Encoding Error"]
    );
    let other = validate("toy_nope", echo(Value::string("hi"), Value::Null))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(summaries(&other.diagnostics), ["Unknown Action Type"]);
    let missing = validate("toy_echo", None)
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(
        summaries(&missing.diagnostics),
        ["Missing Action Configuration"]
    );
}

#[tokio::test]
async fn plan_action_warns_what_will_happen_and_waits_for_unknowns() {
    let (svc, _) = service();
    let plan = |config| {
        svc.plan_action(Request::new(pb::plan_action::Request {
            action_type: "toy_echo".into(),
            config,
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
            }),
        }))
    };
    let known = plan(echo(Value::string("hi"), Value::Null))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(known.diagnostics[0].detail, "will say hi 2 times");
    assert!(known.deferred.is_none());
    let unknown = plan(echo(Value::unknown(), Value::int(3)))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(summaries(&unknown.diagnostics), ["Checked At Invoke"]);
    let garbled = plan(garbage()).await.expect("answers").into_inner();
    assert_eq!(errors(&garbled.diagnostics).len(), 1);
}

/// Every event of an invocation, in order.
async fn invoke(svc: &ProviderService, config: Option<pb::DynamicValue>) -> Vec<String> {
    let stream = svc
        .invoke_action(Request::new(pb::invoke_action::Request {
            action_type: "toy_echo".into(),
            config,
            client_capabilities: None,
        }))
        .await
        .expect("answers")
        .into_inner();
    let events: Vec<_> = stream.collect().await;
    events
        .into_iter()
        .map(|e| match e.expect("no status").r#type {
            Some(pb::invoke_action::event::Type::Progress(p)) => format!("progress {}", p.message),
            Some(pb::invoke_action::event::Type::Completed(c)) => {
                format!("completed {:?}", summaries(&c.diagnostics))
            }
            None => "empty".into(),
        })
        .collect()
}

#[tokio::test]
async fn invoke_action_streams_progress_then_completes() {
    let (svc, _) = service();
    assert_eq!(
        invoke(&svc, echo(Value::string("hi"), Value::int(3))).await,
        [
            "progress hi 0",
            "progress hi 1",
            "progress hi 2",
            "completed []"
        ]
    );
    assert_eq!(
        invoke(&svc, echo(Value::string("fail"), Value::int(1))).await,
        ["progress fail 0", "completed [\"Failed\"]"]
    );
    assert_eq!(
        invoke(&svc, garbage()).await,
        ["completed [\"Provider Value Encoding Error\"]"]
    );
    assert_eq!(
        invoke(&svc, echo(Value::unknown(), Value::Null)).await,
        ["completed [\"Action Configuration Not Known\"]"]
    );
    assert_eq!(
        invoke(&svc, echo(Value::string("no!"), Value::Null)).await,
        ["completed [\"Bang\"]"]
    );
}

fn secret(prefix: Value, unavailable: Value) -> Option<pb::DynamicValue> {
    dv(
        &Value::object([
            ("prefix", prefix),
            ("unavailable", unavailable),
            ("value", Value::Null),
        ]),
        &secret_type(),
    )
}

async fn open(
    svc: &ProviderService,
    config: Option<pb::DynamicValue>,
    deferral_allowed: bool,
) -> pb::open_ephemeral_resource::Response {
    svc.open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
        type_name: "toy_secret".into(),
        config,
        client_capabilities: Some(pb::ClientCapabilities {
            deferral_allowed,
            write_only_attributes_allowed: true,
        }),
    }))
    .await
    .expect("answers")
    .into_inner()
}

fn decode_result(r: &pb::open_ephemeral_resource::Response) -> Value {
    let raw = r.result.as_ref().expect("a result");
    crate::protocol::cty::decode_msgpack(&raw.msgpack, &secret_type()).expect("decodes")
}

#[tokio::test]
async fn ephemeral_open_renew_close() {
    let (svc, closed) = service();
    let opened = open(&svc, secret(Value::Null, Value::Null), false).await;
    assert!(opened.diagnostics.is_empty(), "{:?}", opened.diagnostics);
    let result = decode_result(&opened);
    assert_eq!(result.get("value").as_str(), Some("p-1"));
    // The result keeps the configuration as written: no default filled in.
    assert!(result.get("prefix").is_null());
    assert!(opened.renew_at.is_some());
    assert_eq!(opened.private.as_deref(), Some(&b"p"[..]));

    let renewed = svc
        .renew_ephemeral_resource(Request::new(pb::renew_ephemeral_resource::Request {
            type_name: "toy_secret".into(),
            private: opened.private.clone(),
        }))
        .await
        .expect("answers")
        .into_inner();
    assert!(renewed.diagnostics.is_empty());
    assert!(renewed.renew_at.is_some());
    // Kept when the resource gives no new private bytes.
    assert_eq!(renewed.private, opened.private);

    let closing = svc
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "toy_secret".into(),
            private: opened.private.clone(),
        }))
        .await
        .expect("answers")
        .into_inner();
    assert!(closing.diagnostics.is_empty());
    assert_eq!(*closed.lock().expect("not poisoned"), ["p"]);
}

#[tokio::test]
async fn ephemeral_bad_requests_become_diagnostics() {
    let (svc, _) = service();
    let garbled = open(&svc, garbage(), false).await;
    assert_eq!(
        summaries(&garbled.diagnostics),
        ["Provider Value Encoding Error"]
    );
    assert!(garbled.result.is_none() && garbled.private.is_none());

    // Unknown configuration: an unknown result, nothing opened.
    let unknown = open(&svc, secret(Value::unknown(), Value::Null), false).await;
    assert!(unknown.diagnostics.is_empty());
    assert!(decode_result(&unknown).is_unknown());
    assert!(unknown.private.is_none());

    let refused = open(&svc, secret(Value::Null, Value::bool(true)), false).await;
    assert_eq!(
        summaries(&refused.diagnostics),
        ["Provider Configuration Not Known Yet"]
    );
    let deferred = open(&svc, secret(Value::Null, Value::bool(true)), true).await;
    assert!(deferred.diagnostics.is_empty());
    assert_eq!(
        deferred.deferred.map(|d| d.reason),
        Some(pb::deferred::Reason::ProviderConfigUnknown as i32)
    );

    let renew_nothing = svc
        .renew_ephemeral_resource(Request::new(pb::renew_ephemeral_resource::Request {
            type_name: "toy_secret".into(),
            private: None,
        }))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(summaries(&renew_nothing.diagnostics), ["Nothing To Renew"]);

    let validate_other = svc
        .validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: "toy_nope".into(),
                config: secret(Value::Null, Value::Null),
            },
        ))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(
        summaries(&validate_other.diagnostics),
        ["Unknown Ephemeral Resource Type"]
    );
    let close_other = svc
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "toy_nope".into(),
            private: None,
        }))
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(
        summaries(&close_other.diagnostics),
        ["Unknown Ephemeral Resource Type"]
    );
}

async fn apply_half(
    svc: &ProviderService,
    prior: &str,
    name: &str,
) -> pb::apply_resource_change::Response {
    let ty = HalfModel::block("").implied_type();
    let state =
        |name: &str, steps: Value| Value::object([("name", Value::string(name)), ("steps", steps)]);
    let prior = if prior.is_empty() {
        Value::Null
    } else {
        state(prior, Value::int(2))
    };
    let planned = state(name, Value::unknown());
    svc.apply_resource_change(Request::new(pb::apply_resource_change::Request {
        type_name: "toy_half".into(),
        prior_state: dv(&prior, &ty),
        planned_state: dv(&planned, &ty),
        config: dv(&state(name, Value::Null), &ty),
        planned_private: Vec::new(),
        provider_meta: None,
        planned_identity: None,
    }))
    .await
    .expect("answers")
    .into_inner()
}

fn steps_of(r: &pb::apply_resource_change::Response) -> Option<Value> {
    let ty = HalfModel::block("").implied_type();
    let raw = r.new_state.as_ref()?;
    let v = crate::protocol::cty::decode_msgpack(&raw.msgpack, &ty).expect("decodes");
    (!v.is_null()).then(|| v.get("steps").clone())
}

#[tokio::test]
async fn apply_answers_warnings_and_the_state_after_a_half_failure() {
    let (svc, _) = service();
    // Success: the warning travels with the new state.
    let done = apply_half(&svc, "", "whole").await;
    assert_eq!(summaries(&done.diagnostics), ["Step One Done"]);
    assert_eq!(steps_of(&done), Some(Value::int(2)));
    // A create failing after its first step: the error, the warning, and
    // the state of what is there (Terraform keeps it, tainted).
    let half = apply_half(&svc, "", "half").await;
    assert_eq!(
        summaries(&half.diagnostics),
        ["Step One Done", "Step Two Failed"]
    );
    assert_eq!(steps_of(&half), Some(Value::int(1)));
    // An update likewise; and when the type cannot tell, the prior state.
    let update = apply_half(&svc, "whole", "half-way").await;
    assert_eq!(steps_of(&update), Some(Value::int(1)));
    let unknown = apply_half(&svc, "whole", "half-unknown").await;
    assert_eq!(steps_of(&unknown), Some(Value::int(2)));
    assert_eq!(errors(&unknown.diagnostics), ["Step Two Failed: as asked"]);
    let created_unknown = apply_half(&svc, "", "half-unknown").await;
    assert_eq!(steps_of(&created_unknown), None);
}
