//! Logs and metrics. Logs go to journald when systemd connected stderr to
//! the journal, otherwise to stderr as human-readable or JSON lines. Nothing
//! logged here or anywhere else carries a token, a key or prompt text.

pub mod metrics;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, LoggingConfig};

/// Where logs went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogTarget {
    /// The systemd journal, with structured fields.
    Journald,
    /// Standard error.
    Stderr,
}

/// Logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The filter in `logging.level` did not parse.
    #[error("logging.level: invalid filter {0:?}: {1}")]
    Filter(String, String),
    /// A global subscriber was already installed.
    #[error("logging was already initialised: {0}")]
    AlreadyInitialised(String),
}

/// Installs the global subscriber described by `cfg`.
pub fn init_logging(cfg: &LoggingConfig) -> Result<LogTarget, TelemetryError> {
    let filter = EnvFilter::builder()
        .parse(&cfg.level)
        .map_err(|e| TelemetryError::Filter(cfg.level.clone(), e.to_string()))?;
    let registry = tracing_subscriber::registry().with(filter);
    if stderr_is_journal()
        && let Ok(journald) = tracing_journald::layer()
    {
        return registry
            .with(journald.with_syslog_identifier("palisade".to_owned()))
            .try_init()
            .map(|()| LogTarget::Journald)
            .map_err(|e| TelemetryError::AlreadyInitialised(e.to_string()));
    }
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let result = match cfg.format {
        LogFormat::Human => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(ansi)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    result
        .map(|()| LogTarget::Stderr)
        .map_err(|e| TelemetryError::AlreadyInitialised(e.to_string()))
}

/// systemd sets `JOURNAL_STREAM=dev:inode` when it connects stderr to the
/// journal; the variable may be inherited by a process whose stderr was
/// redirected since, so the device and inode are compared with fd 2.
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(value) = std::env::var("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = value.split_once(':') else {
        return false;
    };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else {
        return false;
    };
    std::fs::metadata("/proc/self/fd/2")
        .map(|m| m.dev() == dev && m.ino() == ino)
        .unwrap_or(false)
}
