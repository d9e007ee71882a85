//! A loaded model: embedding, decoder layers, final norm and LM head, run
//! over a batch of sequences of different lengths in one forward pass.

use std::path::Path;

use candle_core::{DType, Device, Tensor};

use super::cache::{KvPool, SequenceCache};
use super::config::{ArchConfig, CommonConfig, ModelConfig};
use super::layers::{Attention, AttentionInputs, BatchLayout, Linear, Mlp, RmsNorm, Rope};
use super::moe::{self, Experts, Scoring};
use super::quant::Quantization;
use super::weights::{Embedding, Weights};
use super::{EngineError, Result, llama4, mixtral, qwen3_moe};

/// A layer's feed-forward part.
#[derive(Debug, Clone)]
pub(crate) enum FeedForward {
    Dense(Mlp),
    Moe(MoeBlock),
}

/// A mixture-of-experts feed-forward block.
#[derive(Debug, Clone)]
pub(crate) struct MoeBlock {
    pub router: Linear,
    pub experts: Experts,
    pub shared: Option<Mlp>,
    pub scoring: Scoring,
    pub top_k: usize,
}

impl MoeBlock {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let routing = moe::route(&self.router.forward(x)?, self.top_k, self.scoring)?;
        if let Some(out) =
            self.experts
                .forward_host(x, &routing, self.scoring, self.shared.as_ref())?
        {
            return Ok(out);
        }
        let routed = self.experts.forward(x, &routing, self.scoring)?;
        match &self.shared {
            Some(shared) => Ok((shared.forward(x)? + routed)?),
            None => Ok(routed),
        }
    }
}

/// One pre-norm decoder layer.
#[derive(Debug, Clone)]
pub(crate) struct DecoderLayer {
    pub input_norm: RmsNorm,
    pub attn: Attention,
    pub post_norm: RmsNorm,
    pub ffn: FeedForward,
}

impl DecoderLayer {
    /// Layer `i` with its two RMS norms (`input_layernorm`,
    /// `post_attention_layernorm`) loaded around `attn` and `ffn`.
    pub(crate) fn load(
        w: &Weights,
        c: &CommonConfig,
        i: usize,
        attn: Attention,
        ffn: FeedForward,
    ) -> Result<Self> {
        let norm = |name: &str| {
            RmsNorm::load(
                w,
                &format!("model.layers.{i}.{name}.weight"),
                c.hidden_size,
                c.rms_norm_eps,
            )
        };
        Ok(Self {
            input_norm: norm("input_layernorm")?,
            attn,
            post_norm: norm("post_attention_layernorm")?,
            ffn,
        })
    }
}

/// One sequence's part of a forward pass: its new tokens and its cache.
pub struct SeqStep<'a> {
    pub tokens: &'a [u32],
    pub cache: &'a mut SequenceCache,
}

/// A model ready to run.
#[derive(Debug)]
pub struct Model {
    config: ModelConfig,
    embed: Embedding,
    layers: Vec<DecoderLayer>,
    norm: RmsNorm,
    lm_head: Linear,
    rope: Rope,
    dtype: DType,
    /// Whether some weights are quantized blocks (their products quantize
    /// the activations per block too).
    quantized: bool,
    device: Device,
    /// The threads a forward pass runs on. The pass runs *inside* the pool,
    /// so each of its parallel products splits work with the idle workers
    /// directly instead of handing it over and waking them (one hand-over
    /// per pass rather than a hundred per decoded token).
    pool: std::sync::Arc<rayon::ThreadPool>,
}

impl Model {
    /// Loads the model in `dir` in `dtype` onto `device`.
    pub fn load(dir: &Path, dtype: DType, device: &Device) -> Result<Self> {
        Self::load_quantized(dir, dtype, device, None)
    }

