//! The engine against the Hugging Face `transformers` reference fixtures,
//! batching against one-by-one runs, and the bad inputs an operator can
//! hand it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candle_core::{DType, Device, Tensor};
use palisade::engine::cache::SequenceCache;
use palisade::engine::config::ModelConfig;
use palisade::engine::model::{Model, SeqStep};
use palisade::engine::tokenizer::{ChatMessage, TextTokenizer};

use crate::kit::run;

const FIXTURES: [&str; 4] = [
    "llama4-tiny",
    "llama4-multimodal-tiny",
    "mixtral-tiny",
    "qwen3moe-tiny",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name)
}

/// A writable copy of a fixture, for breaking it.
fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    (tmp, dir)
}

/// `palisade model verify --model DIR --reference GOLDEN`.
fn model_verify(dir: &Path, golden: &Path) -> (std::process::ExitStatus, String, String) {
    run(&[
        "model",
        "verify",
        "--model",
        dir.to_str().unwrap(),
        "--reference",
        golden.to_str().unwrap(),
    ])
}

#[test]
fn model_verify_passes_on_every_reference_fixture() {
    for name in FIXTURES {
        let dir = fixture(name);
        let (status, stdout, stderr) = model_verify(&dir, &dir.join("golden.json"));
        assert!(status.success(), "{name}: {stdout}{stderr}");
        assert!(!stdout.contains("FAIL"), "{name}: {stdout}");
        // Every kind of case ran.
        for kind in ["logits", "tokenize", "greedy", "chat"] {
            assert!(
                stdout.contains(&format!("ok   {kind}")),
                "{name} ran no {kind} case: {stdout}"
            );
        }
        assert!(stdout.contains(" 0 failed"), "{stdout}");
    }
}

