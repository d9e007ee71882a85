//! The mixture-of-experts inference engine on `candle`: pure computation,
//! knowing nothing of HTTP, users, policy or audit.
//!
//! [`model::Model`] loads a Hugging Face checkpoint ([`config`],
//! [`weights`]) of one of the served architectures ([`llama4`], [`mixtral`],
//! [`qwen3_moe`]) and runs batches of sequences with their
//! [`cache::SequenceCache`]s; [`tokenizer`] and [`sampling`] turn text into
//! tokens and logits into tokens.

pub mod cache;
pub mod config;
pub mod error;
pub mod generate;
mod kernels;
mod layers;
pub mod llama4;
pub mod mixtral;
pub mod model;
mod moe;
pub mod qwen3_moe;
pub mod sampling;
pub mod synth;
pub mod tokenizer;
pub mod verify;
pub mod weights;

pub use error::{EngineError, Result};
