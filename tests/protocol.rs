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

// ---------------------------------------------------------------------------
// 1. Plugin mode with AutoMTLS
// ---------------------------------------------------------------------------

#[tokio::test]
async fn plugin_mode_with_auto_mtls() {
    let cert = go_plugin_client_cert();
    let mut plugin = Plugin::start(Some(&cert.pem));
    let channel = plugin
        .tls_channel(ClientIdentity::Cert(&cert))
        .await
        .unwrap_or_else(|e| panic!("mTLS connect failed: {e:?}; stderr:\n{}", plugin.stderr()));
    let mut client = provider_client(&channel);

    let schema = get_schema(&mut client).await;
    check_schema_response(&schema);

    // go-plugin checks the "plugin" service before using the connection.
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let status = within(
        "health check",
        health.check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    // go-plugin opens the stdio stream right away; it stays open and silent.
    let mut stdio = plugin_pb::grpc_stdio_client::GrpcStdioClient::new(channel.clone());
    let mut stream = within("StreamStdio", stdio.stream_stdio(()))
        .await
        .unwrap()
        .into_inner();
    let early = tokio::time::timeout(Duration::from_millis(200), stream.message()).await;
    assert!(
        early.is_err(),
        "stdio stream sent or ended early: {early:?}"
    );

    // Only Terraform's certificate opens the door.
    let stranger = go_plugin_client_cert();
    for (what, identity) in [
        ("no client certificate", ClientIdentity::Anonymous),
        ("another certificate", ClientIdentity::Cert(&stranger)),
    ] {
        let outcome = match plugin.tls_channel(identity).await {
            Err(e) => Err(format!("connect: {e:?}")),
            Ok(ch) => {
                let mut c = provider_client(&ch);
                let r = tokio::time::timeout(
                    STEP_TIMEOUT,
                    c.get_provider_schema(pb::get_provider_schema::Request::default()),
                )
                .await;
                match r {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(status)) => Err(format!("rpc: {status}")),
                    Err(_) => Err("rpc timed out".into()),
                }
            }
        };
        assert!(outcome.is_err(), "a connection with {what} was accepted");
    }

    // Ctrl-C reaches the whole process group; the provider must survive it
    // (Terraform cancels through StopProvider instead).
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(plugin.pid(), libc::SIGINT) }, 0);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(plugin.is_running(), "SIGINT killed the provider");
    let again = get_schema(&mut client).await;
    assert!(again.resource_schemas.contains_key("postgresql_role"));

    // Shutdown must end the process well within Terraform's two seconds, even
    // while this client keeps its connection and stdio stream open.
    let mut controller =
        plugin_pb::grpc_controller_client::GrpcControllerClient::new(channel.clone());
    let asked = Instant::now();
    within("Shutdown", controller.shutdown(plugin_pb::Empty {}))
        .await
        .unwrap();
    let status = plugin.wait_exit(SHUTDOWN_GRACE).await;
    let took = asked.elapsed();
    let Some(status) = status else {
        panic!(
            "still running {took:?} after Shutdown; stderr:\n{}",
            plugin.stderr()
        );
    };
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        plugin.stderr()
    );
    assert!(took < SHUTDOWN_GRACE, "took {took:?}");
    let ended = tokio::time::timeout(Duration::from_secs(1), stream.message()).await;
    assert!(
        !matches!(ended, Ok(Ok(Some(_)))),
        "stdio stream carried data: {ended:?}"
    );

    let rest = plugin.stdout_after_handshake();
    assert!(
        rest.is_empty(),
        "stdout after the handshake line: {:?}",
        String::from_utf8_lossy(&rest)
    );
    assert!(
        !plugin.handshake.socket.exists(),
        "socket {:?} left behind",
        plugin.handshake.socket
    );
}

// ---------------------------------------------------------------------------
// 2. Run by hand
// ---------------------------------------------------------------------------

/// Runs the binary with the given environment and returns (status, stdout, stderr).
fn run_by_hand(env: &[(&str, &str)]) -> (ExitStatus, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let out = Arc::new(Mutex::new(Vec::new()));
    let err = Arc::new(Mutex::new(Vec::new()));
    drain_into(child.stdout.take().unwrap(), out.clone());
    drain_into(child.stderr.take().unwrap(), err.clone());
    let deadline = Instant::now() + STEP_TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the binary did not exit by itself with env {env:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Let the drain threads see EOF.
    std::thread::sleep(Duration::from_millis(50));
    let text = |b: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&b.lock().unwrap()).into_owned();
    (status, text(&out), text(&err))
}