    /// Loads the model in `dir` (a checkpoint directory or a GGUF file),
    /// quantizing its floating-point weights in situ when `quantization`
    /// says so (with `true`: attention and the LM head as well). A GGUF
    /// file's quantized matrices stay its blocks on the CPU.
    pub fn load_quantized(
        dir: &Path,
        dtype: DType,
        device: &Device,
        quantization: Option<(Quantization, bool)>,
    ) -> Result<Self> {
        let (config, weights) = if crate::gguf::is_gguf(dir) && dir.is_file() {
            let file = crate::gguf::open(dir)?;
            let config = file.model_config()?;
            // The quantized matrices stay the file's blocks on the CPU.
            (config, Weights::from_gguf(file, dtype, device, true))
        } else {
            let config = ModelConfig::from_dir(dir)?;
            let weights = Weights::open(dir, &config.common.tensor_prefix, dtype, device)?;
            (config, weights)
        };
        let weights = match quantization {
            Some((q, attention)) => weights.quantized_in_situ(q, attention),
            None => weights,
        };
        Self::from_weights(config, &weights)
    }

    /// The tokenizer of the model at `path`: the directory's
    /// `tokenizer.json` and `tokenizer_config.json`, or a GGUF file's
    /// metadata.
    pub fn tokenizer_at(path: &Path, vocab_size: usize) -> Result<crate::tokenizer::TextTokenizer> {
        if crate::gguf::is_gguf(path) && path.is_file() {
            return crate::gguf_tokenizer::load(&crate::gguf::open(path)?, vocab_size);
        }
        crate::tokenizer::TextTokenizer::load(path, vocab_size)
    }

    /// Builds the model from its configuration and weights.
    pub fn from_weights(config: ModelConfig, w: &Weights) -> Result<Self> {
        let c = &config.common;
        let (layers, rope_style) = match &config.arch {
            ArchConfig::Llama4(l) => (llama4::load_layers(c, l, w)?, llama4::ROPE_STYLE),
            ArchConfig::Mixtral(m) => (mixtral::load_layers(c, m, w)?, mixtral::ROPE_STYLE),
            ArchConfig::Qwen3Moe(q) => (qwen3_moe::load_layers(c, q, w)?, qwen3_moe::ROPE_STYLE),
        };
        let embed = w.embedding("model.embed_tokens.weight", c.vocab_size, c.hidden_size)?;
        let lm_head = if c.tie_word_embeddings && !w.contains("lm_head.weight") {
            Linear::from_packed(embed.as_linear()?)
        } else {
            Linear::load(w, "lm_head.weight", c.vocab_size, c.hidden_size)?
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("palisade-engine-{i}"))
            .build()
            .map_err(|e| EngineError::Request(format!("cannot start the engine's threads: {e}")))?;
        Ok(Self {
            pool: std::sync::Arc::new(pool),
            norm: RmsNorm::load(w, "model.norm.weight", c.hidden_size, c.rms_norm_eps)?,
            rope: Rope::new(&c.rope, c.head_dim, rope_style),
            embed,
            lm_head,
            layers,
            dtype: w.dtype(),
            quantized: w.handed_quantized(),
            device: w.device().clone(),
            config,
        })
    }

    /// Whether some weights are held as quantized blocks.
    #[must_use]
    pub fn quantized(&self) -> bool {
        self.quantized
    }

    /// The configuration the model was built from.
    #[must_use]
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The dtype weights are held in.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The device the model runs on.
    #[must_use]
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The longest sequence the model accepts.
    #[must_use]
    pub fn context_length(&self) -> usize {
        self.config.common.max_position_embeddings
    }

    /// An empty cache for one sequence.
    #[must_use]
    pub fn new_cache(&self) -> SequenceCache {
        SequenceCache::new(self.layers.len())
    }

    /// A pool of `blocks` KV blocks of `block_size` positions for
    /// [`SequenceCache::paged`] caches (the serving scheduler's).
    pub fn new_kv_pool(&self, blocks: usize, block_size: usize) -> Result<KvPool> {
        let layers: Vec<(usize, usize)> = self
            .layers
            .iter()
            .map(|l| (l.attn.kv_heads, l.attn.head_dim))
            .collect();
        KvPool::new(
            &layers,
            blocks,
            block_size,
            self.cache_dtype(),
            &self.device,
        )
    }

    /// The cache's dtype. On CPU the cache is f32: attention reads it in
    /// place instead of widening the whole context every step (twice the
    /// memory of bf16, half the time). GPUs keep the weights' dtype.
    fn cache_dtype(&self) -> DType {
        if self.device.is_cpu() {
            DType::F32
        } else {
            self.dtype
        }
    }

