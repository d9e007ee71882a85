//! `palisade model synth`: random-weight models of named sizes, written in
//! the published Hugging Face layout (config, sharded safetensors with an
//! index, byte-level BPE tokenizer, chat template, generation config), for
//! the demo, load tests and benchmarks. The text they generate is
//! gibberish; their shapes and costs are real.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use candle_core::DType;
use serde_json::{Value, json};

use super::{EngineError, Result};

/// Shards are cut at this size, as the published checkpoints are.
const MAX_SHARD_BYTES: u64 = 2 << 30;

/// A model size.
#[derive(Debug, Clone, Copy)]
struct Shape {
    hidden: usize,
    layers: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    experts: usize,
    top_k: usize,
    /// Expert width.
    expert_width: usize,
    /// Dense MLP width.
    dense_width: usize,
    vocab: usize,
    context: usize,
    /// Llama 4: every layer MoE (Scout) rather than every second one;
    /// Qwen3-MoE: no dense first layer.
    all_moe: bool,
}

/// The presets: (arch, name, shape). `bench-1b` is about 1B total and 200M
/// active parameters in the Llama 4 (Scout) layout; `bench-1b-2x` has
/// twice the experts at the same top-k; `scout-2l` is two decoder layers at
/// Llama 4 Scout's real dimensions (6.5B parameters, 13 GB in bf16), so
/// that kernels are measured at the shapes that matter; `qwen3moe`
/// `tiny-moe` routes every layer, as a GGUF file of it must.
fn preset(arch: &str, name: &str) -> Option<Shape> {
    let tiny = Shape {
        hidden: 128,
        layers: 4,
        heads: 4,
        kv_heads: 2,
        head_dim: 32,
        experts: 4,
        top_k: 1,
        expert_width: 128,
        dense_width: 256,
        vocab: 512,
        context: 4096,
        all_moe: false,
    };
    let small = Shape {
        hidden: 512,
        layers: 8,
        heads: 8,
        kv_heads: 4,
        head_dim: 64,
        experts: 8,
        top_k: 2,
        expert_width: 512,
        dense_width: 1024,
        vocab: 4096,
        context: 8192,
        all_moe: false,
    };
    let bench = Shape {
        hidden: 1024,
        layers: 16,
        heads: 16,
        kv_heads: 8,
        head_dim: 64,
        experts: 16,
        top_k: 1,
        expert_width: 1024,
        dense_width: 2048,
        vocab: 32768,
        context: 131_072,
        all_moe: true,
    };
    let scout_2l = Shape {
        hidden: 5120,
        layers: 2,
        heads: 40,
        kv_heads: 8,
        head_dim: 128,
        experts: 16,
        top_k: 1,
        expert_width: 8192,
        dense_width: 16384,
        vocab: 202_048,
        context: 131_072,
        all_moe: true,
    };
    match (arch, name) {
        ("llama4", "tiny") => Some(tiny),
        ("mixtral" | "qwen3moe", "tiny") => Some(Shape {
            experts: 8,
            top_k: 2,
            ..tiny
        }),
        (_, "small") => Some(small),
        ("llama4", "bench-1b") => Some(bench),
        ("llama4", "bench-1b-2x") => Some(Shape {
            experts: 32,
            ..bench
        }),
        ("llama4", "scout-2l") => Some(scout_2l),
        // Every layer routed, as llama.cpp's `qwen3moe` architecture (and
        // so a GGUF file of it) requires.
        ("qwen3moe", "tiny-moe") => Some(Shape {
            top_k: 2,
            hidden: 64,
            layers: 2,
            head_dim: 16,
            expert_width: 64,
            dense_width: 128,
            all_moe: true,
            ..tiny
        }),
        _ => None,
    }
}

/// How a tensor is initialised.
#[derive(Debug, Clone, Copy)]
enum Init {
    Ones,
    Random,
}

struct Spec {
    name: String,
    shape: Vec<usize>,
    init: Init,
}

impl Spec {
    fn elements(&self) -> u64 {
        self.shape.iter().map(|d| *d as u64).product()
    }
}

/// splitmix64: a small, portable generator, so the same seed writes the
/// same model everywhere.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-a, a).
    fn uniform(&mut self, a: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        (unit * 2.0 - 1.0) * a
    }
}

