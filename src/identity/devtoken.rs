//! A development token issuer: a signing key, its JWKS, and `palisade token
//! mint`. For the demo and tests only; production tokens come from the
//! corporate IdP.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::config::IssuerConfig;
use crate::identity::client_cert::thumbprint_s256;

/// Why a development signer cannot be made or cannot sign.
#[derive(Debug, thiserror::Error)]
pub enum DevTokenError {
    /// The key cannot be generated, read or used.
    #[error("{0}")]
    Key(String),
    /// The key is of a kind development tokens do not use.
    #[error("only P-256 (ES256) and Ed25519 (EdDSA) development keys are supported")]
    UnsupportedKey,
    /// Signing failed.
    #[error("cannot sign the token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// A signing key with its public JWK.
pub struct DevSigner {
    alg: Algorithm,
    kid: String,
    encoding: EncodingKey,
    jwk: Value,
    key_pem: String,
}

impl std::fmt::Debug for DevSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevSigner")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DevSigner {
    /// A new ES256 (P-256) key.
    pub fn generate_es256() -> Result<Self, DevTokenError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| DevTokenError::Key(e.to_string()))?;
        Self::from_pem(&key.serialize_pem())
    }

    /// A new EdDSA (Ed25519) key.
    pub fn generate_ed25519() -> Result<Self, DevTokenError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)
            .map_err(|e| DevTokenError::Key(e.to_string()))?;
        Self::from_pem(&key.serialize_pem())
    }

    /// A signer from a PKCS#8 PEM key (P-256 or Ed25519).
    pub fn from_pem(pem: &str) -> Result<Self, DevTokenError> {
        let key = rcgen::KeyPair::from_pem(pem)
            .map_err(|e| DevTokenError::Key(format!("not a PKCS#8 private key: {e}")))?;
        let raw = key.public_key_raw();
        let (alg, canonical, jwk) = if key.algorithm() == &rcgen::PKCS_ECDSA_P256_SHA256 {
            let (x, y) = match raw {
                [0x04, rest @ ..] if rest.len() == 64 => rest.split_at(32),
                _ => {
                    return Err(DevTokenError::Key(
                        "unexpected P-256 public key encoding".to_owned(),
                    ));
                }
            };
            let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
            (
                Algorithm::ES256,
                format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#),
                json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "alg": "ES256"}),
            )
        } else if key.algorithm() == &rcgen::PKCS_ED25519 {
            let x = URL_SAFE_NO_PAD.encode(raw);
            (
                Algorithm::EdDSA,
                format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
                json!({"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA"}),
            )
        } else {
            return Err(DevTokenError::UnsupportedKey);
        };
        let encoding = match alg {
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
            _ => EncodingKey::from_ec_pem(pem.as_bytes()),
        }
        .map_err(|e| DevTokenError::Key(format!("unusable signing key: {e}")))?;
        // RFC 7638 thumbprint as the key id.
        let kid = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            canonical.as_bytes(),
        ));
        let mut jwk = jwk;
        if let Some(o) = jwk.as_object_mut() {
            o.insert("kid".into(), json!(kid));
            o.insert("use".into(), json!("sig"));
        }
        Ok(Self {
            alg,
            kid,
            encoding,
            jwk,
            key_pem: pem.to_owned(),
        })
    }

    /// The private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The key id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// A JWKS holding only this key.
    pub fn jwks(&self) -> Value {
        json!({"keys": [self.jwk]})
    }

    /// The JWT header this signer uses.
    pub fn header(&self) -> Header {
        let mut h = Header::new(self.alg);
        h.kid = Some(self.kid.clone());
        h
    }

    /// Signs `claims` as a JWT.
    pub fn sign(&self, claims: &Value) -> Result<String, DevTokenError> {
        self.sign_with(&self.header(), claims)
    }

    /// Signs `claims` with a caller-made header (tests use it for odd headers).
    /// ES256 signatures are put in low-S form, so that an issuer configured
    /// with `reject_high_s` accepts them.
    pub fn sign_with(&self, header: &Header, claims: &Value) -> Result<String, DevTokenError> {
        let token = jsonwebtoken::encode(header, claims, &self.encoding)?;
        Ok(match header.alg {
            jsonwebtoken::Algorithm::ES256 => super::jwt::low_s_es256(token),
            _ => token,
        })
    }
}

/// What `palisade token mint` puts in a token.
#[derive(Debug, Clone, Default)]
pub struct MintRequest {
    /// `sub`.
    pub subject: String,
    /// The tenant.
    pub tenant: String,
    /// Role names.
    pub roles: Vec<String>,
    /// Data-class clearances.
    pub data_classes: Vec<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Lifetime.
    pub ttl: Duration,
    /// DER of the client certificate to bind the token to.
    pub bind_cert_der: Option<Vec<u8>>,
}

/// Sets `value` at a dotted `path` of `claims`, creating objects on the way.
fn set_claim(claims: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            claims.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = claims.entry(head.to_owned()).or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            if let Some(inner) = entry.as_object_mut() {
                set_claim(inner, rest, value);
            }
        }
    }
}

/// The claims of a token for `issuer`, using its claim mapping, as of `now`.
pub fn mint_claims(issuer: &IssuerConfig, req: &MintRequest, now: SystemTime) -> Value {
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let m = &issuer.claims;
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(issuer.issuer));
    claims.insert("aud".into(), json!(issuer.audiences.first()));
    claims.insert("iat".into(), json!(now));
    claims.insert("nbf".into(), json!(now));
    claims.insert("exp".into(), json!(now + req.ttl.as_secs()));
    claims.insert("jti".into(), json!(uuid::Uuid::now_v7().to_string()));
    set_claim(&mut claims, &m.subject, json!(req.subject));
    set_claim(&mut claims, &m.tenant, json!(req.tenant));
    if !req.roles.is_empty() {
        set_claim(&mut claims, &m.roles, json!(req.roles));
    }
    if !req.data_classes.is_empty() {
        set_claim(&mut claims, &m.clearances, json!(req.data_classes));
    }
    if let Some(p) = &req.purpose {
        set_claim(&mut claims, &m.purpose, json!(p));
    }
    if let Some(der) = &req.bind_cert_der {
        claims.insert("cnf".into(), json!({"x5t#S256": thumbprint_s256(der)}));
    }
    Value::Object(claims)
}
