//! Engine throughput on a synthesised model, against this machine's memory
//! bandwidth.
//!
//! ```text
//! palisade model synth --arch llama4 --preset bench-1b --dtype bf16 --out /tmp/bench-1b
//! PALISADE_BENCH_MODEL=/tmp/bench-1b PALISADE_BENCH_DTYPE=bf16 cargo bench --bench engine
//! ```
//!
//! Reports prefill and decode tokens/s at batch 1, the bytes of weights one
//! decode step reads (from the config: attention, shared expert, the top-k
//! routed experts, norms, router, LM head, one embedding row), the measured
//! read bandwidth, and decode as a fraction of the roofline
//! `bandwidth / bytes per token`. `PALISADE_BENCH_QUANT=q8_0|q4_k` quantizes the
//! matrices as they load. `PALISADE_BENCH_KERNELS=1` (or `q8_0`, `q4_k`) times the
//! packed weight product alone (see `kernels` below). Not a criterion bench: one decode step of
//! the 1B model reads ~0.4-0.9 GB, so a handful of steps is the measurement.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use candle_core::{DType, Device};
use palisade_engine::cache::SequenceCache;
use palisade_engine::model::{Model, SeqStep};

/// Best-of-N read bandwidth in bytes/s over a buffer much larger than the
/// caches, read by as many threads as the matmuls use.
fn read_bandwidth() -> f64 {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = (1usize << 30) / 4 / threads; // 1 GiB of f32 in all
    let buffers: Vec<Vec<f32>> = (0..threads)
        .map(|t| (0..per_thread).map(|i| (i + t) as f32 * 1e-9).collect())
        .collect();
    let mut best = Duration::MAX;
    for _ in 0..10 {
        let start = Instant::now();
        std::thread::scope(|s| {
            for b in &buffers {
                s.spawn(move || {
                    // Eight independent accumulators so the adds vectorise
                    // and memory, not latency, is the limit.
                    let mut acc = [0f32; 8];
                    for chunk in b.chunks_exact(8) {
                        for (a, x) in acc.iter_mut().zip(chunk) {
                            *a += *x;
                        }
                    }
                    black_box(acc);
                });
            }
        });
        best = best.min(start.elapsed());
    }
    (threads * per_thread * 4) as f64 / best.as_secs_f64()
}

/// Prefill `prompt`, then decode `steps` tokens greedily; the two times.
fn run(model: &Model, prompt: &[u32], steps: usize) -> (Duration, Duration) {
    let argmax = |l: &candle_core::Tensor| {
        l.flatten_all()
            .unwrap()
            .argmax(0)
            .unwrap()
            .to_scalar::<u32>()
            .unwrap()
    };
    let mut cache = model.new_cache();
    let t = Instant::now();
    let logits = model
        .forward(
            &mut [SeqStep {
                tokens: prompt,
                cache: &mut cache,
            }],
            false,
        )
        .unwrap();
    let prefill = t.elapsed();
    let mut next = argmax(&logits[0]);
    let t = Instant::now();
    for _ in 0..steps {
        let logits = model
            .forward(
                &mut [SeqStep {
                    tokens: &[next],
                    cache: &mut cache,
                }],
                false,
            )
            .unwrap();
        next = argmax(&logits[0]);
    }
    (prefill, t.elapsed())
}

/// `PALISADE_BENCH_KERNELS=1`: the packed product alone, on a weight of
/// the bench model's attention size (4 MB, stays in L3 between calls) and
/// of its LM head (64 MB, read from memory each call), for 1 to 64
/// activation rows: weight bytes per second (what bounds few rows) and
/// multiply-adds per second (what bounds many).
fn kernels() {
    use candle_core::Tensor;
    let dev = Device::Cpu;
    for (outputs, inputs) in [(2048usize, 1024usize), (32768, 1024)] {
        let w = palisade_engine::panels::PackedWeight::new(
            &Tensor::randn(0f32, 0.02, (outputs, inputs), &dev)
                .unwrap()
                .to_dtype(DType::BF16)
                .unwrap(),
        )
        .unwrap();
        time_product(&w, "bf16", &dev);
    }
}

/// `PALISADE_BENCH_KERNELS=q4_k` (or `q8_0`): the quantized product alone,
/// as [`kernels`], on weights of the bench model's shapes.
fn quantized_kernels(quantization: palisade_engine::quant::Quantization, name: &str) {
    use candle_core::Tensor;
    let dev = Device::Cpu;
    for (outputs, inputs) in [(2048usize, 1024usize), (32768, 1024)] {
        let w = Tensor::randn(0f32, 0.02, (outputs, inputs), &dev).unwrap();
        let w = palisade_engine::panels::PackedWeight::quantize(&w, quantization)
            .unwrap()
            .unwrap();
        time_product(&w, name, &dev);
    }
}

