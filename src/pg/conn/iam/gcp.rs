//! Google OAuth2 access tokens for Cloud SQL IAM database login:
//! Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the
//! gcloud login, the metadata server) through `gcp_auth`, then, when a
//! service account is named, a token of that account from the IAM
//! credentials API (`generateAccessToken`), asked for with the first one.
//!
//! `GCE_METADATA_HOST`, as other Google libraries read it, sends metadata
//! server requests to that host instead of `metadata.google.internal`.
//! `GOOGLE_IAM_CREDENTIALS_ENDPOINT` does the same for the IAM credentials
//! API (for private endpoints and tests).

use std::fmt;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{chain, IamError};

/// The scope Cloud SQL IAM database authentication accepts.
pub const SCOPE: &str = "https://www.googleapis.com/auth/sqlservice.login";

const IAM_CREDENTIALS: &str = "https://iamcredentials.googleapis.com";

/// The provider block's Google Cloud settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct GcpSettings {
    /// `gcp_iam_impersonate_service_account`.
    pub impersonate: Option<String>,
}

impl fmt::Debug for GcpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpSettings")
            .field("impersonate", &self.impersonate)
            .finish()
    }
}

/// Application Default Credentials, found once per provider process.
#[derive(Default)]
pub struct GcpTokens {
    adc: OnceCell<Arc<dyn gcp_auth::TokenProvider>>,
    http: std::sync::OnceLock<Result<reqwest::Client, String>>,
}

fn fail(cause: impl Into<String>) -> IamError {
    IamError {
        cloud: "Google Cloud",
        cause: cause.into(),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl GcpTokens {
    fn http(&self) -> Result<&reqwest::Client, IamError> {
        self.http
            .get_or_init(|| {
                reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(30))
                    .build()
                    .map_err(|e| chain(&e))
            })
            .as_ref()
            .map_err(|e| fail(format!("setting up HTTP: {e}")))
    }

    /// The caller's own token, with `scope`.
    async fn own_token(&self, scope: &str) -> Result<String, IamError> {
        if let Some(host) = env("GCE_METADATA_HOST") {
            return self.metadata_token(&host, scope).await;
        }
        let adc = self
            .adc
            .get_or_try_init(|| async {
                gcp_auth::provider().await.map_err(|e| {
                    fail(format!(
                        "no Google credentials found (Application Default Credentials): {}",
                        chain(&e)
                    ))
                })
            })
            .await?;
        let token = adc
            .token(&[scope])
            .await
            .map_err(|e| fail(format!("getting a Google access token: {}", chain(&e))))?;
        Ok(token.as_str().to_owned())
    }

    async fn metadata_token(&self, host: &str, scope: &str) -> Result<String, IamError> {
        let url = format!(
            "http://{host}/computeMetadata/v1/instance/service-accounts/default/token?scopes={scope}"
        );
        let response = self
            .http()?
            .get(&url)
            .header("Metadata-Flavor", "Google")
            .send()
            .await
            .map_err(|e| {
                fail(format!(
                    "asking the metadata server at {host}: {}",
                    chain(&e)
                ))
            })?;
        let body = read_json(response, "the metadata server").await?;
        body.get("access_token")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
            .ok_or_else(|| fail("the metadata server's answer has no access_token"))
    }

    /// A token for the login: the caller's own, or the impersonated
    /// service account's.
    pub async fn token(&self, s: &GcpSettings) -> Result<String, IamError> {
        let Some(account) = &s.impersonate else {
            return self.own_token(SCOPE).await;
        };
        let own = self
            .own_token("https://www.googleapis.com/auth/cloud-platform")
            .await?;
        let base = env("GOOGLE_IAM_CREDENTIALS_ENDPOINT").unwrap_or_else(|| IAM_CREDENTIALS.into());
        let url = format!(
            "{}/v1/projects/-/serviceAccounts/{account}:generateAccessToken",
            base.trim_end_matches('/')
        );
        let body = serde_json::json!({ "scope": [SCOPE], "lifetime": "3600s" });
        let response = self
            .http()?
            .post(&url)
            .bearer_auth(own)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                fail(format!(
                    "asking the IAM credentials API to impersonate {account}: {}",
                    chain(&e)
                ))
            })?;
        let answer = read_json(response, &format!("impersonating {account}")).await?;
        answer
            .get("accessToken")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                fail(format!(
                    "impersonating {account}: the answer has no accessToken"
                ))
            })
    }
}

async fn read_json(response: reqwest::Response, what: &str) -> Result<serde_json::Value, IamError> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| fail(format!("{what}: {}", chain(&e))))?;
    if !status.is_success() {
        let short: String = text.chars().take(300).collect();
        return Err(fail(format!("{what}: HTTP {status}: {short}")));
    }
    serde_json::from_str(&text).map_err(|e| fail(format!("{what}: not JSON: {e}")))
}
