//! The key/value cache.
//!
//! Two kinds of storage behind one [`SequenceCache`]:
//!
//! - *contiguous*: each layer keeps the sequence's keys and values as
//!   `[kv_heads, capacity, head_dim]`, grown by doubling. One sequence at a
//!   time (`generate`, `model verify`).
//! - *paged*: a [`KvPool`] holds every sequence's keys and values in
//!   fixed-size blocks of `block_size` positions, per layer
//!   `[blocks * block_size, kv_heads, head_dim]`; a sequence owns a block
//!   table (the blocks it was given, in order), so position `p` lives in
//!   pool row `table[p / block_size] * block_size + p % block_size`. The
//!   serving scheduler keeps the free list and hands out tables; nothing is
//!   copied when sequences come and go, and the pool's size bounds the
//!   memory of the cache.
//!
//! Attention reads paged keys in place where it can (the CPU decode kernel
//! follows the rows) and gathers them into a dense copy otherwise.

use std::sync::Arc;

use candle_core::{DType, Device, Tensor};

use super::Result;

/// Keys and values of one layer.
#[derive(Debug, Clone)]
struct LayerKv {
    keys: Tensor,
    values: Tensor,
}

/// The blocks of every sequence the scheduler runs.
#[derive(Debug)]
pub struct KvPool {
    block_size: usize,
    blocks: usize,
    /// Per layer: `[blocks * block_size, kv_heads, head_dim]`.
    layers: Vec<LayerKv>,
}

impl KvPool {
    /// A pool of `blocks` blocks of `block_size` positions for layers of
    /// the given `(kv_heads, head_dim)`. On CPU the memory is taken from
    /// the system as blocks are first written.
    pub fn new(
        layers: &[(usize, usize)],
        blocks: usize,
        block_size: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        if blocks == 0 || block_size == 0 {
            return Err(super::EngineError::Request(
                "a KV pool needs at least one block of at least one position".into(),
            ));
        }
        let rows = blocks * block_size;
        let layers = layers
            .iter()
            .map(|&(kv_heads, head_dim)| {
                Ok(LayerKv {
                    keys: Tensor::zeros((rows, kv_heads, head_dim), dtype, device)?,
                    values: Tensor::zeros((rows, kv_heads, head_dim), dtype, device)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            block_size,
            blocks,
            layers,
        })
    }

    /// Positions per block.
    #[must_use]
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// Blocks in the pool.
    #[must_use]
    pub fn blocks(&self) -> usize {
        self.blocks
    }

    /// Bytes the pool holds when every block is in use.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.layers
            .iter()
            .map(|kv| 2 * kv.keys.elem_count() * kv.keys.dtype().size_in_bytes())
            .sum()
    }
}

#[derive(Debug, Clone)]
enum Storage {
    Contiguous {
        layers: Vec<Option<LayerKv>>,
        capacity: usize,
    },
    Paged {
        pool: Arc<KvPool>,
        table: Vec<u32>,
    },
}

/// The cached keys and values one layer's attention reads.
#[derive(Debug)]
pub(crate) enum CachedKv {
    /// `[kv_heads, n, head_dim]` views.
    Dense { keys: Tensor, values: Tensor },
    /// The layer's pool, `[pool rows, kv_heads, head_dim]`, and the pool
    /// row of each of the `n` keys.
    Paged {
        keys: Tensor,
        values: Tensor,
        rows: Vec<u32>,
    },
}

impl CachedKv {
    /// Keys and values as `[kv_heads, n, head_dim]`, gathered from the pool
    /// when paged.
    pub(crate) fn dense(self) -> Result<(Tensor, Tensor)> {
        match self {
            Self::Dense { keys, values } => Ok((keys, values)),
            Self::Paged { keys, values, rows } => {
                let index = Tensor::new(rows.as_slice(), keys.device())?;
                let gather = |pool: &Tensor| -> Result<Tensor> {
                    Ok(pool
                        .index_select(&index, 0)?
                        .transpose(0, 1)?
                        .contiguous()?)
                };
                Ok((gather(&keys)?, gather(&values)?))
            }
        }
    }
}

/// The cache of one sequence across all layers.
#[derive(Debug, Clone)]
pub struct SequenceCache {
    storage: Storage,
    /// Positions cached (the same in every layer between forward passes).
    len: usize,
}

impl SequenceCache {
    /// An empty contiguous cache for a model of `layers` layers.
    #[must_use]
    pub fn new(layers: usize) -> Self {
        Self {
            storage: Storage::Contiguous {
                layers: vec![None; layers],
                capacity: 0,
            },
            len: 0,
        }
    }

