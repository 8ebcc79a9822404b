//! The go-plugin side of the provider process.
//!
//! [`serve`] does what every go-plugin server does: ignore SIGINT (Terraform
//! cancels through StopProvider), listen on a unix socket, serve TLS with a
//! fresh certificate when Terraform sent its own (AutoMTLS), register the
//! health, controller and stdio services next to tfplugin6, print the one
//! handshake line, and stop when the controller is told to shut down.

pub mod controller;
pub mod handshake;
pub mod tls;
mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio_util::sync::CancellationToken;

use crate::protocol::generated::{plugin as plugin_pb, tfplugin6 as tf_pb};
use crate::protocol::resource::Provider;
use crate::protocol::server::ProviderService;
use handshake::PluginEnv;

/// Terraform sends messages up to 2 GiB; 256 MiB is what terraform-plugin-go allows.
const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// Errors that stop the plugin server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The unix socket could not be created.
    #[error("cannot listen on {path}: {source}")]
    Listen {
        /// Socket path.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] tls::TlsSetupError),
    /// Writing the handshake line failed.
    #[error("cannot write the handshake line to stdout: {0}")]
    Stdout(std::io::Error),
    /// The gRPC server failed.
    #[error("gRPC server error: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves the provider until Terraform shuts it down.
pub async fn serve<P: Provider>(env: PluginEnv, provider: P) -> Result<(), ServeError> {
    ignore_sigint();
    let path = socket_path(&env);
    let listener = UnixListener::bind(&path).map_err(|source| ServeError::Listen {
        path: path.display().to_string(),
        source,
    })?;
    let tls = env
        .client_cert_pem
        .as_deref()
        .map(tls::server_tls)
        .transpose()?;
    let line = handshake::handshake_line(
        &path.display().to_string(),
        tls.as_ref().map(|t| t.cert_der.as_slice()),
    );
    let shutdown = CancellationToken::new();
    let result = serve_on(listener, tls, Arc::new(provider), shutdown, |_| {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(ServeError::Stdout)
    })
    .await;
    let _ = std::fs::remove_file(&path);
    result
}

/// Serves on an existing listener until `shutdown` is cancelled (by the
/// controller or by the caller). `ready` runs once the services are set up,
/// which is when the handshake line may be printed. Tests use this directly.
pub async fn serve_on(
    listener: UnixListener,
    tls: Option<tls::ServerTls>,
    provider: Arc<dyn Provider>,
    shutdown: CancellationToken,
    ready: impl FnOnce(&CancellationToken) -> Result<(), ServeError>,
) -> Result<(), ServeError> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let provider_service =
        tf_pb::provider_server::ProviderServer::new(ProviderService::new(provider))
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let controller =
        plugin_pb::grpc_controller_server::GrpcControllerServer::new(controller::Controller {
            shutdown: shutdown.clone(),
        });
    let stdio = plugin_pb::grpc_stdio_server::GrpcStdioServer::new(controller::Stdio {
        shutdown: shutdown.clone(),
    });

    let incoming = transport::incoming(listener, tls.map(|t| t.config), shutdown.clone());
    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(controller)
        .add_service(stdio)
        .add_service(provider_service);

    ready(&shutdown)?;

    let stopped = shutdown.clone();
    let server = router.serve_with_incoming_shutdown(incoming, async move {
        stopped.cancelled().await;
    });
    // Graceful shutdown waits for Terraform to close its connection; Terraform
    // kills the process after two seconds, so give up waiting well before.
    let hard_stop = async {
        shutdown.cancelled().await;
        tokio::time::sleep(Duration::from_millis(800)).await;
    };
    tokio::select! {
        r = server => r.map_err(ServeError::from),
        () = hard_stop => Ok(()),
    }
}

/// go-plugin servers ignore SIGINT: Ctrl-C reaches the whole process group,
/// and Terraform relays cancellation through StopProvider instead.
fn ignore_sigint() {
    // SAFETY: installing SIG_IGN for SIGINT has no preconditions and no
    // handler code runs; it is done before any other thread could rely on it.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
}

/// A fresh socket path in the directory Terraform asked for, or the temp dir.
fn socket_path(env: &PluginEnv) -> PathBuf {
    let dir = env.socket_dir.clone().unwrap_or_else(std::env::temp_dir);
    let suffix: u64 = rand::random();
    dir.join(format!("plugin{suffix:016x}"))
}
