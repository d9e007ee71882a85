//! `palisade model verify`: runs the golden cases of a reference file
//! (format `moe-golden/1`, produced with Hugging Face `transformers`) and
//! reports every difference.

use std::path::Path;

use serde::Deserialize;

use super::model::{Model, SeqStep};
use super::tokenizer::TextTokenizer;
use super::{EngineError, Result};

#[derive(Debug, Deserialize)]
struct Golden {
    format: String,
    #[serde(default)]
    tolerance: Tolerance,
    #[serde(default)]
    logits_cases: Vec<LogitsCase>,
    #[serde(default)]
    greedy_cases: Vec<GreedyCase>,
    #[serde(default)]
    chat_cases: Vec<ChatCase>,
    /// llama.cpp's own error on a quantized GGUF file against the same
    /// reference (its CPU kernels quantize the activations per block).
    #[serde(default)]
    llama_cpp: Option<LlamaCppError>,
}

#[derive(Debug, Deserialize)]
struct LlamaCppError {
    logits_max_abs_per_case: Vec<f32>,
    logits_max_abs: f32,
}

/// How far a model that quantizes its activations may be from the
/// exact-weights reference, against llama.cpp's error on the same file.
pub const LLAMA_CPP_ERROR_FACTOR: f32 = 1.5;

#[derive(Debug, Deserialize)]
struct Tolerance {
    #[serde(default = "default_tolerance")]
    logits_max_abs: f32,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            logits_max_abs: default_tolerance(),
        }
    }
}

fn default_tolerance() -> f32 {
    1e-3
}

#[derive(Debug, Deserialize)]
struct LogitsCase {
    #[serde(default)]
    name: Option<String>,
    input_ids: Vec<u32>,
    logits: Vec<Vec<f32>>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GreedyCase {
    #[serde(default)]
    name: Option<String>,
    input_ids: Vec<u32>,
    greedy_ids: Vec<u32>,
    top1_margins: Vec<f32>,
}

#[derive(Debug, Deserialize)]
struct ChatCase {
    #[serde(default)]
    name: Option<String>,
    /// As transformers takes them: `content` a string or a list of parts.
    messages: Vec<serde_json::Value>,
    add_generation_prompt: bool,
    text: String,
    input_ids: Vec<u32>,
}

/// The outcome of one golden case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// `logits`, `tokenize`, `greedy` or `chat`.
    pub kind: &'static str,
    pub name: String,
    pub passed: bool,
    /// What was measured, for the report.
    pub detail: String,
}

/// The outcome of a verification run.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub cases: Vec<CaseResult>,
    /// Largest absolute logit difference over all logits cases.
    pub max_abs_error: f32,
}

impl VerifyReport {
    /// Whether every case passed (and there was at least one).
    #[must_use]
    pub fn passed(&self) -> bool {
        !self.cases.is_empty() && self.cases.iter().all(|c| c.passed)
    }
}

fn case_name(name: Option<&String>, kind: &str, i: usize) -> String {
    name.cloned().unwrap_or_else(|| format!("{kind}[{i}]"))
}

