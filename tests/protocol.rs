//! Protocol tests of the provider process itself, with no PostgreSQL server and
//! no Terraform: the go-plugin handshake and AutoMTLS exactly as Terraform
//! drives them, the helper services (health, stdio, controller), process
//! lifecycle (SIGINT ignored, Shutdown exits promptly, socket removed, nothing
//! but the handshake line on stdout), and tfplugin6 RPC behaviour that needs no
//! server: validation diagnostics, planning with unknowns, state upgrades and
//! the msgpack wire format.
//!
//! Every test starts its own plugin process, which is killed when the test
//! ends, and every wait is bounded, so a misbehaving binary fails a test
//! instead of hanging the suite.
//!
//! This file is the harness they share (the plugin process, TLS, clients,
//! schema checks, raw values); the tests live in `tests/protocol/`, one file
//! per RPC or area: `process.rs` (handshake, plaintext mode, lifecycle),
//! `validate.rs`, `plan.rs`, `upgrade.rs` (and `StopProvider`), `wire.rs`,
//! `functions.rs`, and `stateless.rs` (actions and ephemeral resources).

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint, Uri};

use pgwarden::protocol::cty::Refinements;
use pgwarden::protocol::cty::{decode_msgpack, encode_msgpack};
use pgwarden::protocol::generated::plugin as plugin_pb;
use pgwarden::protocol::generated::tfplugin6 as pb;
use pgwarden::protocol::{Resource, Type, Value};
use pgwarden::resources::roles::role::RoleResource;
use pgwarden::resources::support::state::ProviderState;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-postgresql");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Upper bound for anything that should be instant; generous for a loaded CI box.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Terraform kills a provider that has not exited this long after Shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------
// The plugin process
// ---------------------------------------------------------------------------

/// What the handshake line announced.
struct Handshake {
    socket: PathBuf,
    server_cert: Option<Vec<u8>>,
}

/// A running plugin process; killed and reaped on drop.
struct Plugin {
    child: Child,
    handshake: Handshake,
    /// Delivers everything written to stdout after the handshake line, once stdout closes.
    stdout_rest: mpsc::Receiver<Vec<u8>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    socket_dir: tempfile::TempDir,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Collects a pipe into a shared buffer on a thread, so the child never blocks on it.
fn drain_into(mut pipe: impl Read + Send + 'static, buf: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            buf.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
}

impl Plugin {
    /// Starts the binary the way Terraform does: a clean environment with the
    /// magic cookie, protocol versions, port range, socket directory and (for
    /// AutoMTLS) Terraform's client certificate.
    fn start(client_cert_pem: Option<&str>) -> Plugin {
        let socket_dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir.path())
            // The most verbose logging must still keep stdout clean.
            .env("TF_LOG", "TRACE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(pem) = client_cert_pem {
            cmd.env("PLUGIN_CLIENT_CERT", pem);
        }
        let mut child = cmd.spawn().unwrap();

        let stderr = Arc::new(Mutex::new(Vec::new()));
        drain_into(child.stderr.take().unwrap(), stderr.clone());

        let stdout = child.stdout.take().unwrap();
        let (line_tx, line_rx) = mpsc::channel();
        let (rest_tx, rest_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = line_tx.send(read);
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
            let _ = rest_tx.send(rest);
        });

