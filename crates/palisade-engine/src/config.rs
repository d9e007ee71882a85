//! `config.json` of a Hugging Face checkpoint, read into one typed
//! description per architecture. Every missing or inconsistent key is an
//! error that names the key.

use std::path::Path;

use serde_json::{Map, Value};

use super::{EngineError, Result};

/// The architectures Palisade serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// `Llama4ForCausalLM`, or the text part of `Llama4ForConditionalGeneration`.
    Llama4,
    /// `MixtralForCausalLM`.
    Mixtral,
    /// `Qwen3MoeForCausalLM`.
    Qwen3Moe,
}

impl Architecture {
    /// The short name used on the command line (`--arch`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Llama4 => "llama4",
            Self::Mixtral => "mixtral",
            Self::Qwen3Moe => "qwen3moe",
        }
    }
}

/// How RoPE frequencies are scaled.
#[derive(Debug, Clone, PartialEq)]
pub enum RopeScaling {
    /// Plain `1 / theta^(2j/d)`.
    Default,
    /// Llama 3 frequency-dependent scaling.
    Llama3 {
        factor: f64,
        low_freq_factor: f64,
        high_freq_factor: f64,
        original_max_position_embeddings: f64,
    },
    /// Each frequency divided by its own factor, as a GGUF file's
    /// `rope_freqs` tensor gives them (llama.cpp's converter computes Llama
    /// 3 scaling into it).
    Factors(Vec<f64>),
}

/// Rotary position embedding parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct RopeConfig {
    pub theta: f64,
    pub scaling: RopeScaling,
}

/// What all three architectures share.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonConfig {
    /// The `architectures[0]` string as written.
    pub architecture_name: String,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    pub head_dim: usize,
    pub rms_norm_eps: f64,
    pub rope: RopeConfig,
    pub max_position_embeddings: usize,
    pub tie_word_embeddings: bool,
    pub num_experts: usize,
    pub num_experts_per_tok: usize,
    /// Tensor name prefix in the checkpoint (`language_model.` for the
    /// published multimodal Llama 4 layout).
    pub tensor_prefix: String,
    /// Whether q/k/v/o projections carry biases (`attention_bias`).
    pub attention_bias: bool,
}

/// Llama 4 specifics.
#[derive(Debug, Clone, PartialEq)]
pub struct Llama4Config {
    /// Routed and shared expert width.
    pub intermediate_size: usize,
    /// Dense-layer MLP width.
    pub intermediate_size_mlp: usize,
    /// Per layer: true when its feed-forward is MoE.
    pub moe_layers: Vec<bool>,
    /// Per layer: true when it applies RoPE (`no_rope_layers[i] == 1`).
    pub rope_layers: Vec<bool>,
    pub attention_chunk_size: Option<usize>,
    /// Per layer: true when it attends only within its chunk
    /// (`layer_types[i] == "chunked_attention"`; by default the RoPE layers).
    pub chunked_layers: Vec<bool>,
    pub use_qk_norm: bool,
    pub attn_temperature_tuning: bool,
    pub floor_scale: f64,
    pub attn_scale: f64,
}

/// Mixtral specifics.
#[derive(Debug, Clone, PartialEq)]
pub struct MixtralConfig {
    pub intermediate_size: usize,
    pub sliding_window: Option<usize>,
    /// Per layer: true when `sliding_window` applies to it.
    pub window_layers: Vec<bool>,
}

/// Qwen3-MoE specifics.
#[derive(Debug, Clone, PartialEq)]
pub struct Qwen3MoeConfig {
    /// Dense-layer MLP width.
    pub intermediate_size: usize,
    /// Expert width.
    pub moe_intermediate_size: usize,
    pub norm_topk_prob: bool,
    /// Per layer: true when its feed-forward is MoE.
    pub sparse_layers: Vec<bool>,
    pub sliding_window: Option<usize>,
    /// Per layer: true when `sliding_window` applies to it.
    pub window_layers: Vec<bool>,
}

/// A checkpoint's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    pub common: CommonConfig,
    pub arch: ArchConfig,
}

