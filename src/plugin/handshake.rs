//! The go-plugin handshake: environment checks and the one stdout line.
//!
//! Terraform launches a provider with a magic cookie, the protocol versions it
//! speaks and (with AutoMTLS) its client certificate in the environment. The
//! provider answers with a single line on stdout that says where it listens
//! and which certificate it serves. Nothing else may ever be written to stdout.

use std::path::PathBuf;

use base64::Engine;

/// Environment variable carrying go-plugin's magic cookie for Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The cookie value Terraform sets; anything else means we were not started by Terraform.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's core protocol version, the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// Printed when the binary is run by hand, like every go-plugin server does.
const NOT_A_COMMAND: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
Please execute the program that consumes these plugins, which will load any plugins automatically.\n\
terraform-provider-postgresql is a Terraform provider: reference it from a Terraform configuration \
as source \"pgwarden/postgresql\" and run terraform.";

/// What the plugin learned from the environment Terraform gave it.
#[derive(Debug, Clone)]
pub struct PluginEnv {
    /// PEM of Terraform's client certificate (AutoMTLS); `None` means plaintext.
    pub client_cert_pem: Option<String>,
    /// Directory for the unix socket, when Terraform asks for one.
    pub socket_dir: Option<PathBuf>,
}

impl PluginEnv {
    /// Checks the process environment; an `Err` is the message to print before exiting.
    pub fn from_process_env() -> Result<PluginEnv, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Same as [`PluginEnv::from_process_env`] over an arbitrary lookup, for tests.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<PluginEnv, String> {
        if get(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(NOT_A_COMMAND.to_string());
        }
        if let Some(versions) = get("PLUGIN_PROTOCOL_VERSIONS") {
            let speaks_ours = versions
                .split(',')
                .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
            if !speaks_ours {
                return Err(format!(
                    "terraform-provider-postgresql speaks plugin protocol {PROTOCOL_VERSION}, \
                     but Terraform offered only versions {versions}. Use Terraform 1.0 or later."
                ));
            }
        }
        Ok(PluginEnv {
            client_cert_pem: get("PLUGIN_CLIENT_CERT").filter(|v| !v.trim().is_empty()),
            socket_dir: get("PLUGIN_UNIX_SOCKET_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        })
    }
}

/// Builds the handshake line go-plugin reads from stdout:
/// `CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT`, the certificate as unpadded base64 DER.
pub fn handshake_line(socket_path: &str, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|unix|{socket_path}|grpc|{cert}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_without_cookie() {
        let err = PluginEnv::from_lookup(env(&[])).unwrap_err();
        assert!(err.contains("This binary is a plugin"));
    }

    #[test]
    fn refuses_without_protocol_6() {
        let err = PluginEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
        ]))
        .unwrap_err();
        assert!(err.contains("protocol 6"), "{err}");
    }

    #[test]
    fn accepts_terraform_env() {
        let e = PluginEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----"),
        ]))
        .unwrap();
        assert!(e.client_cert_pem.is_some());
    }

    #[test]
    fn line_has_six_fields_and_no_padding() {
        let line = handshake_line("/tmp/plugin1", Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|unix|/tmp/plugin1|grpc|AQIDBA");
        assert_eq!(handshake_line("/s", None), "1|6|unix|/s|grpc|");
    }
}
