//! The key/value cache of one sequence.
//!
//! Each layer keeps keys and values as `[kv_heads, capacity, head_dim]`,
//! grown by doubling, so a decode step appends in place. The serving
//! scheduler owns one `SequenceCache` per sequence and passes several of them
//! to one forward pass; it can ask how many positions a sequence holds and
//! free a sequence by dropping its cache.

use candle_core::{DType, Device, Tensor};

use super::Result;

/// Keys and values of one layer.
#[derive(Debug, Clone)]
struct LayerKv {
    keys: Tensor,
    values: Tensor,
}

/// The cache of one sequence across all layers.
#[derive(Debug, Clone)]
pub struct SequenceCache {
    layers: Vec<Option<LayerKv>>,
    /// Positions cached (the same in every layer between forward passes).
    len: usize,
    capacity: usize,
}

impl SequenceCache {
    /// An empty cache for a model of `layers` layers.
    #[must_use]
    pub fn new(layers: usize) -> Self {
        Self {
            layers: vec![None; layers],
            len: 0,
            capacity: 0,
        }
    }

    /// Positions cached so far: the position the next token takes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is cached yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held by the cache's tensors.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.layers
            .iter()
            .flatten()
            .map(|kv| 2 * kv.keys.elem_count() * kv.keys.dtype().size_in_bytes())
            .sum()
    }

    /// Called once per forward pass, after every layer appended, to make
    /// the new positions part of the cache.
    pub(crate) fn advance(&mut self, tokens: usize) {
        self.len += tokens;
    }

    /// Appends `keys`/`values` (`[kv_heads, n, head_dim]`) of `layer` at
    /// position `self.len()` and returns the cached keys and values of
    /// positions `from..self.len() + n`.
    pub(crate) fn append(
        &mut self,
        layer: usize,
        keys: &Tensor,
        values: &Tensor,
        from: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<(Tensor, Tensor)> {
        let (kv_heads, n, head_dim) = keys.dims3()?;
        let needed = self.len + n;
        let capacity = if needed > self.capacity {
            needed.max(self.capacity * 2).max(16)
        } else {
            self.capacity
        };
        let len = self.len;
        let slot = self
            .layers
            .get_mut(layer)
            .ok_or_else(|| candle_core::Error::Msg(format!("cache has no layer {layer}")))?;
        let entry = match slot.take() {
            Some(kv) if kv.keys.dim(1)? >= needed => kv,
            old => {
                let keys_new = Tensor::zeros((kv_heads, capacity, head_dim), dtype, device)?;
                let values_new = Tensor::zeros((kv_heads, capacity, head_dim), dtype, device)?;
                if let Some(kv) = old {
                    if len > 0 {
                        keys_new.slice_set(&kv.keys.narrow(1, 0, len)?.contiguous()?, 1, 0)?;
                        values_new.slice_set(&kv.values.narrow(1, 0, len)?.contiguous()?, 1, 0)?;
                    }
                }
                LayerKv {
                    keys: keys_new,
                    values: values_new,
                }
            }
        };
        entry
            .keys
            .slice_set(&keys.to_dtype(dtype)?.contiguous()?, 1, len)?;
        entry
            .values
            .slice_set(&values.to_dtype(dtype)?.contiguous()?, 1, len)?;
        let out = (
            entry.keys.narrow(1, from, needed - from)?,
            entry.values.narrow(1, from, needed - from)?,
        );
        *slot = Some(entry);
        if layer + 1 == self.layers.len() {
            self.capacity = capacity;
        }
        Ok(out)
    }
}
