//! The installation license: a JSON document signed by the vendor with
//! Ed25519, verified against the vendor's public key from the configuration.
//!
//! ```json
//! {
//!   "license": {
//!     "schema": 1,
//!     "license_id": "LIC-0001",
//!     "licensee": "Example Hospital",
//!     "issued_at": "2026-11-01T00:00:00Z",
//!     "not_before": "2026-11-01T00:00:00Z",
//!     "expires_at": "2027-11-01T00:00:00Z",
//!     "grace_days": 30,
//!     "node_limit": 4,
//!     "features": ["serving"],
//!     "models": [{"id": "llama4-tiny", "weights_digest": "sha256:..."}],
//!     "mau_limit": 1000,
//!     "mau_mode": "enforce"
//!   },
//!   "signature": {"alg": "Ed25519", "key_id": "...", "value": "..."}
//! }
//! ```
//!
//! The signature covers [`SIGNING_CONTEXT`] followed by the RFC 8785
//! canonical form of the `license` object, so whitespace and key order in
//! the file do not matter and no other kind of signed Palisade document can
//! be passed off as a license. `key_id` is the first 16 hex characters of
//! the SHA-256 of the raw public key: a license signed by another key is
//! named as such, not as a bad signature.

pub mod terms;

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What the signature covers, before the canonical license.
pub const SIGNING_CONTEXT: &[u8] = b"palisade-license-v1\n";

/// The license schema this release reads.
pub const SCHEMA: u64 = 1;

/// How the monthly-active-user limit is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MauMode {
    /// Counted and reported only.
    Observe,
    /// Events at 80, 90 and 100 %, metrics and `STATUS=`.
    Warn,
    /// As `warn`, and a subject not yet active this month is refused once
    /// the limit is reached.
    Enforce,
}

/// A model the license covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicensedModel {
    pub id: String,
    /// `sha256:<hex>` of the weights (see `engine::weights::digest`).
    pub weights_digest: String,
}

/// The signed terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub schema: u64,
    pub license_id: String,
    pub licensee: String,
    #[serde(with = "rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Days after `expires_at` during which the node serves and warns.
    pub grace_days: u32,
    /// Nodes that may be active on one audit store (a fleet sharing
    /// PostgreSQL) within [`NODE_WINDOW_DAYS`]; 0: no limit.
    pub node_limit: u32,
    /// Features licensed ([`FEATURE_SERVING`], [`FEATURE_FLEET`]); empty or
    /// omitted: every feature.
    #[serde(default)]
    pub features: Vec<String>,
    pub models: Vec<LicensedModel>,
    /// Distinct subjects a calendar month (UTC), all tenants together.
    pub mau_limit: Option<u64>,
    pub mau_mode: MauMode,
}

/// RFC 3339 times in the license's JSON.
mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format(&Rfc3339).map_err(serde::ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        OffsetDateTime::parse(&text, &Rfc3339)
            .map_err(|e| serde::de::Error::custom(format!("{text:?} is not an RFC 3339 time: {e}")))
    }
}

/// Feature: serving a model on `/v1`.
pub const FEATURE_SERVING: &str = "serving";
/// Feature: a PostgreSQL audit store shared by a fleet of nodes.
pub const FEATURE_FLEET: &str = "fleet";
/// A node counts against the node limit while it has signed an audit
/// checkpoint on the shared store within this many days.
pub const NODE_WINDOW_DAYS: i64 = 30;

impl Terms {
    /// True when `feature` is licensed (an empty list licenses every one).
    pub fn allows(&self, feature: &str) -> bool {
        self.features.is_empty() || self.features.iter().any(|f| f == feature)
    }

    /// Checks the node limit against the nodes active on the store
    /// (`active`, which may or may not include `this_node`).
    pub fn check_nodes(&self, this_node: &str, active: &[String]) -> Result<(), ScopeError> {
        let mut nodes: Vec<&str> = active.iter().map(String::as_str).collect();
        if !nodes.contains(&this_node) {
            nodes.push(this_node);
        }
        nodes.sort_unstable();
        let limit = self.node_limit as usize;
        if limit > 0 && nodes.len() > limit {
            return Err(ScopeError::TooManyNodes {
                license: self.license_id.clone(),
                limit,
                nodes: nodes.iter().map(|n| (*n).to_owned()).collect(),
            });
        }
        Ok(())
    }
}

