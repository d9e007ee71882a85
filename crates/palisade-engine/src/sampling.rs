//! Choosing the next token from the model's logits: penalties, temperature,
//! top-k, top-p and min-p, in the order vLLM and `transformers` apply them,
//! drawn from a small seeded generator so a seed reproduces a generation.

use std::hash::BuildHasher as _;

use crate::{EngineError, Result};

/// How the next token is chosen. The default samples the model's own
/// distribution (temperature 1, no truncation, no penalties).
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Divides the logits; 0 means greedy (argmax, lowest id on ties).
    pub temperature: f32,
    /// Keep only the `k` most likely tokens.
    pub top_k: Option<usize>,
    /// Keep the smallest set of most likely tokens whose probability sums
    /// to at least this; 1 keeps all. In (0, 1].
    pub top_p: f32,
    /// Drop tokens less likely than this fraction of the most likely one;
    /// 0 keeps all. In [0, 1].
    pub min_p: f32,
    /// Divides positive (multiplies negative) logits of tokens seen in the
    /// prompt or the output; 1 is neutral. Above 0.
    pub repetition_penalty: f32,
    /// Subtracted once from the logit of every token already generated.
    /// In [-2, 2].
    pub presence_penalty: f32,
    /// Subtracted from a token's logit once per time it was generated.
    /// In [-2, 2].
    pub frequency_penalty: f32,
    /// Seed of the generator; `None` draws one (see [`Sampler::seed`]).
    pub seed: Option<u64>,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            temperature: 1.0,
            top_k: None,
            top_p: 1.0,
            min_p: 0.0,
            repetition_penalty: 1.0,
            presence_penalty: 0.0,
            frequency_penalty: 0.0,
            seed: None,
        }
    }
}

impl SamplingParams {
    /// Checks every parameter; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        fn bad(field: &str, rule: &str, value: impl std::fmt::Display) -> Result<()> {
            Err(EngineError::Request(format!(
                "sampling parameter {field} must be {rule}, got {value}"
            )))
        }
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return bad("temperature", "a finite number >= 0", self.temperature);
        }
        if self.top_k == Some(0) {
            return bad("top_k", "at least 1", 0);
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad("top_p", "in (0, 1]", self.top_p);
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return bad("min_p", "in [0, 1]", self.min_p);
        }
        if !(self.repetition_penalty.is_finite() && self.repetition_penalty > 0.0) {
            return bad(
                "repetition_penalty",
                "a finite number > 0",
                self.repetition_penalty,
            );
        }
        if !(-2.0..=2.0).contains(&self.presence_penalty) {
            return bad("presence_penalty", "in [-2, 2]", self.presence_penalty);
        }
        if !(-2.0..=2.0).contains(&self.frequency_penalty) {
            return bad("frequency_penalty", "in [-2, 2]", self.frequency_penalty);
        }
        Ok(())
    }

    /// Whether the choice is the argmax, with no randomness.
    pub fn is_greedy(&self) -> bool {
        self.temperature == 0.0 || self.top_k == Some(1)
    }
}

/// The chosen token and its log-probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampled {
    /// The chosen token.
    pub token: u32,
    /// Its log-probability (see [`Sampler`] for which distribution).
    pub logprob: f32,
    /// The most likely tokens with their log-probabilities, most likely
    /// first (lowest id first on ties); empty unless asked for with
    /// [`Sampler::with_top_logprobs`].
    pub top_logprobs: Vec<(u32, f32)>,
}

/// Chooses tokens for one generation.
///
/// Steps, as in vLLM and `transformers`: the repetition penalty over the
/// prompt (given with [`Sampler::with_prompt`]) and the generated tokens,
/// presence and frequency penalties over the generated tokens only; then
/// greedy argmax at temperature 0, else division by the temperature, top-k,
/// top-p, min-p, and a draw.
///
/// Log-probabilities are those of the log-softmax of the logits after the
/// penalties and before temperature and truncation: the model's view of the
/// token given the penalties, comparable across requests whatever their
/// temperature (a truncated distribution would give most tokens -inf).
#[derive(Debug, Clone)]
pub struct Sampler {
    params: SamplingParams,
    seed: u64,
    rng: Xoshiro256StarStar,
    top_logprobs: usize,
    /// Distinct prompt tokens, sorted, for the repetition penalty.
    prompt_tokens: Vec<u32>,
}

