//! `palisade model ...` and `palisade generate`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::fail;
use crate::engine::config::ModelConfig;
use crate::engine::generate::{FinishReason, generate as run_generation};
use crate::engine::model::Model;
use crate::engine::sampling::SamplingParams;
use crate::engine::tokenizer::{ChatMessage, TextTokenizer};
use crate::engine::{EngineError, parse_device, parse_dtype, verify};

#[derive(Debug, Subcommand)]
pub(super) enum ModelCommand {
    /// Architecture, layers, experts, parameters and memory of a model directory.
    Inspect {
        /// The model directory (Hugging Face layout), or a GGUF file.
        dir: PathBuf,
    },
    /// Run the golden cases of a reference file and report every difference.
    Verify {
        /// The model directory, or a GGUF file (`llama4`, or `llama` with experts).
        #[arg(long, value_name = "DIR")]
        model: PathBuf,
        /// The tokenizer, when it is not the model's own: a directory with
        /// `tokenizer.json` and its config, or a GGUF file.
        #[arg(long, value_name = "DIR")]
        tokenizer: Option<PathBuf>,
        /// The reference (`golden.json`, format moe-golden/1).
        #[arg(long, value_name = "GOLDEN.json")]
        reference: PathBuf,
        /// Weights dtype (the reference is float32).
        #[arg(long, default_value = "f32")]
        dtype: String,
        /// cpu, or cuda[:N] when built with the `cuda` feature.
        #[arg(long, default_value = "cpu")]
        device: String,
    },
    /// Write a random-weight model of a named size in the published layout.
    #[cfg(feature = "dev-tools")]
    Synth {
        /// llama4, mixtral or qwen3moe.
        #[arg(long)]
        arch: String,
        /// A preset name (see `docs/engine.md`): tiny, small, bench-1b, bench-1b-2x, scout-2l.
        #[arg(long)]
        preset: String,
        /// Directory to create (must not exist or be empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// f32, bf16 or f16.
        #[arg(long, default_value = "bf16")]
        dtype: String,
        /// Seed of the random weights.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

#[derive(Debug, Args)]
pub(super) struct GenerateArgs {
    /// The model directory.
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// The prompt; sent through the chat template as a user message unless --raw.
    #[arg(long)]
    prompt: String,
    /// Feed the prompt to the model as is, without the chat template.
    #[arg(long)]
    raw: bool,
    /// Most tokens to generate.
    #[arg(long = "max-tokens", default_value_t = 64)]
    max_tokens: usize,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    /// Nucleus sampling mass.
    #[arg(long = "top-p", default_value_t = 1.0)]
    top_p: f32,
    /// Keep only the K most likely tokens.
    #[arg(long = "top-k")]
    top_k: Option<usize>,
    /// Seed, for reproducible sampling.
    #[arg(long)]
    seed: Option<u64>,
    /// Weights dtype: f32, bf16 or f16.
    #[arg(long, default_value = "f32")]
    dtype: String,
    /// cpu, or cuda[:N] when built with the `cuda` feature.
    #[arg(long, default_value = "cpu")]
    device: String,
}

pub(super) fn run(command: ModelCommand) -> ExitCode {
    match command {
        ModelCommand::Inspect { dir } if crate::engine::gguf::is_gguf(&dir) => {
            match crate::engine::gguf::inspect(&dir) {
                Ok(summary) => {
                    print!("{}", gguf_report(&summary, &dir));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("model inspect: {e}")),
            }
        }
        ModelCommand::Inspect { dir } => match inspect(&dir) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("model inspect: {e}")),
        },
        ModelCommand::Verify {
            model,
            tokenizer,
            reference,
            dtype,
            device,
        } => model_verify(
            &model,
            tokenizer.as_deref().unwrap_or(&model),
            &reference,
            &dtype,
            &device,
        ),
        #[cfg(feature = "dev-tools")]
        ModelCommand::Synth {
            arch,
            preset,
            out,
            dtype,
            seed,
        } => {
            let result = parse_dtype(&dtype)
                .and_then(|dtype| crate::engine::synth::synth(&arch, &preset, &out, dtype, seed));
            match result {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("model synth: {e}")),
            }
        }
    }
}

