//! RDS IAM auth tokens: credentials from the AWS SDK's standard chain
//! (environment, shared config and credentials files with profiles, web
//! identity, ECS and EC2 metadata), a role assumed through STS when one is
//! named, and the token itself: a `connect` request for the server's
//! `host:port` and user, presigned with SigV4 for 15 minutes.
//!
//! Endpoints follow the SDK's own settings, so `AWS_ENDPOINT_URL_STS` and
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT` point them elsewhere.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use tokio::sync::OnceCell;

use super::{chain, IamError};

/// How long a token is valid; RDS accepts at most 15 minutes.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The provider block's AWS settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// `aws_rds_iam_profile`: the shared config profile.
    pub profile: Option<String>,
    /// `aws_rds_iam_region`: the server's region (else the chain's).
    pub region: Option<String>,
    /// `aws_rds_iam_provider_role_arn`: a role to assume first.
    pub role_arn: Option<String>,
}

impl fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsSettings")
            .field("profile", &self.profile)
            .field("region", &self.region)
            .field("role_arn", &self.role_arn)
            .finish()
    }
}

/// The loaded chain, once per provider process.
#[derive(Default)]
pub struct AwsTokens {
    chain: OnceCell<(Region, SharedCredentialsProvider)>,
}

fn fail(cause: impl Into<String>) -> IamError {
    IamError {
        cloud: "AWS",
        cause: cause.into(),
    }
}

impl AwsTokens {
    async fn chain(
        &self,
        s: &AwsSettings,
    ) -> Result<&(Region, SharedCredentialsProvider), IamError> {
        self.chain
            .get_or_try_init(|| async {
                let mut loader = aws_config::defaults(BehaviorVersion::latest());
                if let Some(p) = &s.profile {
                    loader = loader.profile_name(p);
                }
                if let Some(r) = &s.region {
                    loader = loader.region(Region::new(r.clone()));
                }
                let config: SdkConfig = loader.load().await;
                let region = config.region().cloned().ok_or_else(|| {
                    fail(
                        "no AWS region: set aws_rds_iam_region to the server's region (or \
                         AWS_REGION, or region in the profile)",
                    )
                })?;
                let base = config.credentials_provider().ok_or_else(|| {
                    fail("no AWS credentials found: the SDK's credential chain is empty")
                })?;
                let provider = match &s.role_arn {
                    Some(arn) => SharedCredentialsProvider::new(
                        aws_config::sts::AssumeRoleProvider::builder(arn.clone())
                            .session_name("terraform-provider-postgresql")
                            .configure(&config)
                            .build_from_provider(base)
                            .await,
                    ),
                    None => base,
                };
                Ok((region, provider))
            })
            .await
    }

    /// A token for `user` at `host:port`.
    pub async fn token(
        &self,
        s: &AwsSettings,
        host: &str,
        port: u16,
        user: &str,
    ) -> Result<String, IamError> {
        let (region, provider) = self.chain(s).await?;
        let credentials = provider.provide_credentials().await.map_err(|e| {
            let what = if s.role_arn.is_some() {
                format!(
                    "no AWS credentials found for assuming {}",
                    s.role_arn.as_deref().unwrap_or_default()
                )
            } else {
                "no AWS credentials found".to_owned()
            };
            fail(format!("{what}: {}", chain(&e)))
        })?;
        rds_token(
            &credentials,
            region.as_ref(),
            host,
            port,
            user,
            SystemTime::now(),
        )
    }
}

/// The RDS auth token: `host:port/?Action=connect&DBUser=…&X-Amz-…`, the
/// presigned URL without its scheme.
pub fn rds_token(
    credentials: &Credentials,
    region: &str,
    host: &str,
    port: u16,
    user: &str,
    now: SystemTime,
) -> Result<String, IamError> {
    let identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(TOKEN_LIFETIME);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("rds-db")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| fail(format!("signing the RDS token: {e}")))?
        .into();
    let endpoint = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let url = format!("https://{endpoint}/?Action=connect&DBUser={}", encode(user));
    let request = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::once(("host", endpoint.as_str())),
        // As boto3 and the AWS SDKs sign it: the hash of an empty body.
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| fail(format!("signing the RDS token: {e}")))?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| fail(format!("signing the RDS token: {e}")))?
        .into_parts();
    let mut token = format!("{endpoint}/?Action=connect&DBUser={}", encode(user));
    for (name, value) in instructions.params() {
        token.push('&');
        token.push_str(name);
        token.push('=');
        token.push_str(&encode(value));
    }
    Ok(token)
}

/// SigV4's URI encoding: everything but unreserved characters as `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_a_presigned_connect_request() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret-key-value", None, None, "test");
        let t = rds_token(
            &creds,
            "eu-west-1",
            "db.cluster-x.eu-west-1.rds.amazonaws.com",
            5432,
            "app user",
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )
        .unwrap();
        assert!(
            t.starts_with(
                "db.cluster-x.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app%20user&"
            ),
            "{t}"
        );
        assert!(t.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"), "{t}");
        assert!(
            t.contains(
                "X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Feu-west-1%2Frds-db%2Faws4_request"
            ),
            "{t}"
        );
        assert!(t.contains("X-Amz-Expires=900"), "{t}");
        assert!(t.contains("X-Amz-SignedHeaders=host"), "{t}");
        assert!(t.contains("X-Amz-Signature="), "{t}");
        assert!(!t.contains("secret-key-value"), "{t}");
        let with_session = Credentials::new("AKID", "s", Some("tok/en=".into()), None, "test");
        let t = rds_token(&with_session, "us-east-1", "h", 1, "u", SystemTime::now()).unwrap();
        assert!(t.contains("X-Amz-Security-Token=tok%2Fen%3D"), "{t}");
    }
}
