//! `palisade config check`: the configuration and everything it points to.
//! The unit runs it in `ExecStartPre` and before `ExecReload`, so it must
//! not bind ports (the running daemon holds them) and must list every
//! problem at once.

use std::path::Path;
use std::time::SystemTime;

use crate::config::{Config, ConfigError};
use crate::identity::tls::{EXPIRY_WARNING, TlsMaterial};

/// The outcome of a check.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// The configuration, when the file itself parsed and validated.
    pub config: Option<Config>,
    /// Problems that stop the daemon from starting.
    pub errors: Vec<ConfigError>,
    /// Things an operator should know that do not stop it.
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// True when nothing stops the daemon from starting.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks the configuration at `path` as of `now`.
pub fn check(path: &Path, now: SystemTime) -> CheckReport {
    let origin = path.display().to_string();
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            return CheckReport {
                errors: e.0,
                ..CheckReport::default()
            };
        }
    };
    let mut report = CheckReport::default();
    match TlsMaterial::load(&config.tls, now) {
        Ok(material) => {
            let expires = material.server_cert.not_after;
            let soon = now + EXPIRY_WARNING;
            let soon = soon
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
                .unwrap_or(0);
            if expires < soon {
                report.warnings.push(format!(
                    "tls.cert: the server certificate expires on {}; renew it",
                    material.server_cert.not_after_rfc3339()
                ));
            }
        }
        Err(errors) => report
            .errors
            .extend(errors.into_iter().map(|e| ConfigError {
                origin: origin.clone(),
                key: e.key.to_owned(),
                message: e.message,
            })),
    }
    match crate::policy::load_configured(config.policy.dir.as_ref()) {
        Ok(set) if set.is_empty() => report.errors.push(ConfigError {
            origin: origin.clone(),
            key: "policy.dir".to_owned(),
            message: format!(
                "{}: no policies, so every request would be denied",
                set.origin()
            ),
        }),
        Ok(_) => {}
        Err(errors) => report
            .errors
            .extend(errors.0.into_iter().map(|e| ConfigError {
                origin: origin.clone(),
                key: "policy.dir".to_owned(),
                message: e.to_string(),
            })),
    }
    if let Some(names) = &config.policy.names
        && let Err(e) = crate::pii::Detector::with_dictionary(names)
    {
        report.errors.push(ConfigError {
            origin: origin.clone(),
            key: "policy.names".to_owned(),
            message: e.to_string(),
        });
    }
    match crate::identity::jwt::Authenticator::new(&config.identity) {
        Ok(a) if a.issuer_count() == 0 => report.warnings.push(
            "identity.issuers: no token issuer is configured; every request that needs a token will be refused"
                .to_owned(),
        ),
        Ok(_) => {}
        Err(errors) => report.errors.extend(errors.into_iter().map(|e| ConfigError {
            origin: origin.clone(),
            key: e.key,
            message: e.message,
        })),
    }
    for (i, issuer) in config.identity.issuers.iter().enumerate() {
        if let Some(path) = &issuer.dev_signing_key {
            let key = format!("identity.issuers[{i}].dev_signing_key");
            let problem = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|pem| {
                    crate::identity::devtoken::DevSigner::from_pem(&pem).map_err(|e| e.to_string())
                })
                .and_then(|signer| {
                    let file = issuer
                        .jwks_file
                        .as_ref()
                        .ok_or("a dev_signing_key needs a jwks_file holding its public key")?;
                    let jwks = std::fs::read(file).map_err(|e| e.to_string())?;
                    let jwks: serde_json::Value =
                        serde_json::from_slice(&jwks).map_err(|e| e.to_string())?;
                    let listed = jwks
                        .get("keys")
                        .and_then(serde_json::Value::as_array)
                        .is_some_and(|keys| {
                            keys.iter().any(|k| {
                                k.get("kid").and_then(serde_json::Value::as_str)
                                    == Some(signer.kid())
                            })
                        });
                    if listed {
                        Ok(())
                    } else {
                        Err(format!(
                            "{}: its public key (kid {}) is not in {}",
                            path.display(),
                            signer.kid(),
                            file.display()
                        ))
                    }
                });
            if let Err(message) = problem {
                report.errors.push(ConfigError {
                    origin: origin.clone(),
                    key,
                    message,
                });
            }
            report.warnings.push(format!(
                "identity.issuers[{i}].dev_signing_key is set: a development issuer is trusted; remove it in production"
            ));
        }
    }
    // The model directory: its config, weight files and tokenizer (the
    // weights themselves are read when the daemon loads them).
    match &config.model.path {
        None => report
            .warnings
            .push("model.path is not set: no model is served and /v1 answers 503".to_owned()),
        Some(dir) => {
            let problem = crate::engine::config::ModelConfig::from_dir(dir)
                .and_then(|m| {
                    crate::engine::weights::weight_files(dir)?;
                    crate::engine::tokenizer::TextTokenizer::load(dir, m.common.vocab_size)
                })
                .err();
            if let Some(e) = problem {
                report.errors.push(ConfigError {
                    origin: origin.clone(),
                    key: "model.path".to_owned(),
                    message: format!("{}: {e}", dir.display()),
                });
            }
        }
    }
    if !config.tls.require_client_cert {
        report.warnings.push(
            "tls.require_client_cert = false: clients without a certificate are served".to_owned(),
        );
    }
    report.config = Some(config);
    report
}
