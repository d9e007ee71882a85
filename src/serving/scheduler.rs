//! Continuous batching: one engine thread owns the model. Requests wait in
//! a bounded queue; between engine steps, waiting requests join the batch
//! when a slot and their KV-cache blocks are free; each step runs one
//! forward pass over every running sequence (a chunk of the prompt for
//! those still prefilling, one token for those decoding), samples, and
//! streams text to each request. A request whose client went away is
//! dropped, and its blocks freed, at the next step.
//!
//! The KV cache is paged ([`KvPool`]): this thread keeps the free list of
//! blocks and gives each admitted sequence a block table for its prompt
//! plus `max_tokens`, returned to the list when it ends.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::engine::cache::{KvPool, SequenceCache};
use crate::engine::constrain::Constraint;
use crate::engine::model::{Model, SeqStep};
use crate::engine::sampling::{Sampler, SamplingParams};
use crate::engine::tokenizer::{IncrementalDecoder, TextTokenizer};
use crate::telemetry::metrics::ServingMetrics;

/// Why a sequence finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// A stop token or stop string.
    Stop,
    /// `max_tokens`, or the context, was reached.
    Length,
    /// An upstream server's content filter ended it.
    ContentFilter,
}

impl Finish {
    /// The OpenAI `finish_reason`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ContentFilter => "content_filter",
        }
    }
}

/// A generated token's log-probability, with the most likely
/// alternatives when asked for (see [`crate::engine::sampling::Sampler`]
/// for the distribution).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenLogprob {
    /// The token's text (a token that ends inside a multi-byte character
    /// shows U+FFFD).
    pub token: String,
    pub logprob: f32,
    /// Most likely first.
    pub top: Vec<(String, f32)>,
}

/// What a request hears from the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// More text (never part of a stop string), and the log-probabilities
    /// of the tokens generated since the last event when the job asked for
    /// them (the tokens of a matched stop string included, though their
    /// text is not sent).
    Text {
        text: String,
        logprobs: Vec<TokenLogprob>,
    },
    /// The sequence finished; counts for `usage`.
    Done {
        finish: Finish,
        prompt_tokens: usize,
        completion_tokens: usize,
    },
    /// The sequence failed; the message is safe to show.
    Failed(String),
    /// The request's deadline (`model.request_timeout`) passed, waiting or
    /// running: the node is overloaded.
    TimedOut(String),
    /// The sequence failed with this code (an upstream server's failure);
    /// the message is safe to show.
    Error(crate::serving::error::ErrorCode, String),
}

/// One sequence to generate.
#[derive(Debug)]
pub struct Job {
    pub prompt: Vec<u32>,
    pub params: SamplingParams,
    pub max_tokens: usize,
    /// Stop strings: generation ends before any of them, which is never sent.
    pub stop: Vec<String>,
    pub deadline: Instant,
    /// Report each token's log-probability and this many alternatives.
    pub logprobs: Option<usize>,
    /// The grammar the output must follow (a JSON schema, a tool call).
    pub constraint: Option<Constraint>,
    pub events: UnboundedSender<Event>,
}

/// Scheduler settings (from `[model]`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub max_batch: usize,
    pub queue_depth: usize,
    pub kv_blocks: usize,
    pub kv_block_size: usize,
    pub prefill_chunk: usize,
}

/// The queue's length (the admission check reads it) and the metrics
/// the engine thread keeps current.
#[derive(Debug)]
pub struct Stats {
    pub queued: AtomicUsize,
    pub metrics: ServingMetrics,
}

/// The queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

/// A handle to the engine thread.
#[derive(Debug, Clone)]
pub struct Scheduler {
    submit: mpsc::Sender<Job>,
    settings: Settings,
    stats: Arc<Stats>,
}

impl Scheduler {
    /// Starts the engine thread for `model`, whose sequences keep their
    /// keys and values in `pool` (made by [`Model::new_kv_pool`] with the
    /// settings' block count and size).
    pub fn start(
        model: Model,
        pool: KvPool,
        tokenizer: TextTokenizer,
        settings: Settings,
        metrics: ServingMetrics,
    ) -> std::io::Result<Self> {
        let (submit, jobs) = mpsc::channel();
        metrics.kv_blocks_total.set(settings.kv_blocks as i64);
        let stats = Arc::new(Stats {
            queued: AtomicUsize::new(0),
            metrics,
        });
        let thread_stats = stats.clone();
        std::thread::Builder::new()
            .name("palisade-scheduler".into())
            .spawn(move || Loop::new(model, pool, tokenizer, settings, thread_stats).run(&jobs))?;
        Ok(Self {
            submit,
            settings,
            stats,
        })
    }

