//! The provider block's cloud logins: the reference provider's
//! `aws_rds_iam_*`, `azure_*` and `gcp_iam_*` attributes, its `scheme`s,
//! and their plan-time checks.

use crate::pg::conn::iam::aws::AwsSettings;
use crate::pg::conn::iam::azure::AzureSettings;
use crate::pg::conn::iam::gcp::GcpSettings;
use crate::pg::conn::iam::{IamAuth, RDS_CA_BUNDLE};
use crate::pg::conn::settings::SslMode;
use crate::protocol::model::Tf;
use crate::protocol::{Diagnostic, Diagnostics, Problem};

/// The `scheme` check: `postgres` and `awspostgres` are taken;
/// `gcppostgres` is refused with the direct configuration that does the
/// same.
pub fn scheme_name(attr: &str, v: &str) -> Option<Problem> {
    match v {
        "postgres" | "awspostgres" => None,
        "gcppostgres" => Some(Problem::new(
            "Unsupported scheme",
            format!(
                "{attr} \"gcppostgres\" (the Cloud SQL connector) is not supported by this \
                 provider. Connect directly instead, with the same IAM login: \
                 scheme = \"postgres\", host = the instance's IP address (gcloud sql instances \
                 describe INSTANCE --format='value(ipAddresses[0].ipAddress)'), port = 5432, \
                 sslmode = \"verify-ca\", sslrootcert = the instance's server CA (gcloud sql \
                 instances describe INSTANCE --format='value(serverCaCert.cert)'), a clientcert \
                 block when the instance requires client certificates (gcloud sql ssl \
                 client-certs create), username = the IAM user (sa@PROJECT.iam without \
                 .gserviceaccount.com), and gcp_iam_auth = true (with \
                 gcp_iam_impersonate_service_account as before). Or run the Cloud SQL Auth \
                 Proxy and point host and port at it."
            ),
        )),
        _ => Some(Problem::new(
            "Invalid scheme",
            format!("{attr} is {v:?}; write \"postgres\" or \"awspostgres\"."),
        )),
    }
}

/// The attributes the plan-time checks read, as the provider block's view
/// holds them (null or not known yet included).
#[derive(Debug, Default)]
pub struct IamChecked<'a> {
    /// `aws_rds_iam_auth`.
    pub aws_rds_iam_auth: Option<&'a Tf<bool>>,
    /// `azure_identity_auth`.
    pub azure_identity_auth: Option<&'a Tf<bool>>,
    /// `azure_tenant_id`.
    pub azure_tenant_id: Option<&'a Tf<String>>,
    /// `gcp_iam_auth`.
    pub gcp_iam_auth: Option<&'a Tf<bool>>,
    /// `gcp_iam_impersonate_service_account`.
    pub gcp_iam_impersonate_service_account: Option<&'a Tf<String>>,
    /// `sslmode`.
    pub sslmode: Option<&'a Tf<String>>,
    /// `scheme`.
    pub scheme: Option<&'a Tf<String>>,
}

fn is_true(f: Option<&Tf<bool>>) -> bool {
    f.and_then(Tf::known) == Some(&true)
}

fn text(f: Option<&Tf<String>>) -> Option<&str> {
    f.and_then(Tf::known).map(String::as_str)
}

/// Which cloud login the configuration turns on, from values that may be
/// unknown: the names of the attributes that ask for one.
fn asked(config: &IamChecked<'_>) -> Vec<&'static str> {
    let mut on = Vec::new();
    if is_true(config.aws_rds_iam_auth) {
        on.push("aws_rds_iam_auth");
    }
    if is_true(config.azure_identity_auth) {
        on.push("azure_identity_auth");
    }
    if is_true(config.gcp_iam_auth)
        || text(config.gcp_iam_impersonate_service_account).is_some_and(|s| !s.is_empty())
    {
        on.push("gcp_iam_auth");
    }
    on
}

/// Plan-time checks: one cloud at a time, and TLS for a token login or
/// `awspostgres`.
pub fn validate(config: &IamChecked<'_>, d: &mut Diagnostics) {
    let on = asked(config);
    if on.len() > 1 {
        d.push(
            Diagnostic::error(
                "More Than One Cloud Login",
                format!(
                    "{} are all set: the provider logs in with one cloud's token. Keep one.",
                    on.join(" and ")
                ),
            )
            .at(on[1]),
        );
    }
    if text(config.sslmode) == Some("disable") {
        if let Some(first) = on.first() {
            d.push(
                Diagnostic::error(
                    "IAM Login Needs TLS",
                    format!(
                        "{first} sends a short-lived token as the password, and the server \
                         refuses it without TLS. Remove sslmode = \"disable\" (the default \
                         with an IAM login is \"require\"; \"verify-full\" with sslrootcert \
                         also checks the server)."
                    ),
                )
                .at("sslmode"),
            );
        }
        if text(config.scheme) == Some("awspostgres") {
            d.push(
                Diagnostic::error(
                    "awspostgres Needs TLS",
                    "scheme = \"awspostgres\" is a TLS connection checked against the RDS \
                     certificate authorities. Remove sslmode = \"disable\", or use scheme = \
                     \"postgres\".",
                )
                .at("sslmode"),
            );
        }
    }
    if !is_true(config.azure_identity_auth)
        && text(config.azure_tenant_id).is_some_and(|s| !s.is_empty())
    {
        d.push(
            Diagnostic::warning(
                "azure_tenant_id Unused",
                "azure_tenant_id is only used with azure_identity_auth = true.",
            )
            .at("azure_tenant_id"),
        );
    }
}

/// The reference provider's IAM attributes, as the model reads them.
pub struct IamConfig<'a> {
    /// `aws_rds_iam_auth`.
    pub aws: Option<bool>,
    /// `aws_rds_iam_profile`.
    pub aws_profile: &'a Option<String>,
    /// `aws_rds_iam_region`.
    pub aws_region: &'a Option<String>,
    /// `aws_rds_iam_provider_role_arn`.
    pub aws_role_arn: &'a Option<String>,
    /// `azure_identity_auth`.
    pub azure: Option<bool>,
    /// `azure_tenant_id`.
    pub azure_tenant: &'a Option<String>,
    /// `gcp_iam_auth`.
    pub gcp: Option<bool>,
    /// `gcp_iam_impersonate_service_account`.
    pub gcp_impersonate: &'a Option<String>,
}