/// The per-architecture part of [`ModelConfig`].
#[derive(Debug, Clone, PartialEq)]
pub enum ArchConfig {
    Llama4(Llama4Config),
    Mixtral(MixtralConfig),
    Qwen3Moe(Qwen3MoeConfig),
}

/// Parameter counts of a model, from its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamCounts {
    /// Every weight in the checkpoint's text model.
    pub total: u64,
    /// Weights one token touches: attention, dense and shared MLPs, the
    /// routed experts it is sent to, norms, routers, its embedding row
    /// counted whole (as model cards do) and the LM head.
    pub active: u64,
    /// Weights one decode step reads from memory: as `active`, but only one
    /// row of the embedding table.
    pub read_per_token: u64,
    /// Of `total`: the attention projections, the token embedding and the
    /// LM head (what `quantize_attention` adds to in-situ quantization).
    pub attention_and_embeddings: u64,
    /// Of `total`: routers and norms (never quantized).
    pub routers_and_norms: u64,
}

impl ModelConfig {
    /// Reads `DIR/config.json`, or a GGUF file's metadata (its header
    /// only) when `dir` is one.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let path = dir.join("config.json");
        if crate::gguf::is_gguf(dir) && dir.is_file() {
            return crate::gguf::open(dir)?.model_config();
        }
        if !dir.is_dir() {
            return Err(EngineError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a model directory"),
            });
        }
        let text = std::fs::read_to_string(&path).map_err(|source| EngineError::Io {
            path: path.clone(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| EngineError::Json {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Self::from_json(&value)
    }

    /// Interprets a parsed `config.json`.
    pub fn from_json(value: &Value) -> Result<Self> {
        let top = value
            .as_object()
            .ok_or_else(|| EngineError::Config("the file is not a JSON object".into()))?;
        let architecture_name = top
            .get("architectures")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                top.get("model_type")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .ok_or_else(|| {
                EngineError::Config("missing key `architectures` (and no `model_type`)".into())
            })?;
        let (arch, section, prefix, section_name) = match architecture_name.as_str() {
            "Llama4ForConditionalGeneration" | "llama4" => {
                let text = top
                    .get("text_config")
                    .and_then(Value::as_object)
                    .ok_or_else(|| EngineError::Config("missing object `text_config`".into()))?;
                (
                    Architecture::Llama4,
                    text,
                    "language_model.",
                    "text_config.",
                )
            }
            "Llama4ForCausalLM" | "llama4_text" => (Architecture::Llama4, top, "", ""),
            "MixtralForCausalLM" | "mixtral" => (Architecture::Mixtral, top, "", ""),
            "Qwen3MoeForCausalLM" | "qwen3_moe" => (Architecture::Qwen3Moe, top, "", ""),
            other => return Err(EngineError::UnsupportedArchitecture(other.to_owned())),
        };
        let keys = Keys {
            map: section,
            outer: top,
            prefix: section_name,
        };
        let common = keys.common(architecture_name.clone(), prefix.to_owned(), arch)?;
        let arch = match arch {
            Architecture::Llama4 => ArchConfig::Llama4(keys.llama4(&common)?),
            Architecture::Mixtral => {
                let sliding_window = keys.opt_usize("sliding_window")?;
                let all = vec![sliding_window.is_some(); common.num_hidden_layers];
                ArchConfig::Mixtral(MixtralConfig {
                    intermediate_size: keys.usize("intermediate_size")?,
                    window_layers: keys
                        .layer_types("sliding_attention", common.num_hidden_layers)?
                        .unwrap_or(all),
                    sliding_window,
                })
            }
            Architecture::Qwen3Moe => ArchConfig::Qwen3Moe(keys.qwen3(&common)?),
        };
        Ok(Self { common, arch })
    }

    /// Which architecture this is.
    #[must_use]
    pub fn architecture(&self) -> Architecture {
        match self.arch {
            ArchConfig::Llama4(_) => Architecture::Llama4,
            ArchConfig::Mixtral(_) => Architecture::Mixtral,
            ArchConfig::Qwen3Moe(_) => Architecture::Qwen3Moe,
        }
    }

    /// Number of layers whose feed-forward is a mixture of experts.
    #[must_use]
    pub fn moe_layer_count(&self) -> usize {
        match &self.arch {
            ArchConfig::Llama4(l) => l.moe_layers.iter().filter(|m| **m).count(),
            ArchConfig::Mixtral(_) => self.common.num_hidden_layers,
            ArchConfig::Qwen3Moe(q) => q.sparse_layers.iter().filter(|m| **m).count(),
        }
    }

    /// Total and active parameter counts.
    #[must_use]
    pub fn param_counts(&self) -> ParamCounts {
        let c = &self.common;
        let h = c.hidden_size as u64;
        let layers = c.num_hidden_layers as u64;
        let attn = h * (c.num_attention_heads * c.head_dim) as u64 * 2
            + h * (c.num_key_value_heads * c.head_dim) as u64 * 2;
        let norms = 2 * h;
        let mlp = |width: usize| 3 * h * width as u64;
        let e = c.num_experts as u64;
        let k = c.num_experts_per_tok as u64;
        let router = e * h;
        let (mut total, mut active) = (0u64, 0u64);
        match &self.arch {
            ArchConfig::Llama4(l) => {
                for &moe in &l.moe_layers {
                    if moe {
                        total += e * mlp(l.intermediate_size) + mlp(l.intermediate_size) + router;
                        active += k * mlp(l.intermediate_size) + mlp(l.intermediate_size) + router;
                    } else {
                        total += mlp(l.intermediate_size_mlp);
                        active += mlp(l.intermediate_size_mlp);
                    }
                }
            }
            ArchConfig::Mixtral(m) => {
                total += layers * (e * mlp(m.intermediate_size) + router);
                active += layers * (k * mlp(m.intermediate_size) + router);
            }
            ArchConfig::Qwen3Moe(q) => {
                for &sparse in &q.sparse_layers {
                    if sparse {
                        total += e * mlp(q.moe_intermediate_size) + router;
                        active += k * mlp(q.moe_intermediate_size) + router;
                    } else {
                        total += mlp(q.intermediate_size);
                        active += mlp(q.intermediate_size);
                    }
                }
                // q_norm and k_norm weights.
                total += layers * 2 * c.head_dim as u64;
                active += layers * 2 * c.head_dim as u64;
            }
        }
        let per_layer_fixed = layers * (attn + norms);
        let embed = c.vocab_size as u64 * h;
        let head = if c.tie_word_embeddings { 0 } else { embed };
        let final_norm = h;
        let routers = match &self.arch {
            ArchConfig::Llama4(l) => l.moe_layers.iter().filter(|m| **m).count() as u64 * router,
            ArchConfig::Mixtral(_) => layers * router,
            ArchConfig::Qwen3Moe(q) => {
                q.sparse_layers.iter().filter(|s| **s).count() as u64 * router
            }
        };
        ParamCounts {
            total: total + per_layer_fixed + embed + head + final_norm,
            active: active + per_layer_fixed + embed + head + final_norm,
            read_per_token: active + per_layer_fixed + h + embed + final_norm,
            attention_and_embeddings: layers * attn + embed + head,
            routers_and_norms: routers + layers * norms + final_norm,
        }
    }
}

/// Typed access to one section of `config.json`, naming keys in errors.
struct Keys<'a> {
    map: &'a Map<String, Value>,
    /// The top-level object (for keys the multimodal layout keeps outside
    /// `text_config`, such as `tie_word_embeddings`).
    outer: &'a Map<String, Value>,
    prefix: &'a str,
}

impl Keys<'_> {
    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn usize(&self, key: &str) -> Result<usize> {
        self.opt_usize(key)?
            .ok_or_else(|| EngineError::Config(format!("missing key `{}`", self.name(key))))
    }

    fn opt_usize(&self, key: &str) -> Result<Option<usize>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    EngineError::Config(format!(
                        "`{}` must be a non-negative integer, not {v}",
                        self.name(key)
                    ))
                }),
        }
    }

    fn f64_or(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().filter(|f| f.is_finite()).ok_or_else(|| {
                EngineError::Config(format!("`{}` must be a number, not {v}", self.name(key)))
            }),
        }
    }

    fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| {
                EngineError::Config(format!(
                    "`{}` must be true or false, not {v}",
                    self.name(key)
                ))
            }),
        }
    }

    fn usize_list(&self, key: &str) -> Result<Option<Vec<usize>>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let bad = || {
            EngineError::Config(format!(
                "`{}` must be a list of non-negative integers",
                self.name(key)
            ))
        };
        let list = v.as_array().ok_or_else(bad)?;
        list.iter()
            .map(|x| {
                x.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(bad)
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    fn positive(&self, key: &str) -> Result<usize> {
        let n = self.usize(key)?;
        if n == 0 {
            return Err(EngineError::Config(format!(
                "`{}` must be positive",
                self.name(key)
            )));
        }
        Ok(n)
    }

    fn common(
        &self,
        architecture_name: String,
        tensor_prefix: String,
        arch: Architecture,
    ) -> Result<CommonConfig> {
        let hidden_size = self.positive("hidden_size")?;
        let num_attention_heads = self.positive("num_attention_heads")?;
        let num_key_value_heads = self
            .opt_usize("num_key_value_heads")?
            .unwrap_or(num_attention_heads);
        if num_key_value_heads == 0 || num_attention_heads % num_key_value_heads != 0 {
            return Err(EngineError::Config(format!(
                "`{}` ({num_attention_heads}) must be a multiple of `{}` ({num_key_value_heads})",
                self.name("num_attention_heads"),
                self.name("num_key_value_heads")
            )));
        }
        let head_dim = match self.opt_usize("head_dim")? {
            Some(d) => d,
            None => {
                if hidden_size % num_attention_heads != 0 {
                    return Err(EngineError::Config(format!(
                        "no `{}`, and `hidden_size` {hidden_size} is not divisible by `num_attention_heads` {num_attention_heads}",
                        self.name("head_dim")
                    )));
                }
                hidden_size / num_attention_heads
            }
        };
        if head_dim == 0 || head_dim % 2 != 0 {
            return Err(EngineError::Config(format!(
                "`{}` must be a positive even number for RoPE, not {head_dim}",
                self.name("head_dim")
            )));
        }
        let experts_key = if self.get("num_local_experts").is_some() {
            "num_local_experts"
        } else {
            "num_experts"
        };
        let num_experts = self.positive(experts_key)?;
        let num_experts_per_tok = self.positive("num_experts_per_tok")?;
        if num_experts_per_tok > num_experts {
            return Err(EngineError::Config(format!(
                "`{}` ({num_experts_per_tok}) exceeds `{}` ({num_experts})",
                self.name("num_experts_per_tok"),
                self.name(experts_key)
            )));
        }
        let tie = match self.get("tie_word_embeddings") {
            Some(_) => self.bool_or("tie_word_embeddings", false)?,
            None => self
                .outer
                .get("tie_word_embeddings")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        let _ = arch;
        if let Some(act) = self.get("hidden_act")
            && act.as_str() != Some("silu")
        {
            return Err(EngineError::Config(format!(
                "`{}` {act} is not supported (silu)",
                self.name("hidden_act")
            )));
        }
        Ok(CommonConfig {
            attention_bias: self.bool_or("attention_bias", false)?,
            architecture_name,
            vocab_size: self.positive("vocab_size")?,
            hidden_size,
            num_hidden_layers: self.positive("num_hidden_layers")?,
            num_attention_heads,
            num_key_value_heads,
            head_dim,
            rms_norm_eps: self.f64_or("rms_norm_eps", 1e-6)?,
            rope: self.rope()?,
            max_position_embeddings: self.positive("max_position_embeddings")?,
            tie_word_embeddings: tie,
            num_experts,
            num_experts_per_tok,
            tensor_prefix,
        })
    }

    /// Both styles: `rope_theta` + `rope_scaling`, or `rope_parameters`.
    fn rope(&self) -> Result<RopeConfig> {
        let (params, params_key) = match self.get("rope_parameters") {
            Some(p) => (Some(p), "rope_parameters"),
            None => (self.get("rope_scaling"), "rope_scaling"),
        };
        let params = match params {
            None => None,
            Some(p) => Some(p.as_object().ok_or_else(|| {
                EngineError::Config(format!("`{}` must be an object", self.name(params_key)))
            })?),
        };
        let theta_value = params
            .and_then(|p| p.get("rope_theta"))
            .or_else(|| self.get("rope_theta"));
        let theta = match theta_value {
            None => 10_000.0,
            Some(v) => v.as_f64().filter(|t| *t > 0.0).ok_or_else(|| {
                EngineError::Config(format!(
                    "`{}` must be a positive number",
                    self.name("rope_theta")
                ))
            })?,
        };
        let kind = params
            .and_then(|p| p.get("rope_type").or_else(|| p.get("type")))
            .and_then(Value::as_str)
            .unwrap_or("default");
        let scaling = match kind {
            "default" => RopeScaling::Default,
            "llama3" => {
                let field = |name: &str| -> Result<f64> {
                    params
                        .and_then(|p| p.get(name))
                        .and_then(Value::as_f64)
                        .filter(|f| f.is_finite() && *f > 0.0)
                        .ok_or_else(|| {
                            EngineError::Config(format!(
                                "`{}.{name}` must be a positive number for llama3 RoPE scaling",
                                self.name(params_key)
                            ))
                        })
                };
                RopeScaling::Llama3 {
                    factor: field("factor")?,
                    low_freq_factor: field("low_freq_factor")?,
                    high_freq_factor: field("high_freq_factor")?,
                    original_max_position_embeddings: field("original_max_position_embeddings")?,
                }
            }
            other => {
                return Err(EngineError::Config(format!(
                    "`{}.rope_type` {other:?} is not supported (default, llama3)",
                    self.name(params_key)
                )));
            }
        };
        Ok(RopeConfig { theta, scaling })
    }

    /// `layer_types[i] == kind` per layer, when `layer_types` is given.
    fn layer_types(&self, kind: &str, layers: usize) -> Result<Option<Vec<bool>>> {
        let Some(v) = self.get("layer_types") else {
            return Ok(None);
        };
        let bad = || {
            EngineError::Config(format!(
                "`{}` must be a list of {layers} layer type names",
                self.name("layer_types")
            ))
        };
        let list = v.as_array().ok_or_else(bad)?;
        if list.len() != layers {
            return Err(bad());
        }
        list.iter()
            .map(|t| t.as_str().map(|t| t == kind).ok_or_else(bad))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    fn layer_flags(&self, key: &str, layers: usize) -> Result<Option<Vec<bool>>> {
        let Some(list) = self.usize_list(key)? else {
            return Ok(None);
        };
        let mut flags = vec![false; layers];
        for i in list {
            let slot = flags.get_mut(i).ok_or_else(|| {
                EngineError::Config(format!(
                    "`{}` names layer {i}, but the model has {layers} layers",
                    self.name(key)
                ))
            })?;
            *slot = true;
        }
        Ok(Some(flags))
    }

    fn llama4(&self, common: &CommonConfig) -> Result<Llama4Config> {
        let layers = common.num_hidden_layers;
        let moe_layers = match self.layer_flags("moe_layers", layers)? {
            Some(flags) => flags,
            None => {
                let step = self.opt_usize("interleave_moe_layer_step")?.unwrap_or(1);
                if step == 0 {
                    return Err(EngineError::Config(format!(
                        "`{}` must be positive",
                        self.name("interleave_moe_layer_step")
                    )));
                }
                (0..layers).map(|i| (i + 1) % step == 0).collect()
            }
        };
        let rope_layers: Vec<bool> = match self.usize_list("no_rope_layers")? {
            Some(list) if !list.is_empty() => {
                if list.len() != layers {
                    return Err(EngineError::Config(format!(
                        "`{}` has {} entries for {layers} layers",
                        self.name("no_rope_layers"),
                        list.len()
                    )));
                }
                list.iter().map(|v| *v != 0).collect()
            }
            _ => {
                let interval = self.opt_usize("no_rope_layer_interval")?.unwrap_or(4);
                if interval == 0 {
                    return Err(EngineError::Config(format!(
                        "`{}` must be positive",
                        self.name("no_rope_layer_interval")
                    )));
                }
                (0..layers).map(|i| (i + 1) % interval != 0).collect()
            }
        };
        let attention_chunk_size = self.opt_usize("attention_chunk_size")?;
        if attention_chunk_size == Some(0) {
            return Err(EngineError::Config(format!(
                "`{}` must be positive",
                self.name("attention_chunk_size")
            )));
        }
        let intermediate_size = self.positive("intermediate_size")?;
        let chunked_layers = match self.layer_types("chunked_attention", layers)? {
            Some(types) => types,
            None => rope_layers.clone(),
        }
        .into_iter()
        .map(|chunked| chunked && attention_chunk_size.is_some())
        .collect();
        Ok(Llama4Config {
            chunked_layers,
            intermediate_size,
            intermediate_size_mlp: self
                .opt_usize("intermediate_size_mlp")?
                .unwrap_or(intermediate_size),
            moe_layers,
            rope_layers,
            attention_chunk_size,
            use_qk_norm: self.bool_or("use_qk_norm", false)?,
            attn_temperature_tuning: self.bool_or("attn_temperature_tuning", true)?,
            floor_scale: self.f64_or("floor_scale", 8192.0)?,
            attn_scale: self.f64_or("attn_scale", 0.1)?,
        })
    }

    fn qwen3(&self, common: &CommonConfig) -> Result<Qwen3MoeConfig> {
        let layers = common.num_hidden_layers;
        let step = self.opt_usize("decoder_sparse_step")?.unwrap_or(1);
        let dense = self
            .layer_flags("mlp_only_layers", layers)?
            .unwrap_or_else(|| vec![false; layers]);
        let sparse_layers = dense
            .iter()
            .enumerate()
            .map(|(i, only_mlp)| !only_mlp && step > 0 && (i + 1) % step == 0)
            .collect();
        let sliding_window = if self.bool_or("use_sliding_window", false)? {
            self.opt_usize("sliding_window")?
        } else {
            None
        };
        // As transformers: the window applies to layers from
        // `max_window_layers` on, unless `layer_types` says otherwise.
        let max_window_layers = self.opt_usize("max_window_layers")?.unwrap_or(layers);
        let window_layers = match self.layer_types("sliding_attention", layers)? {
            Some(types) => types,
            None => (0..layers).map(|i| i >= max_window_layers).collect(),
        }
        .into_iter()
        .map(|w| w && sliding_window.is_some())
        .collect();
        Ok(Qwen3MoeConfig {
            intermediate_size: self.positive("intermediate_size")?,
            moe_intermediate_size: self.positive("moe_intermediate_size")?,
            norm_topk_prob: self.bool_or("norm_topk_prob", false)?,
            sparse_layers,
            sliding_window,
            window_layers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/models")
            .join(name)
    }

    #[test]
    fn reads_the_four_fixtures() {
        let l4 = ModelConfig::from_dir(&fixture("llama4-tiny")).unwrap();
        let ArchConfig::Llama4(l) = &l4.arch else {
            panic!("not llama4")
        };
        assert_eq!(l.moe_layers, vec![false, true, false, true]);
        assert_eq!(l.rope_layers, vec![true, true, true, false]);
        assert!(matches!(l4.common.rope.scaling, RopeScaling::Llama3 { .. }));
        let mm = ModelConfig::from_dir(&fixture("llama4-multimodal-tiny")).unwrap();
        assert_eq!(mm.common.tensor_prefix, "language_model.");
        assert_eq!(mm.arch, l4.arch);
        let q = ModelConfig::from_dir(&fixture("qwen3moe-tiny")).unwrap();
        let ArchConfig::Qwen3Moe(qc) = &q.arch else {
            panic!("not qwen")
        };
        assert_eq!(qc.sparse_layers, vec![false, true, true]);
        assert!((q.common.rope.theta - 1e6).abs() < 1.0);
        let m = ModelConfig::from_dir(&fixture("mixtral-tiny")).unwrap();
        assert_eq!(m.common.num_experts, 8);
        assert_eq!(m.common.num_experts_per_tok, 2);
    }

    #[test]
    fn parameter_count_matches_the_reference() {
        // golden.json states the parameter count transformers reports.
        for (name, expected) in [
            ("llama4-tiny", 187_456u64),
            ("mixtral-tiny", 311_232),
            ("qwen3moe-tiny", 206_368),
        ] {
            let c = ModelConfig::from_dir(&fixture(name)).unwrap();
            assert_eq!(c.param_counts().total, expected, "{name}");
        }
    }

    #[test]
    fn bad_configs_name_the_key() {
        let err = |v: Value| ModelConfig::from_json(&v).unwrap_err().to_string();
        assert!(
            err(serde_json::json!({"architectures": ["GPT2LMHeadModel"]}))
                .contains("GPT2LMHeadModel")
        );
        let mut base: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("mixtral-tiny").join("config.json")).unwrap(),
        )
        .unwrap();
        base["num_experts_per_tok"] = serde_json::json!(9);
        assert!(err(base.clone()).contains("num_experts_per_tok"));
        base["num_experts_per_tok"] = serde_json::json!(2);
        base.as_object_mut().unwrap().remove("hidden_size");
        assert!(err(base.clone()).contains("`hidden_size`"));
        base["hidden_size"] = serde_json::json!(64);
        base["rope_scaling"] = serde_json::json!({"rope_type": "yarn", "factor": 4.0});
        assert!(err(base.clone()).contains("yarn"));
        base["rope_scaling"] = Value::Null;
        base["num_key_value_heads"] = serde_json::json!(3);
        assert!(err(base.clone()).contains("num_key_value_heads"));
        base["num_key_value_heads"] = serde_json::json!(2);
        base["hidden_act"] = serde_json::json!("gelu");
        assert!(err(base.clone()).contains("hidden_act"));
        base["hidden_act"] = serde_json::json!("silu");
        base["layer_types"] = serde_json::json!(["full_attention"]);
        assert!(err(base).contains("layer_types"));
    }

    #[test]
    fn layer_types_and_windows_follow_transformers() {
        let mut l4: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("llama4-tiny").join("config.json")).unwrap(),
        )
        .unwrap();
        // By default the RoPE layers are the chunked ones...
        let c = ModelConfig::from_json(&l4).unwrap();
        let ArchConfig::Llama4(l) = &c.arch else {
            panic!("not llama4")
        };
        assert_eq!(l.chunked_layers, vec![true, true, true, false]);
        // ...unless layer_types says otherwise, and never without a chunk size.
        l4["layer_types"] = serde_json::json!([
            "full_attention",
            "chunked_attention",
            "full_attention",
            "full_attention"
        ]);
        let ArchConfig::Llama4(l) = ModelConfig::from_json(&l4).unwrap().arch else {
            panic!()
        };
        assert_eq!(l.chunked_layers, vec![false, true, false, false]);
        l4["attention_chunk_size"] = Value::Null;
        let ArchConfig::Llama4(l) = ModelConfig::from_json(&l4).unwrap().arch else {
            panic!()
        };
        assert_eq!(l.chunked_layers, vec![false; 4]);

        let mut q: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("qwen3moe-tiny").join("config.json")).unwrap(),
        )
        .unwrap();
        q["use_sliding_window"] = serde_json::json!(true);
        q["sliding_window"] = serde_json::json!(16);
        q["max_window_layers"] = serde_json::json!(1);
        let ArchConfig::Qwen3Moe(qc) = ModelConfig::from_json(&q).unwrap().arch else {
            panic!()
        };
        assert_eq!(qc.window_layers, vec![false, true, true]);
        q["use_sliding_window"] = serde_json::json!(false);
        let ArchConfig::Qwen3Moe(qc) = ModelConfig::from_json(&q).unwrap().arch else {
            panic!()
        };
        assert_eq!(qc.window_layers, vec![false; 3]);
    }
}
