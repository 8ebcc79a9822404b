//! Entry point of the `terraform-provider-postgresql` plugin binary.
//!
//! Terraform starts this binary itself; run by hand it explains that and exits.
//! All real work lives in the library: this file only wires logging, the plugin
//! environment check and the server together.

#![warn(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use pgwarden::plugin::{self, handshake::PluginEnv};
use pgwarden::{logging, resources};

fn main() -> ExitCode {
    logging::init();

    let env = match PluginEnv::from_process_env() {
        Ok(env) => env,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("terraform-provider-postgresql: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };

    let provider = resources::PostgresProvider::new();
    match runtime.block_on(plugin::serve(env, provider)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            log::error!("plugin server failed: {err}");
            eprintln!("terraform-provider-postgresql: {err}");
            ExitCode::from(1)
        }
    }
}