fn set(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

/// The login the configuration asks for.
pub fn auth(c: &IamConfig<'_>) -> Option<IamAuth> {
    if c.aws == Some(true) {
        return Some(IamAuth::Aws(AwsSettings {
            profile: set(c.aws_profile),
            region: set(c.aws_region),
            role_arn: set(c.aws_role_arn),
        }));
    }
    if c.azure == Some(true) {
        return Some(IamAuth::Azure(AzureSettings {
            tenant_id: set(c.azure_tenant),
        }));
    }
    let impersonate = set(c.gcp_impersonate);
    if c.gcp == Some(true) || impersonate.is_some() {
        return Some(IamAuth::Gcp(GcpSettings { impersonate }));
    }
    None
}

/// TLS as an IAM login or `awspostgres` needs it: with an IAM login,
/// `prefer` (the default) becomes `require`, so a token never goes in
/// plaintext; `awspostgres` defaults to `verify-full` against the RDS
/// bundle, which `sslrootcert` overrides.
pub fn tls(
    scheme: &str,
    iam: bool,
    sslmode: SslMode,
    sslmode_set: bool,
    sslrootcert: Option<String>,
) -> (SslMode, Option<String>) {
    if scheme == "awspostgres" {
        let mode = if sslmode_set {
            sslmode
        } else {
            SslMode::VerifyFull
        };
        let root = sslrootcert.or_else(|| Some(RDS_CA_BUNDLE.to_owned()));
        return (mode, root);
    }
    if iam && sslmode == SslMode::Prefer {
        return (SslMode::Require, sslrootcert);
    }
    (sslmode, sslrootcert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(scheme_name("scheme", "postgres").is_none());
        assert!(scheme_name("scheme", "awspostgres").is_none());
        let g = scheme_name("scheme", "gcppostgres").unwrap();
        assert_eq!(g.summary, "Unsupported scheme");
        assert!(g.detail.contains("sslmode = \"verify-ca\""), "{}", g.detail);
        assert_eq!(
            scheme_name("scheme", "mysql").unwrap().summary,
            "Invalid scheme"
        );
    }

    #[test]
    fn iam_needs_tls_and_one_cloud() {
        let on = Tf::Known(true);
        let disable = Tf::Known("disable".to_string());
        let sa = Tf::Known("sa@p.iam.gserviceaccount.com".to_string());
        let mut d = Diagnostics::new();
        validate(
            &IamChecked {
                aws_rds_iam_auth: Some(&on),
                sslmode: Some(&disable),
                ..IamChecked::default()
            },
            &mut d,
        );
        assert_eq!(d.0[0].summary, "IAM Login Needs TLS");
        let mut d = Diagnostics::new();
        validate(
            &IamChecked {
                aws_rds_iam_auth: Some(&on),
                gcp_iam_impersonate_service_account: Some(&sa),
                ..IamChecked::default()
            },
            &mut d,
        );
        assert_eq!(d.0[0].summary, "More Than One Cloud Login");
        let mut d = Diagnostics::new();
        validate(
            &IamChecked {
                aws_rds_iam_auth: Some(&on),
                ..IamChecked::default()
            },
            &mut d,
        );
        assert!(d.0.is_empty());
    }

    #[test]
    fn tls_defaults() {
        assert_eq!(
            tls("postgres", true, SslMode::Prefer, false, None),
            (SslMode::Require, None)
        );
        assert_eq!(
            tls("postgres", false, SslMode::Prefer, false, None),
            (SslMode::Prefer, None)
        );
        let (mode, root) = tls("awspostgres", false, SslMode::Prefer, false, None);
        assert_eq!(mode, SslMode::VerifyFull);
        assert!(root.unwrap().contains("BEGIN CERTIFICATE"));
        let (_, root) = tls(
            "awspostgres",
            false,
            SslMode::Require,
            true,
            Some("/x.pem".into()),
        );
        assert_eq!(root.as_deref(), Some("/x.pem"));
    }
}