    /// Runs `tokens` of one sequence and returns the f32 logits of its last
    /// token (generation one sequence at a time).
    pub fn next_logits(&self, tokens: &[u32], cache: &mut SequenceCache) -> Result<Vec<f32>> {
        let logits = self.forward(&mut [SeqStep { tokens, cache }], false)?;
        Ok(logits
            .first()
            .ok_or_else(|| EngineError::Request("no logits returned".into()))?
            .flatten_all()?
            .to_vec1::<f32>()?)
    }

    /// Runs the new tokens of every sequence in `steps` in one pass,
    /// appending to their caches. Returns per sequence the f32 logits of
    /// every new token (`all_logits`) or of its last one: `[rows, vocab]`.
    pub fn forward(&self, steps: &mut [SeqStep<'_>], all_logits: bool) -> Result<Vec<Tensor>> {
        self.pool
            .install(|| self.forward_in_pool(steps, all_logits))
    }

    fn forward_in_pool(&self, steps: &mut [SeqStep<'_>], all_logits: bool) -> Result<Vec<Tensor>> {
        let c = &self.config.common;
        let mut layout = BatchLayout {
            seqs: Vec::with_capacity(steps.len()),
            positions: Vec::new(),
        };
        let mut ids = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let past = step.cache.len();
            let len = step.tokens.len();
            if len == 0 {
                return Err(EngineError::Request(format!(
                    "sequence {i} of the batch has no new tokens"
                )));
            }
            if past + len > c.max_position_embeddings {
                return Err(EngineError::Request(format!(
                    "sequence {i} would hold {} tokens, more than the model's context of {}",
                    past + len,
                    c.max_position_embeddings
                )));
            }
            if let Some(bad) = step.tokens.iter().find(|t| **t as usize >= c.vocab_size) {
                return Err(EngineError::Request(format!(
                    "token id {bad} is outside the vocabulary of {} tokens",
                    c.vocab_size
                )));
            }
            layout.seqs.push((ids.len(), len, past));
            layout.positions.extend(past..past + len);
            ids.extend_from_slice(step.tokens);
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // The residual stream is f32 whatever the weights' dtype.
        let mut x = self.embed.lookup(&ids, &self.device)?;
        let (cos, sin) = self.rope.tables(&layout.positions, &self.device)?;
        let inputs = AttentionInputs {
            layout: &layout,
            rope: Some((&self.rope, cos, sin)),
            cache_dtype: self.cache_dtype(),
        };
        let mut caches: Vec<&mut SequenceCache> = steps.iter_mut().map(|s| &mut *s.cache).collect();
        for (i, layer) in self.layers.iter().enumerate() {
            let h = layer
                .attn
                .forward(&layer.input_norm.forward(&x)?, &inputs, &mut caches, i)?;
            let x1 = (x + h)?;
            let normed = layer.post_norm.forward(&x1)?;
            let f = match &layer.ffn {
                FeedForward::Dense(mlp) => mlp.forward(&normed)?,
                FeedForward::Moe(moe) => moe.forward(&normed)?,
            };
            x = (x1 + f)?;
        }
        for (cache, &(_, len, _)) in caches.iter_mut().zip(&layout.seqs) {
            cache.advance(len);
        }
        let (x, counts): (Tensor, Vec<usize>) = if all_logits {
            (x, layout.seqs.iter().map(|s| s.1).collect())
        } else {
            let last: Vec<u32> = layout
                .seqs
                .iter()
                .map(|(s, l, _)| (s + l - 1) as u32)
                .collect();
            let index = Tensor::new(last.as_slice(), &self.device)?;
            (x.index_select(&index, 0)?, vec![1; layout.seqs.len()])
        };
        let logits = self
            .lm_head
            .forward(&self.norm.forward(&x)?)?
            .to_dtype(DType::F32)?;
        let mut out = Vec::with_capacity(counts.len());
        let mut row = 0;
        for n in counts {
            out.push(logits.narrow(0, row, n)?);
            row += n;
        }
        Ok(out)
    }
}