#[test]
fn model_verify_fails_when_the_model_is_not_the_reference() {
    // The Llama 4 text checkpoint against the multimodal one's reference:
    // same architecture and shapes, different weights.
    let golden = fixture("llama4-multimodal-tiny").join("golden.json");
    let (status, stdout, _) = model_verify(&fixture("llama4-tiny"), &golden);
    assert!(!status.success(), "{stdout}");
    assert!(stdout.contains("FAIL logits"), "{stdout}");
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

fn argmax(t: &Tensor) -> u32 {
    t.flatten_all()
        .unwrap()
        .argmax(0)
        .unwrap()
        .to_scalar::<u32>()
        .unwrap()
}

/// Four sequences of different lengths (crossing Llama 4's attention
/// chunks of 8) prefilled in one pass, then decoded together, one of them
/// joining late: every logit equals running that sequence alone.
#[test]
fn batched_prefill_and_decode_equal_one_by_one() {
    for name in ["llama4-tiny", "mixtral-tiny", "qwen3moe-tiny"] {
        let model = Model::load(&fixture(name), DType::F32, &Device::Cpu).unwrap();
        let prompts: Vec<Vec<u32>> = [3usize, 11, 17, 29]
            .iter()
            .map(|&n| {
                (0..n as u32)
                    .map(|i| (i * 37 + n as u32 * 11) % 390 + 5)
                    .collect()
            })
            .collect();

        // Alone: prefill, then 6 greedy decode steps.
        let mut alone = Vec::new();
        for p in &prompts {
            let mut cache = model.new_cache();
            let mut logits = vec![
                model
                    .forward(
                        &mut [SeqStep {
                            tokens: p,
                            cache: &mut cache,
                        }],
                        true,
                    )
                    .unwrap()[0]
                    .clone(),
            ];
            for _ in 0..6 {
                let next = [argmax(
                    &logits
                        .last()
                        .unwrap()
                        .get(logits.last().unwrap().dim(0).unwrap() - 1)
                        .unwrap(),
                )];
                logits.push(
                    model
                        .forward(
                            &mut [SeqStep {
                                tokens: &next,
                                cache: &mut cache,
                            }],
                            true,
                        )
                        .unwrap()[0]
                        .clone(),
                );
            }
            alone.push(logits);
        }

        // Together, in a paged cache of blocks of 4 positions whose tables
        // interleave and run backwards (no sequence's blocks are adjacent):
        // the first three prefill in one pass; the fourth joins
        // (prefilling) while the others take their first decode step.
        let pool = Arc::new(model.new_kv_pool(64, 4).unwrap());
        let mut caches: Vec<_> = (0..4u32)
            .map(|i| {
                SequenceCache::paged(pool.clone(), (0..16).map(|b| 63 - (b * 4 + i)).collect())
            })
            .collect();
        let mut together: Vec<Vec<Tensor>> = vec![Vec::new(); 4];
        {
            let (first, _) = caches.split_at_mut(3);
            let mut steps: Vec<SeqStep> = first
                .iter_mut()
                .zip(&prompts)
                .map(|(cache, p)| SeqStep { tokens: p, cache })
                .collect();
            for (i, l) in model
                .forward(&mut steps, true)
                .unwrap()
                .into_iter()
                .enumerate()
            {
                together[i].push(l);
            }
        }
        for step in 0..7 {
            let tokens: Vec<Vec<u32>> = (0..4)
                .map(|i| match together[i].last() {
                    Some(l) => vec![argmax(&l.get(l.dim(0).unwrap() - 1).unwrap())],
                    None => prompts[i].clone(),
                })
                .collect();
            let active: Vec<usize> = (0..4).filter(|i| together[*i].len() < 7).collect();
            let mut steps: Vec<SeqStep> = caches
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| active.contains(i))
                .map(|(i, cache)| SeqStep {
                    tokens: &tokens[i],
                    cache,
                })
                .collect();
            if steps.is_empty() {
                break;
            }
            let out = model.forward(&mut steps, true).unwrap();
            for (i, l) in active.iter().zip(out) {
                together[*i].push(l);
            }
            let _ = step;
        }
        for (i, (a, t)) in alone.iter().zip(&together).enumerate() {
            assert_eq!(a.len(), t.len(), "{name} sequence {i}");
            for (step, (x, y)) in a.iter().zip(t).enumerate() {
                assert_eq!(x.dims(), y.dims());
                let d = max_abs_diff(x, y);
                assert!(
                    d < 1e-4,
                    "{name} sequence {i} step {step}: batched differs by {d}"
                );
            }
        }
    }
}

