//! Building blocks the three architectures share: RMS norm, linear layers,
//! the SwiGLU MLP, rotary embeddings and attention over a batch of
//! sequences with their caches.
//!
//! A forward pass works on the token rows of every sequence in the batch,
//! concatenated (`[tokens, hidden]`): projections, norms and experts see
//! one matrix; only attention looks at sequences one by one.

use candle_core::{D, DType, Device, Tensor};

use super::cache::{CachedKv, SequenceCache};
use super::config::{CommonConfig, RopeConfig, RopeScaling};
use super::panels::{Job, PackedWeight, products};
use super::weights::Weights;
use super::{Result, kernels};

/// RMS norm with a learned scale.
#[derive(Debug, Clone)]
pub struct RmsNorm {
    weight: Tensor,
    eps: f32,
}

impl RmsNorm {
    pub fn load(w: &Weights, name: &str, size: usize, eps: f64) -> Result<Self> {
        Ok(Self {
            weight: w.get(name, &[size])?.to_dtype(DType::F32)?,
            eps: eps as f32,
        })
    }

    /// A norm without learned scale (Llama 4's q/k norm).
    pub fn weightless(size: usize, eps: f64, device: &Device) -> Result<Self> {
        Ok(Self {
            weight: Tensor::ones(size, DType::F32, device)?,
            eps: eps as f32,
        })
    }

    /// Normalises f32 activations over the last dimension.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(candle_nn::ops::rms_norm(x, &self.weight, self.eps)?)
    }
}

/// A bias-free linear layer, weight `[out, in]` as in the checkpoint.
#[derive(Debug, Clone)]
pub struct Linear {
    weight: PackedWeight,
    /// Further rows after `weight`'s, held apart (quantized in another
    /// block type); their outputs follow `weight`'s.
    more: Vec<PackedWeight>,
    /// f32 `[out]`, when the layer has one.
    bias: Option<Tensor>,
}

impl Linear {
    pub fn load(w: &Weights, name: &str, out_features: usize, in_features: usize) -> Result<Self> {
        Ok(Self::from_packed(w.linear(
            name,
            out_features,
            in_features,
        )?))
    }

    pub(crate) fn from_packed(weight: PackedWeight) -> Self {
        Self {
            weight,
            more: Vec::new(),
            bias: None,
        }
    }

    /// The rows of `parts`, one after another.
    pub(crate) fn from_parts(mut parts: Vec<PackedWeight>) -> Result<Self> {
        if parts.is_empty() {
            return Err(super::EngineError::Weights(
                "a linear layer with no weight".into(),
            ));
        }
        let weight = parts.remove(0);
        Ok(Self {
            weight,
            more: parts,
            bias: None,
        })
    }

    /// `x @ W^T (+ b)` for f32 `x` of `[rows, in]`, whatever the weight's dtype.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = if self.more.is_empty() {
            self.weight.forward(x)?
        } else {
            // Every part in one parallel pass, then side by side per row.
            let (rows, _) = x.dims2()?;
            let xs = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
            let weights: Vec<&PackedWeight> =
                std::iter::once(&self.weight).chain(&self.more).collect();
            let jobs: Vec<Job<'_>> = weights
                .iter()
                .map(|weight| Job {
                    weight,
                    x: &xs,
                    rows,
                })
                .collect();
            let outs = products(&jobs)?;
            let widths: Vec<usize> = weights.iter().map(|w| w.dims().0).collect();
            let total: usize = widths.iter().sum();
            let mut y = Vec::with_capacity(rows * total);
            for r in 0..rows {
                for (out, &width) in outs.iter().zip(&widths) {
                    y.extend_from_slice(out.get(r * width..(r + 1) * width).unwrap_or_default());
                }
            }
            Tensor::from_vec(y, (rows, total), x.device())?
        };
        match &self.bias {
            Some(b) => Ok(y.broadcast_add(b)?),
            None => Ok(y),
        }
    }
}