/// The signature block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub alg: String,
    pub key_id: String,
    /// Base64 of the 64-byte Ed25519 signature.
    pub value: String,
}

/// A license whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub terms: Terms,
    pub key_id: String,
}

/// Why a license is not accepted. Each names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenseError {
    #[error("the license is not valid JSON: {0}")]
    Json(String),
    #[error("the license is missing `{0}`")]
    Missing(&'static str),
    #[error("the license's `{field}` is invalid: {message}")]
    Field { field: String, message: String },
    #[error("the license uses schema {0}; this release reads schema {SCHEMA}")]
    Schema(u64),
    #[error("the license is signed with {0}, not Ed25519")]
    Algorithm(String),
    #[error("the license is signed by key {found}, not the configured vendor key {expected}")]
    OtherKey { found: String, expected: String },
    #[error(
        "the license signature does not verify: the license was altered or the signature is damaged"
    )]
    BadSignature,
    #[error("the vendor public key is not a base64 Ed25519 key of 32 bytes: {0}")]
    BadPublicKey(String),
    #[error("the signing key is not a base64 Ed25519 seed of 32 bytes: {0}")]
    BadSigningKey(String),
}

/// Why a verified license does not allow what this node does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// More nodes are active on the audit store than the license allows.
    #[error(
        "license {license} allows {limit} node(s), and {} are active on this audit store in the last {NODE_WINDOW_DAYS} days ({})",
        nodes.len(),
        nodes.join(", ")
    )]
    TooManyNodes {
        /// The license id.
        license: String,
        /// Its node limit.
        limit: usize,
        /// The active nodes, this one included.
        nodes: Vec<String>,
    },
    /// The model is not among the license's models.
    #[error("the license {license} does not cover the model {model:?}")]
    ModelNotCovered {
        /// The license id.
        license: String,
        /// The model's id.
        model: String,
    },
    /// The model is covered with other weights.
    #[error(
        "the license {license} covers the model {model:?} with weights {licensed}, but these weights are {found}"
    )]
    OtherWeights {
        /// The license id.
        license: String,
        /// The model's id.
        model: String,
        /// The weights digest the license names.
        licensed: String,
        /// The digest of the weights found.
        found: String,
    },
}

/// Where a verified license stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Before `not_before`.
    NotYetValid { starts: OffsetDateTime },
    /// Between `not_before` and `expires_at`.
    Valid { expires: OffsetDateTime },
    /// Expired, within the grace period: serve and warn.
    Grace {
        expired: OffsetDateTime,
        grace_ends: OffsetDateTime,
    },
    /// Expired beyond the grace period.
    Expired { expired: OffsetDateTime },
}

impl Standing {
    /// Whether the node may serve under the license.
    #[must_use]
    pub fn serves(self) -> bool {
        matches!(self, Self::Valid { .. } | Self::Grace { .. })
    }
}

impl std::fmt::Display for Standing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let day = |t: &OffsetDateTime| t.format(&Rfc3339).unwrap_or_else(|_| t.to_string());
        match self {
            Self::NotYetValid { starts } => write!(f, "not valid before {}", day(starts)),
            Self::Valid { expires } => write!(f, "valid until {}", day(expires)),
            Self::Grace {
                expired,
                grace_ends,
            } => write!(
                f,
                "expired {}; in its grace period until {}",
                day(expired),
                day(grace_ends)
            ),
            Self::Expired { expired } => write!(f, "expired {} (grace period over)", day(expired)),
        }
    }
}

impl License {
    /// Where the license stands at `now`.
    #[must_use]
    pub fn standing(&self, now: OffsetDateTime) -> Standing {
        let t = &self.terms;
        let grace_ends = t.expires_at + time::Duration::days(i64::from(t.grace_days));
        if now < t.not_before {
            Standing::NotYetValid {
                starts: t.not_before,
            }
        } else if now < t.expires_at {
            Standing::Valid {
                expires: t.expires_at,
            }
        } else if now < grace_ends {
            Standing::Grace {
                expired: t.expires_at,
                grace_ends,
            }
        } else {
            Standing::Expired {
                expired: t.expires_at,
            }
        }
    }

