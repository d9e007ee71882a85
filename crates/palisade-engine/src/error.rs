//! What can go wrong loading or running a model, named so an operator can
//! act on it: the file, the tensor or the config key.

use std::path::PathBuf;

/// An engine error. Messages name the offending file, tensor or key.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A file of the model directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A JSON file of the model directory is malformed.
    #[error("{path}: {message}")]
    Json { path: PathBuf, message: String },
    /// `config.json` is inconsistent or lacks a key.
    #[error("config.json: {0}")]
    Config(String),
    /// The checkpoint is of an architecture Palisade does not serve.
    #[error(
        "config.json: architecture {0:?} is not served (supported: Llama4ForCausalLM, Llama4ForConditionalGeneration, MixtralForCausalLM, Qwen3MoeForCausalLM)"
    )]
    UnsupportedArchitecture(String),
    /// A weights file is missing, truncated or malformed, or a tensor is
    /// missing or has the wrong shape or type.
    #[error("{0}")]
    Weights(String),
    /// The tokenizer, its config or the chat template is unusable.
    #[error("{0}")]
    Tokenizer(String),
    /// The request cannot be run (e.g. longer than the context).
    #[error("{0}")]
    Request(String),
    /// A tensor operation failed.
    #[error("tensor operation failed: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, EngineError>;