#[test]
fn run_by_hand_explains_and_exits() {
    let (status, stdout, stderr) = run_by_hand(&[]);
    assert!(!status.success());
    assert!(stdout.is_empty(), "stdout: {stdout:?}");
    assert!(
        stderr.contains("This binary is a plugin"),
        "stderr: {stderr:?}"
    );

    // A wrong cookie is the same as none.
    let (status, stdout, stderr) = run_by_hand(&[("TF_PLUGIN_MAGIC_COOKIE", "nope")]);
    assert!(!status.success());
    assert!(stdout.is_empty(), "stdout: {stdout:?}");
    assert!(
        stderr.contains("This binary is a plugin"),
        "stderr: {stderr:?}"
    );

    let (status, stdout, stderr) = run_by_hand(&[
        ("TF_PLUGIN_MAGIC_COOKIE", COOKIE),
        ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
    ]);
    assert!(!status.success());
    assert!(stdout.is_empty(), "stdout: {stdout:?}");
    assert!(stderr.contains("protocol 6"), "stderr: {stderr:?}");
}

// ---------------------------------------------------------------------------
// 3. Plaintext mode
// ---------------------------------------------------------------------------

#[tokio::test]
async fn plaintext_mode_serves_h2c() {
    let mut plugin = Plugin::start(None);
    let channel = plugin.plain_channel().await;
    let mut client = provider_client(&channel);
    let meta = within(
        "GetMetadata",
        client.get_metadata(pb::get_metadata::Request::default()),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(meta
        .resources
        .iter()
        .any(|r| r.type_name == "postgresql_role"));
    assert!(meta.server_capabilities.unwrap().plan_destroy);
    let schema = get_schema(&mut client).await;
    check_schema_response(&schema);

    // A "server" that accepts connections and never answers, so that
    // ConfigureProvider is still waiting for it when Shutdown arrives.
    let silent_dir = tempfile::tempdir().unwrap();
    let silent = tokio::net::UnixListener::bind(silent_dir.path().join(".s.PGSQL.5432")).unwrap();
    let silent_server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let provider_config = Value::object([
        ("host", Value::string(silent_dir.path().to_str().unwrap())),
        ("port", Value::int(5432)),
        ("sslmode", Value::string("disable")),
        ("connect_timeout", Value::int(60)),
    ]);
    let config = dynamic(&provider_config, &provider_type(&schema));
    let mut configuring_client = client.clone();
    let configuring = tokio::spawn(async move {
        configuring_client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config,
                ..Default::default()
            })
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !configuring.is_finished(),
        "ConfigureProvider did not wait for the server"
    );

    // Shutdown must end the process within Terraform's two seconds even with
    // that request in flight.
    let mut controller = plugin_pb::grpc_controller_client::GrpcControllerClient::new(channel);
    let asked = Instant::now();
    within("Shutdown", controller.shutdown(plugin_pb::Empty {}))
        .await
        .unwrap();
    let status = plugin.wait_exit(SHUTDOWN_GRACE).await;
    let Some(status) = status else {
        panic!(
            "still running {:?} after Shutdown with a request in flight; stderr:\n{}",
            asked.elapsed(),
            plugin.stderr()
        );
    };
    assert!(status.success(), "exit status {status:?}");
    configuring.abort();
    silent_server.abort();
    assert!(plugin.stdout_after_handshake().is_empty());
    assert!(!plugin.handshake.socket.exists());
}

// ---------------------------------------------------------------------------
// 4. RPC behaviour without a server
// ---------------------------------------------------------------------------

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

async fn validate_role(
    client: &mut ProviderClient,
    config: Option<pb::DynamicValue>,
) -> Vec<pb::Diagnostic> {
    // As Terraform 1.11 and later send it.
    let capabilities = pb::ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    };
    validate_role_as(client, config, Some(capabilities)).await
}