    /// The scheduler's counters.
    #[must_use]
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Blocks a request of `tokens` tokens (prompt plus `max_tokens`) needs.
    #[must_use]
    pub fn blocks_for(&self, tokens: usize) -> usize {
        tokens.div_ceil(self.settings.kv_block_size)
    }

    /// Whether a request needing `tokens` could ever be admitted.
    #[must_use]
    pub fn fits(&self, tokens: usize) -> bool {
        self.blocks_for(tokens) <= self.settings.kv_blocks
    }

    /// Reserves `n` places in the queue (the choices of one request), or
    /// none when the queue cannot take them all. The reservation holds the
    /// places until its jobs are sent, or gives them back when dropped.
    pub fn reserve(&self, n: usize) -> Result<Reservation, QueueFull> {
        self.stats
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                (q + n <= self.settings.queue_depth).then_some(q + n)
            })
            .map_err(|_| QueueFull)?;
        Ok(Reservation {
            scheduler: self.clone(),
            places: n,
        })
    }
}

/// Places held in the queue.
#[derive(Debug)]
pub struct Reservation {
    scheduler: Scheduler,
    places: usize,
}

impl Reservation {
    /// Queues `jobs` in the reserved places (at most as many as reserved).
    pub fn send(mut self, jobs: Vec<Job>) {
        for job in jobs {
            if self.places == 0 {
                break;
            }
            if let Err(mpsc::SendError(job)) = self.scheduler.submit.send(job) {
                let _ = job
                    .events
                    .send(Event::Failed("the engine has stopped".into()));
                break;
            }
            self.places -= 1;
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.places > 0 {
            self.scheduler
                .stats
                .queued
                .fetch_sub(self.places, Ordering::AcqRel);
        }
    }
}

/// A running sequence.
struct Sequence {
    job: Job,
    cache: SequenceCache,
    sampler: Sampler,
    decoder: IncrementalDecoder,
    /// Prompt tokens already in the cache.
    prefilled: usize,
    generated: Vec<u32>,
    /// Text decoded but held back: it may be the start of a stop string.
    held: String,
    /// Log-probabilities not sent yet.
    pending: Vec<TokenLogprob>,
    blocks: Vec<u32>,
}

struct Loop {
    model: Model,
    pool: Arc<KvPool>,
    tokenizer: TextTokenizer,
    settings: Settings,
    stats: Arc<Stats>,
    free_blocks: Vec<u32>,
    waiting: VecDeque<Job>,
    running: Vec<Sequence>,
}

impl Loop {
    fn new(
        model: Model,
        pool: KvPool,
        tokenizer: TextTokenizer,
        settings: Settings,
        stats: Arc<Stats>,
    ) -> Self {
        // Handed out from the end: block 0 first, and recently freed
        // blocks (whose memory is already touched) before fresh ones.
        let free_blocks = (0..pool.blocks() as u32).rev().collect();
        Self {
            model,
            pool: Arc::new(pool),
            tokenizer,
            settings,
            stats,
            free_blocks,
            waiting: VecDeque::new(),
            running: Vec::new(),
        }
    }

    fn run(mut self, jobs: &mpsc::Receiver<Job>) {
        loop {
            if self.running.is_empty() && self.waiting.is_empty() {
                match jobs.recv() {
                    Ok(job) => self.waiting.push_back(job),
                    Err(_) => return,
                }
            }
            while let Ok(job) = jobs.try_recv() {
                self.waiting.push_back(job);
            }
            self.admit();
            if self.running.is_empty() {
                // Waiting requests that do not fit yet wait for blocks that
                // only finishing sequences free; nothing runs, so wait for
                // news rather than spin.
                if let Ok(job) = jobs.recv_timeout(Duration::from_millis(50)) {
                    self.waiting.push_back(job);
                }
                continue;
            }
            self.step();
            self.publish();
        }
    }

    fn publish(&self) {
        let m = &self.stats.metrics;
        m.running_sequences.set(self.running.len() as i64);
        m.kv_blocks_used
            .set((self.settings.kv_blocks - self.free_blocks.len()) as i64);
        m.queue_depth
            .set(self.stats.queued.load(Ordering::Acquire) as i64);
    }