        let mut plugin = Plugin {
            child,
            handshake: Handshake {
                socket: PathBuf::new(),
                server_cert: None,
            },
            stdout_rest: rest_rx,
            stderr,
            socket_dir,
        };
        let line = match line_rx.recv_timeout(STEP_TIMEOUT) {
            Ok(Ok(line)) => line,
            other => panic!(
                "no handshake line within {STEP_TIMEOUT:?} ({other:?}); stderr:\n{}",
                plugin.stderr()
            ),
        };
        plugin.handshake = plugin.parse_handshake(&line, client_cert_pem.is_some());
        plugin
    }

    /// Checks the line against go-plugin's format and returns what it announces.
    fn parse_handshake(&self, line: &str, tls: bool) -> Handshake {
        let Some(line) = line.strip_suffix('\n') else {
            panic!(
                "handshake line {line:?} is not newline-terminated; stderr:\n{}",
                self.stderr()
            );
        };
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(fields.len(), 6, "handshake line {line:?}");
        assert_eq!(
            fields[0], "1",
            "go-plugin core protocol version in {line:?}"
        );
        assert_eq!(fields[1], "6", "plugin protocol version in {line:?}");
        assert_eq!(fields[2], "unix", "network in {line:?}");
        assert_eq!(fields[4], "grpc", "protocol in {line:?}");
        let socket = PathBuf::from(fields[3]);
        assert_eq!(
            socket.parent(),
            Some(self.socket_dir.path()),
            "socket {socket:?} must be in PLUGIN_UNIX_SOCKET_DIR"
        );
        let meta = std::fs::symlink_metadata(&socket).unwrap();
        assert!(meta.file_type().is_socket(), "{socket:?} is not a socket");
        let server_cert = if tls {
            assert!(!fields[5].is_empty(), "AutoMTLS needs a server certificate");
            assert!(
                !fields[5].contains('='),
                "certificate must be unpadded base64"
            );
            let der = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(fields[5])
                .unwrap();
            assert_eq!(der[0], 0x30, "certificate DER starts with a SEQUENCE");
            // go-plugin's client verifies it with crypto/x509 for the name
            // "localhost" and the default server-auth usage, so both must be in it.
            let contains = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
            assert!(contains(b"\x82\x09localhost"), "no DNS SAN localhost");
            assert!(
                contains(&[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]),
                "no serverAuth extended key usage"
            );
            Some(der)
        } else {
            assert_eq!(fields[5], "", "plaintext mode announces no certificate");
            None
        };
        Handshake {
            socket,
            server_cert,
        }
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn pid(&self) -> libc::pid_t {
        libc::pid_t::try_from(self.child.id()).unwrap()
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the process to exit, at most `limit`.
    async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Everything the process wrote to stdout after the handshake line (call after exit).
    fn stdout_after_handshake(&self) -> Vec<u8> {
        self.stdout_rest.recv_timeout(STEP_TIMEOUT).unwrap()
    }

    /// An h2c channel over the unix socket (plaintext mode).
    async fn plain_channel(&self) -> Channel {
        let socket = self.handshake.socket.clone();
        within(
            "h2c connect",
            Endpoint::from_static("http://localhost").connect_with_connector(tower::service_fn(
                move |_: Uri| {
                    let socket = socket.clone();
                    async move { UnixStream::connect(socket).await.map(TokioIo::new) }
                },
            )),
        )
        .await
        .unwrap()
    }

    /// A TLS channel over the unix socket, trusting exactly the announced server certificate.
    async fn tls_channel(
        &self,
        client: ClientIdentity<'_>,
    ) -> Result<Channel, tonic::transport::Error> {
        let server_cert = self.handshake.server_cert.clone().unwrap();
        let config = client_tls_config(server_cert, client);
        tls_channel(&self.handshake.socket, config).await
    }
}

/// Runs a future that must finish quickly.
async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(STEP_TIMEOUT, fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what} did not finish within {STEP_TIMEOUT:?}"),
    }
}

// ---------------------------------------------------------------------------
// AutoMTLS, client side
// ---------------------------------------------------------------------------

/// A client certificate shaped like the one go-plugin generates for Terraform:
/// ECDSA P-521 with SHA-512, self-signed, CA:TRUE, SAN localhost.
struct ClientCert {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn go_plugin_client_cert() -> ClientCert {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(365);
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    }
}

/// Which certificate the test client presents.
enum ClientIdentity<'a> {
    Cert(&'a ClientCert),
    Anonymous,
}