/// Runs every case of `reference` against the model in `model_dir`.
pub fn verify(model: &Model, tokenizer: &TextTokenizer, reference: &Path) -> Result<VerifyReport> {
    let text = std::fs::read_to_string(reference).map_err(|source| EngineError::Io {
        path: reference.to_path_buf(),
        source,
    })?;
    let golden: Golden = serde_json::from_str(&text).map_err(|e| EngineError::Json {
        path: reference.to_path_buf(),
        message: e.to_string(),
    })?;
    if golden.format != "moe-golden/1" {
        return Err(EngineError::Json {
            path: reference.to_path_buf(),
            message: format!("format {:?} is not moe-golden/1", golden.format),
        });
    }
    // Quantized weights multiply activations quantized per block, as
    // llama.cpp does: held to 1.5 times llama.cpp's error per case.
    let bar = golden.llama_cpp.as_ref().filter(|_| model.quantized());
    let tol = bar.map_or(golden.tolerance.logits_max_abs, |b| {
        LLAMA_CPP_ERROR_FACTOR * b.logits_max_abs
    });
    let mut report = VerifyReport::default();
    for (i, case) in golden.logits_cases.iter().enumerate() {
        let name = case_name(case.name.as_ref(), "logits", i);
        let (tol, against) = match bar {
            Some(b) => {
                let theirs = b.logits_max_abs_per_case.get(i).copied().unwrap_or(0.0);
                (
                    LLAMA_CPP_ERROR_FACTOR * theirs,
                    format!(", {LLAMA_CPP_ERROR_FACTOR} x llama.cpp's {theirs:.3e}"),
                )
            }
            None => (tol, String::new()),
        };
        let mut cache = model.new_cache();
        let logits = model.forward(
            &mut [SeqStep {
                tokens: &case.input_ids,
                cache: &mut cache,
            }],
            true,
        )?;
        let ours = logits
            .first()
            .ok_or_else(|| EngineError::Request("no logits returned".into()))?
            .to_vec2::<f32>()?;
        let (max_err, shape_ok) = compare(&ours, &case.logits);
        report.max_abs_error = report.max_abs_error.max(max_err);
        report.cases.push(CaseResult {
            kind: "logits",
            name: name.clone(),
            passed: shape_ok && max_err <= tol,
            detail: if shape_ok {
                format!(
                    "{} tokens, max abs error {max_err:.3e} (tolerance {tol:.3e}{against})",
                    case.input_ids.len()
                )
            } else {
                format!(
                    "shape differs: ours {}x{}, reference {}x{}",
                    ours.len(),
                    ours.first().map_or(0, Vec::len),
                    case.logits.len(),
                    case.logits.first().map_or(0, Vec::len)
                )
            },
        });
        if let Some(text) = &case.text {
            let ids = tokenizer.encode(text, false)?;
            let same = ids == case.input_ids;
            report.cases.push(CaseResult {
                kind: "tokenize",
                name,
                passed: same,
                detail: if same {
                    format!("{} ids identical", ids.len())
                } else {
                    format!("ours {ids:?}, reference {:?}", case.input_ids)
                },
            });
        }
    }
    for (i, case) in golden.greedy_cases.iter().enumerate() {
        let name = case_name(case.name.as_ref(), "greedy", i);
        // The reference generates a fixed number of tokens, so its stop
        // tokens are suppressed (transformers' `min_new_tokens`); so are ours.
        let ours = greedy(
            model,
            &case.input_ids,
            case.greedy_ids.len(),
            tokenizer.stop_token_ids(),
        )?;
        let mut checked = 0;
        let mut mismatch = None;
        for (step, (o, r)) in ours.iter().zip(&case.greedy_ids).enumerate() {
            let margin = case
                .top1_margins
                .get(step)
                .copied()
                .unwrap_or(f32::INFINITY);
            if margin <= tol {
                break;
            }
            checked += 1;
            if o != r {
                mismatch = Some(step);
                break;
            }
        }
        report.cases.push(CaseResult {
            kind: "greedy",
            name,
            passed: mismatch.is_none(),
            detail: match mismatch {
                None => format!(
                    "{checked} of {} tokens identical (compared while the reference margin > {tol:.3e})",
                    case.greedy_ids.len()
                ),
                Some(step) => format!(
                    "step {step}: ours {:?}, reference {:?} (margin {:.3e})",
                    ours.get(step),
                    case.greedy_ids.get(step),
                    case.top1_margins.get(step).copied().unwrap_or(f32::NAN)
                ),
            },
        });
    }
    for (i, case) in golden.chat_cases.iter().enumerate() {
        let name = case_name(case.name.as_ref(), "chat", i);
        let text =
            tokenizer.apply_chat_template_json(&case.messages, case.add_generation_prompt)?;
        let ids = tokenizer.encode(&text, false)?;
        let (text_ok, ids_ok) = (text == case.text, ids == case.input_ids);
        report.cases.push(CaseResult {
            kind: "chat",
            name,
            passed: text_ok && ids_ok,
            detail: match (text_ok, ids_ok) {
                (true, true) => format!("template text and {} ids identical", ids.len()),
                (false, _) => format!("text differs: ours {text:?}, reference {:?}", case.text),
                (true, false) => {
                    format!("ids differ: ours {ids:?}, reference {:?}", case.input_ids)
                }
            },
        });
    }
    Ok(report)
}

/// Largest absolute difference, and whether the shapes agree.
fn compare(ours: &[Vec<f32>], reference: &[Vec<f32>]) -> (f32, bool) {
    if ours.len() != reference.len() {
        return (f32::INFINITY, false);
    }
    let mut max = 0f32;
    for (a, b) in ours.iter().zip(reference) {
        if a.len() != b.len() {
            return (f32::INFINITY, false);
        }
        for (x, y) in a.iter().zip(b) {
            let d = (x - y).abs();
            // NaN never passes.
            max = if d.is_nan() {
                f32::INFINITY
            } else {
                max.max(d)
            };
        }
    }
    (max, true)
}

/// Greedy decoding with the KV cache: prefill, then one token per step,
/// never choosing a token of `suppress`.
pub fn greedy(model: &Model, prompt: &[u32], steps: usize, suppress: &[u32]) -> Result<Vec<u32>> {
    let mut cache = model.new_cache();
    let mut out = Vec::with_capacity(steps);
    let mut next: Vec<u32> = prompt.to_vec();
    for _ in 0..steps {
        let mut row = model.next_logits(&next, &mut cache)?;
        for id in suppress {
            if let Some(v) = row.get_mut(*id as usize) {
                *v = f32::NEG_INFINITY;
            }
        }
        let token = argmax(&row);
        out.push(token);
        next = vec![token];
    }
    Ok(out)
}

/// Index of the largest value; ties to the lowest index.
#[must_use]
pub fn argmax(values: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut best_value = f32::NEG_INFINITY;
    for (i, v) in values.iter().enumerate() {
        if *v > best_value {
            best = i;
            best_value = *v;
        }
    }
    best as u32
}