/// `down(silu(gate(x)) * up(x))`, with gate and up fused into one matmul.
#[derive(Debug, Clone)]
pub struct Mlp {
    gate_up: Linear,
    down: Linear,
    width: usize,
}

impl Mlp {
    /// Loads `{prefix}.gate_proj.weight`, `up_proj.weight` and
    /// `down_proj.weight` of width `width`.
    pub fn load(w: &Weights, prefix: &str, hidden: usize, width: usize) -> Result<Self> {
        let (gate, up) = (
            format!("{prefix}.gate_proj.weight"),
            format!("{prefix}.up_proj.weight"),
        );
        Ok(Self {
            gate_up: Linear::from_packed(w.fused(&[(&gate, width), (&up, width)], hidden)?),
            down: Linear::load(w, &format!("{prefix}.down_proj.weight"), hidden, width)?,
            width,
        })
    }

    /// The fused gate/up weight, the down weight and the width, for the
    /// grouped CPU products of a MoE block; `None` when a projection has a
    /// bias.
    pub(crate) fn parts(&self) -> Option<(&PackedWeight, &PackedWeight, usize)> {
        let single = self.gate_up.more.is_empty() && self.down.more.is_empty();
        (single && self.gate_up.bias.is_none() && self.down.bias.is_none()).then_some((
            &self.gate_up.weight,
            &self.down.weight,
            self.width,
        ))
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let h = self.gate_up.forward(x)?;
        let gate = h.narrow(D::Minus1, 0, self.width)?;
        let up = h.narrow(D::Minus1, self.width, self.width)?;
        self.down.forward(&(gate.silu()? * up)?)
    }
}

/// `silu(gate) * up` per row of `h` (`[rows, 2 * width]`, gate first),
/// in the order and rounding of candle's `silu` and `mul`.
pub(crate) fn swiglu(h: &[f32], width: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(h.len() / 2);
    for row in h.chunks_exact(2 * width.max(1)) {
        let (gate, up) = row.split_at(width);
        out.extend(gate.iter().zip(up).map(|(g, u)| g / (1.0 + (-g).exp()) * u));
    }
    out
}

/// Which elements RoPE rotates together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// `(x[2j], x[2j+1])`: Llama 4 (complex multiplication).
    Interleaved,
    /// `(x[j], x[j + d/2])`: Mixtral, Qwen3.
    RotateHalf,
}

/// Rotary embedding frequencies.
#[derive(Debug, Clone)]
pub struct Rope {
    inv_freq: Vec<f64>,
    style: RopeStyle,
}

impl Rope {
    pub fn new(config: &RopeConfig, head_dim: usize, style: RopeStyle) -> Self {
        let half = head_dim / 2;
        let inv_freq = (0..half)
            .map(|j| {
                let base = 1.0 / config.theta.powf((2 * j) as f64 / head_dim as f64);
                match &config.scaling {
                    RopeScaling::Default => base,
                    RopeScaling::Factors(factors) => base / factors.get(j).copied().unwrap_or(1.0),
                    RopeScaling::Llama3 {
                        factor,
                        low_freq_factor,
                        high_freq_factor,
                        original_max_position_embeddings: old,
                    } => {
                        let (factor, low_freq_factor, high_freq_factor, old) =
                            (*factor, *low_freq_factor, *high_freq_factor, *old);
                        let low_wavelen = old / low_freq_factor;
                        let high_wavelen = old / high_freq_factor;
                        let wavelen = 2.0 * std::f64::consts::PI / base;
                        if wavelen < high_wavelen {
                            base
                        } else if wavelen > low_wavelen || high_freq_factor == low_freq_factor {
                            base / factor
                        } else {
                            let smooth = (old / wavelen - low_freq_factor)
                                / (high_freq_factor - low_freq_factor);
                            (1.0 - smooth) * base / factor + smooth * base
                        }
                    }
                }
            })
            .collect();
        Self { inv_freq, style }
    }

