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
pub mod constrain;
pub mod error;
pub mod generate;
pub mod gguf;
pub mod gguf_tokenizer;
mod kernels;
mod layers;
pub mod llama4;
pub mod mixtral;
pub mod model;
mod moe;
pub mod panels;
mod qkernels;
mod qtiles;
pub mod quant;
pub mod qwen3_moe;
pub mod sampling;
pub mod sizing;
pub mod synth;
pub mod tokenizer;
pub mod toolcall;
pub mod verify;
pub mod weights;

pub use error::{EngineError, Result};

/// Keeps memory the engine frees in the process for reuse (glibc's
/// allocator): a forward pass allocates and frees activation buffers of
/// megabytes per product, and by default glibc returns blocks above a
/// dynamic threshold to the kernel, so every pass pays again for page
/// faults and zeroed pages: a third of a 16-prompt prefill's time
/// (`docs/benchmarks.md`). Blocks up to 32 MiB (glibc's largest threshold)
/// then come from the heap, and up to 512 MiB of free heap is kept. Call
/// once, at start, before other threads run. True when the allocator took
/// both settings (always false off glibc, where there is nothing to set).
pub fn retain_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets allocator parameters; it is called
        // before the process starts other threads.
        #[allow(unsafe_code)]
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// A weights dtype by name: `f32`, `bf16` or `f16`.
pub fn parse_dtype(name: &str) -> Result<candle_core::DType> {
    match name {
        "f32" | "float32" => Ok(candle_core::DType::F32),
        "bf16" | "bfloat16" => Ok(candle_core::DType::BF16),
        "f16" | "float16" => Ok(candle_core::DType::F16),
        other => Err(EngineError::Request(format!(
            "dtype {other:?} is not one of f32, bf16, f16"
        ))),
    }
}

/// A device by name: `cpu` or `cuda[:N]` (the latter in a build with the
/// `cuda` feature).
pub fn parse_device(name: &str) -> Result<candle_core::Device> {
    if name == "cpu" {
        return Ok(candle_core::Device::Cpu);
    }
    let bad = || EngineError::Request(format!("device {name:?} is not cpu or cuda[:N]"));
    let ordinal = match name.strip_prefix("cuda") {
        Some("") => 0,
        Some(rest) => rest
            .strip_prefix(':')
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(bad)?,
        None => return Err(bad()),
    };
    Ok(candle_core::Device::new_cuda(ordinal)?)
}

#[cfg(test)]
mod tests {
    /// glibc refuses a threshold above its maximum (and then keeps its
    /// dynamic one, silently): the values must be ones it takes.
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn the_allocator_takes_the_settings() {
        assert!(super::retain_freed_memory());
    }
}