/// What `model inspect` prints for a GGUF file.
fn gguf_report(s: &crate::engine::gguf::GgufSummary, path: &Path) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "format           GGUF");
    let _ = writeln!(
        out,
        "architecture     {}{}",
        s.architecture,
        s.name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "hyperparameters  (GGUF keys after `{}.`)",
        s.architecture
    );
    for (key, value) in &s.hyperparameters {
        let _ = writeln!(out, "  {key:<27} {value}");
    }
    if let Some(v) = s.vocabulary {
        let _ = writeln!(out, "vocabulary       {v}");
    }
    let _ = writeln!(
        out,
        "chat template    {}",
        if s.chat_template {
            "in the file"
        } else {
            "none"
        }
    );
    if let Some((no, count)) = s.split {
        let _ = writeln!(out, "split            part {} of {count}", no + 1);
    }
    let _ = writeln!(out, "parameters       {}", human(s.parameters));
    let _ = writeln!(out, "weights          {} in the file", bytes(s.data_bytes));
    for (ty, share) in &s.types {
        let _ = writeln!(
            out,
            "  {ty:<15}{} tensors, {}",
            share.tensors,
            bytes(share.bytes)
        );
    }
    // On the CPU the quantized tensors stay as the file holds them (mapped)
    // and the floating-point ones take the dtype; on a GPU all dequantize.
    let quantized: u64 = s
        .types
        .iter()
        .filter(|(ty, _)| !matches!(ty.as_str(), "F32" | "F16" | "BF16"))
        .map(|(_, share)| share.bytes)
        .sum();
    let of = |ty: &str| s.types.get(ty).map_or(0, |share| share.bytes);
    let floats_f32 = of("F32") + 2 * (of("F16") + of("BF16"));
    let _ = writeln!(
        out,
        "loaded (CPU)     {} quantized as in the file (mapped) + {} in f32 or {} in bf16",
        bytes(quantized),
        bytes(floats_f32),
        bytes(floats_f32 / 2)
    );
    let _ = writeln!(
        out,
        "loaded (GPU)     f32 {}, bf16/f16 {} (dequantized as it loads)",
        bytes(s.parameters * 4),
        bytes(s.parameters * 2)
    );
    let served = s.unsupported().unwrap_or_else(|| {
        "yes: `model.path = \"FILE\"` (hyperparameters, tokenizer and chat template from the file)".to_owned()
    });
    let _ = writeln!(out, "served           {served}");
    if let Ok(need) = crate::engine::sizing::need(path, candle_core::DType::BF16, true, None) {
        let _ = writeln!(out, "{}", kv_line(&need));
    }
    out
}

/// The KV cache's cost, a position and at the default `model.kv_blocks`.
fn kv_line(need: &crate::engine::sizing::MemoryNeed) -> String {
    let defaults = crate::config::ModelConfig::default();
    let positions = (defaults.kv_blocks * defaults.kv_block_size) as u64;
    format!(
        "KV cache         {} a position on the CPU; {} for the default {positions} positions (model.kv_blocks {})",
        bytes(need.kv_per_position),
        bytes(need.kv_per_position * positions),
        defaults.kv_blocks
    )
}

fn inspect(dir: &Path) -> Result<String, EngineError> {
    let config = ModelConfig::from_dir(dir)?;
    let files = crate::engine::weights::weight_files(dir)?;
    let c = &config.common;
    let counts = config.param_counts();
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "architecture     {} ({})",
        c.architecture_name,
        config.architecture().name()
    );
    let _ = writeln!(
        out,
        "layers           {} ({} MoE, {} dense)",
        c.num_hidden_layers,
        config.moe_layer_count(),
        c.num_hidden_layers - config.moe_layer_count()
    );
    let _ = writeln!(out, "hidden size      {}", c.hidden_size);
    let _ = writeln!(
        out,
        "attention        {} heads, {} key/value heads, head dim {}",
        c.num_attention_heads, c.num_key_value_heads, c.head_dim
    );
    let _ = writeln!(
        out,
        "experts          {} routed, top-{} per token",
        c.num_experts, c.num_experts_per_tok
    );
    let _ = writeln!(out, "vocabulary       {}", c.vocab_size);
    let _ = writeln!(out, "context          {}", c.max_position_embeddings);
    let _ = writeln!(
        out,
        "parameters       {} total, {} active per token",
        human(counts.total),
        human(counts.active)
    );
    let need = |dtype, q| crate::engine::sizing::need(dir, dtype, true, q);
    use crate::engine::quant::Quantization as Q;
    use candle_core::DType;
    let _ = writeln!(
        out,
        "weights memory   f32 {}, bf16/f16 {}, in situ q8_0 {}, q4_k {} (model.quantization)",
        bytes(counts.total * 4),
        bytes(counts.total * 2),
        bytes(need(DType::BF16, Some((Q::Q8_0, true)))?.weights),
        bytes(need(DType::BF16, Some((Q::Q4K, true)))?.weights)
    );
    let _ = writeln!(out, "{}", kv_line(&need(DType::BF16, None)?));
    let _ = writeln!(
        out,
        "read per token   f32 {}, bf16/f16 {} (decode, batch 1)",
        bytes(counts.read_per_token * 4),
        bytes(counts.read_per_token * 2)
    );
    let _ = writeln!(out, "weight files     {}", files.len());
    let _ = writeln!(
        out,
        "weights digest   {}",
        crate::engine::weights::digest(dir)?
    );
    let terms =
        crate::license::terms::read(dir).map_err(|e| EngineError::Request(e.to_string()))?;
    let _ = writeln!(
        out,
        "model license    {}",
        match (&terms.license, &terms.source) {
            (Some(id), Some(source)) => format!("{id} (from {source})"),
            (Some(id), None) => id.clone(),
            _ => "none found (add palisade-model.toml)".to_owned(),
        }
    );
    Ok(out)
}