    /// cos and sin tables `[positions, head_dim/2]` (f32) for the given
    /// absolute positions.
    pub fn tables(&self, positions: &[usize], device: &Device) -> Result<(Tensor, Tensor)> {
        let half = self.inv_freq.len();
        let mut cos = Vec::with_capacity(positions.len() * half);
        let mut sin = Vec::with_capacity(positions.len() * half);
        for &p in positions {
            for f in &self.inv_freq {
                // As the reference: the angle in f32, then cos and sin.
                let angle = (p as f32) * (*f as f32);
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
        Ok((
            Tensor::from_vec(cos, (positions.len(), half), device)?,
            Tensor::from_vec(sin, (positions.len(), half), device)?,
        ))
    }

    /// Rotates `x` of `[heads, tokens, head_dim]` (f32, contiguous).
    pub fn apply(&self, x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        let x4 = x.unsqueeze(0)?;
        let out = match self.style {
            RopeStyle::Interleaved => candle_nn::rotary_emb::rope_i(&x4, cos, sin)?,
            RopeStyle::RotateHalf => candle_nn::rotary_emb::rope(&x4, cos, sin)?,
        };
        Ok(out.squeeze(0)?)
    }
}

/// Where each sequence's rows sit in a batch, and the positions they take.
#[derive(Debug, Clone)]
pub struct BatchLayout {
    /// `(first row, rows, positions already cached)` per sequence.
    pub seqs: Vec<(usize, usize, usize)>,
    /// The absolute position of every row.
    pub positions: Vec<usize>,
}

impl BatchLayout {
    pub fn rows(&self) -> usize {
        self.positions.len()
    }
}

/// Per-call tensors every attention layer of one forward pass shares.
pub struct AttentionInputs<'a> {
    pub layout: &'a BatchLayout,
    /// RoPE cos/sin of every row, when the model uses RoPE.
    pub rope: Option<(&'a Rope, Tensor, Tensor)>,
    /// The dtype keys and values are cached in (the weights' dtype).
    pub cache_dtype: DType,
}

/// Which keys a query may see, beyond causality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Every earlier position.
    Causal,
    /// Only positions of the same `size`-long chunk (Llama 4 RoPE layers).
    Chunked(usize),
    /// Only the last `size` positions (sliding window).
    Window(usize),
}

impl Visibility {
    /// A sliding window of `window` positions on layers where `applies`,
    /// else plain causal attention.
    pub fn sliding(window: Option<usize>, applies: Option<&bool>) -> Self {
        match (window, applies) {
            (Some(size), Some(true)) => Self::Window(size),
            _ => Self::Causal,
        }
    }

    /// The first key position any query at `first_query..` can see.
    fn first_key(self, first_query: usize) -> usize {
        match self {
            Self::Causal => 0,
            Self::Chunked(size) => first_query / size * size,
            Self::Window(size) => first_query.saturating_sub(size.saturating_sub(1)),
        }
    }