/// Writes the preset model and returns a one-line summary.
pub fn synth(arch: &str, preset_name: &str, out: &Path, dtype: DType, seed: u64) -> Result<String> {
    let shape = preset(arch, preset_name).ok_or_else(|| {
        EngineError::Request(format!(
            "no preset {preset_name:?} for architecture {arch:?} (llama4: tiny, small, bench-1b, bench-1b-2x, scout-2l; mixtral: tiny, small; qwen3moe: tiny, tiny-moe, small)"
        ))
    })?;
    let st_dtype = match dtype {
        DType::F32 => "F32",
        DType::BF16 => "BF16",
        DType::F16 => "F16",
        other => {
            return Err(EngineError::Request(format!(
                "dtype {other:?} cannot be synthesised"
            )));
        }
    };
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(EngineError::Request(format!(
            "{} exists and is not empty; choose a new directory",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|source| EngineError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let (config, specs, prefix) = match arch {
        "llama4" => llama4(shape),
        "mixtral" => mixtral(shape),
        _ => qwen3moe(shape),
    };
    let tokenizer = Tokenizer::for_arch(arch);
    write_json(&out.join("config.json"), &config)?;
    write_json(
        &out.join("tokenizer.json"),
        &tokenizer.tokenizer_json(shape.vocab),
    )?;
    write_json(
        &out.join("tokenizer_config.json"),
        &tokenizer.tokenizer_config(),
    )?;
    write_json(
        &out.join("generation_config.json"),
        &tokenizer.generation_config(),
    )?;
    let total: u64 = specs.iter().map(Spec::elements).sum();
    write_weights(out, &specs, &prefix, st_dtype, dtype, seed)?;
    Ok(format!(
        "wrote {arch} preset {preset_name} ({:.1}M parameters, {}) to {}",
        total as f64 / 1e6,
        st_dtype,
        out.display()
    ))
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| EngineError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn spec(name: String, shape: &[usize], init: Init) -> Spec {
    Spec {
        name,
        shape: shape.to_vec(),
        init,
    }
}

/// Embedding, attention, norms and LM head: the same names in all three.
fn common_specs(s: Shape, specs: &mut Vec<Spec>, qk_norm: bool) {
    let h = s.hidden;
    specs.push(spec(
        "model.embed_tokens.weight".into(),
        &[s.vocab, h],
        Init::Random,
    ));
    for i in 0..s.layers {
        let p = format!("model.layers.{i}");
        specs.push(spec(
            format!("{p}.input_layernorm.weight"),
            &[h],
            Init::Ones,
        ));
        specs.push(spec(
            format!("{p}.post_attention_layernorm.weight"),
            &[h],
            Init::Ones,
        ));
        specs.push(spec(
            format!("{p}.self_attn.q_proj.weight"),
            &[s.heads * s.head_dim, h],
            Init::Random,
        ));
        specs.push(spec(
            format!("{p}.self_attn.k_proj.weight"),
            &[s.kv_heads * s.head_dim, h],
            Init::Random,
        ));
        specs.push(spec(
            format!("{p}.self_attn.v_proj.weight"),
            &[s.kv_heads * s.head_dim, h],
            Init::Random,
        ));
        specs.push(spec(
            format!("{p}.self_attn.o_proj.weight"),
            &[h, s.heads * s.head_dim],
            Init::Random,
        ));
        if qk_norm {
            specs.push(spec(
                format!("{p}.self_attn.q_norm.weight"),
                &[s.head_dim],
                Init::Ones,
            ));
            specs.push(spec(
                format!("{p}.self_attn.k_norm.weight"),
                &[s.head_dim],
                Init::Ones,
            ));
        }
    }
    specs.push(spec("model.norm.weight".into(), &[h], Init::Ones));
    specs.push(spec("lm_head.weight".into(), &[s.vocab, h], Init::Random));
}

fn mlp_specs(prefix: &str, h: usize, width: usize, specs: &mut Vec<Spec>) {
    specs.push(spec(
        format!("{prefix}.gate_proj.weight"),
        &[width, h],
        Init::Random,
    ));
    specs.push(spec(
        format!("{prefix}.up_proj.weight"),
        &[width, h],
        Init::Random,
    ));
    specs.push(spec(
        format!("{prefix}.down_proj.weight"),
        &[h, width],
        Init::Random,
    ));
}

fn base_config(s: Shape, architecture: &str, model_type: &str, tok: &Tokenizer) -> Value {
    json!({
        "architectures": [architecture],
        "model_type": model_type,
        "vocab_size": s.vocab,
        "hidden_size": s.hidden,
        "num_hidden_layers": s.layers,
        "num_attention_heads": s.heads,
        "num_key_value_heads": s.kv_heads,
        "head_dim": s.head_dim,
        "hidden_act": "silu",
        "rms_norm_eps": 1e-5,
        "max_position_embeddings": s.context,
        "num_experts_per_tok": s.top_k,
        "tie_word_embeddings": false,
        "bos_token_id": tok.bos,
        "eos_token_id": tok.eos.clone(),
        "attention_bias": false,
        "torch_dtype": "bfloat16",
    })
}

fn llama4(s: Shape) -> (Value, Vec<Spec>, String) {
    let tok = Tokenizer::for_arch("llama4");
    let mut text = base_config(s, "Llama4ForCausalLM", "llama4_text", &tok);
    // Scout-like: every layer MoE for the 16-layer presets, every second
    // layer (Maverick-like) for the small ones.
    let step = if s.all_moe { 1 } else { 2 };
    let moe_layers: Vec<usize> = (step - 1..s.layers).step_by(step).collect();
    let no_rope_layers: Vec<usize> = (0..s.layers)
        .map(|i| usize::from((i + 1) % 4 != 0))
        .collect();
    if let Some(obj) = text.as_object_mut() {
        for (k, v) in [
            ("num_local_experts", json!(s.experts)),
            ("intermediate_size", json!(s.expert_width)),
            ("intermediate_size_mlp", json!(s.dense_width)),
            ("interleave_moe_layer_step", json!(step)),
            ("moe_layers", json!(moe_layers)),
            ("no_rope_layers", json!(no_rope_layers)),
            ("no_rope_layer_interval", json!(4)),
            ("attention_chunk_size", json!(8192.min(s.context))),
            ("use_qk_norm", json!(true)),
            ("attn_temperature_tuning", json!(true)),
            ("floor_scale", json!(8192)),
            ("attn_scale", json!(0.1)),
            ("rope_theta", json!(500_000.0)),
            (
                "rope_scaling",
                json!({"rope_type": "llama3", "factor": 16.0, "low_freq_factor": 1.0,
                       "high_freq_factor": 1.0, "original_max_position_embeddings": 8192}),
            ),
        ] {
            obj.insert(k.into(), v);
        }
    }
    let config = json!({
        "architectures": ["Llama4ForConditionalGeneration"],
        "model_type": "llama4",
        "text_config": text,
        "tie_word_embeddings": false,
    });
    let mut specs = Vec::new();
    common_specs(s, &mut specs, false);
    let h = s.hidden;
    for i in 0..s.layers {
        let f = format!("model.layers.{i}.feed_forward");
        if moe_layers.contains(&i) {
            specs.push(spec(
                format!("{f}.router.weight"),
                &[s.experts, h],
                Init::Random,
            ));
            specs.push(spec(
                format!("{f}.experts.gate_up_proj"),
                &[s.experts, h, 2 * s.expert_width],
                Init::Random,
            ));
            specs.push(spec(
                format!("{f}.experts.down_proj"),
                &[s.experts, s.expert_width, h],
                Init::Random,
            ));
            mlp_specs(&format!("{f}.shared_expert"), h, s.expert_width, &mut specs);
        } else {
            mlp_specs(&f, h, s.dense_width, &mut specs);
        }
    }
    (config, specs, "language_model.".into())
}

fn mixtral(s: Shape) -> (Value, Vec<Spec>, String) {
    let tok = Tokenizer::for_arch("mixtral");
    let mut config = base_config(s, "MixtralForCausalLM", "mixtral", &tok);
    if let Some(obj) = config.as_object_mut() {
        obj.insert("num_local_experts".into(), json!(s.experts));
        obj.insert("intermediate_size".into(), json!(s.expert_width));
        obj.insert("rope_theta".into(), json!(1_000_000.0));
        obj.insert("sliding_window".into(), Value::Null);
    }
    let mut specs = Vec::new();
    common_specs(s, &mut specs, false);
    let h = s.hidden;
    for i in 0..s.layers {
        let b = format!("model.layers.{i}.block_sparse_moe");
        specs.push(spec(
            format!("{b}.gate.weight"),
            &[s.experts, h],
            Init::Random,
        ));
        for e in 0..s.experts {
            specs.push(spec(
                format!("{b}.experts.{e}.w1.weight"),
                &[s.expert_width, h],
                Init::Random,
            ));
            specs.push(spec(
                format!("{b}.experts.{e}.w2.weight"),
                &[h, s.expert_width],
                Init::Random,
            ));
            specs.push(spec(
                format!("{b}.experts.{e}.w3.weight"),
                &[s.expert_width, h],
                Init::Random,
            ));
        }
    }
    (config, specs, String::new())
}

fn qwen3moe(s: Shape) -> (Value, Vec<Spec>, String) {
    let tok = Tokenizer::for_arch("qwen3moe");
    let mut config = base_config(s, "Qwen3MoeForCausalLM", "qwen3_moe", &tok);
    if let Some(obj) = config.as_object_mut() {
        obj.insert("num_experts".into(), json!(s.experts));
        obj.insert("moe_intermediate_size".into(), json!(s.expert_width));
        obj.insert("intermediate_size".into(), json!(s.dense_width));
        obj.insert("norm_topk_prob".into(), json!(true));
        obj.insert("decoder_sparse_step".into(), json!(1));
        let dense: &[usize] = if s.all_moe { &[] } else { &[0] };
        obj.insert("mlp_only_layers".into(), json!(dense));
        obj.insert(
            "rope_parameters".into(),
            json!({"rope_theta": 1_000_000.0, "rope_type": "default"}),
        );
        obj.insert("use_sliding_window".into(), json!(false));
    }
    let mut specs = Vec::new();
    common_specs(s, &mut specs, true);
    let h = s.hidden;
    for i in 0..s.layers {
        let m = format!("model.layers.{i}.mlp");
        if i == 0 && !s.all_moe {
            mlp_specs(&m, h, s.dense_width, &mut specs);
        } else {
            specs.push(spec(
                format!("{m}.gate.weight"),
                &[s.experts, h],
                Init::Random,
            ));
            for e in 0..s.experts {
                mlp_specs(&format!("{m}.experts.{e}"), h, s.expert_width, &mut specs);
            }
        }
    }
    (config, specs, String::new())
}

/// Streams the tensors into shards of at most [`MAX_SHARD_BYTES`], with an
/// index when there is more than one.
fn write_weights(
    dir: &Path,
    specs: &[Spec],
    prefix: &str,
    st_dtype: &str,
    dtype: DType,
    seed: u64,
) -> Result<()> {
    let size = dtype.size_in_bytes() as u64;
    let mut shards: Vec<Vec<&Spec>> = vec![Vec::new()];
    let mut current = 0u64;
    for s in specs {
        let bytes = s.elements() * size;
        if current > 0 && current + bytes > MAX_SHARD_BYTES {
            shards.push(Vec::new());
            current = 0;
        }
        if let Some(last) = shards.last_mut() {
            last.push(s);
        }
        current += bytes;
    }
    let n = shards.len();
    let mut rng = Rng(seed);
    let mut weight_map = serde_json::Map::new();
    for (i, shard) in shards.iter().enumerate() {
        let file = if n == 1 {
            "model.safetensors".to_owned()
        } else {
            format!("model-{:05}-of-{n:05}.safetensors", i + 1)
        };
        let mut header = serde_json::Map::new();
        header.insert("__metadata__".into(), json!({"format": "pt"}));
        let mut offset = 0u64;
        for s in shard {
            let bytes = s.elements() * size;
            let name = format!("{prefix}{}", s.name);
            header.insert(
                name.clone(),
                json!({"dtype": st_dtype, "shape": s.shape, "data_offsets": [offset, offset + bytes]}),
            );
            weight_map.insert(name, json!(file));
            offset += bytes;
        }
        let path = dir.join(&file);
        let io = |source| EngineError::Io {
            path: path.clone(),
            source,
        };
        let mut header =
            serde_json::to_vec(&Value::Object(header)).map_err(|e| EngineError::Json {
                path: path.clone(),
                message: e.to_string(),
            })?;
        while header.len() % 8 != 0 {
            header.push(b' ');
        }
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io)?);
        w.write_all(&(header.len() as u64).to_le_bytes())
            .map_err(io)?;
        w.write_all(&header).map_err(io)?;
        let scale = 0.02 * 3f32.sqrt();
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        for s in shard {
            let mut left = s.elements();
            while left > 0 {
                let chunk = left.min(1 << 18);
                buf.clear();
                for _ in 0..chunk {
                    let v = match s.init {
                        Init::Ones => 1.0,
                        Init::Random => rng.uniform(scale),
                    };
                    match dtype {
                        DType::BF16 => {
                            buf.extend_from_slice(&half::bf16::from_f32(v).to_le_bytes())
                        }
                        DType::F16 => buf.extend_from_slice(&half::f16::from_f32(v).to_le_bytes()),
                        _ => buf.extend_from_slice(&v.to_le_bytes()),
                    }
                }
                w.write_all(&buf).map_err(io)?;
                left -= chunk;
            }
        }
        w.flush().map_err(io)?;
    }
    if n > 1 {
        let total: u64 = specs.iter().map(|s| s.elements() * size).sum();
        write_json(
            &dir.join("model.safetensors.index.json"),
            &json!({"metadata": {"total_size": total}, "weight_map": weight_map}),
        )?;
    }
    Ok(())
}

/// A byte-level BPE tokenizer (every byte a token, plus merges of
/// printable characters up to the model's vocabulary) with the special
/// tokens and chat template of the architecture.
struct Tokenizer {
    specials: Vec<&'static str>,
    bos: Option<usize>,
    eos: Vec<usize>,
    template: &'static str,
}

// The templates render tools, tool calls and tool results as the
// published templates of each family do (Llama 4's JSON calls, Mistral's
// `[TOOL_CALLS]`, Qwen3's `<tool_call>` blocks), shortened.
const LLAMA4_TEMPLATE: &str = concat!(
    "{{ bos_token }}{% if tools %}<|header_start|>system<|header_end|>\n\n",
    "You have access to the following functions. To call a function, respond with JSON ",
    "in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.\n\n",
    "{% for t in tools %}{{ t | tojson }}\n\n{% endfor %}<|eot|>{% endif %}",
    "{% for message in messages %}",
    "{% if message['role'] == 'tool' %}{{ '<|header_start|>ipython<|header_end|>\n\n' + message['content'] + '<|eom|>' }}",
    "{% elif message.tool_calls %}{{ '<|header_start|>assistant<|header_end|>\n\n' }}",
    "{% for call in message.tool_calls %}{{ '{\"name\": \"' + call.function.name + '\", \"parameters\": ' }}",
    "{{ call.function.arguments | tojson }}{{ '}' }}{% if not loop.last %}{{ '; ' }}{% endif %}{% endfor %}{{ '<|eot|>' }}",
    "{% else %}{{ '<|header_start|>' + message['role'] + '<|header_end|>\n\n' + message['content'] | trim + '<|eot|>' }}{% endif %}",
    "{% endfor %}{% if add_generation_prompt %}{{ '<|header_start|>assistant<|header_end|>\n\n' }}{% endif %}"
);
const MIXTRAL_TEMPLATE: &str = concat!(
    "{{ bos_token }}{% for message in messages %}",
    "{% if message['role'] == 'user' %}{% if tools and loop.last %}{{ '[AVAILABLE_TOOLS] ' + tools | tojson + '[/AVAILABLE_TOOLS]' }}{% endif %}",
    "{{ '[INST] ' + message['content'] + ' [/INST]' }}",
    "{% elif message['role'] == 'assistant' and message.tool_calls %}{{ '[TOOL_CALLS] [' }}",
    "{% for call in message.tool_calls %}{{ '{\"name\": \"' + call.function.name + '\", \"arguments\": ' }}",
    "{{ call.function.arguments | tojson }}{{ '}' }}{% if not loop.last %}{{ ', ' }}{% endif %}{% endfor %}{{ ']' + eos_token }}",
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}",
    "{% elif message['role'] == 'tool' %}{{ '[TOOL_RESULTS] ' + message['content'] + '[/TOOL_RESULTS]' }}",
    "{% elif message['role'] == 'system' %}{{ message['content'] + '\n\n' }}",
    "{% else %}{{ raise_exception('Only system, user, assistant and tool roles are supported') }}{% endif %}{% endfor %}"
);
const CHATML_TEMPLATE: &str = concat!(
    "{% if tools %}{{ '<|im_start|>system\n# Tools\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>' }}",
    "{% for t in tools %}{{ '\n' + t | tojson }}{% endfor %}",
    "{{ '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags.<|im_end|>\n' }}{% endif %}",
    "{% for message in messages %}",
    "{% if message['role'] == 'assistant' and message.tool_calls %}{{ '<|im_start|>assistant\n' + message['content'] }}",
    "{% for call in message.tool_calls %}{% if loop.first and message['content'] or not loop.first %}{{ '\n' }}{% endif %}",
    "{{ '<tool_call>\n{\"name\": \"' + call.function.name + '\", \"arguments\": ' }}{{ call.function.arguments | tojson }}{{ '}\n</tool_call>' }}{% endfor %}{{ '<|im_end|>\n' }}",
    "{% elif message['role'] == 'tool' %}{{ '<|im_start|>user\n<tool_response>\n' + message['content'] + '\n</tool_response><|im_end|>\n' }}",
    "{% else %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endif %}",
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
);

impl Tokenizer {
    fn for_arch(arch: &str) -> Self {
        match arch {
            "llama4" => Self {
                specials: vec![
                    "<|begin_of_text|>",
                    "<|end_of_text|>",
                    "<|header_start|>",
                    "<|header_end|>",
                    "<|eot|>",
                    "<|eom|>",
                    "<|finetune_right_pad|>",
                ],
                bos: Some(0),
                eos: vec![1, 4, 5],
                template: LLAMA4_TEMPLATE,
            },
            "mixtral" => Self {
                specials: vec!["<unk>", "<s>", "</s>"],
                bos: Some(1),
                eos: vec![2],
                template: MIXTRAL_TEMPLATE,
            },
            _ => Self {
                specials: vec!["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                bos: None,
                eos: vec![2, 0],
                template: CHATML_TEMPLATE,
            },
        }
    }

    fn token(&self, id: Option<usize>) -> Value {
        id.and_then(|i| self.specials.get(i))
            .map_or(Value::Null, |s| json!(s))
    }

    fn tokenizer_json(&self, vocab_size: usize) -> Value {
        let added: Vec<Value> = self
            .specials
            .iter()
            .enumerate()
            .map(|(id, content)| {
                json!({"id": id, "content": content, "single_word": false, "lstrip": false,
                       "rstrip": false, "normalized": false, "special": true})
            })
            .collect();
        let mut vocab = serde_json::Map::new();
        for (id, content) in self.specials.iter().enumerate() {
            vocab.insert((*content).to_owned(), json!(id));
        }
        for (byte, ch) in byte_level_alphabet().into_iter().enumerate() {
            vocab.insert(ch.to_string(), json!(self.specials.len() + byte));
        }
        // Fill the rest of the model's vocabulary with merges of printable
        // characters (pairs, then a pair and a character), so that every id
        // the model can emit decodes to text, as in a trained tokenizer.
        let letters: Vec<String> = ('!'..='~').chain(['Ġ']).map(String::from).collect();
        let mut merges: Vec<Value> = Vec::new();
        let mut pairs: Vec<String> = Vec::new();
        let mut next_id = vocab.len();
        'fill: for round in 0..2 {
            let lefts: Vec<String> = if round == 0 {
                letters.clone()
            } else {
                pairs.clone()
            };
            for left in &lefts {
                for right in &letters {
                    if next_id >= vocab_size {
                        break 'fill;
                    }
                    let token = format!("{left}{right}");
                    if vocab.contains_key(&token) {
                        continue;
                    }
                    merges.push(json!(format!("{left} {right}")));
                    vocab.insert(token.clone(), json!(next_id));
                    next_id += 1;
                    if round == 0 {
                        pairs.push(token);
                    }
                }
            }
        }
        json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": added,
            "normalizer": null,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "post_processor": null,
            "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                      "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                      "ignore_merges": false, "vocab": vocab, "merges": merges}
        })
    }

    fn tokenizer_config(&self) -> Value {
        json!({
            "bos_token": self.token(self.bos),
            "eos_token": self.token(self.eos.first().copied()),
            "chat_template": self.template,
            "add_bos_token": false,
            "clean_up_tokenization_spaces": false,
            "tokenizer_class": "PreTrainedTokenizerFast",
        })
    }

    fn generation_config(&self) -> Value {
        json!({"bos_token_id": self.bos, "eos_token_id": self.eos})
    }
}