impl Sampler {
    /// A sampler for `params`, which are validated.
    pub fn new(params: SamplingParams) -> Result<Sampler> {
        params.validate()?;
        let seed = params
            .seed
            .unwrap_or_else(|| std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64));
        Ok(Sampler {
            params,
            seed,
            rng: Xoshiro256StarStar::from_seed(seed),
            top_logprobs: 0,
            prompt_tokens: Vec::new(),
        })
    }

    /// Also report the `n` most likely tokens at each step.
    pub fn with_top_logprobs(mut self, n: usize) -> Self {
        self.top_logprobs = n;
        self
    }

    /// The prompt, whose tokens the repetition penalty also applies to.
    pub fn with_prompt(mut self, prompt: &[u32]) -> Self {
        if self.params.repetition_penalty != 1.0 {
            let mut tokens = prompt.to_vec();
            tokens.sort_unstable();
            tokens.dedup();
            self.prompt_tokens = tokens;
        }
        self
    }

    /// The parameters.
    pub fn params(&self) -> &SamplingParams {
        &self.params
    }

    /// The seed in use: the requested one, or the one drawn, so a
    /// generation can be reproduced.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Chooses the next token from `logits` (one per vocabulary entry),
    /// given the tokens `generated` so far in this generation (the prompt
    /// excluded). NaN or +inf logits are an error; -inf masks a token.
    pub fn sample(&mut self, logits: &[f32], generated: &[u32]) -> Result<Sampled> {
        if logits.is_empty() {
            return Err(EngineError::Request(
                "the model produced no logits".to_owned(),
            ));
        }
        if u32::try_from(logits.len() - 1).is_err() {
            return Err(EngineError::Request(format!(
                "{} logits exceed the token id range",
                logits.len()
            )));
        }
        if let Some((id, bad)) = logits
            .iter()
            .enumerate()
            .find(|(_, l)| l.is_nan() || **l == f32::INFINITY)
        {
            return Err(EngineError::Request(format!(
                "the model produced a logit of {bad} for token {id}"
            )));
        }

        let mut scores = logits.to_vec();
        self.apply_penalties(&mut scores, generated);

        let (max, log_z) = log_normalizer(&scores).ok_or_else(|| {
            EngineError::Request("every token is masked; nothing can be sampled".to_owned())
        })?;
        let token = if self.params.is_greedy() {
            argmax(&scores, max)
        } else {
            self.draw(&scores)
        };
        let logprob = |id: usize| -> f32 {
            let score = scores.get(id).copied().unwrap_or(f32::NEG_INFINITY);
            (f64::from(score) - log_z) as f32
        };
        let top_logprobs = top_n(&scores, self.top_logprobs)
            .into_iter()
            .map(|id| (to_id(id), logprob(id)))
            .collect();
        Ok(Sampled {
            token: to_id(token),
            logprob: logprob(token),
            top_logprobs,
        })
    }

    fn apply_penalties(&self, scores: &mut [f32], generated: &[u32]) {
        let p = &self.params;
        let repetition = p.repetition_penalty != 1.0;
        let additive = p.presence_penalty != 0.0 || p.frequency_penalty != 0.0;
        if !repetition && !additive {
            return;
        }
        // Distinct generated tokens with their counts.
        let mut sorted = generated.to_vec();
        sorted.sort_unstable();
        let mut counts: Vec<(u32, u32)> = Vec::new();
        for id in sorted {
            match counts.last_mut() {
                Some((last, n)) if *last == id => *n = n.saturating_add(1),
                _ => counts.push((id, 1)),
            }
        }
        if repetition {
            let penalise = |score: &mut f32| {
                *score = if *score > 0.0 {
                    *score / p.repetition_penalty
                } else {
                    *score * p.repetition_penalty
                };
            };
            for &id in &self.prompt_tokens {
                if counts.binary_search_by_key(&id, |&(t, _)| t).is_err()
                    && let Some(score) = scores.get_mut(id as usize)
                {
                    penalise(score);
                }
            }
            for &(id, _) in &counts {
                if let Some(score) = scores.get_mut(id as usize) {
                    penalise(score);
                }
            }
        }
        if additive {
            for &(id, n) in &counts {
                if let Some(score) = scores.get_mut(id as usize) {
                    *score -= p.presence_penalty + p.frequency_penalty * n as f32;
                }
            }
        }
    }

    /// Temperature, top-k, top-p, min-p, then a draw; `scores` has at least
    /// one finite entry.
    fn draw(&mut self, scores: &[f32]) -> usize {
        let p = &self.params;
        let temperature = f64::from(p.temperature);
        // f64 so a tiny temperature cannot overflow to infinity.
        let mut candidates: Vec<(usize, f64)> = scores
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_finite())
            .map(|(id, &s)| (id, f64::from(s) / temperature))
            .collect();
        // Most likely first, then lowest id: a total order, so the sorted
        // order does not depend on the sorting algorithm.
        let by_likelihood =
            |a: &(usize, f64), b: &(usize, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let mut sorted = false;
        if let Some(k) = p.top_k
            && k < candidates.len()
        {
            candidates.select_nth_unstable_by(k.saturating_sub(1), by_likelihood);
            candidates.truncate(k);
            candidates.sort_unstable_by(by_likelihood);
            sorted = true;
        }
        let max = candidates
            .iter()
            .map(|&(_, s)| s)
            .fold(f64::NEG_INFINITY, f64::max);
        // Weights relative to the most likely token, which weighs exactly 1.
        for candidate in &mut candidates {
            candidate.1 = (candidate.1 - max).exp();
        }
        if p.top_p < 1.0 {
            if !sorted {
                candidates.sort_unstable_by(by_likelihood);
            }
            let total: f64 = candidates.iter().map(|&(_, w)| w).sum();
            let target = f64::from(p.top_p) * total;
            let mut cumulative = 0.0;
            let mut keep = candidates.len();
            for (i, &(_, w)) in candidates.iter().enumerate() {
                cumulative += w;
                if cumulative >= target {
                    keep = i + 1;
                    break;
                }
            }
            candidates.truncate(keep.max(1));
        }
        if p.min_p > 0.0 {
            let min_p = f64::from(p.min_p);
            candidates.retain(|&(_, w)| w >= min_p);
        }
        let total: f64 = candidates.iter().map(|&(_, w)| w).sum();
        let mut target = self.rng.next_f64() * total;
        let mut chosen = candidates.first().map_or(0, |&(id, _)| id);
        for &(id, w) in &candidates {
            chosen = id;
            if target < w {
                break;
            }
            target -= w;
        }
        chosen
    }
}