    pub(crate) fn visible(self, query: usize, key: usize) -> bool {
        key <= query
            && match self {
                Self::Causal => true,
                Self::Chunked(size) => key / size == query / size,
                Self::Window(size) => query - key < size,
            }
    }
}

/// How queries and keys are normalised around RoPE.
#[derive(Debug, Clone)]
pub enum QkNorm {
    None,
    /// RMS norm over `head_dim` after RoPE (Llama 4: weightless).
    AfterRope(RmsNorm),
    /// RMS norms with weights over `head_dim` before RoPE (Qwen3).
    BeforeRope {
        q: RmsNorm,
        k: RmsNorm,
    },
}

/// Llama 4's query temperature on NoPE layers.
#[derive(Debug, Clone, Copy)]
pub struct TemperatureTuning {
    pub floor_scale: f64,
    pub attn_scale: f64,
}

/// Grouped-query self-attention.
#[derive(Debug, Clone)]
pub struct Attention {
    /// `q_proj`, `k_proj` and `v_proj` stacked: one matmul for all three.
    pub qkv_proj: Linear,
    pub o_proj: Linear,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub use_rope: bool,
    pub qk_norm: QkNorm,
    pub temperature: Option<TemperatureTuning>,
    pub visibility: Visibility,
}

impl Attention {
    /// Loads the projections under `prefix` (`{prefix}.q_proj.weight`...)
    /// with the model's head counts and the layer's own variant.
    pub fn load(
        w: &Weights,
        prefix: &str,
        c: &CommonConfig,
        use_rope: bool,
        qk_norm: QkNorm,
        temperature: Option<TemperatureTuning>,
        visibility: Visibility,
    ) -> Result<Self> {
        let (qkv_proj, o_proj) = Self::load_projections(w, prefix, c)?;
        Ok(Self {
            qkv_proj,
            o_proj,
            heads: c.num_attention_heads,
            kv_heads: c.num_key_value_heads,
            head_dim: c.head_dim,
            use_rope,
            qk_norm,
            temperature,
            visibility,
        })
    }

    /// Loads `{prefix}.{q,k,v,o}_proj.weight` (and `.bias` with
    /// `attention_bias`); returns the stacked q/k/v projection and the
    /// output projection.
    fn load_projections(w: &Weights, prefix: &str, c: &CommonConfig) -> Result<(Linear, Linear)> {
        let (hidden, q_width, kv_width) = (
            c.hidden_size,
            c.num_attention_heads * c.head_dim,
            c.num_key_value_heads * c.head_dim,
        );
        let get = |name: &str, shape: &[usize]| w.get(&format!("{prefix}.{name}"), shape);
        let (q, k, v) = (
            format!("{prefix}.q_proj.weight"),
            format!("{prefix}.k_proj.weight"),
            format!("{prefix}.v_proj.weight"),
        );
        let mut qkv = Linear::from_parts(
            w.fused_parts(&[(&q, q_width), (&k, kv_width), (&v, kv_width)], hidden)?,
        )?;
        let mut o = Linear::load(w, &format!("{prefix}.o_proj.weight"), hidden, q_width)?;
        if c.attention_bias {
            let bias = |name: &str, n: usize| -> Result<Tensor> {
                Ok(get(name, &[n])?.to_dtype(DType::F32)?)
            };
            qkv.bias = Some(Tensor::cat(
                &[
                    bias("q_proj.bias", q_width)?,
                    bias("k_proj.bias", kv_width)?,
                    bias("v_proj.bias", kv_width)?,
                ],
                0,
            )?);
            o.bias = Some(bias("o_proj.bias", hidden)?);
        }
        Ok((qkv, o))
    }