fn bytes(n: u64) -> String {
    let n = n as f64;
    match n {
        n if n >= (1u64 << 30) as f64 => format!("{:.2} GiB", n / (1u64 << 30) as f64),
        n if n >= (1u64 << 20) as f64 => format!("{:.1} MiB", n / (1u64 << 20) as f64),
        n => format!("{:.1} KiB", n / 1024.0),
    }
}

fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.2}B", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1}K", n as f64 / 1e3),
        n => n.to_string(),
    }
}

fn load(dir: &Path, dtype: &str, device: &str) -> Result<(Model, TextTokenizer), EngineError> {
    load_with(dir, dir, dtype, device)
}

/// The model at `model` and the tokenizer in `tokenizer`.
fn load_with(
    model: &Path,
    tokenizer: &Path,
    dtype: &str,
    device: &str,
) -> Result<(Model, TextTokenizer), EngineError> {
    let model = Model::load(model, parse_dtype(dtype)?, &parse_device(device)?)?;
    let tokenizer = Model::tokenizer_at(tokenizer, model.config().common.vocab_size)?;
    Ok((model, tokenizer))
}

fn model_verify(
    dir: &Path,
    tokenizer: &Path,
    reference: &Path,
    dtype: &str,
    device: &str,
) -> ExitCode {
    let report = load_with(dir, tokenizer, dtype, device)
        .and_then(|(model, tokenizer)| verify::verify(&model, &tokenizer, reference));
    let report = match report {
        Ok(r) => r,
        Err(e) => return fail(&format!("model verify: {e}")),
    };
    for case in &report.cases {
        println!(
            "{} {:<8} {:<24} {}",
            if case.passed { "ok  " } else { "FAIL" },
            case.kind,
            case.name,
            case.detail
        );
    }
    let failed = report.cases.iter().filter(|c| !c.passed).count();
    println!(
        "{} cases, {failed} failed; max abs logit error {:.3e}",
        report.cases.len(),
        report.max_abs_error
    );
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub(super) fn generate(args: &GenerateArgs) -> ExitCode {
    let result = (|| -> Result<(), EngineError> {
        let (model, tokenizer) = load(&args.model, &args.dtype, &args.device)?;
        let text = if args.raw {
            args.prompt.clone()
        } else {
            tokenizer
                .apply_chat_template(&[ChatMessage::text("user", args.prompt.clone())], true)?
        };
        let mut prompt = tokenizer.encode(&text, false)?;
        if args.raw
            && tokenizer.add_bos_token()
            && let Some(bos) = tokenizer.bos_token_id()
        {
            prompt.insert(0, bos);
        }
        let params = SamplingParams {
            temperature: args.temperature,
            top_p: args.top_p,
            top_k: args.top_k,
            seed: args.seed,
            ..SamplingParams::default()
        };
        let mut stdout = std::io::stdout();
        let generation = run_generation(
            &model,
            &tokenizer,
            &prompt,
            params,
            args.max_tokens,
            |piece| {
                let _ = stdout.write_all(piece.as_bytes());
                let _ = stdout.flush();
            },
        )?;
        let decode_rate = if generation.tokens.len() > 1 {
            (generation.tokens.len() - 1) as f64 / generation.decode.as_secs_f64()
        } else {
            0.0
        };
        eprintln!(
            "\n[{} prompt tokens, {} generated, finish {}, prefill {:.1} ms, decode {decode_rate:.1} tokens/s]",
            generation.prompt_tokens,
            generation.tokens.len(),
            match generation.finish_reason {
                FinishReason::Stop => "stop",
                FinishReason::Length => "length",
            },
            generation.prefill.as_secs_f64() * 1e3,
        );
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("generate: {e}")),
    }
}