    /// Moves waiting jobs into the batch while a slot and their blocks are
    /// free (first come, first served: a large request is not overtaken).
    fn admit(&mut self) {
        // Requests whose client left, or whose time ran out, while queued.
        let before = self.waiting.len();
        let now = Instant::now();
        self.waiting.retain(|job| {
            if job.events.is_closed() {
                return false;
            }
            if now >= job.deadline {
                let _ = job.events.send(Event::TimedOut(
                    "the request timed out waiting for the engine".into(),
                ));
                return false;
            }
            true
        });
        self.stats
            .queued
            .fetch_sub(before - self.waiting.len(), Ordering::AcqRel);
        while self.running.len() < self.settings.max_batch {
            let Some(job) = self.waiting.front() else {
                break;
            };
            let needed = (job.prompt.len() + job.max_tokens).div_ceil(self.settings.kv_block_size);
            if needed > self.free_blocks.len() {
                break;
            }
            let Some(job) = self.waiting.pop_front() else {
                break;
            };
            self.stats.queued.fetch_sub(1, Ordering::AcqRel);
            let blocks = self.free_blocks.split_off(self.free_blocks.len() - needed);
            let sampler = match Sampler::new(job.params.clone()) {
                Ok(s) => s
                    .with_prompt(&job.prompt)
                    .with_top_logprobs(job.logprobs.unwrap_or(0)),
                Err(e) => {
                    let _ = job.events.send(Event::Failed(e.to_string()));
                    self.free_blocks.extend(blocks);
                    continue;
                }
            };
            self.stats
                .metrics
                .prompt_tokens
                .inc_by(job.prompt.len() as u64);
            self.running.push(Sequence {
                cache: SequenceCache::paged(self.pool.clone(), blocks.clone()),
                decoder: self.tokenizer.decoder(&job.prompt),
                sampler,
                prefilled: 0,
                generated: Vec::new(),
                held: String::new(),
                pending: Vec::new(),
                blocks,
                job,
            });
        }
        self.publish();
    }

    /// One forward pass over the batch, then sampling and streaming.
    fn step(&mut self) {
        // Clients that went away: drop them before spending work on them.
        self.retire(|seq| seq.job.events.is_closed());
        if self.running.is_empty() {
            return;
        }
        let chunk = self.settings.prefill_chunk;
        let mut inputs: Vec<Vec<u32>> = Vec::with_capacity(self.running.len());
        for seq in &self.running {
            inputs.push(if seq.prefilled < seq.job.prompt.len() {
                let end = (seq.prefilled + chunk).min(seq.job.prompt.len());
                seq.job
                    .prompt
                    .get(seq.prefilled..end)
                    .unwrap_or_default()
                    .to_vec()
            } else {
                seq.generated.last().map(|t| vec![*t]).unwrap_or_default()
            });
        }
        let mut steps: Vec<SeqStep<'_>> = self
            .running
            .iter_mut()
            .zip(&inputs)
            .map(|(seq, tokens)| SeqStep {
                tokens,
                cache: &mut seq.cache,
            })
            .collect();
        let logits = match self.model.forward(&mut steps, false) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "engine step failed; failing the batch");
                for seq in &self.running {
                    let _ = seq
                        .job
                        .events
                        .send(Event::Failed("the engine failed on this batch".into()));
                }
                self.retire(|_| true);
                return;
            }
        };
        let stops = self.tokenizer.stop_token_ids().to_vec();
        let context = self.model.context_length();
        let mut finished: Vec<bool> = Vec::with_capacity(self.running.len());
        for ((seq, input), row) in self.running.iter_mut().zip(&inputs).zip(logits) {
            if seq.prefilled < seq.job.prompt.len() {
                seq.prefilled += input.len();
                if seq.prefilled < seq.job.prompt.len() {
                    finished.push(false);
                    continue;
                }
            }
            finished.push(advance(
                seq,
                &row,
                &self.tokenizer,
                &stops,
                context,
                &self.stats,
            ));
        }
        let mut index = 0;
        self.retire(|_| {
            let done = finished.get(index).copied().unwrap_or(true);
            index += 1;
            done
        });
    }

    /// Removes the sequences `done` picks, freeing their blocks.
    fn retire(&mut self, mut done: impl FnMut(&Sequence) -> bool) {
        let mut keep = Vec::with_capacity(self.running.len());
        for seq in self.running.drain(..) {
            if done(&seq) {
                self.free_blocks.extend(seq.blocks);
            } else {
                keep.push(seq);
            }
        }
        self.running = keep;
        self.publish();
    }
}