    /// Attention over `x` (`[rows, hidden]`), appending to each sequence's
    /// cache of `layer`.
    pub fn forward(
        &self,
        x: &Tensor,
        inputs: &AttentionInputs<'_>,
        caches: &mut [&mut SequenceCache],
        layer: usize,
    ) -> Result<Tensor> {
        let rows = inputs.layout.rows();
        let dtype = inputs.cache_dtype;
        let device = x.device().clone();
        let qkv = self.qkv_proj.forward(x)?;
        let (q_width, kv_width) = (self.heads * self.head_dim, self.kv_heads * self.head_dim);
        let split = |offset: usize, heads: usize| -> Result<Tensor> {
            Ok(qkv
                .narrow(1, offset, heads * self.head_dim)?
                .reshape((rows, heads, self.head_dim))?
                .transpose(0, 1)?
                .contiguous()?)
        };
        // [heads, rows, head_dim], f32.
        let mut q = split(0, self.heads)?;
        let mut k = split(q_width, self.kv_heads)?;
        let v = split(q_width + kv_width, self.kv_heads)?;
        if let QkNorm::BeforeRope { q: qn, k: kn } = &self.qk_norm {
            q = qn.forward(&q)?;
            k = kn.forward(&k)?;
        }
        if self.use_rope
            && let Some((rope, cos, sin)) = &inputs.rope
        {
            q = rope.apply(&q, cos, sin)?;
            k = rope.apply(&k, cos, sin)?;
        }
        if let QkNorm::AfterRope(norm) = &self.qk_norm {
            q = norm.forward(&q)?;
            k = norm.forward(&k)?;
        }
        if let Some(t) = self.temperature {
            let scales: Vec<f32> = inputs
                .layout
                .positions
                .iter()
                .map(|p| {
                    let floor = ((*p as f64 + 1.0) / t.floor_scale).floor();
                    (floor.ln_1p() * t.attn_scale + 1.0) as f32
                })
                .collect();
            let scales = Tensor::from_vec(scales, (1, rows, 1), &device)?;
            q = q.broadcast_mul(&scales)?;
        }
        let scale = (self.head_dim as f64).powf(-0.5);
        let q = (q * scale)?;
        let groups = self.heads / self.kv_heads;
        let mut outputs = Vec::with_capacity(caches.len());
        for (&(start, len, past), cache) in inputs.layout.seqs.iter().zip(caches.iter_mut()) {
            let first_key = self.visibility.first_key(past);
            let cached = cache.append(
                layer,
                &k.narrow(1, start, len)?,
                &v.narrow(1, start, len)?,
                first_key,
                dtype,
                &device,
            )?;
            // [kv_heads, groups * len, head_dim]: the query heads that share
            // a key head are stacked, so keys are never copied per head.
            let qs = q.narrow(1, start, len)?.contiguous()?.reshape((
                self.kv_heads,
                groups * len,
                self.head_dim,
            ))?;
            if device.is_cpu() && len <= kernels::ATTENTION_KERNEL_MAX_QUERIES {
                // The cache read in place (on CPU it is f32): a view of the
                // sequence's rows, or the pool with the row of each key.
                let (keys, values, rows) = match cached {
                    CachedKv::Dense { keys, values } => (keys, values, None),
                    CachedKv::Paged { keys, values, rows } => {
                        (keys.transpose(0, 1)?, values.transpose(0, 1)?, Some(rows))
                    }
                };
                let out = kernels::attention(
                    &qs,
                    &keys,
                    &values,
                    rows,
                    len,
                    past,
                    first_key,
                    self.visibility,
                )?
                .reshape((self.heads, len, self.head_dim))?
                .transpose(0, 1)?
                .reshape((len, self.heads * self.head_dim))?;
                outputs.push(out);
                continue;
            }
            let (keys, values) = cached.dense()?;
            let keys = keys.to_dtype(DType::F32)?;
            let values = values.to_dtype(DType::F32)?;
            let n_keys = keys.dim(1)?;
            let mut scores = qs.matmul(&keys.t()?)?;
            if len > 1 {
                let mut mask = Vec::with_capacity(len * n_keys);
                for qi in 0..len {
                    for ki in 0..n_keys {
                        let visible = self.visibility.visible(past + qi, first_key + ki);
                        mask.push(if visible { 0f32 } else { f32::NEG_INFINITY });
                    }
                }
                let mask = Tensor::from_vec(mask, (len, n_keys), &device)?;
                scores = scores
                    .reshape((self.kv_heads, groups, len, n_keys))?
                    .broadcast_add(&mask)?
                    .reshape((self.kv_heads, groups * len, n_keys))?;
            }
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let out = probs
                .matmul(&values)?
                .reshape((self.heads, len, self.head_dim))?
                .transpose(0, 1)?
                .reshape((len, self.heads * self.head_dim))?;
            outputs.push(out);
        }
        let attn = Tensor::cat(&outputs, 0)?;
        self.o_proj.forward(&attn)
    }
}