    /// Whether the license covers the model `id` with weights `digest`;
    /// otherwise why not.
    pub fn covers(&self, id: &str, digest: &str) -> Result<(), ScopeError> {
        let license = || self.terms.license_id.clone();
        match self.terms.models.iter().find(|m| m.id == id) {
            None => Err(ScopeError::ModelNotCovered {
                license: license(),
                model: id.to_owned(),
            }),
            Some(m) if !m.weights_digest.eq_ignore_ascii_case(digest) => {
                Err(ScopeError::OtherWeights {
                    license: license(),
                    model: id.to_owned(),
                    licensed: m.weights_digest.clone(),
                    found: digest.to_owned(),
                })
            }
            Some(_) => Ok(()),
        }
    }
}

/// The key id of a raw Ed25519 public key.
#[must_use]
pub fn key_id(public_key: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, public_key);
    hex::encode(digest).chars().take(16).collect()
}

/// Reads a vendor public key: base64 of the 32 raw bytes, optionally
/// prefixed `ed25519:`.
pub fn parse_public_key(text: &str) -> Result<Vec<u8>, LicenseError> {
    let text = text.trim();
    let text = text.strip_prefix("ed25519:").unwrap_or(text);
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| LicenseError::BadPublicKey(e.to_string()))?;
    if bytes.len() != 32 {
        return Err(LicenseError::BadPublicKey(format!("{} bytes", bytes.len())));
    }
    Ok(bytes)
}

/// The bytes the signature covers.
fn signed_bytes(license: &Value) -> Result<Vec<u8>, LicenseError> {
    let canonical = crate::audit::record::canonical(license).map_err(|e| LicenseError::Field {
        field: "license".into(),
        message: e.to_string(),
    })?;
    let mut bytes = SIGNING_CONTEXT.to_vec();
    bytes.extend_from_slice(canonical.as_bytes());
    Ok(bytes)
}

/// Verifies a license file's text against the vendor's public key (raw 32
/// bytes). The signature is checked before the terms are read, so a
/// tampered file is reported as such.
pub fn verify(text: &str, vendor_key: &[u8]) -> Result<License, LicenseError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| LicenseError::Json(e.to_string()))?;
    let license = doc.get("license").ok_or(LicenseError::Missing("license"))?;
    let signature = doc
        .get("signature")
        .ok_or(LicenseError::Missing("signature"))?;
    let signature: Signature =
        serde_json::from_value(signature.clone()).map_err(|e| LicenseError::Field {
            field: "signature".into(),
            message: e.to_string(),
        })?;
    if signature.alg != "Ed25519" {
        return Err(LicenseError::Algorithm(signature.alg));
    }
    let expected = key_id(vendor_key);
    if signature.key_id != expected {
        return Err(LicenseError::OtherKey {
            found: signature.key_id,
            expected,
        });
    }
    let sig = STANDARD
        .decode(&signature.value)
        .map_err(|_| LicenseError::BadSignature)?;
    UnparsedPublicKey::new(&ED25519, vendor_key)
        .verify(&signed_bytes(license)?, &sig)
        .map_err(|_| LicenseError::BadSignature)?;
    let terms = read_terms(license)?;
    Ok(License {
        terms,
        key_id: signature.key_id,
    })
}

