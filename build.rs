//! Build script: compiles the protobuf definitions in `proto/` into Rust
//! (prost messages + tonic client/server stubs). Uses `protox`, a pure-Rust
//! protobuf compiler, so no system `protoc` is required.

const PROTO_DIR: &str = "proto";

const PROTO_FILES: &[&str] = &[
    "proto/tfplugin6.proto",
    "proto/grpc_controller.proto",
    "proto/grpc_stdio.proto",
    "proto/grpc_broker.proto",
];

fn main() {
    println!("cargo:rerun-if-changed={PROTO_DIR}");
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }

    let fds = match protox::compile(PROTO_FILES, [PROTO_DIR]) {
        Ok(fds) => fds,
        Err(err) => panic!("failed to parse protobuf definitions: {err:?}"),
    };

    if let Err(err) = tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .generate_default_stubs(true)
        .compile_fds(fds)
    {
        panic!("failed to generate Rust code from protobuf definitions: {err}");
    }
}