/// The max and the log of the softmax normaliser of `scores`; `None` when
/// every score is -inf.
fn log_normalizer(scores: &[f32]) -> Option<(f32, f64)> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return None;
    }
    let sum: f64 = scores
        .iter()
        .map(|&s| (f64::from(s) - f64::from(max)).exp())
        .sum();
    Some((max, f64::from(max) + sum.ln()))
}

/// The lowest id holding `max`.
fn argmax(scores: &[f32], max: f32) -> usize {
    scores.iter().position(|&s| s == max).unwrap_or(0)
}

/// The ids of the `n` highest scores, highest first, lowest id on ties.
fn top_n(scores: &[f32], n: usize) -> Vec<usize> {
    let n = n.min(scores.len());
    if n == 0 {
        return Vec::new();
    }
    let by_score = |a: &usize, b: &usize| {
        let score = |i: &usize| scores.get(*i).copied().unwrap_or(f32::NEG_INFINITY);
        score(b).total_cmp(&score(a)).then(a.cmp(b))
    };
    let mut ids: Vec<usize> = (0..scores.len()).collect();
    if n < ids.len() {
        ids.select_nth_unstable_by(n - 1, by_score);
        ids.truncate(n);
    }
    ids.sort_unstable_by(by_score);
    ids
}

/// An index of the logits as a token id; `sample` checked the length.
fn to_id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its
/// authors recommend: small, fast, and the same sequence for a seed on
/// every platform and in every version of Palisade.
#[derive(Debug, Clone)]
struct Xoshiro256StarStar {
    s0: u64,
    s1: u64,
    s2: u64,
    s3: u64,
}