/// GPT-2's byte-to-character map: byte `b` is written as the `b`-th
/// character returned.
fn byte_level_alphabet() -> Vec<char> {
    let printable = |b: u32| {
        (0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b)
    };
    let mut extra = 0u32;
    (0u32..256)
        .map(|b| {
            if printable(b) {
                char::from_u32(b).unwrap_or('?')
            } else {
                extra += 1;
                char::from_u32(255 + extra).unwrap_or('?')
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelConfig;
    use crate::model::{Model, SeqStep};
    use crate::tokenizer::{ChatMessage, TextTokenizer};
    use candle_core::Device;

    #[test]
    fn every_preset_loads_and_runs() {
        for arch in ["llama4", "mixtral", "qwen3moe"] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("m");
            synth(arch, "tiny", &out, DType::F32, 7).unwrap();
            let model = Model::load(&out, DType::F32, &Device::Cpu).unwrap();
            let tok = TextTokenizer::load(&out, model.config().common.vocab_size).unwrap();
            // Every id the model can emit is a token of the tokenizer.
            assert_eq!(tok.vocab_len(), model.config().common.vocab_size, "{arch}");
            let text = tok
                .apply_chat_template(&[ChatMessage::text("user", "héllo")], true)
                .unwrap();
            let ids = tok.encode(&text, false).unwrap();
            assert_eq!(tok.decode(&ids, false).unwrap(), text, "{arch}");
            let mut cache = model.new_cache();
            let logits = model
                .forward(
                    &mut [SeqStep {
                        tokens: &ids,
                        cache: &mut cache,
                    }],
                    false,
                )
                .unwrap();
            assert_eq!(logits[0].dims(), &[1, model.config().common.vocab_size]);
        }
    }

    #[test]
    fn bench_preset_has_the_advertised_size() {
        let (config, specs, _) = llama4(preset("llama4", "bench-1b").unwrap());
        let parsed = ModelConfig::from_json(&config).unwrap();
        let counts = parsed.param_counts();
        let written: u64 = specs.iter().map(Spec::elements).sum();
        assert_eq!(counts.total, written);
        assert!(
            (0.9e9..1.1e9).contains(&(counts.total as f64)),
            "{}",
            counts.total
        );
        assert!(
            (0.18e9..0.25e9).contains(&(counts.active as f64)),
            "{}",
            counts.active
        );
        let (config2, _, _) = llama4(preset("llama4", "bench-1b-2x").unwrap());
        let c2 = ModelConfig::from_json(&config2).unwrap().param_counts();
        // Twice the experts: the same active weights but for the router's
        // extra rows (16 layers x 16 more experts x hidden 1024).
        assert_eq!(c2.active - counts.active, 16 * 16 * 1024);
        assert!(c2.total > counts.total * 18 / 10);
    }

    /// `scout-2l` is two of Scout's layers: every one MoE with 16 experts of
    /// 5120 x 8192 plus the shared expert, 40/8 heads of 128, and Scout's
    /// vocabulary; 6.5B parameters, 17B-model-sized products.
    #[test]
    fn scout_preset_has_scouts_shapes() {
        let (config, specs, _) = llama4(preset("llama4", "scout-2l").unwrap());
        let parsed = ModelConfig::from_json(&config).unwrap();
        let c = &parsed.common;
        assert_eq!(
            (
                c.hidden_size,
                c.num_attention_heads,
                c.num_key_value_heads,
                c.head_dim
            ),
            (5120, 40, 8, 128)
        );
        assert_eq!((c.num_experts, c.vocab_size), (16, 202_048));
        assert_eq!(parsed.moe_layer_count(), 2);
        let counts = parsed.param_counts();
        assert_eq!(counts.total, specs.iter().map(Spec::elements).sum::<u64>());
        assert!(
            (6.3e9..6.7e9).contains(&(counts.total as f64)),
            "{}",
            counts.total
        );
    }
}