/// A paged sequence that outgrows its block table gets an error naming
/// the blocks, not a panic or another sequence's memory.
#[test]
fn a_paged_sequence_cannot_outgrow_its_blocks() {
    let model = Model::load(&fixture("llama4-tiny"), DType::F32, &Device::Cpu).unwrap();
    let pool = Arc::new(model.new_kv_pool(4, 4).unwrap());
    let mut cache = SequenceCache::paged(pool.clone(), vec![2]);
    let tokens: Vec<u32> = (5..10).collect();
    let err = model
        .forward(
            &mut [SeqStep {
                tokens: &tokens,
                cache: &mut cache,
            }],
            false,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("holds 1 KV blocks of 4"), "{err}");
    // A block outside the pool.
    let mut cache = SequenceCache::paged(pool, vec![9]);
    let err = model
        .forward(
            &mut [SeqStep {
                tokens: &tokens[..2],
                cache: &mut cache,
            }],
            false,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside the pool of 4 blocks"), "{err}");
}

fn load_err(dir: &Path) -> String {
    Model::load(dir, DType::F32, &Device::Cpu)
        .unwrap_err()
        .to_string()
}

fn edit_config(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("config.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&path, v.to_string()).unwrap();
}

#[test]
fn bad_model_directories_get_errors_that_name_the_problem() {
    // No config.json.
    let tmp = tempfile::tempdir().unwrap();
    let err = load_err(tmp.path());
    assert!(err.contains("config.json"), "{err}");

    // An architecture we do not serve.
    let (_t, dir) = copy_fixture("mixtral-tiny");
    edit_config(&dir, |v| {
        v["architectures"] = serde_json::json!(["DeepseekV3ForCausalLM"])
    });
    let err = load_err(&dir);
    assert!(
        err.contains("DeepseekV3ForCausalLM") && err.contains("not served"),
        "{err}"
    );

    // A truncated safetensors file.
    let (_t, dir) = copy_fixture("mixtral-tiny");
    let weights = dir.join("model.safetensors");
    let len = std::fs::metadata(&weights).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&weights)
        .unwrap();
    f.set_len(len / 2).unwrap();
    let err = load_err(&dir);
    assert!(err.contains("model.safetensors"), "{err}");

    // An index naming a shard that is not there.
    let (_t, dir) = copy_fixture("llama4-multimodal-tiny");
    std::fs::remove_file(dir.join("model-00002-of-00003.safetensors")).unwrap();
    let err = load_err(&dir);
    assert!(
        err.contains("model-00002-of-00003.safetensors") && err.contains("missing"),
        "{err}"
    );

    // A tensor whose shape disagrees with the config.
    let (_t, dir) = copy_fixture("qwen3moe-tiny");
    edit_config(&dir, |v| v["moe_intermediate_size"] = serde_json::json!(48));
    let err = load_err(&dir);
    assert!(
        err.contains("model.layers.1.mlp.experts.0.gate_proj.weight") && err.contains("[32, 64]"),
        "{err}"
    );

    // A config whose numbers contradict each other.
    let (_t, dir) = copy_fixture("llama4-tiny");
    edit_config(&dir, |v| v["moe_layers"] = serde_json::json!([1, 7]));
    let err = load_err(&dir);
    assert!(
        err.contains("moe_layers") && err.contains("layer 7"),
        "{err}"
    );

    // Projection biases the config announces must be there: never ignored.
    let (_t, dir) = copy_fixture("qwen3moe-tiny");
    edit_config(&dir, |v| v["attention_bias"] = serde_json::json!(true));
    let err = load_err(&dir);
    assert!(err.contains("self_attn.q_proj.bias"), "{err}");

    // The CLI says the same and exits non-zero.
    let (status, _, stderr) = run(&["model", "inspect", tmp.path().to_str().unwrap()]);
    assert!(!status.success());
    assert!(stderr.contains("config.json"), "{stderr}");
}

#[test]
fn tokenizer_and_template_errors_name_the_problem() {
    // A tokenizer with more tokens than the model's vocabulary.
    let err = TextTokenizer::load(&fixture("mixtral-tiny"), 128)
        .unwrap_err()
        .to_string();
    assert!(err.contains("128"), "{err}");

    // A chat template that raises (Mixtral's refuses a system message).
    let tok = TextTokenizer::load(&fixture("mixtral-tiny"), 400).unwrap();
    let err = tok
        .apply_chat_template(&[ChatMessage::text("system", "be brief")], true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Only user and assistant roles are supported"),
        "{err}"
    );
}

#[test]
fn a_prompt_longer_than_the_context_is_refused_before_any_work() {
    let (_t, dir) = copy_fixture("qwen3moe-tiny");
    edit_config(&dir, |v| {
        v["max_position_embeddings"] = serde_json::json!(16)
    });
    let model = Model::load(&dir, DType::F32, &Device::Cpu).unwrap();
    let mut cache = model.new_cache();
    let prompt: Vec<u32> = (10..30).collect();
    let err = model
        .forward(
            &mut [SeqStep {
                tokens: &prompt,
                cache: &mut cache,
            }],
            false,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("20 tokens") && err.contains("16"), "{err}");
    assert!(
        cache.is_empty(),
        "a refused prompt must not touch the cache"
    );

    // Token ids outside the vocabulary are refused the same way.
    let err = model
        .forward(
            &mut [SeqStep {
                tokens: &[5, 400],
                cache: &mut cache,
            }],
            false,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("400"), "{err}");

    // And `palisade generate` says so instead of failing obscurely.
    let long = "word ".repeat(40);
    let (status, _, stderr) = run(&[
        "generate",
        "--model",
        dir.to_str().unwrap(),
        "--prompt",
        &long,
        "--raw",
    ]);
    assert!(!status.success());
    assert!(stderr.contains("context"), "{stderr}");
}

#[test]
fn generate_is_reproducible_with_a_seed_and_loads_bf16() {
    let dir = fixture("llama4-multimodal-tiny");
    let args = |seed: &str| {
        run(&[
            "generate",
            "--model",
            dir.to_str().unwrap(),
            "--prompt",
            "Is Llama 4 open source?",
            "--max-tokens",
            "16",
            "--temperature",
            "1.0",
            "--seed",
            seed,
        ])
    };
    let (s1, a, e1) = args("7");
    let (_, b, _) = args("7");
    let (_, c, _) = args("8");
    assert!(s1.success(), "{e1}");
    assert_eq!(a, b, "same seed, same text");
    assert_ne!(a, c, "different seed, different text");

    // bf16 and f16 weights load and run; logits stay close to f32.
    let f32m = Model::load(&dir, DType::F32, &Device::Cpu).unwrap();
    let ids: Vec<u32> = (20..40).collect();
    let mut c1 = f32m.new_cache();
    let a = f32m
        .forward(
            &mut [SeqStep {
                tokens: &ids,
                cache: &mut c1,
            }],
            true,
        )
        .unwrap();
    for dtype in [DType::BF16, DType::F16] {
        let half = Model::load(&dir, dtype, &Device::Cpu).unwrap();
        let mut c2 = half.new_cache();
        let b = half
            .forward(
                &mut [SeqStep {
                    tokens: &ids,
                    cache: &mut c2,
                }],
                true,
            )
            .unwrap();
        let d = max_abs_diff(&a[0], &b[0]);
        assert!(d.is_finite() && d < 0.1, "{dtype:?} drifted by {d}");
    }
}

#[test]
fn model_inspect_reports_the_reference_parameter_count() {
    let (status, stdout, stderr) = run(&[
        "model",
        "inspect",
        fixture("llama4-multimodal-tiny").to_str().unwrap(),
    ]);
    assert!(status.success(), "{stderr}");
    // golden.json: 223328 parameters in the whole checkpoint, of which the
    // text model is the 187.5K the text-only fixture has.
    assert!(stdout.contains("187.5K total"), "{stdout}");
    // 187456 f32 parameters.
    assert!(stdout.contains("f32 732.2 KiB"), "{stdout}");
    assert!(
        stdout.contains("layers           4 (2 MoE, 2 dense)"),
        "{stdout}"
    );
    let cfg = ModelConfig::from_dir(&fixture("llama4-multimodal-tiny")).unwrap();
    assert_eq!(cfg.common.tensor_prefix, "language_model.");
}

/// The same checkpoints described in the other config styles (keys derived
/// from defaults, RoPE in the other style) verify just the same.
#[test]
fn other_config_styles_of_the_same_checkpoint_verify() {
    let verify = |dir: &Path, golden: &Path| {
        let (status, stdout, stderr) = model_verify(dir, golden);
        assert!(status.success(), "{stdout}{stderr}");
    };
    // Llama 4 with MoE layers from interleave_moe_layer_step, NoPE layers
    // from no_rope_layer_interval, chunked layers from them, and RoPE in
    // the rope_parameters style.
    let (_t, dir) = copy_fixture("llama4-tiny");
    edit_config(&dir, |v| {
        let o = v.as_object_mut().unwrap();
        o.remove("moe_layers");
        o.remove("no_rope_layers");
        o.remove("layer_types");
        let mut rope = o.remove("rope_scaling").unwrap();
        rope["rope_theta"] = o.remove("rope_theta").unwrap();
        o.insert("rope_parameters".into(), rope);
    });
    verify(&dir, &fixture("llama4-tiny").join("golden.json"));
    // Qwen3-MoE with RoPE in the rope_theta style and `num_experts`.
    let (_t, dir) = copy_fixture("qwen3moe-tiny");
    edit_config(&dir, |v| {
        let o = v.as_object_mut().unwrap();
        let rope = o.remove("rope_parameters").unwrap();
        o.insert("rope_theta".into(), rope["rope_theta"].clone());
        let e = o.remove("num_local_experts").unwrap();
        o.insert("num_experts".into(), e);
    });
    verify(&dir, &fixture("qwen3moe-tiny").join("golden.json"));
}

/// A GGUF file, as published for llama.cpp: `model inspect` reads what it
/// holds (types as llama-quantize wrote them) and `config check` accepts it
/// as `model.path`; a split set's part is refused by name.
#[test]
fn a_gguf_file_is_inspected_and_checked_as_a_model() {
    let gguf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gguf/llama4-k256/q4_k_m.gguf");
    let (status, out, err) = run(&["model", "inspect", gguf.to_str().unwrap()]);
    assert!(status.success(), "{err}");
    for line in [
        "format           GGUF",
        "architecture     llama4",
        "Q4K            27 tensors",
        "Q6K            6 tensors",
        "vocabulary       384",
        "served           yes",
    ] {
        assert!(out.contains(line), "{line:?} not in\n{out}");
    }
    // A qwen3moe file is served too.
    let qwen = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gguf/qwen3moe-tiny-moe/q4_k_m.gguf");
    let (status, out, err) = run(&["model", "inspect", qwen.to_str().unwrap()]);
    assert!(status.success(), "{err}");
    for line in ["architecture     qwen3moe", "served           yes"] {
        assert!(out.contains(line), "{line:?} not in\n{out}");
    }

    let pki = crate::kit::Pki::new();
    let config = format!(
        "{}\n[model]\npath = \"{}\"\n",
        pki.config(crate::kit::free_addr(), ""),
        gguf.display()
    );
    let path = pki.write("gguf.toml", &config);
    let (status, out, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert!(status.success(), "{out}{err}");

    // A KV cache no machine holds: refused before loading, with the numbers.
    let huge = format!("{config}kv_blocks = 1000000000\n");
    let path = pki.write("huge.toml", &huge);
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(
        err.contains("model.path")
            && err.contains("the model needs")
            && err.contains("model.kv_blocks = 1000000000")
            && (err.contains("MemTotal") || err.contains("memory.max")),
        "{err}"
    );
}

/// `model verify` runs a `llama4` GGUF file's golden cases, with the
/// tokenizer of its checkpoint or its own, and passes: kept quantized, it
/// is held to 1.5 times llama.cpp's error on each case.
#[test]
fn model_verify_passes_on_a_llama4_gguf_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gguf = root.join("tests/fixtures/gguf/llama4-tiny/q4_k_m.gguf");
    let golden = root.join("tests/fixtures/gguf/llama4-tiny/q4_k_m.golden.json");
    let (status, out, err) = run(&[
        "model",
        "verify",
        "--model",
        gguf.to_str().unwrap(),
        "--tokenizer",
        fixture("llama4-tiny").to_str().unwrap(),
        "--reference",
        golden.to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("11 cases, 0 failed"), "{out}");
    assert!(out.contains("x llama.cpp's"), "{out}");
    // The file's own tokenizer and chat template give the same cases.
    let (status, out, err) = run(&[
        "model",
        "verify",
        "--model",
        gguf.to_str().unwrap(),
        "--reference",
        golden.to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("11 cases, 0 failed"), "{out}");
}
