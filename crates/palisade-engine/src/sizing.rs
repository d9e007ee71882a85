//! What a model will take in memory, computed before any weight is read, so
//! that the daemon and `config check` refuse a model that cannot fit
//! instead of the kernel killing the process halfway through loading.

use std::path::Path;

use candle_core::DType;

use super::Result;
use super::config::ModelConfig;
use super::quant::Quantization;

/// A model's memory, once loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryNeed {
    /// The weights, resident (a GGUF file's quantized tensors are mapped
    /// from the file and count here too: every page is read).
    pub weights: u64,
    /// KV-cache bytes per cached position (all layers, keys and values).
    pub kv_per_position: u64,
}

impl MemoryNeed {
    /// Weights plus a KV cache of `positions` positions.
    #[must_use]
    pub fn with_kv(&self, positions: u64) -> u64 {
        self.weights
            .saturating_add(self.kv_per_position.saturating_mul(positions))
    }
}

/// The memory of the model at `path` (a checkpoint directory or a GGUF
/// file) loaded in `dtype`, on the CPU or not, with `quantization` in situ.
pub fn need(
    path: &Path,
    dtype: DType,
    on_cpu: bool,
    quantization: Option<(Quantization, bool)>,
) -> Result<MemoryNeed> {
    let config = ModelConfig::from_dir(path)?;
    let c = &config.common;
    // The CPU cache holds f32; other devices the weights' dtype.
    let kv_element = if on_cpu {
        4
    } else {
        dtype.size_in_bytes() as u64
    };
    let kv_per_position =
        c.num_hidden_layers as u64 * 2 * (c.num_key_value_heads * c.head_dim) as u64 * kv_element;
    let size = dtype.size_in_bytes() as f64;
    let weights = if crate::gguf::is_gguf(path) && path.is_file() {
        let s = crate::gguf::inspect(path)?;
        let of = |ty: &str| s.types.get(ty).map_or(0, |t| t.bytes) as f64;
        let float_params = of("F32") / 4.0 + (of("F16") + of("BF16")) / 2.0;
        let quantized = s.data_bytes as f64 - of("F32") - of("F16") - of("BF16");
        if on_cpu {
            quantized + float_params * size
        } else {
            s.parameters as f64 * size
        }
    } else {
        let counts = config.param_counts();
        let total = counts.total as f64;
        match quantization.filter(|_| on_cpu) {
            None => total * size,
            Some((q, attention)) => {
                let q = q.bytes_per_weight();
                let fixed = counts.routers_and_norms as f64;
                let outside = counts.attention_and_embeddings as f64;
                let ffn = total - fixed - outside;
                ffn * q + fixed * size + outside * if attention { q } else { size }
            }
        }
    };
    Ok(MemoryNeed {
        weights: weights as u64,
        kv_per_position,
    })
}