async fn validate_role_as(
    client: &mut ProviderClient,
    config: Option<pb::DynamicValue>,
    client_capabilities: Option<pb::ClientCapabilities>,
) -> Vec<pb::Diagnostic> {
    within(
        "ValidateResourceConfig",
        client.validate_resource_config(pb::validate_resource_config::Request {
            type_name: "postgresql_role".into(),
            config,
            client_capabilities,
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .diagnostics
}

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

#[tokio::test]
async fn validate_resource_config_reports_attribute_paths() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let config = |attrs: Vec<(&str, Value)>| dynamic(&Value::object(attrs), &ty);

    let long = "r".repeat(64);
    let cases: Vec<(&str, Attrs, &str)> = vec![
        ("empty name", vec![("name", Value::string(""))], "name"),
        ("64-byte name", vec![("name", Value::string(&long))], "name"),
        (
            "reserved name",
            vec![("name", Value::string("public"))],
            "name",
        ),
        (
            "connection_limit -2",
            vec![
                ("name", Value::string("app")),
                ("connection_limit", Value::int(-2)),
            ],
            "connection_limit",
        ),
        (
            "password and password_wo",
            vec![
                ("name", Value::string("app")),
                ("password", Value::string("a")),
                ("password_wo", Value::string("b")),
                ("password_wo_version", Value::string("1")),
            ],
            "password_wo",
        ),
    ];
    for (what, attrs, attr) in cases {
        let diags = validate_role(&mut client, config(attrs)).await;
        let errors: Vec<_> = diags.iter().filter(|d| is_error(d)).collect();
        assert!(!errors.is_empty(), "{what}: no error");
        assert!(
            errors.iter().all(|d| diag_attr(d).is_some()),
            "{what}: error without attribute path:\n{}",
            describe(&diags)
        );
        assert!(
            errors.iter().any(|d| diag_attr(d).as_deref() == Some(attr)),
            "{what}: no error at {attr}:\n{}",
            describe(&diags)
        );
        assert!(
            errors
                .iter()
                .all(|d| !d.summary.is_empty() && !d.detail.is_empty()),
            "{what}: diagnostics need a summary and a detail:\n{}",
            describe(&diags)
        );
    }

    // 63 bytes is PostgreSQL's limit, not beyond it.
    let ok_63 = "r".repeat(63);
    let valid: Vec<Attrs> = vec![
        vec![("name", Value::string(&ok_63))],
        vec![
            ("name", Value::string("app_reader")),
            ("login", Value::bool(true)),
            ("connection_limit", Value::int(5)),
            ("valid_until", Value::string("2030-01-01 00:00:00+00")),
            ("password_wo", Value::string("s3cret")),
            ("password_wo_version", Value::string("1")),
            ("roles", Value::string_set(["readers"])),
            ("search_path", Value::string_list(["app", "public"])),
        ],
        // Values not known until apply are never an error at validation.
        vec![
            ("name", Value::unknown()),
            ("connection_limit", Value::unknown()),
            ("password", Value::unknown()),
        ],
    ];
    for attrs in valid {
        let shown = format!("{attrs:?}");
        let diags = validate_role(&mut client, config(attrs)).await;
        assert!(
            diags.is_empty(),
            "valid config {shown}:\n{}",
            describe(&diags)
        );
    }

    // A refined unknown (ext 12), as Terraform 1.6+ sends for e.g. "app_${var.x}".
    let refined = raw_object(
        &ty,
        vec![
            ("name", refined_unknown_string("app_")),
            ("login", rmpv::Value::from(true)),
        ],
    );
    let diags = validate_role(&mut client, raw_dynamic(refined)).await;
    assert!(diags.is_empty(), "refined unknown:\n{}", describe(&diags));

    // Mistakes are diagnostics, never gRPC errors.
    let unknown_type = within(
        "ValidateResourceConfig",
        client.validate_resource_config(pb::validate_resource_config::Request {
            type_name: "postgresql_nope".into(),
            config: dynamic(&Value::Null, &ty),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .diagnostics;
    assert!(
        unknown_type.iter().any(is_error),
        "unknown resource type accepted"
    );
    // A truncated map, and a name that is not a string.
    let truncated = validate_role(&mut client, raw_dynamic(vec![0x81, 0xa4, b'n', b'a'])).await;
    assert!(truncated.iter().any(is_error), "malformed msgpack accepted");
    let mistyped = raw_object(&ty, vec![("name", rmpv::Value::from(7))]);
    let mistyped = validate_role(&mut client, raw_dynamic(mistyped)).await;
    assert!(
        mistyped
            .iter()
            .any(|d| is_error(d) && d.detail.contains(".name")),
        "mistyped msgpack accepted:\n{}",
        describe(&mistyped)
    );
}

/// Terraform and OpenTofu before 1.11 do not know write-only attributes and
/// would keep their values in plan and state: such a client may not set one.
#[tokio::test]
async fn write_only_attributes_need_a_client_that_allows_them() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let config = || {
        dynamic(
            &Value::object([
                ("name", Value::string("app")),
                ("password_wo", Value::string("s3cret")),
                ("password_wo_version", Value::string("1")),
            ]),
            &ty,
        )
    };
    let old_clients = [
        None,
        Some(pb::ClientCapabilities {
            deferral_allowed: true,
            write_only_attributes_allowed: false,
        }),
    ];
    for caps in old_clients {
        let diags = validate_role_as(&mut client, config(), caps).await;
        let errors: Vec<_> = diags.iter().filter(|d| is_error(d)).collect();
        assert_eq!(errors.len(), 1, "{}", describe(&diags));
        assert_eq!(diag_attr(errors[0]).as_deref(), Some("password_wo"));
        assert!(errors[0].detail.contains("1.11"), "{}", describe(&diags));
    }
    assert!(validate_role(&mut client, config()).await.is_empty());
    // Without a write-only value, an old client is fine.
    let plain = dynamic(&Value::object([("name", Value::string("app"))]), &ty);
    assert!(validate_role_as(&mut client, plain, None).await.is_empty());
}

async fn plan_role(
    client: &mut ProviderClient,
    prior: Option<pb::DynamicValue>,
    config: Option<pb::DynamicValue>,
) -> pb::plan_resource_change::Response {
    within(
        "PlanResourceChange",
        client.plan_resource_change(pb::plan_resource_change::Request {
            type_name: "postgresql_role".into(),
            prior_state: prior,
            // For a create Terraform proposes the configuration itself
            // (computed attributes left null), so send the same value.
            proposed_new_state: config.clone(),
            config,
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn plan_with_unknowns_needs_no_server() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let pty = provider_type(&schema);

    // The provider's host comes from a resource not created yet.
    let provider_config = Value::object([("host", Value::unknown()), ("port", Value::int(5432))]);
    let configured = within(
        "ConfigureProvider",
        client.configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: dynamic(&provider_config, &pty),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{}",
        describe(&configured.diagnostics)
    );

    let nil = raw_dynamic(vec![0xc0]);
    let config = Value::object([
        ("name", Value::unknown()),
        ("login", Value::bool(true)),
        ("password_wo", Value::string("s3cret")),
        ("password_wo_version", Value::string("1")),
    ]);
    let resp = plan_role(&mut client, nil.clone(), dynamic(&config, &ty)).await;
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    assert!(resp.requires_replace.is_empty());
    assert!(!resp.legacy_type_system);
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert!(
        planned.get("id").is_unknown(),
        "id: {:?}",
        planned.get("id")
    );
    assert!(planned.get("name").is_unknown());
    assert_eq!(planned.get("login").as_bool(), Some(true));
    assert_eq!(planned.get("inherit").as_bool(), Some(true));
    assert_eq!(planned.get("superuser").as_bool(), Some(false));
    assert_eq!(planned.get("connection_limit").as_i64(), Some(-1));
    assert_eq!(planned.get("valid_until").as_str(), Some("infinity"));
    assert_eq!(planned.get("statement_timeout").as_i64(), Some(0));
    assert!(
        planned.get("password_wo").is_null(),
        "write-only value leaked into the plan"
    );
    assert_eq!(planned.get("password_wo_version").as_str(), Some("1"));
    assert!(planned.get("password").is_null());
    assert!(planned.get("roles").is_null());

    // A refined unknown in configuration plans without error and its
    // refinements survive (Terraform checks the planned value against it).
    let refined = raw_object(&ty, vec![("name", refined_unknown_string("app_"))]);
    let resp = plan_role(&mut client, nil.clone(), raw_dynamic(refined)).await;
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    let want = Value::Unknown(Refinements {
        not_null: true,
        string_prefix: Some("app_".into()),
        ..Default::default()
    });
    assert_eq!(planned.get("name"), &want);

    // A known name plans its id without a server.
    let known = Value::object([("name", Value::string("app"))]);
    let resp = plan_role(&mut client, nil.clone(), dynamic(&known, &ty)).await;
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(planned.get("id").as_str(), Some("app"));

    // Destroy: the proposed state is null and so is the plan.
    let resp = within(
        "PlanResourceChange (destroy)",
        client.plan_resource_change(pb::plan_resource_change::Request {
            type_name: "postgresql_role".into(),
            prior_state: dynamic(&planned, &ty),
            proposed_new_state: nil.clone(),
            config: nil.clone(),
            ..Default::default()
        }),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let destroyed = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert!(destroyed.is_null());
}

#[tokio::test]
async fn upgrade_state_and_stop_provider() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    let ty = role_type(&schema);
    let upgrade = |version: i64, json: &str| pb::upgrade_resource_state::Request {
        type_name: "postgresql_role".into(),
        version,
        raw_state: Some(pb::RawState {
            json: json.as_bytes().to_vec(),
            ..Default::default()
        }),
    };

    // State written by an older provider: attributes missing, one we never
    // had, and a write-only value that must not survive.
    let raw = r#"{"id":"app","name":"app","login":true,"connection_limit":-1,
                  "password_wo":"leak","attribute_from_elsewhere":"x"}"#;
    let resp = within(
        "UpgradeResourceState",
        client.upgrade_resource_state(upgrade(0, raw)),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(
        resp.diagnostics.is_empty(),
        "{}",
        describe(&resp.diagnostics)
    );
    let state = decode_msgpack(&resp.upgraded_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("name").as_str(), Some("app"));
    assert_eq!(state.get("id").as_str(), Some("app"));
    assert_eq!(state.get("login").as_bool(), Some(true));
    assert_eq!(state.get("connection_limit").as_i64(), Some(-1));
    assert!(state.get("inherit").is_null());
    assert!(
        state.get("password_wo").is_null(),
        "write-only value kept in state"
    );

    // State from a newer provider is refused with a diagnostic.
    let resp = within(
        "UpgradeResourceState",
        client.upgrade_resource_state(upgrade(99, raw)),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(resp.diagnostics.iter().any(is_error));

    let stopped = within(
        "StopProvider",
        client.stop_provider(pb::stop_provider::Request {}),
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(stopped.error, "");
    // The process keeps answering after a stop.
    assert!(!get_schema(&mut client).await.resource_schemas.is_empty());
}

// ---------------------------------------------------------------------------
// 5. The wire format as Terraform writes it
// ---------------------------------------------------------------------------

#[test]
fn terraform_msgpack_blob_round_trips() {
    let ty = RoleResource::new(Arc::new(ProviderState::default()))
        .schema()
        .block
        .implied_type();
    use rmpv::Value as M;
    let strings = |items: &[&str]| M::Array(items.iter().map(|s| M::from(*s)).collect());
    // A planned state as go-cty encodes it: every attribute, sorted keys,
    // integers in their shortest form, `id` unknown (fixext1 type 0), nulls.
    let blob = raw_object(
        &ty,
        vec![
            ("assume_role", M::from("")),
            ("bypass_row_level_security", M::from(false)),
            ("connection_limit", M::from(-1)),
            ("create_database", M::from(false)),
            ("create_role", M::from(true)),
            ("encrypted_password", M::from(true)),
            ("id", M::Ext(0, vec![0])),
            ("idle_in_transaction_session_timeout", M::from(0)),
            ("inherit", M::from(true)),
            ("login", M::from(true)),
            ("name", M::from("app_owner")),
            ("password", refined_unknown_string("SCRAM")),
            ("replication", M::from(false)),
            ("roles", strings(&["readers", "writers"])),
            ("search_path", strings(&["app", "$user", "public"])),
            ("skip_drop_role", M::from(false)),
            ("skip_reassign_owned", M::from(false)),
            ("statement_timeout", M::from(300_000)),
            ("superuser", M::from(false)),
            ("valid_until", M::from("infinity")),
            // encrypted, password_wo and password_wo_version stay nil.
        ],
    );
    assert!(
        blob.windows(3).any(|w| w == [0xd4, 0x00, 0x00]),
        "the blob must hold a plain unknown"
    );

    let v = decode_msgpack(&blob, &ty).unwrap();
    assert!(v.get("id").is_unknown());
    assert!(v.get("encrypted").is_null());
    assert!(v.get("password_wo").is_null());
    assert_eq!(v.get("name").as_str(), Some("app_owner"));
    assert_eq!(v.get("connection_limit").as_i64(), Some(-1));
    assert_eq!(v.get("statement_timeout").as_i64(), Some(300_000));
    assert_eq!(
        v.get("roles").as_string_set(),
        Some(vec!["readers".to_string(), "writers".to_string()])
    );
    assert_eq!(
        v.get("search_path"),
        &Value::string_list(["app", "$user", "public"])
    );
    assert_eq!(
        v.get("password"),
        &Value::Unknown(Refinements {
            not_null: true,
            string_prefix: Some("SCRAM".into()),
            ..Default::default()
        })
    );

    let again = encode_msgpack(&v, &ty).unwrap();
    assert_eq!(again, blob, "re-encoding changed the bytes");

    // A wholly null or wholly unknown object is a single nil / fixext1.
    assert_eq!(
        encode_msgpack(&decode_msgpack(&[0xc0], &ty).unwrap(), &ty).unwrap(),
        [0xc0]
    );
    let unknown = decode_msgpack(&[0xd4, 0, 0], &ty).unwrap();
    assert!(unknown.is_unknown());
    assert_eq!(encode_msgpack(&unknown, &ty).unwrap(), [0xd4, 0, 0]);
}

#[tokio::test]
async fn functions_are_declared_and_called_without_configuration() {
    let (_plugin, mut client, schema) = rpc_fixture().await;
    for name in ["quote_ident", "quote_literal", "scram_sha256_verifier"] {
        let f = &schema.functions[name];
        // Terraform reads the return type without checking it is there.
        assert!(
            f.r#return.as_ref().is_some_and(|r| !r.r#type.is_empty()),
            "{name}"
        );
        assert!(!f.description.is_empty() && !f.summary.is_empty(), "{name}");
    }
    let listed = within(
        "GetFunctions",
        client.get_functions(pb::get_functions::Request {}),
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(listed.functions.len(), schema.functions.len());

    let call = |name: &str, args: Vec<Option<pb::DynamicValue>>| pb::call_function::Request {
        name: name.into(),
        arguments: args.into_iter().map(Option::unwrap_or_default).collect(),
    };
    let s = |v: &str| dynamic(&Value::string(v), &Type::String);

    let ok = within(
        "CallFunction",
        client.call_function(call("quote_ident", vec![s("Tenant A")])),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(ok.error.is_none(), "{:?}", ok.error);
    let result = ok.result.unwrap();
    let value = pgwarden::protocol::cty::decode_msgpack(&result.msgpack, &Type::String).unwrap();
    assert_eq!(value.as_str(), Some("\"Tenant A\""));

    // An unknown argument (OpenTofu before 1.9 sends them) gives an unknown.
    let unknown = within(
        "CallFunction",
        client.call_function(call(
            "quote_literal",
            vec![dynamic(&Value::unknown(), &Type::String)],
        )),
    )
    .await
    .unwrap()
    .into_inner();
    let value =
        pgwarden::protocol::cty::decode_msgpack(&unknown.result.unwrap().msgpack, &Type::String)
            .unwrap();
    assert!(value.is_unknown());

    // Wrong arity, a null argument, garbage bytes and an unknown name are
    // errors, never a crash.
    for (req, argument) in [
        (call("quote_ident", vec![]), None),
        (call("quote_ident", vec![None]), Some(0)),
        (call("quote_ident", vec![raw_dynamic(vec![0xc1])]), Some(0)),
        (call("no_such_function", vec![s("x")]), None),
    ] {
        let r = within("CallFunction", client.call_function(req))
            .await
            .unwrap()
            .into_inner();
        let e = r.error.expect("an error");
        assert!(!e.text.is_empty());
        assert_eq!(e.function_argument, argument, "{}", e.text);
    }
}

// ---------------------------------------------------------------------------
// 6. Actions and ephemeral resources
// ---------------------------------------------------------------------------

#[path = "protocol/stateless.rs"]
mod stateless;
