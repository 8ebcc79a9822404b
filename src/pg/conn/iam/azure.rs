//! Microsoft Entra ID tokens for Azure Database for PostgreSQL, from the
//! Azure SDK's credential types tried in this order (recent
//! `azure_identity` releases ship no default chain):
//! 1. environment: a service principal's client secret
//!    (`AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, and `AZURE_TENANT_ID` or
//!    `azure_tenant_id`);
//! 2. workload identity (`AZURE_FEDERATED_TOKEN_FILE`, as AKS sets it);
//! 3. managed identity: App Service's endpoint (`IDENTITY_ENDPOINT`) or the
//!    instance metadata service;
//! 4. the Azure CLI's login (`az account get-access-token`).
//!
//! The first that gives a token wins; when none does, the error lists what
//! each said.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientSecretCredential,
    ManagedIdentityCredential, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use tokio::sync::OnceCell;

use super::{chain, IamError};

/// The scope Azure Database for PostgreSQL accepts tokens for.
pub const SCOPE: &str = "https://ossrdbms-aad.database.windows.net/.default";

/// How long the metadata service may take before the chain moves on: off
/// Azure nothing answers at its address.
const IMDS_PATIENCE: Duration = Duration::from_secs(5);

/// The provider block's Azure settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AzureSettings {
    /// `azure_tenant_id`, for the client secret and the CLI.
    pub tenant_id: Option<String>,
}

impl fmt::Debug for AzureSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureSettings")
            .field("tenant_id", &self.tenant_id)
            .finish()
    }
}

/// One credential of the chain, named for messages.
type Named = (&'static str, Arc<dyn TokenCredential>);

/// The chain, built once per provider process.
#[derive(Default)]
pub struct AzureTokens {
    chain: OnceCell<Vec<Named>>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn fail(cause: impl Into<String>) -> IamError {
    IamError {
        cloud: "Azure",
        cause: cause.into(),
    }
}

/// The credentials whose configuration is present, in the chain's order,
/// and why the others were left out.
fn build(s: &AzureSettings) -> (Vec<Named>, Vec<String>) {
    let mut creds: Vec<Named> = Vec::new();
    let mut skipped = Vec::new();
    let tenant = env("AZURE_TENANT_ID").or_else(|| s.tenant_id.clone());
    match (env("AZURE_CLIENT_ID"), env("AZURE_CLIENT_SECRET"), &tenant) {
        (Some(id), Some(secret), Some(tenant)) => {
            match ClientSecretCredential::new(tenant, id, secret.into(), None) {
                Ok(c) => creds.push(("environment (client secret)", c)),
                Err(e) => skipped.push(format!("environment: {}", chain(&e))),
            }
        }
        _ if env("AZURE_CLIENT_CERTIFICATE_PATH").is_some() => skipped.push(
            "environment: a client certificate (AZURE_CLIENT_CERTIFICATE_PATH) is not \
             supported; use a client secret, workload or managed identity"
                .to_owned(),
        ),
        _ => skipped.push(
            "environment: AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and a tenant are not all set"
                .to_owned(),
        ),
    }
    if env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        let options = WorkloadIdentityCredentialOptions {
            tenant_id: tenant.clone(),
            ..Default::default()
        };
        match WorkloadIdentityCredential::new(Some(options)) {
            Ok(c) => creds.push(("workload identity", c)),
            Err(e) => skipped.push(format!("workload identity: {}", chain(&e))),
        }
    } else {
        skipped.push("workload identity: AZURE_FEDERATED_TOKEN_FILE is not set".to_owned());
    }
    match ManagedIdentityCredential::new(None) {
        Ok(c) => creds.push(("managed identity", c)),
        Err(e) => skipped.push(format!("managed identity: {}", chain(&e))),
    }
    let cli = AzureCliCredentialOptions {
        tenant_id: s.tenant_id.clone(),
        ..Default::default()
    };
    match AzureCliCredential::new(Some(cli)) {
        Ok(c) => creds.push(("Azure CLI", c)),
        Err(e) => skipped.push(format!("Azure CLI: {}", chain(&e))),
    }
    (creds, skipped)
}

impl AzureTokens {
    /// A token for the PostgreSQL scope, from the first credential that
    /// gives one.
    pub async fn token(&self, s: &AzureSettings) -> Result<String, IamError> {
        let mut said = Vec::new();
        let creds = self
            .chain
            .get_or_init(|| async {
                let (creds, skipped) = build(s);
                for why in skipped {
                    log::debug!("Azure credential left out: {why}");
                }
                creds
            })
            .await;
        for (name, cred) in creds {
            // Off Azure, nothing answers at the metadata service's address.
            let patience = if *name == "managed identity" && env("IDENTITY_ENDPOINT").is_none() {
                IMDS_PATIENCE
            } else {
                Duration::from_secs(60)
            };
            match tokio::time::timeout(patience, cred.get_token(&[SCOPE], None)).await {
                Ok(Ok(token)) => {
                    log::debug!("Azure token from {name}");
                    return Ok(token.token.secret().to_owned());
                }
                Ok(Err(e)) => said.push(format!("{name}: {}", first_line(&chain(&e)))),
                Err(_) => said.push(format!("{name}: no answer in {}s", patience.as_secs())),
            }
        }
        Err(fail(format!(
            "no Azure credential gave a token for {SCOPE} (tried in order: {})",
            said.join("; ")
        )))
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