/// go-plugin's client trusts only the certificate in the handshake line. It
/// is self-signed with CA:TRUE, which webpki refuses as an end entity, so
/// compare DER bytes and verify handshake signatures with aws-lc-rs, as the
/// server does for the client certificate.
#[derive(Debug)]
struct ExactServerCert {
    expected: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ExactServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "server certificate is not the announced one".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn client_tls_config(
    server_cert: Vec<u8>,
    client: ClientIdentity<'_>,
) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(ExactServerCert {
        expected: server_cert,
        algorithms: provider.signature_verification_algorithms,
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match client {
        ClientIdentity::Cert(c) => builder
            .with_client_auth_cert(vec![c.der.clone()], c.key.clone_key())
            .unwrap(),
        ClientIdentity::Anonymous => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

async fn tls_channel(
    socket: &Path,
    config: Arc<rustls::ClientConfig>,
) -> Result<Channel, tonic::transport::Error> {
    let socket = socket.to_path_buf();
    let connector = tower::service_fn(move |_: Uri| {
        let socket = socket.clone();
        let tls = tokio_rustls::TlsConnector::from(config.clone());
        async move {
            let stream = UnixStream::connect(socket).await?;
            let name = ServerName::try_from("localhost").unwrap();
            let stream = tls.connect(name, stream).await?;
            // The server must have agreed to h2, as grpc-go requires.
            let alpn = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            if alpn.as_deref() != Some(b"h2".as_slice()) {
                return Err(std::io::Error::other(format!(
                    "ALPN negotiated {alpn:?}, not h2"
                )));
            }
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    within(
        "TLS connect",
        Endpoint::from_static("http://localhost").connect_with_connector(connector),
    )
    .await
}

// ---------------------------------------------------------------------------
// tfplugin6 helpers
// ---------------------------------------------------------------------------

type ProviderClient = pb::provider_client::ProviderClient<Channel>;

fn provider_client(ch: &Channel) -> ProviderClient {
    pb::provider_client::ProviderClient::new(ch.clone()).max_decoding_message_size(256 << 20)
}

async fn get_schema(client: &mut ProviderClient) -> pb::get_provider_schema::Response {
    within(
        "GetProviderSchema",
        client.get_provider_schema(pb::get_provider_schema::Request::default()),
    )
    .await
    .unwrap()
    .into_inner()
}

/// The cty object type a schema block is encoded as, rebuilt from the wire
/// schema the way Terraform does.
fn block_type(block: &pb::schema::Block) -> Type {
    use pb::schema::nested_block::NestingMode;
    let mut attrs: Vec<(String, Type)> = block
        .attributes
        .iter()
        .map(|a| {
            let ty = Type::from_json_bytes(&a.r#type)
                .unwrap_or_else(|e| panic!("attribute {}: type does not parse: {e}", a.name));
            (a.name.clone(), ty)
        })
        .collect();
    for nested in &block.block_types {
        let inner = block_type(nested.block.as_ref().unwrap());
        let ty = match NestingMode::try_from(nested.nesting).unwrap() {
            NestingMode::Single | NestingMode::Group => inner,
            NestingMode::List => Type::list(inner),
            NestingMode::Set => Type::set(inner),
            NestingMode::Map => Type::map(inner),
            NestingMode::Invalid => panic!("block {} has no nesting mode", nested.type_name),
        };
        attrs.push((nested.type_name.clone(), ty));
    }
    Type::object(attrs)
}

fn role_type(schema: &pb::get_provider_schema::Response) -> Type {
    block_type(
        schema.resource_schemas["postgresql_role"]
            .block
            .as_ref()
            .unwrap(),
    )
}

fn provider_type(schema: &pb::get_provider_schema::Response) -> Type {
    block_type(schema.provider.as_ref().unwrap().block.as_ref().unwrap())
}

fn dynamic(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap(),
        json: Vec::new(),
    })
}

fn raw_dynamic(msgpack: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn is_error(d: &pb::Diagnostic) -> bool {
    d.severity == pb::diagnostic::Severity::Error as i32
}

/// The top-level attribute a diagnostic points at, if any.
fn diag_attr(d: &pb::Diagnostic) -> Option<String> {
    use pb::attribute_path::step::Selector;
    let steps = &d.attribute.as_ref()?.steps;
    match steps.first()?.selector.as_ref()? {
        Selector::AttributeName(name) => Some(name.clone()),
        _ => None,
    }
}

fn describe(diags: &[pb::Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "[{}] {} at {:?}: {}",
                d.severity,
                d.summary,
                diag_attr(d),
                d.detail
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// Schema checks
// ---------------------------------------------------------------------------

/// Every attribute (also inside nested blocks and nested attribute types) is
/// documented, well-formed, and secrets are marked as such.
fn check_block(path: &str, block: &pb::schema::Block, problems: &mut Vec<String>) {
    if block.description.trim().is_empty() {
        problems.push(format!("{path}: block has no description"));
    }
    for a in &block.attributes {
        check_attribute(&format!("{path}.{}", a.name), a, problems);
    }
    for nested in &block.block_types {
        match &nested.block {
            Some(b) => check_block(&format!("{path}.{}", nested.type_name), b, problems),
            None => problems.push(format!(
                "{path}.{}: nested block without content",
                nested.type_name
            )),
        }
    }
}

fn check_attribute(path: &str, a: &pb::schema::Attribute, problems: &mut Vec<String>) {
    if a.description.trim().is_empty() {
        problems.push(format!("{path}: no description"));
    }
    let modes = [a.required, a.optional, a.computed && !a.optional];
    if modes.iter().filter(|m| **m).count() != 1 {
        problems.push(format!(
            "{path}: must be exactly one of required, optional(+computed) or computed \
             (required={}, optional={}, computed={})",
            a.required, a.optional, a.computed
        ));
    }
    let ty = if a.r#type.is_empty() {
        None
    } else {
        match Type::from_json_bytes(&a.r#type) {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push(format!("{path}: type does not parse: {e}"));
                None
            }
        }
    };
    let name = a.name.as_str();
    let secret = name == "password" || name.ends_with("_password") || name.ends_with("password_wo");
    if secret && ty == Some(Type::String) && !a.sensitive {
        problems.push(format!("{path}: holds a password but is not sensitive"));
    }
    if a.write_only && (a.computed || !a.sensitive) {
        problems.push(format!(
            "{path}: write-only attributes must be sensitive and not computed"
        ));
    }
    if let Some(obj) = &a.nested_type {
        for inner in &obj.attributes {
            check_attribute(&format!("{path}.{}", inner.name), inner, problems);
        }
    }
}

fn check_schema_response(schema: &pb::get_provider_schema::Response) {
    assert!(
        schema.diagnostics.is_empty(),
        "{}",
        describe(&schema.diagnostics)
    );
    let mut problems = Vec::new();
    check_block(
        "provider",
        schema.provider.as_ref().unwrap().block.as_ref().unwrap(),
        &mut problems,
    );
    for (kind, map) in [
        ("resource", &schema.resource_schemas),
        ("data", &schema.data_source_schemas),
        ("ephemeral", &schema.ephemeral_resource_schemas),
    ] {
        for (name, s) in map {
            match &s.block {
                Some(b) => check_block(&format!("{kind} {name}"), b, &mut problems),
                None => problems.push(format!("{kind} {name}: no block")),
            }
        }
    }
    for (name, a) in &schema.action_schemas {
        match a.schema.as_ref().and_then(|s| s.block.as_ref()) {
            Some(b) => {
                check_block(&format!("action {name}"), b, &mut problems);
                // An action's configuration is input only.
                for attr in b.attributes.iter().filter(|x| x.computed) {
                    problems.push(format!("action {name}.{}: computed", attr.name));
                }
            }
            None => problems.push(format!("action {name}: no block")),
        }
    }
    assert!(
        problems.is_empty(),
        "schema problems:\n{}",
        problems.join("\n")
    );

    let role = schema.resource_schemas["postgresql_role"]
        .block
        .as_ref()
        .unwrap();
    let attr = |n: &str| role.attributes.iter().find(|a| a.name == n).unwrap();
    assert!(attr("password").sensitive);
    assert!(!attr("password").write_only);
    assert!(attr("password_wo").sensitive);
    assert!(attr("password_wo").write_only);
    assert!(attr("name").required);
    let provider = schema.provider.as_ref().unwrap().block.as_ref().unwrap();
    assert!(provider
        .attributes
        .iter()
        .any(|a| a.name == "password" && a.sensitive));

    // The wire schema and the resource's own implied type must agree, or
    // Terraform and the provider would encode values differently.
    let own = RoleResource::new(Arc::new(ProviderState::default()))
        .schema()
        .block
        .implied_type();
    assert_eq!(role_type(schema), own);
}

/// A plaintext plugin, a client and the role's wire type.
async fn rpc_fixture() -> (Plugin, ProviderClient, pb::get_provider_schema::Response) {
    let plugin = Plugin::start(None);
    let channel = plugin.plain_channel().await;
    let mut client = provider_client(&channel);
    let schema = get_schema(&mut client).await;
    (plugin, client, schema)
}

/// Attribute values of a configuration; the rest stay null.
type Attrs<'a> = Vec<(&'a str, Value)>;

/// A refined unknown string (msgpack ext 12): not null, known prefix.
fn refined_unknown_string(prefix: &str) -> rmpv::Value {
    let refinements = rmpv::Value::Map(vec![
        (rmpv::Value::from(1), rmpv::Value::from(false)),
        (rmpv::Value::from(2), rmpv::Value::from(prefix)),
    ]);
    let mut payload = Vec::new();
    rmpv::encode::write_value(&mut payload, &refinements).unwrap();
    rmpv::Value::Ext(12, payload)
}

/// go-cty's encoding of an object: every attribute of the type, keys sorted,
/// nil for those not given.
fn raw_object(ty: &Type, given: Vec<(&str, rmpv::Value)>) -> Vec<u8> {
    let Type::Object { attrs, .. } = ty else {
        panic!("not an object type: {ty}");
    };
    for (name, _) in &given {
        assert!(attrs.contains_key(*name), "no attribute {name}");
    }
    let mut given: std::collections::HashMap<&str, rmpv::Value> = given.into_iter().collect();
    let entries = attrs
        .keys()
        .map(|k| {
            let v = given.remove(k.as_str()).unwrap_or(rmpv::Value::Nil);
            (rmpv::Value::from(k.as_str()), v)
        })
        .collect();
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &rmpv::Value::Map(entries)).unwrap();
    out
}

// The tests, by what they drive.
#[path = "protocol/functions.rs"]
mod functions;
#[path = "protocol/plan.rs"]
mod plan;
#[path = "protocol/process.rs"]
mod process;
#[path = "protocol/stateless.rs"]
mod stateless;
#[path = "protocol/upgrade.rs"]
mod upgrade;
#[path = "protocol/validate.rs"]
mod validate;
#[path = "protocol/wire.rs"]
mod wire;