/// The terms of a `license` object, with errors naming the field.
fn read_terms(license: &Value) -> Result<Terms, LicenseError> {
    const REQUIRED: [&str; 11] = [
        "schema",
        "license_id",
        "licensee",
        "issued_at",
        "not_before",
        "expires_at",
        "grace_days",
        "node_limit",
        "models",
        "mau_limit",
        "mau_mode",
    ];
    let object = license.as_object().ok_or(LicenseError::Field {
        field: "license".into(),
        message: "must be an object".into(),
    })?;
    if let Some(missing) = REQUIRED.iter().find(|k| !object.contains_key(**k)) {
        return Err(LicenseError::Missing(missing));
    }
    let terms: Terms =
        serde_path_to_error::deserialize(license.clone()).map_err(|e| LicenseError::Field {
            field: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
    if terms.schema != SCHEMA {
        return Err(LicenseError::Schema(terms.schema));
    }
    if terms.expires_at <= terms.not_before {
        return Err(LicenseError::Field {
            field: "expires_at".into(),
            message: "must be after not_before".into(),
        });
    }
    if terms.license_id.trim().is_empty() {
        return Err(LicenseError::Field {
            field: "license_id".into(),
            message: "must not be empty".into(),
        });
    }
    Ok(terms)
}

/// The development signer: a vendor key pair that tests and the demo use
/// to issue licenses. A real vendor key never enters the repository.
pub struct Signer {
    key: Ed25519KeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &key_id(self.key.public_key().as_ref()))
            .finish()
    }
}

impl Signer {
    /// A new random key; returns it with its private seed (base64), to be
    /// stored mode 0600.
    pub fn generate() -> Result<(Self, String), LicenseError> {
        let mut seed = [0u8; 32];
        aws_lc_rs::rand::fill(&mut seed)
            .map_err(|_| LicenseError::BadSigningKey("no randomness".into()))?;
        let signer = Self::from_seed(&seed)?;
        Ok((signer, STANDARD.encode(seed)))
    }