impl Xoshiro256StarStar {
    fn from_seed(seed: u64) -> Self {
        let mut state = seed;
        let mut splitmix64 = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Xoshiro256StarStar {
            s0: splitmix64(),
            s1: splitmix64(),
            s2: splitmix64(),
            s3: splitmix64(),
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s1 << 17;
        self.s2 ^= self.s0;
        self.s3 ^= self.s1;
        self.s1 ^= self.s2;
        self.s0 ^= self.s3;
        self.s2 ^= t;
        self.s3 = self.s3.rotate_left(45);
        result
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGITS: [f32; 6] = [1.0, 2.5, -0.5, 2.0, 0.0, -3.0];

    fn sampler(params: SamplingParams) -> Sampler {
        Sampler::new(params).unwrap()
    }

    fn seeded(seed: u64) -> SamplingParams {
        SamplingParams {
            seed: Some(seed),
            ..SamplingParams::default()
        }
    }

    fn draws(s: &mut Sampler, logits: &[f32], n: usize) -> Vec<u32> {
        (0..n)
            .map(|_| s.sample(logits, &[]).unwrap().token)
            .collect()
    }

    fn softmax(logits: &[f32]) -> Vec<f64> {
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let e: Vec<f64> = logits.iter().map(|&l| f64::from(l - max).exp()).collect();
        let sum: f64 = e.iter().sum();
        e.iter().map(|x| x / sum).collect()
    }

    #[test]
    fn the_generator_is_pinned() {
        // Reference values of splitmix64-seeded xoshiro256**, seed 42.
        let mut rng = Xoshiro256StarStar::from_seed(42);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(first, PINNED_SEED_42);
        let mut rng = Xoshiro256StarStar::from_seed(7);
        for _ in 0..1000 {
            let u = rng.next_f64();
            assert!((0.0..1.0).contains(&u));
        }
    }

    const PINNED_SEED_42: [u64; 3] = [
        1_546_998_764_402_558_742,
        6_990_951_692_964_543_102,
        12_544_586_762_248_559_009,
    ];

    #[test]
    fn greedy_picks_the_argmax_lowest_id_on_ties() {
        let mut s = sampler(SamplingParams {
            temperature: 0.0,
            ..SamplingParams::default()
        });
        assert_eq!(s.sample(&LOGITS, &[]).unwrap().token, 1);
        assert_eq!(s.sample(&[0.5, 3.0, 3.0, 1.0], &[]).unwrap().token, 1);
        let masked = [f32::NEG_INFINITY, -5.0, f32::NEG_INFINITY];
        assert_eq!(s.sample(&masked, &[]).unwrap().token, 1);
    }

    #[test]
    fn a_seed_reproduces_the_sequence() {
        let a = draws(&mut sampler(seeded(1234)), &LOGITS, 50);
        let b = draws(&mut sampler(seeded(1234)), &LOGITS, 50);
        let c = draws(&mut sampler(seeded(4321)), &LOGITS, 50);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(sampler(seeded(9)).seed(), 9);
        // Without a seed, the drawn one reproduces the sequence.
        let mut unseeded = sampler(SamplingParams::default());
        let again = seeded(unseeded.seed());
        assert_eq!(
            draws(&mut unseeded, &LOGITS, 50),
            draws(&mut sampler(again), &LOGITS, 50)
        );
    }

    #[test]
    fn truncation_to_one_token_is_greedy() {
        for params in [
            SamplingParams {
                top_k: Some(1),
                ..seeded(5)
            },
            SamplingParams {
                top_p: 1e-6,
                ..seeded(5)
            },
            SamplingParams {
                min_p: 1.0,
                ..seeded(5)
            },
            SamplingParams {
                temperature: 1e-30,
                ..seeded(5)
            },
        ] {
            let tokens = draws(&mut sampler(params.clone()), &LOGITS, 200);
            assert!(tokens.iter().all(|&t| t == 1), "{params:?}: {tokens:?}");
        }
    }

    #[test]
    fn top_k_and_top_p_keep_the_likeliest() {
        let mut s = sampler(SamplingParams {
            top_k: Some(2),
            ..seeded(3)
        });
        let tokens = draws(&mut s, &LOGITS, 2000);
        assert!(tokens.iter().all(|&t| t == 1 || t == 3));
        assert!(tokens.contains(&1) && tokens.contains(&3));
        // Token 1 holds ~49% and token 3 ~30%: top_p 0.6 needs both.
        let probs = softmax(&LOGITS);
        assert!(probs[1] < 0.6 && probs[1] + probs[3] > 0.6);
        let mut s = sampler(SamplingParams {
            top_p: 0.6,
            ..seeded(3)
        });
        let tokens = draws(&mut s, &LOGITS, 2000);
        assert!(tokens.iter().all(|&t| t == 1 || t == 3));
        assert!(tokens.contains(&1) && tokens.contains(&3));
    }

    #[test]
    fn temperature_sampling_follows_the_softmax() {
        const N: usize = 20_000;
        for temperature in [1.0_f32, 0.7] {
            let mut s = sampler(SamplingParams {
                temperature,
                ..seeded(2024)
            });
            let mut counts = [0usize; LOGITS.len()];
            for t in draws(&mut s, &LOGITS, N) {
                counts[t as usize] += 1;
            }
            let scaled: Vec<f32> = LOGITS.iter().map(|l| l / temperature).collect();
            for (id, p) in softmax(&scaled).into_iter().enumerate() {
                let seen = counts[id] as f64 / N as f64;
                assert!(
                    (seen - p).abs() < 0.015,
                    "T={temperature} token {id}: {seen} vs {p}"
                );
            }
        }
    }

    #[test]
    fn logprobs_are_the_log_softmax_after_penalties() {
        let mut s = sampler(SamplingParams {
            temperature: 0.0,
            ..SamplingParams::default()
        })
        .with_top_logprobs(3);
        let out = s.sample(&LOGITS, &[]).unwrap();
        let probs = softmax(&LOGITS);
        assert!((f64::from(out.logprob) - probs[1].ln()).abs() < 1e-5);
        let ids: Vec<u32> = out.top_logprobs.iter().map(|&(id, _)| id).collect();
        assert_eq!(ids, [1, 3, 0]);
        for (id, lp) in out.top_logprobs {
            assert!((f64::from(lp) - probs[id as usize].ln()).abs() < 1e-5);
        }
        // More than the vocabulary gives the whole vocabulary.
        let mut s = sampler(seeded(1)).with_top_logprobs(100);
        assert_eq!(
            s.sample(&LOGITS, &[]).unwrap().top_logprobs.len(),
            LOGITS.len()
        );
        assert!(
            sampler(seeded(1))
                .sample(&LOGITS, &[])
                .unwrap()
                .top_logprobs
                .is_empty()
        );
    }

    #[test]
    fn repetition_penalty_lowers_seen_tokens() {
        let params = SamplingParams {
            temperature: 0.0,
            repetition_penalty: 2.0,
            ..SamplingParams::default()
        };
        // Token 1 (2.5) halves to 1.25 once generated; token 3 (2.0) wins.
        let mut s = sampler(params.clone());
        assert_eq!(s.sample(&LOGITS, &[1, 1, 1]).unwrap().token, 3);
        // The prompt counts too, a negative logit is multiplied, and a
        // token in both the prompt and the output is penalised once.
        let s = sampler(params.clone()).with_prompt(&[1, 3, 2]);
        let mut scores = LOGITS.to_vec();
        s.apply_penalties(&mut scores, &[3]);
        assert_eq!(scores, [1.0, 1.25, -1.0, 1.0, 0.0, -3.0]);
        let mut s = sampler(SamplingParams {
            repetition_penalty: 3.0,
            ..params
        })
        .with_prompt(&[1, 3]);
        assert_eq!(s.sample(&LOGITS, &[]).unwrap().token, 0);
    }

    #[test]
    fn frequency_penalty_scales_with_the_count() {
        let s = sampler(SamplingParams {
            frequency_penalty: 0.5,
            presence_penalty: 0.25,
            ..SamplingParams::default()
        })
        .with_prompt(&[0, 4]);
        let mut scores = LOGITS.to_vec();
        s.apply_penalties(&mut scores, &[1, 3, 1, 1, 7]);
        // Token 1 thrice: 2.5 - 0.25 - 1.5; token 3 once: 2.0 - 0.75; the
        // prompt and the out-of-range id are left alone.
        assert_eq!(scores, [1.0, 0.75, -0.5, 1.25, 0.0, -3.0]);
    }

    #[test]
    fn validate_names_the_field() {
        let cases = [
            (
                "temperature",
                SamplingParams {
                    temperature: -0.1,
                    ..Default::default()
                },
            ),
            (
                "temperature",
                SamplingParams {
                    temperature: f32::NAN,
                    ..Default::default()
                },
            ),
            (
                "temperature",
                SamplingParams {
                    temperature: f32::INFINITY,
                    ..Default::default()
                },
            ),
            (
                "top_k",
                SamplingParams {
                    top_k: Some(0),
                    ..Default::default()
                },
            ),
            (
                "top_p",
                SamplingParams {
                    top_p: 0.0,
                    ..Default::default()
                },
            ),
            (
                "top_p",
                SamplingParams {
                    top_p: 1.5,
                    ..Default::default()
                },
            ),
            (
                "min_p",
                SamplingParams {
                    min_p: -0.1,
                    ..Default::default()
                },
            ),
            (
                "min_p",
                SamplingParams {
                    min_p: f32::NAN,
                    ..Default::default()
                },
            ),
            (
                "repetition_penalty",
                SamplingParams {
                    repetition_penalty: 0.0,
                    ..Default::default()
                },
            ),
            (
                "presence_penalty",
                SamplingParams {
                    presence_penalty: 2.5,
                    ..Default::default()
                },
            ),
            (
                "frequency_penalty",
                SamplingParams {
                    frequency_penalty: -3.0,
                    ..Default::default()
                },
            ),
        ];
        for (field, params) in cases {
            let err = Sampler::new(params).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
        SamplingParams::default().validate().unwrap();
    }

    #[test]
    fn bad_logits_are_errors() {
        let mut s = sampler(seeded(1));
        let err = s.sample(&[0.0, f32::NAN, 1.0], &[]).unwrap_err();
        assert!(err.to_string().contains("token 1"), "{err}");
        assert!(s.sample(&[0.0, f32::INFINITY], &[]).is_err());
        assert!(s.sample(&[], &[]).is_err());
        assert!(s.sample(&[f32::NEG_INFINITY; 4], &[]).is_err());
    }

    #[test]
    fn masked_tokens_are_never_sampled() {
        let mut s = sampler(seeded(11));
        let logits = [f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY, 0.0];
        let tokens = draws(&mut s, &logits, 500);
        assert!(tokens.iter().all(|&t| t == 1 || t == 3));
    }
}
