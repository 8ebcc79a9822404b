//! TLS for connections to PostgreSQL, judged the way libpq judges it.
//!
//! rustls (through webpki) is stricter than libpq (through OpenSSL) in two
//! places that PostgreSQL's own documentation walks straight into:
//! * the self-signed server certificate of the SSL setup guide is a CA
//!   certificate (CA:TRUE), which webpki refuses as a server certificate
//!   (`CaUsedAsEndEntity`) while OpenSSL accepts it when it is itself in
//!   `sslrootcert`;
//! * that certificate names its host only in the subject's CN, and libpq
//!   falls back to the CN when the certificate has no subjectAltName of the
//!   host's kind, where webpki reads only subjectAltNames.
//!
//! [`Verifier`] accepts those two cases and nothing else: the certificate
//! must still be trusted (byte for byte one of the roots, or chained to
//! one), within its validity period, and, for `verify-full`, name the host.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;
use x509_cert::der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use x509_cert::der::{Decode, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use crate::pg::conn::settings::{is_inline_pem, ConnectSettings, SslMode};
use crate::pg::error::PgError;

/// `commonName`, 2.5.4.3.
const COMMON_NAME: &str = "2.5.4.3";
/// `subjectAltName`, 2.5.29.17.
const SUBJECT_ALT_NAME: &str = "2.5.29.17";

/// Builds the rustls connector for the settings, or `None` for plaintext.
///
/// By `sslmode`:
/// * `disable`: plaintext.
/// * `prefer`: TLS when the server offers it, else plaintext; `require`:
///   TLS or fail. Without `sslrootcert` the certificate is not checked
///   (encryption only, as libpq); with it the chain is verified as for
///   `verify-ca` (libpq does this when a root file is present; unlike
///   libpq, `prefer` then fails rather than retrying in plaintext).
/// * `verify-ca`: the certificate must be trusted; the host name is not
///   checked. `verify-full`: the host name is checked too. Both need
///   `sslrootcert`.
/// * Unix sockets never use TLS (PostgreSQL does not offer it there).
///
/// A client certificate and key are loaded when configured.
pub fn connector(settings: &ConnectSettings) -> Result<Option<MakeRustlsConnect>, PgError> {
    if settings.is_unix_socket() || settings.sslmode == SslMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| PgError::Settings(format!("TLS protocol setup: {e}")))?;

    let verifier: Arc<dyn ServerCertVerifier> =
        match (settings.sslmode, settings.sslrootcert.as_deref()) {
            (mode, Some(root)) => {
                let trusted = load_certs(root)?;
                let root = if is_inline_pem(root) {
                    "sslrootcert (inline)"
                } else {
                    root
                };
                let mut roots = RootCertStore::empty();
                for cert in &trusted {
                    roots.add(cert.clone()).map_err(|e| PgError::Tls {
                        path: root.to_owned(),
                        reason: format!("unusable root certificate: {e}"),
                    })?;
                }
                let inner =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| PgError::Tls {
                            path: root.to_owned(),
                            reason: e.to_string(),
                        })?;
                Arc::new(Verifier {
                    inner,
                    trusted,
                    check_name: mode == SslMode::VerifyFull,
                })
            }
            (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
                return Err(PgError::Settings(format!(
                    "sslmode {} requires sslrootcert (a PEM file of trusted root certificates)",
                    settings.sslmode
                )))
            }
            (_, None) => Arc::new(EncryptOnlyVerifier { provider }),
        };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);

    let config = match &settings.clientcert {
        Some(cc) => {
            // Inline PEM text is named by its attribute in errors, never
            // quoted: it may be a private key.
            let (cert_name, key_name) = if cc.inline {
                (
                    "clientcert.cert (inline)".to_string(),
                    "clientcert.key (inline)".to_string(),
                )
            } else {
                (cc.cert.clone(), cc.key.clone())
            };
            let certs = if cc.inline {
                load_certs_from(&cert_name, cc.cert.as_bytes())?
            } else {
                load_certs(&cc.cert)?
            };
            let key = if cc.inline {
                PrivateKeyDer::from_pem_slice(cc.key.as_bytes())
            } else {
                PrivateKeyDer::from_pem_file(&cc.key)
            }
            .map_err(|e| PgError::Tls {
                path: key_name.clone(),
                reason: format!("cannot read a PEM private key: {e}"),
            })?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| PgError::Tls {
                    path: key_name,
                    reason: format!("cannot be used with certificate {cert_name}: {e}"),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Some(MakeRustlsConnect::new(config)))
}

/// All certificates in PEM text given inline; an error names `what`.
fn load_certs_from(what: &str, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PgError> {
    let tls_err = |reason: String| PgError::Tls {
        path: what.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(format!("invalid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(tls_err("contains no PEM certificates".to_owned()));
    }
    Ok(certs)
}

/// All certificates in a PEM file, or in PEM text given instead of a path
/// (`sslinline`); an error names the file.
fn load_certs(path: &str) -> Result<Vec<CertificateDer<'static>>, PgError> {
    if is_inline_pem(path) {
        return load_certs_from("sslrootcert (inline)", path.as_bytes());
    }
    let tls_err = |reason: String| PgError::Tls {
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_err(format!("cannot read: {e}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(format!("invalid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(tls_err("contains no PEM certificates".to_owned()));
    }
    Ok(certs)
}

/// `verify-ca` and `verify-full` (and `prefer`/`require` with a root file):
/// webpki's verdict, widened to what libpq also accepts.
#[derive(Debug)]
struct Verifier {
    inner: Arc<WebPkiServerVerifier>,
    /// Every certificate of `sslrootcert`, as DER.
    trusted: Vec<CertificateDer<'static>>,
    /// `verify-full`: the certificate must name the host.
    check_name: bool,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The server presents one of the trusted certificates itself, a
        // self-signed one (typically CA:TRUE, which webpki refuses as a
        // server certificate): OpenSSL trusts it as its own anchor, after
        // checking its dates.
        if self.is_trusted_self_signed(end_entity) {
            check_dates(end_entity, now)?;
            if self.check_name {
                names_host(end_entity, server_name)?;
            }
            return Ok(ServerCertVerified::assertion());
        }
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match verdict {
            Ok(v) => Ok(v),
            // webpki checks the chain first and the name last, so a name
            // error means the chain was accepted.
            Err(e) if is_name_error(&e) => {
                if !self.check_name || cn_names_host(end_entity, server_name) {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

impl Verifier {
    /// Whether `cert` is byte for byte one of the trusted certificates and
    /// issued by itself. (A trusted certificate issued by another still needs
    /// its chain, as in OpenSSL without partial chains.)
    fn is_trusted_self_signed(&self, cert: &CertificateDer<'_>) -> bool {
        self.trusted.iter().any(|t| t.as_ref() == cert.as_ref())
            && Certificate::from_der(cert.as_ref())
                .is_ok_and(|c| c.tbs_certificate.subject == c.tbs_certificate.issuer)
    }
}

fn is_name_error(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

/// The name check of a certificate webpki did not judge: its
/// subjectAltNames, else (like libpq) its CN.
fn names_host(cert: &CertificateDer<'_>, host: &ServerName<'_>) -> Result<(), rustls::Error> {
    let parsed = ParsedCertificate::try_from(cert)?;
    match rustls::client::verify_server_name(&parsed, host) {
        Err(e) if is_name_error(&e) && cn_names_host(cert, host) => Ok(()),
        other => other,
    }
}

/// libpq's fallback: when the certificate has no subjectAltName of the
/// host's kind (DNS name or IP address), a CN equal to the host (ignoring
/// case), or a `*.` wildcard CN standing for one label, names it.
fn cn_names_host(cert: &CertificateDer<'_>, host: &ServerName<'_>) -> bool {
    let Ok(cert) = Certificate::from_der(cert.as_ref()) else {
        return false;
    };
    let (host, is_ip) = match host {
        ServerName::DnsName(n) => (n.as_ref().to_owned(), false),
        ServerName::IpAddress(ip) => (std::net::IpAddr::from(*ip).to_string(), true),
        _ => return false,
    };
    let tbs = &cert.tbs_certificate;
    let has_san_of_kind = tbs
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id.to_string() == SUBJECT_ALT_NAME)
        .filter_map(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|san| san.0)
        .any(|name| match name {
            GeneralName::DnsName(_) => !is_ip,
            GeneralName::IpAddress(_) => is_ip,
            _ => false,
        });
    if has_san_of_kind {
        return false;
    }
    tbs.subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid.to_string() == COMMON_NAME)
        .filter_map(|atv| directory_string(&atv.value))
        .any(|cn| cn_matches(&cn, &host))
}

/// The text of a CN value in any of the string types certificates use.
fn directory_string(value: &x509_cert::der::Any) -> Option<String> {
    use x509_cert::der::Tag;
    match value.tag() {
        Tag::Utf8String => value
            .decode_as::<Utf8StringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        Tag::PrintableString => value
            .decode_as::<PrintableStringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        Tag::Ia5String => value
            .decode_as::<Ia5StringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        _ => None,
    }
}

/// libpq's comparison of a certificate name with the host.
fn cn_matches(cn: &str, host: &str) -> bool {
    if cn.contains('\0') {
        return false;
    }
    if cn.eq_ignore_ascii_case(host) {
        return true;
    }
    // "*.example.com" matches "db.example.com", not "a.db.example.com".
    let Some(suffix) = cn.strip_prefix('*') else {
        return false;
    };
    if !suffix.starts_with('.') || suffix.len() < 2 || host.len() <= suffix.len() {
        return false;
    }
    let (label, rest) = host.split_at(host.len() - suffix.len());
    rest.eq_ignore_ascii_case(suffix) && !label.contains('.')
}

/// OpenSSL checks the dates of a trust anchor too.
fn check_dates(cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    let cert = Certificate::from_der(cert.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let validity = &cert.tbs_certificate.validity;
    let now = now.as_secs();
    if now < validity.not_before.to_unix_duration().as_secs() {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYet,
        ));
    }
    if now > validity.not_after.to_unix_duration().as_secs() {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(())
}

/// `prefer`/`require` without a root certificate: libpq encrypts but does
/// not authenticate the server. The handshake signatures are still checked,
/// so the session is at least bound to the certificate's key.
#[derive(Debug)]
struct EncryptOnlyVerifier {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for EncryptOnlyVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};

    fn cert(cn: &str, sans: Vec<SanType>, ca: bool) -> CertificateDer<'static> {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.subject_alt_names = sans;
        if ca {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().clone()
    }

    fn dns(n: &str) -> ServerName<'static> {
        ServerName::try_from(n.to_owned()).unwrap()
    }

    #[test]
    fn libpq_name_rules() {
        assert!(cn_matches("DB.example.com", "db.EXAMPLE.com"));
        assert!(cn_matches("*.example.com", "db.example.com"));
        assert!(!cn_matches("*.example.com", "a.db.example.com"));
        assert!(!cn_matches("*.example.com", "example.com"));
        assert!(!cn_matches("*example.com", "dbexample.com"));
        assert!(!cn_matches("db.example.com", "db.example.org"));
    }

    #[test]
    fn cn_counts_only_without_a_san_of_the_host_kind() {
        let cn_only = cert("localhost", vec![], true);
        assert!(cn_names_host(&cn_only, &dns("localhost")));
        assert!(!cn_names_host(&cn_only, &dns("otherhost")));
        let with_san = cert(
            "localhost",
            vec![SanType::DnsName("db.example.com".try_into().unwrap())],
            false,
        );
        assert!(!cn_names_host(&with_san, &dns("localhost")));
        // An IP address SAN does not hide the CN from a DNS host name.
        let ip_san = cert(
            "localhost",
            vec![SanType::IpAddress("127.0.0.1".parse().unwrap())],
            false,
        );
        assert!(cn_names_host(&ip_san, &dns("localhost")));
    }
}