    /// An empty cache in `pool`, holding at most `table.len()` blocks'
    /// worth of positions, in the blocks of `table` in order. The caller
    /// owns the blocks (no two live caches may share one).
    #[must_use]
    pub fn paged(pool: Arc<KvPool>, table: Vec<u32>) -> Self {
        Self {
            storage: Storage::Paged { pool, table },
            len: 0,
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

    /// Called once per forward pass, after every layer appended, to make
    /// the new positions part of the cache.
    pub(crate) fn advance(&mut self, tokens: usize) {
        self.len += tokens;
        if let Storage::Contiguous { layers, capacity } = &mut self.storage
            && let Some(Some(kv)) = layers.first()
        {
            *capacity = kv.keys.dim(1).unwrap_or(*capacity);
        }
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
    ) -> Result<CachedKv> {
        let len = self.len;
        match &mut self.storage {
            Storage::Contiguous { layers, capacity } => {
                let slot = layers.get_mut(layer).ok_or_else(|| {
                    candle_core::Error::Msg(format!("cache has no layer {layer}"))
                })?;
                let (keys, values) =
                    append_contiguous(slot, *capacity, len, keys, values, from, dtype, device)?;
                Ok(CachedKv::Dense { keys, values })
            }
            Storage::Paged { pool, table } => {
                append_paged(pool, table, layer, len, keys, values, from)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn append_contiguous(
    slot: &mut Option<LayerKv>,
    capacity: usize,
    len: usize,
    keys: &Tensor,
    values: &Tensor,
    from: usize,
    dtype: DType,
    device: &Device,
) -> Result<(Tensor, Tensor)> {
    let (kv_heads, n, head_dim) = keys.dims3()?;
    let needed = len + n;
    let entry = match slot.take() {
        Some(kv) if kv.keys.dim(1)? >= needed => kv,
        old => {
            let grown = needed.max(capacity * 2).max(16);
            let keys_new = Tensor::zeros((kv_heads, grown, head_dim), dtype, device)?;
            let values_new = Tensor::zeros((kv_heads, grown, head_dim), dtype, device)?;
            if let Some(kv) = old
                && len > 0
            {
                keys_new.slice_set(&kv.keys.narrow(1, 0, len)?.contiguous()?, 1, 0)?;
                values_new.slice_set(&kv.values.narrow(1, 0, len)?.contiguous()?, 1, 0)?;
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
    Ok(out)
}

fn append_paged(
    pool: &KvPool,
    table: &[u32],
    layer: usize,
    len: usize,
    keys: &Tensor,
    values: &Tensor,
    from: usize,
) -> Result<CachedKv> {
    let kv = pool
        .layers
        .get(layer)
        .ok_or_else(|| candle_core::Error::Msg(format!("the KV pool has no layer {layer}")))?;
    let n = keys.dim(1)?;
    let needed = len + n;
    let bs = pool.block_size;
    if needed > table.len() * bs {
        return Err(super::EngineError::Request(format!(
            "the sequence needs {needed} cached positions but holds {} KV blocks of {bs}",
            table.len()
        )));
    }
    let row = |p: usize| -> Result<usize> {
        let block = table
            .get(p / bs)
            .copied()
            .ok_or_else(|| candle_core::Error::Msg(format!("no KV block for position {p}")))?;
        if block as usize >= pool.blocks {
            return Err(super::EngineError::Request(format!(
                "KV block {block} is outside the pool of {} blocks",
                pool.blocks
            )));
        }
        Ok(block as usize * bs + p % bs)
    };
    // [n, kv_heads, head_dim], the pool's layout, in its dtype.
    let dtype = kv.keys.dtype();
    let new_keys = keys.transpose(0, 1)?.to_dtype(dtype)?.contiguous()?;
    let new_values = values.transpose(0, 1)?.to_dtype(dtype)?.contiguous()?;
    // Runs of positions within one block are contiguous pool rows.
    let mut i = 0;
    while i < n {
        let p = len + i;
        let run = (bs - p % bs).min(n - i);
        let start = row(p)?;
        kv.keys.slice_set(&new_keys.narrow(0, i, run)?, 0, start)?;
        kv.values
            .slice_set(&new_values.narrow(0, i, run)?, 0, start)?;
        i += run;
    }
    let rows = (from..needed)
        .map(|p| row(p).map(|r| r as u32))
        .collect::<Result<Vec<_>>>()?;
    Ok(CachedKv::Paged {
        keys: kv.keys.clone(),
        values: kv.values.clone(),
        rows,
    })
}
