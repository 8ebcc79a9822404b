//! go-plugin's helper services: controller (shutdown) and stdio.
//!
//! When Terraform is done with a provider it calls `GRPCController.Shutdown`
//! and then waits two seconds before killing the process, so shutdown must
//! stop the server promptly. The stdio stream is held open and never carries
//! data: this provider writes nothing to stdout after the handshake.

use tokio_util::sync::CancellationToken;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use crate::protocol::generated::plugin as pb;

/// Ends the server when Terraform asks for it.
pub struct Controller {
    /// Cancelled on Shutdown; the server loop watches it.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _request: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        log::debug!("GRPCController.Shutdown received");
        self.shutdown.cancel();
        Ok(Response::new(pb::Empty {}))
    }
}

/// An stdio stream that stays open and silent until shutdown.
pub struct Stdio {
    /// Ends the stream when the server stops.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<pb::StdioData>>, Status> {
        let token = self.shutdown.clone();
        let stream = futures::stream::once(async move {
            token.cancelled().await;
        })
        .filter_map(|()| async { None });
        Ok(Response::new(Box::pin(stream)))
    }
}

use futures::StreamExt;