/// Samples the next token of `seq` from `logits` and streams what it
/// completes; true when the sequence is finished.
fn advance(
    seq: &mut Sequence,
    logits: &candle_core::Tensor,
    tokenizer: &TextTokenizer,
    stops: &[u32],
    context: usize,
    stats: &Stats,
) -> bool {
    let finish = |seq: &mut Sequence, finish: Finish| {
        let _ = seq.job.events.send(Event::Done {
            finish,
            prompt_tokens: seq.job.prompt.len(),
            completion_tokens: seq.generated.len(),
        });
        true
    };
    if Instant::now() >= seq.job.deadline {
        let _ = seq
            .job
            .events
            .send(Event::TimedOut("the request timed out".into()));
        return true;
    }
    let mut row = match logits.flatten_all().and_then(|t| t.to_vec1::<f32>()) {
        Ok(r) => r,
        Err(e) => {
            let _ = seq
                .job
                .events
                .send(Event::Failed(format!("engine error: {e}")));
            return true;
        }
    };
    if let Some(constraint) = &mut seq.job.constraint
        && let Err(e) = constraint.mask(&mut row)
    {
        let _ = seq.job.events.send(Event::Failed(e.to_string()));
        return true;
    }
    let sampled = match seq.sampler.sample(&row, &seq.generated) {
        Ok(s) => s,
        Err(e) => {
            let _ = seq
                .job
                .events
                .send(Event::Failed(format!("sampling failed: {e}")));
            return true;
        }
    };
    let token = sampled.token;
    if stops.contains(&token) {
        flush_held(seq);
        return finish(seq, Finish::Stop);
    }
    if let Some(constraint) = &mut seq.job.constraint
        && let Err(e) = constraint.accept(token)
    {
        let _ = seq.job.events.send(Event::Failed(e.to_string()));
        return true;
    }
    seq.generated.push(token);
    stats.metrics.completion_tokens.inc();
    if seq.job.logprobs.is_some() {
        let text = |id: u32| tokenizer.decode(&[id], false).unwrap_or_default();
        seq.pending.push(TokenLogprob {
            token: text(token),
            logprob: sampled.logprob,
            top: sampled
                .top_logprobs
                .iter()
                .map(|&(id, lp)| (text(id), lp))
                .collect(),
        });
    }
    match seq.decoder.push(token) {
        Ok(piece) => seq.held.push_str(&piece),
        Err(e) => {
            let _ = seq
                .job
                .events
                .send(Event::Failed(format!("detokenisation failed: {e}")));
            return true;
        }
    }
    if let Some(cut) = stop_position(&seq.held, &seq.job.stop) {
        seq.held.truncate(cut);
        flush_held(seq);
        return finish(seq, Finish::Stop);
    }
    // A grammar that admits nothing more ends the output here.
    if seq
        .job
        .constraint
        .as_ref()
        .is_some_and(Constraint::is_complete)
    {
        if let Ok(rest) = seq.decoder.finish() {
            seq.held.push_str(&rest);
        }
        flush_held(seq);
        return finish(seq, Finish::Stop);
    }
    let at_limit = seq.generated.len() >= seq.job.max_tokens
        || seq.job.prompt.len() + seq.generated.len() >= context;
    if at_limit {
        if let Ok(rest) = seq.decoder.finish() {
            seq.held.push_str(&rest);
        }
        if let Some(cut) = stop_position(&seq.held, &seq.job.stop) {
            seq.held.truncate(cut);
        }
        flush_held(seq);
        return finish(seq, Finish::Length);
    }
    // Send what cannot be the start of a stop string.
    let keep = held_back(&seq.held, &seq.job.stop);
    if seq.held.len() > keep {
        let rest = seq.held.split_off(seq.held.len() - keep);
        let text = std::mem::replace(&mut seq.held, rest);
        let _ = seq.job.events.send(Event::Text {
            text,
            logprobs: std::mem::take(&mut seq.pending),
        });
    }
    false
}

/// Sends the text held back and the log-probabilities not sent yet.
fn flush_held(seq: &mut Sequence) {
    if !seq.held.is_empty() || !seq.pending.is_empty() {
        let _ = seq.job.events.send(Event::Text {
            text: std::mem::take(&mut seq.held),
            logprobs: std::mem::take(&mut seq.pending),
        });
    }
}

/// Where the first stop string starts in `text`, if one occurs.
fn stop_position(text: &str, stops: &[String]) -> Option<usize> {
    stops
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()))
        .min()
}

/// How many bytes at the end of `text` could be the start of a stop string
/// (and so must wait for the next token), on a character boundary.
pub(crate) fn held_back(text: &str, stops: &[String]) -> usize {
    let mut keep = 0;
    for stop in stops {
        for (i, _) in stop.char_indices().skip(1) {
            let prefix = stop.get(..i).unwrap_or_default();
            if prefix.len() > keep && text.ends_with(prefix) {
                keep = prefix.len();
            }
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_strings_are_found_and_their_starts_held_back() {
        let stops = vec!["</end>".to_owned(), "\n\n".to_owned()];
        assert_eq!(stop_position("hello</end>more", &stops), Some(5));
        assert_eq!(stop_position("a\n\nb</end>", &stops), Some(1));
        assert_eq!(stop_position("nothing", &stops), None);
        assert_eq!(held_back("text </e", &stops), 3);
        assert_eq!(held_back("text\n", &stops), 1);
        assert_eq!(held_back("text", &stops), 0);
        assert_eq!(held_back("日本</", &stops), 2);
    }
}
