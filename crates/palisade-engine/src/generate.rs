//! One sequence generated to completion: prefill, then decode token by
//! token with sampling, streaming text as it becomes valid UTF-8. The
//! serving scheduler batches many of these; `palisade generate` and the
//! benchmarks run one.

use std::time::{Duration, Instant};

use super::model::Model;
use super::sampling::{Sampler, SamplingParams};
use super::tokenizer::TextTokenizer;
use super::{EngineError, Result};

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// A stop token was produced.
    Stop,
    /// `max_tokens` was reached.
    Length,
}

/// The result of [`generate`].
#[derive(Debug, Clone)]
pub struct Generation {
    pub text: String,
    pub tokens: Vec<u32>,
    pub prompt_tokens: usize,
    pub finish_reason: FinishReason,
    /// Time of the prefill forward pass (to the first token's logits).
    pub prefill: Duration,
    /// Time of all decode steps after the first token.
    pub decode: Duration,
}

/// Generates up to `max_tokens` after `prompt`, calling `on_text` with each
/// piece of text as it completes.
pub fn generate(
    model: &Model,
    tokenizer: &TextTokenizer,
    prompt: &[u32],
    params: SamplingParams,
    max_tokens: usize,
    mut on_text: impl FnMut(&str),
) -> Result<Generation> {
    if prompt.is_empty() {
        return Err(EngineError::Request("the prompt has no tokens".into()));
    }
    let context = model.context_length();
    if prompt.len() >= context {
        return Err(EngineError::Request(format!(
            "the prompt has {} tokens; the model's context is {context}",
            prompt.len()
        )));
    }
    let max_tokens = max_tokens.min(context - prompt.len());
    let mut sampler = Sampler::new(params)?.with_prompt(prompt);
    let mut decoder = tokenizer.decoder(prompt);
    let stops = tokenizer.stop_token_ids();
    let mut cache = model.new_cache();
    let mut tokens: Vec<u32> = Vec::with_capacity(max_tokens);
    let mut text = String::new();
    let mut next = prompt.to_vec();
    let mut finish_reason = FinishReason::Length;
    let started = Instant::now();
    let mut prefill = Duration::ZERO;
    for step in 0..max_tokens {
        let row = model.next_logits(&next, &mut cache)?;
        if step == 0 {
            prefill = started.elapsed();
        }
        let token = sampler.sample(&row, &tokens)?.token;
        if stops.contains(&token) {
            finish_reason = FinishReason::Stop;
            break;
        }
        tokens.push(token);
        let piece = decoder.push(token)?;
        if !piece.is_empty() {
            on_text(&piece);
            text.push_str(&piece);
        }
        next = vec![token];
    }
    let rest = decoder.finish()?;
    if !rest.is_empty() {
        on_text(&rest);
        text.push_str(&rest);
    }
    Ok(Generation {
        text,
        prompt_tokens: prompt.len(),
        tokens,
        finish_reason,
        prefill,
        decode: started.elapsed().saturating_sub(prefill),
    })
}
