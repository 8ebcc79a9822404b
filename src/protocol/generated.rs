//! Rust bindings generated at build time (see `build.rs`) from the protobuf
//! definitions in `proto/`.
//!
//! * [`tfplugin6`]: Terraform plugin protocol 6.10 (messages, the `Provider`
//!   server trait and a client).
//! * [`plugin`]: the go-plugin helper services (`GRPCController`,
//!   `GRPCStdio`, `GRPCBroker`).

/// Terraform plugin protocol version 6.10 (protobuf package `tfplugin6`).
#[allow(
    missing_docs,
    unreachable_pub,
    unused_qualifications,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// hashicorp/go-plugin support services (protobuf package `plugin`).
#[allow(
    missing_docs,
    unreachable_pub,
    unused_qualifications,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