/// One weight's product for 1 to 64 activation rows.
fn time_product(w: &palisade_engine::panels::PackedWeight, name: &str, dev: &Device) {
    use candle_core::Tensor;
    let (outputs, inputs) = w.dims();
    for rows in [1usize, 2, 3, 4, 6, 8, 16, 32, 64] {
        let x = Tensor::randn(0f32, 1.0, (rows, inputs), dev).unwrap();
        let iters = if outputs > 4096 { 10 } else { 200 };
        let _ = w.forward(&x).unwrap();
        let t = Instant::now();
        for _ in 0..iters {
            black_box(w.forward(&x).unwrap());
        }
        let s = t.elapsed().as_secs_f64() / iters as f64;
        println!(
            "product {outputs}x{inputs} {name}, {rows:>2} rows: {:.3} ms {:.1} GB/s {:.1} GFLOP/s",
            s * 1e3,
            w.bytes() as f64 / s / 1e9,
            (2 * rows * outputs * inputs) as f64 / s / 1e9
        );
    }
}

fn main() {
    // As the daemon does (`palisade::cli::main`).
    let _ = palisade_engine::retain_freed_memory();
    if let Ok(which) = std::env::var("PALISADE_BENCH_KERNELS") {
        match palisade_engine::quant::Quantization::parse(&which) {
            Ok(q) => quantized_kernels(q, &which),
            Err(_) => kernels(),
        }
        return;
    }
    let Some(dir) = std::env::var_os("PALISADE_BENCH_MODEL").map(PathBuf::from) else {
        eprintln!(
            "set PALISADE_BENCH_MODEL to a model directory (palisade model synth --arch llama4 --preset bench-1b --out DIR)"
        );
        return;
    };
    // A missing directory gets the bench model (bf16), as `palisade model
    // synth --arch llama4 --preset bench-1b` writes it.
    if !dir.exists() {
        eprintln!("synthesising bench-1b into {}", dir.display());
        palisade_engine::synth::synth("llama4", "bench-1b", &dir, DType::BF16, 0).unwrap();
    }
    let dtype = match std::env::var("PALISADE_BENCH_DTYPE").as_deref() {
        Ok("f32") => DType::F32,
        Ok("f16") => DType::F16,
        _ => DType::BF16,
    };
    let prefill_len: usize = std::env::var("PALISADE_BENCH_PREFILL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let decode_steps: usize = std::env::var("PALISADE_BENCH_DECODE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);

    // In-situ quantization of every matrix as it loads (q8_0, q4_k).
    let quantization = std::env::var("PALISADE_BENCH_QUANT")
        .ok()
        .map(|q| palisade_engine::quant::Quantization::parse(&q).unwrap());
    let load_model = |dir: &std::path::Path| {
        Model::load_quantized(dir, dtype, &Device::Cpu, quantization.map(|q| (q, true))).unwrap()
    };
    let bandwidth = read_bandwidth();
    let started = Instant::now();
    let model = load_model(&dir);
    let load = started.elapsed();
    let counts = model.config().param_counts();
    // Bytes per weight: the dtype's, or the block type's (8.5 and 4.5 bits).
    let per_weight = match quantization {
        Some(palisade_engine::quant::Quantization::Q8_0) => 34.0 / 32.0,
        Some(palisade_engine::quant::Quantization::Q4K) => 144.0 / 256.0,
        None => dtype.size_in_bytes() as f64,
    };
    let bytes_per_token = counts.read_per_token as f64 * per_weight;

    let vocab = model.config().common.vocab_size as u32;
    let prompt: Vec<u32> = (0..prefill_len as u32)
        .map(|i| (i * 7919 + 13) % vocab)
        .collect();
    // A second model (PALISADE_BENCH_COMPARE, e.g. twice the experts) is
    // measured interleaved with the first, so both see the same machine.
    let other = std::env::var_os("PALISADE_BENCH_COMPARE")
        .map(PathBuf::from)
        .map(|dir| (load_model(&dir), dir));
    // Warm-up: page faults and allocator growth are not timed.
    run(&model, &prompt[..8], 2);
    if let Some((m, _)) = &other {
        run(m, &prompt[..8], 2);
    }
    let mut best_prefill = Duration::MAX;
    let mut best_decode = Duration::MAX;
    let mut best_other = Duration::MAX;
    for _ in 0..3 {
        let (p, d) = run(&model, &prompt, decode_steps);
        best_prefill = best_prefill.min(p);
        best_decode = best_decode.min(d);
        if let Some((m, _)) = &other {
            best_other = best_other.min(run(m, &prompt, decode_steps).1);
        }
    }
    // The machine is shared: take the better bandwidth of before and after,
    // so the roofline is never understated.
    let bandwidth = bandwidth.max(read_bandwidth());
    let prefill_tps = prefill_len as f64 / best_prefill.as_secs_f64();
    let decode_tps = decode_steps as f64 / best_decode.as_secs_f64();
    let roofline_tps = bandwidth / bytes_per_token;
    println!("model            {}", dir.display());
    println!("dtype            {dtype:?}, quantized {quantization:?}");
    println!(
        "parameters       {:.1}M total, {:.1}M active",
        counts.total as f64 / 1e6,
        counts.active as f64 / 1e6
    );
    println!("load             {:.2} s", load.as_secs_f64());
    println!(
        "read bandwidth   {:.2} GB/s (best of 2x10, {} threads)",
        bandwidth / 1e9,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("bytes per token  {:.1} MB", bytes_per_token / 1e6);
    println!("prefill          {prefill_tps:.1} tokens/s ({prefill_len} tokens, best of 3)");
    println!(
        "decode           {decode_tps:.2} tokens/s ({:.1} ms/token, {decode_steps} steps, best of 3)",
        1e3 / decode_tps
    );
    println!("roofline         {roofline_tps:.2} tokens/s");
    println!("decode/roofline  {:.0}%", 100.0 * decode_tps / roofline_tps);
    // Batched decode: B sequences, one token each per step, as the
    // scheduler runs them (PALISADE_BENCH_BATCH, e.g. 1,4,16), in a paged
    // cache of 16-position blocks as the scheduler gives them.
    if let Ok(batches) = std::env::var("PALISADE_BENCH_BATCH") {
        for b in batches.split(',').filter_map(|b| b.parse::<usize>().ok()) {
            const BLOCK: usize = 16;
            let per_seq = (prompt.len() + 3 * 8).div_ceil(BLOCK) as u32;
            let pool = std::sync::Arc::new(
                model
                    .new_kv_pool(b * per_seq as usize, BLOCK)
                    .expect("KV pool"),
            );
            let mut caches: Vec<_> = (0..b as u32)
                .map(|i| {
                    let table = (0..per_seq).map(|j| j * b as u32 + i).collect();
                    SequenceCache::paged(pool.clone(), table)
                })
                .collect();
            let prompts: Vec<Vec<u32>> = (0..b)
                .map(|i| prompt.iter().map(|t| (t + i as u32) % vocab).collect())
                .collect();
            // The prompts in one forward pass, as the scheduler runs them
            // when B requests arrive together.
            let t = Instant::now();
            let mut steps: Vec<SeqStep> = caches
                .iter_mut()
                .zip(&prompts)
                .map(|(cache, p)| SeqStep { tokens: p, cache })
                .collect();
            model.forward(&mut steps, false).unwrap();
            let prefill = t.elapsed().as_secs_f64();
            println!(
                "batch {b:>3} prefill {:.1} ms for {} prompt tokens, {:.1} tokens/s",
                prefill * 1e3,
                b * prompt.len(),
                (b * prompt.len()) as f64 / prefill
            );
            let mut best = Duration::MAX;
            for _ in 0..3 {
                let t = Instant::now();
                for step in 0..8u32 {
                    let tokens: Vec<[u32; 1]> =
                        (0..b).map(|i| [(step * 31 + i as u32) % vocab]).collect();
                    let mut steps: Vec<SeqStep> = caches
                        .iter_mut()
                        .zip(&tokens)
                        .map(|(cache, t)| SeqStep { tokens: t, cache })
                        .collect();
                    model.forward(&mut steps, false).unwrap();
                }
                best = best.min(t.elapsed());
            }
            let per_step = best.as_secs_f64() / 8.0;
            println!(
                "batch {b:>3}        {:.1} ms/step, {:.1} tokens/s aggregate",
                per_step * 1e3,
                b as f64 / per_step
            );
        }
    }
    if let Some((m, dir)) = &other {
        let c = m.config();
        let ms = |d: Duration| d.as_secs_f64() * 1e3 / decode_steps as f64;
        println!(
            "compare          {} ({} experts): decode {:.1} ms/token vs {:.1} ms/token with {} experts: x{:.2}",
            dir.display(),
            c.common.num_experts,
            ms(best_other),
            ms(best_decode),
            model.config().common.num_experts,
            best_other.as_secs_f64() / best_decode.as_secs_f64()
        );
    }
}
