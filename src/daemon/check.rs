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
                    crate::engine::model::Model::tokenizer_at(dir, m.common.vocab_size)
                })
                .err()
                .map(|e| format!("{}: {e}", dir.display()))
                .or_else(|| memory_problem(&config.model, dir));
            if let Some(message) = problem {
                report.errors.push(ConfigError {
                    origin: origin.clone(),
                    key: "model.path".to_owned(),
                    message,
                });
            }
        }
    }
    // The upstreams' certificates, keys and bearer keys, read as the
    // daemon will read them (a systemd credential only where the unit
    // loads it, so its absence here is a warning).
    let credentials = std::env::var_os("CREDENTIALS_DIRECTORY").map(std::path::PathBuf::from);
    if let Err(errors) = crate::serving::upstream::Upstreams::build(
        &config.upstreams,
        credentials.as_deref(),
        config.model.max_request_bytes,
    ) {
        for e in errors {
            if credentials.is_none() && e.key.ends_with(".api_key_credential") {
                report.warnings.push(format!("{}: {}", e.key, e.message));
            } else {
                report.errors.push(ConfigError {
                    origin: origin.clone(),
                    key: e.key,
                    message: e.message,
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

/// Why the model at `path` cannot fit this machine's memory (or the
/// service's cgroup limit) with its KV cache full, if it cannot; checked
/// before loading so that an oversized model is refused with the numbers
/// rather than killed by the kernel halfway.
pub(crate) fn memory_problem(settings: &crate::config::ModelConfig, path: &Path) -> Option<String> {
    use crate::engine;
    let dtype = engine::parse_dtype(&settings.dtype).ok()?;
    let on_cpu = engine::parse_device(&settings.device).ok()?.is_cpu();
    let quantization = match settings.quantization.as_deref() {
        Some(q) => Some((
            engine::quant::Quantization::parse(q).ok()?,
            settings.quantize_attention,
        )),
        None => None,
    };
    let need = engine::sizing::need(path, dtype, on_cpu, quantization).ok()?;
    let positions = (settings.kv_blocks as u64).saturating_mul(settings.kv_block_size as u64);
    let total = need.with_kv(positions);
    let (limit, what) = memory_limit()?;
    if !on_cpu || total <= limit {
        return None;
    }
    let gib = |b: u64| format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30));
    Some(format!(
        "{}: the model needs {} (weights {} + a full KV cache of {} positions at model.kv_blocks = {}: {}) but {what} is {}; lower model.kv_blocks, set model.quantization = \"q4_k\", or serve a quantized GGUF file",
        path.display(),
        gib(total),
        gib(need.weights),
        positions,
        settings.kv_blocks,
        gib(need.with_kv(positions) - need.weights),
        gib(limit)
    ))
}

/// The memory this process may use: the machine's (`MemTotal`), or its
/// cgroup's `memory.max` (a systemd `MemoryMax=`) when lower; with what it is.
fn memory_limit() -> Option<(u64, &'static str)> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let total = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())?
        .saturating_mul(1024);
    let cgroup = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|text| {
            let relative = text.lines().find_map(|l| l.strip_prefix("0::"))?.to_owned();
            let file = Path::new("/sys/fs/cgroup")
                .join(relative.trim_start_matches('/'))
                .join("memory.max");
            std::fs::read_to_string(file)
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        });
    match cgroup {
        Some(max) if max < total => Some((max, "the service's cgroup memory.max")),
        _ => Some((total, "this machine's memory (MemTotal)")),
    }
}