    fn from_seed(seed: &[u8]) -> Result<Self, LicenseError> {
        let key = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| LicenseError::BadSigningKey("not an Ed25519 seed".into()))?;
        Ok(Self { key })
    }

    /// Reads a private seed written by [`Signer::generate`].
    pub fn from_private(text: &str) -> Result<Self, LicenseError> {
        let seed = STANDARD
            .decode(text.trim())
            .map_err(|e| LicenseError::BadSigningKey(e.to_string()))?;
        if seed.len() != 32 {
            return Err(LicenseError::BadSigningKey(format!("{} bytes", seed.len())));
        }
        Self::from_seed(&seed)
    }

    /// The public key as the configuration takes it (`ed25519:<base64>`).
    #[must_use]
    pub fn public_key(&self) -> String {
        format!(
            "ed25519:{}",
            STANDARD.encode(self.key.public_key().as_ref())
        )
    }

    /// Signs `terms` and returns the license file's text. The terms are
    /// checked as [`verify`] would read them.
    pub fn sign(&self, terms: &Value) -> Result<String, LicenseError> {
        read_terms(terms)?;
        let signature = self.key.sign(&signed_bytes(terms)?);
        let doc = serde_json::json!({
            "license": terms,
            "signature": {
                "alg": "Ed25519",
                "key_id": key_id(self.key.public_key().as_ref()),
                "value": STANDARD.encode(signature.as_ref()),
            },
        });
        serde_json::to_string_pretty(&doc).map_err(|e| LicenseError::Json(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn terms() -> Value {
        json!({
            "schema": 1,
            "license_id": "LIC-TEST-1",
            "licensee": "Example Hospital",
            "issued_at": "2026-11-01T00:00:00Z",
            "not_before": "2026-11-01T00:00:00Z",
            "expires_at": "2027-11-01T00:00:00Z",
            "grace_days": 30,
            "node_limit": 2,
            "features": ["serving"],
            "models": [{"id": "llama4-tiny", "weights_digest": "sha256:abc"}],
            "mau_limit": 100,
            "mau_mode": "enforce",
        })
    }

    fn key_of(signer: &Signer) -> Vec<u8> {
        parse_public_key(&signer.public_key()).unwrap()
    }

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    #[test]
    fn a_signed_license_verifies_and_stands_by_the_calendar() {
        let (signer, _) = Signer::generate().unwrap();
        let text = signer.sign(&terms()).unwrap();
        let license = verify(&text, &key_of(&signer)).unwrap();
        assert_eq!(license.terms.license_id, "LIC-TEST-1");
        assert_eq!(license.terms.mau_mode, MauMode::Enforce);
        assert!(matches!(
            license.standing(at("2026-10-31T23:59:59Z")),
            Standing::NotYetValid { .. }
        ));
        assert!(matches!(
            license.standing(at("2027-06-01T00:00:00Z")),
            Standing::Valid { .. }
        ));
        let grace = license.standing(at("2027-11-15T00:00:00Z"));
        assert!(matches!(grace, Standing::Grace { .. }) && grace.serves());
        let expired = license.standing(at("2027-12-01T00:00:00Z"));
        assert!(matches!(expired, Standing::Expired { .. }) && !expired.serves());
        assert!(license.covers("llama4-tiny", "SHA256:ABC").is_ok());
        assert!(
            license
                .covers("mixtral", "sha256:abc")
                .unwrap_err()
                .to_string()
                .contains("does not cover the model \"mixtral\"")
        );
        assert!(
            license
                .covers("llama4-tiny", "sha256:def")
                .unwrap_err()
                .to_string()
                .contains("these weights are sha256:def")
        );
        // Key order and whitespace are not part of what is signed.
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        let compact = serde_json::to_string(&doc).unwrap();
        assert!(verify(&compact, &key_of(&signer)).is_ok());
        doc["license"]["licensee"] = json!("Someone Else");
        assert_eq!(
            verify(&doc.to_string(), &key_of(&signer)),
            Err(LicenseError::BadSignature)
        );
    }

    #[test]
    fn every_flipped_byte_of_the_terms_is_caught() {
        let (signer, _) = Signer::generate().unwrap();
        let text = signer.sign(&terms()).unwrap();
        let key = key_of(&signer);
        let start = text.find("\"license\"").unwrap();
        let end = text.find("\"signature\"").unwrap();
        for i in start..end {
            let mut bytes = text.clone().into_bytes();
            bytes[i] ^= 0x01;
            let Ok(altered) = String::from_utf8(bytes) else {
                continue;
            };
            // A flip may break the JSON or land in insignificant
            // whitespace; it never yields an accepted, different license.
            match verify(&altered, &key) {
                Ok(l) => assert_eq!(l.terms, verify(&text, &key).unwrap().terms, "byte {i}"),
                Err(e) => assert!(
                    matches!(
                        e,
                        LicenseError::BadSignature
                            | LicenseError::Json(_)
                            | LicenseError::Missing(_)
                    ),
                    "byte {i}: {e}"
                ),
            }
        }
    }

    #[test]
    fn other_keys_missing_fields_and_bad_values_are_named() {
        let (signer, _) = Signer::generate().unwrap();
        let (other, _) = Signer::generate().unwrap();
        let text = signer.sign(&terms()).unwrap();
        assert!(matches!(
            verify(&text, &key_of(&other)),
            Err(LicenseError::OtherKey { .. })
        ));
        for field in ["expires_at", "mau_mode", "models"] {
            let mut t = terms();
            t.as_object_mut().unwrap().remove(field);
            assert_eq!(
                signer.sign(&t).unwrap_err().to_string(),
                format!("the license is missing `{field}`")
            );
        }
        let mut t = terms();
        t["expires_at"] = json!("2026-01-01T00:00:00Z");
        assert!(
            signer
                .sign(&t)
                .unwrap_err()
                .to_string()
                .contains("expires_at")
        );
        let mut t = terms();
        t["mau_mode"] = json!("strict");
        assert!(
            signer
                .sign(&t)
                .unwrap_err()
                .to_string()
                .contains("mau_mode")
        );
        let mut t = terms();
        t["schema"] = json!(2);
        assert_eq!(signer.sign(&t), Err(LicenseError::Schema(2)));
        assert!(matches!(
            verify("{\"license\": {}}", &key_of(&signer)),
            Err(LicenseError::Missing("signature"))
        ));
        assert!(matches!(
            verify("not json", &key_of(&signer)),
            Err(LicenseError::Json(_))
        ));
        assert!(parse_public_key("ed25519:AAAA").is_err());
        // A private seed round-trips.
        let (s, seed) = Signer::generate().unwrap();
        assert_eq!(
            Signer::from_private(&seed).unwrap().public_key(),
            s.public_key()
        );
    }
}
