//! Products of f32 activations with weights packed in panels, on CPU.
//!
//! A weight `[out, in]` is repacked once, at load, into panels of
//! [`PANEL`] output features: panel `p` holds, for each input `k` in
//! order, the `PANEL` weights `w[p * PANEL + j][k]` side by side. The
//! kernel then reads each panel as one contiguous stream (the hardware
//! prefetcher's best case, whatever the number of activation rows), keeps
//! a tile of `M` rows by `PANEL` outputs in registers, and for each `k`
//! multiplies the panel's `PANEL` weights, widened once, by the `M`
//! broadcast activations. No horizontal sums: each output is one fused
//! multiply-add chain over `k` in order.
//!
//! That chain is the same whatever the tile, the vector width or the
//! number of rows, and a fused multiply-add rounds once in a register as
//! it does in `f32::mul_add`. So every build (AVX-512, AVX2, portable)
//! gives the same bits, and a row's result does not depend on the rows
//! batched with it: a request decodes the same text alone or in a batch.
//!
//! bf16 weights are multiplied as bf16 pairs: a panel holds, for each
//! pair of inputs, each output's two weights side by side, and each
//! product rounds its activations to bf16 once (to nearest even) so that
//! one `vdpbf16ps` (AVX512_BF16) multiplies two inputs per lane: twice the
//! arithmetic of an f32 fused multiply-add, which is what a prefill is
//! bound by. Per pair and lane the instruction adds the odd input's
//! product, then the even one's, each rounded once; the other builds do
//! exactly that with two fused multiply-adds (a product of two bf16 is
//! exact in f32), so they give the same bits, and a row's bits still do
//! not depend on its batch. (The instruction reads and writes subnormals
//! as zero: the weights and activations are flushed when they are
//! packed, and a sum that falls below 1.2e-38 may differ between builds.)
//! Rounding the products' inputs to bf16 is what a bf16 checkpoint does
//! in `transformers`; the residual stream, norms, attention and routing
//! stay f32. f32 and f16 weights multiply f32 activations.
//!
//! candle 0.11 has no half-precision matmul on CPU (it widens the whole
//! weight to f32 on every call); other devices keep the checkpoint's
//! tensor and multiply in its dtype.

use std::sync::Arc;

use candle_core::{DType, Tensor};
use rayon::prelude::*;

use super::kernels::WeightRows;
use super::qtiles::Tiled;
use super::quant::{Prepared, QuantWeight, Quantization};
use super::{EngineError, Result};

/// Output features per panel: three AVX-512 vectors, six AVX2 ones.
const PANEL: usize = 48;

/// Activation rows a task takes through all of its panels before the
/// next block: 64 rows of a 5120-wide model are 1.3 MB, about a core's
/// L2, so a long prefill streams each panel once per block, not per row.
const ROW_BLOCK: usize = 64;

/// Products smaller than this (multiply-adds) run on the calling thread:
/// waking the pool would cost more than the product.
const PARALLEL_MIN_WORK: usize = 1 << 18;

/// How far ahead of the multiply-adds the kernel asks for a panel's
/// weights (bytes): the hardware prefetcher alone falls behind when both
/// cores stream (measured in `docs/benchmarks.md`).
const PREFETCH_AHEAD: usize = 4096;

/// A weight `[out, in]` held the way the products read it.
#[derive(Debug, Clone)]
pub struct PackedWeight {
    repr: Repr,
    outputs: usize,
    inputs: usize,
}

#[derive(Debug, Clone)]
enum Repr {
    F32(Arc<Vec<f32>>),
    /// Panels of input pairs (`[pairs, PANEL]` each): see [`pack_pairs`].
    Bf16(Arc<Vec<u32>>),
    F16(Arc<Vec<half::f16>>),
    /// GGML quantized blocks, multiplied as blocks ([`crate::quant`]).
    Quant(QuantWeight),
    /// Q4_K, Q6_K or Q8_0 blocks re-laid as tiles of eight rows
    /// ([`crate::qtiles`]).
    Tiled(Arc<Tiled>),
    /// Other devices and dtypes: the checkpoint's tensor, for `matmul`.
    Tensor(Tensor),
}

impl PackedWeight {
    /// Packs `w` (`[out, in]`, any layout) for the CPU kernel when it is
    /// on the CPU in f32, bf16 or f16; otherwise keeps the tensor.
    pub fn new(w: &Tensor) -> Result<Self> {
        let (outputs, inputs) = w.dims2()?;
        let repr = if w.device().is_cpu() {
            match w.dtype() {
                DType::F32 => Repr::F32(Arc::new(pack(&flat(w)?, outputs, inputs))),
                DType::BF16 => Repr::Bf16(Arc::new(pack_pairs(&flat(w)?, outputs, inputs))),
                DType::F16 => Repr::F16(Arc::new(pack(&flat(w)?, outputs, inputs))),
                _ => Repr::Tensor(w.clone()),
            }
        } else {
            Repr::Tensor(w.clone())
        };
        Ok(Self {
            repr,
            outputs,
            inputs,
        })
    }

    /// A weight held as quantized blocks (on the CPU).
    pub(crate) fn quantized(w: QuantWeight) -> Self {
        let (outputs, inputs) = (w.outputs(), w.inputs());
        let repr = match Tiled::new(&w) {
            Some(tiled) => {
                w.release_mapped_pages();
                Repr::Tiled(Arc::new(tiled))
            }
            None => Repr::Quant(w),
        };
        Self {
            outputs,
            inputs,
            repr,
        }
    }

    /// `w` (`[out, in]`, on the CPU) quantized to `quantization`'s block
    /// type, or `None` when its rows are not whole blocks of it.
    pub fn quantize(w: &Tensor, quantization: Quantization) -> Result<Option<Self>> {
        let (outputs, inputs) = w.dims2()?;
        let values = flat::<f32>(&w.to_dtype(DType::F32)?)?;
        Ok(quantization
            .quantize(&values, outputs, inputs)?
            .map(Self::quantized))
    }

    /// The GGML block type, when the weight is held as quantized blocks.
    #[must_use]
    pub fn block_type(&self) -> Option<candle_core::quantized::GgmlDType> {
        match &self.repr {
            Repr::Quant(q) => Some(q.dtype()),
            Repr::Tiled(t) => Some(t.dtype()),
            _ => None,
        }
    }

    /// `[outputs, inputs]`.
    #[must_use]
    pub fn dims(&self) -> (usize, usize) {
        (self.outputs, self.inputs)
    }

    /// Bytes the weight holds in memory (or maps), as packed.
    #[must_use]
    pub fn bytes(&self) -> usize {
        match &self.repr {
            Repr::F32(p) => p.len() * 4,
            Repr::Bf16(p) => p.len() * 4,
            Repr::F16(p) => p.len() * 2,
            Repr::Quant(q) => q.bytes(),
            Repr::Tiled(t) => t.bytes(),
            Repr::Tensor(t) => t.elem_count() * t.dtype().size_in_bytes(),
        }
    }

    /// `x @ w^T` for `x` `[rows, in]` in any float dtype; the result is
    /// f32 `[rows, out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = if x.dtype() == DType::F32 {
            x.clone()
        } else {
            x.to_dtype(DType::F32)?
        };
        let (rows, inputs) = x.dims2()?;
        if inputs != self.inputs {
            return Err(EngineError::Request(format!(
                "a product got {inputs} input features where its weight takes {}",
                self.inputs
            )));
        }
        match &self.repr {
            Repr::Tensor(w) if w.dtype() == DType::F32 => Ok(x.matmul(&w.t()?)?),
            // GPUs multiply half precision natively.
            Repr::Tensor(w) => Ok(x
                .to_dtype(w.dtype())?
                .matmul(&w.t()?)?
                .to_dtype(DType::F32)?),
            Repr::F32(_) | Repr::Bf16(_) | Repr::F16(_) | Repr::Quant(_) | Repr::Tiled(_) => {
                let xs = x.flatten_all()?.to_vec1::<f32>()?;
                let job = Job {
                    weight: self,
                    x: &xs,
                    rows,
                };
                let out = products(&[job])?.pop().unwrap_or_default();
                Ok(Tensor::from_vec(out, (rows, self.outputs), x.device())?)
            }
        }
    }

    /// Whether the weight is packed for the CPU kernel (else it is a
    /// tensor on another device).
    #[must_use]
    pub fn on_host(&self) -> bool {
        !matches!(self.repr, Repr::Tensor(_))
    }

    /// Panels `first..` (as many as `out` holds, `[rows, PANEL]` each)
    /// against all rows of `x` (bf16 weights read `x` as
    /// [`activation_pairs`] makes it, quantized ones as they prepared it).
    fn block(&self, out: &mut [f32], x: &[f32], ready: &Ready<'_>, rows: usize, first: usize) {
        let count = out.len() / (rows * PANEL).max(1);
        let range = |steps: usize| first * steps * PANEL..(first + count) * steps * PANEL;
        let inputs = self.inputs;
        match &self.repr {
            Repr::F32(p) => block(
                out,
                x,
                p.get(range(inputs)).unwrap_or_default(),
                rows,
                inputs,
            ),
            Repr::F16(p) => block(
                out,
                x,
                p.get(range(inputs)).unwrap_or_default(),
                rows,
                inputs,
            ),
            Repr::Bf16(p) => {
                let steps = inputs.div_ceil(2);
                let w = p.get(range(steps)).unwrap_or_default();
                let pairs = match ready {
                    Ready::Pairs(pairs) => pairs.as_slice(),
                    _ => &[],
                };
                block_pairs(out, pairs, w, rows, steps);
            }
            Repr::Quant(_) | Repr::Tiled(_) => {
                if let Ready::Quant(prepared) = ready {
                    prepared.block(out, first, PANEL);
                }
            }
            Repr::Tensor(_) => {}
        }
    }
}

/// A tensor's elements in row-major order.
fn flat<T: candle_core::WithDType>(w: &Tensor) -> Result<Vec<T>> {
    Ok(w.flatten_all()?.to_vec1::<T>()?)
}

/// `w` (`[outputs, inputs]`, row-major) as panels of `[inputs, PANEL]`;
/// the last panel is padded with zeros.
fn pack<T: Copy + Default + Send + Sync>(w: &[T], outputs: usize, inputs: usize) -> Vec<T> {
    let mut packed = vec![T::default(); outputs.div_ceil(PANEL) * inputs * PANEL];
    if inputs == 0 {
        return packed;
    }
    packed
        .par_chunks_mut(inputs * PANEL)
        .zip(w.par_chunks(inputs * PANEL))
        .for_each(|(panel, rows)| {
            for (j, row) in rows.chunks_exact(inputs).enumerate() {
                for (slot, v) in panel.iter_mut().skip(j).step_by(PANEL).zip(row) {
                    *slot = *v;
                }
            }
        });
    packed
}

/// A bf16's bits with a subnormal flushed to zero (keeping its sign), as
/// the dot-product instruction reads it.
fn flushed(bits: u16) -> u32 {
    let bits = u32::from(bits);
    if bits & 0x7f80 == 0 {
        bits & 0x8000
    } else {
        bits
    }
}

/// bf16 `w` (`[outputs, inputs]`, row-major) as panels of input pairs:
/// panel `p` holds, for each pair `i`, the `PANEL` outputs' weights of
/// inputs `2i` (low half) and `2i + 1` (high half) as one `u32`. An odd
/// last input pairs with zero; the last panel is padded with zeros.
fn pack_pairs(w: &[half::bf16], outputs: usize, inputs: usize) -> Vec<u32> {
    let pairs = inputs.div_ceil(2);
    let mut packed = vec![0u32; outputs.div_ceil(PANEL) * pairs * PANEL];
    if inputs == 0 {
        return packed;
    }
    packed
        .par_chunks_mut(pairs * PANEL)
        .zip(w.par_chunks(inputs * PANEL))
        .for_each(|(panel, rows)| {
            for (j, row) in rows.chunks_exact(inputs).enumerate() {
                for (slot, pair) in panel.iter_mut().skip(j).step_by(PANEL).zip(row.chunks(2)) {
                    *slot = pair_bits(pair.first().copied(), pair.get(1).copied());
                }
            }
        });
    packed
}

/// Two bf16 (a missing one is zero) as one pair.
fn pair_bits(even: Option<half::bf16>, odd: Option<half::bf16>) -> u32 {
    let bits = |v: Option<half::bf16>| v.map_or(0, |v| flushed(v.to_bits()));
    bits(even) | bits(odd) << 16
}

/// f32 activations `[rows, inputs]` rounded to bf16 (to nearest even,
/// subnormals flushed) and paired as the weights are: `[rows, pairs]`.
fn activation_pairs(x: &[f32], inputs: usize) -> Vec<u32> {
    if inputs == 0 {
        return Vec::new();
    }
    let round = |v: Option<&f32>| v.map(|&v| half::bf16::from_f32(v));
    let mut out = Vec::with_capacity(x.len().div_ceil(inputs) * inputs.div_ceil(2));
    for xs in x.chunks(inputs) {
        out.extend(
            xs.chunks(2)
                .map(|p| pair_bits(round(p.first()), round(p.get(1)))),
        );
    }
    out
}

/// A product's activations as its weight reads them, made once per
/// product: bf16 pairs, or quantized blocks.
enum Ready<'a> {
    F32,
    Pairs(Vec<u32>),
    Quant(Box<dyn Prepared + 'a>),
}

/// One product of a [`products`] pass: `x` (`[rows, in]`, row-major)
/// times `weight`.
pub(crate) struct Job<'a> {
    pub weight: &'a PackedWeight,
    pub x: &'a [f32],
    pub rows: usize,
}

/// Several products in one parallel pass (each `[rows, out]`): their
/// panels are tasks of one pool, so a compute-bound product (a shared
/// expert's 16 rows) runs beside memory-bound ones (routed experts with a
/// row or two) instead of after them, and the pool is woken once, not
/// once per product.
pub(crate) fn products(jobs: &[Job<'_>]) -> Result<Vec<Vec<f32>>> {
    for job in jobs {
        if !job.weight.on_host() {
            return Err(EngineError::Request(
                "a grouped product needs weights packed for the CPU".into(),
            ));
        }
        if job.x.len() != job.rows * job.weight.inputs {
            return Err(EngineError::Request(format!(
                "a product got {} activations for {} rows of {} features",
                job.x.len(),
                job.rows,
                job.weight.inputs
            )));
        }
    }
    let work: usize = jobs
        .iter()
        .map(|j| j.rows * j.weight.outputs * j.weight.inputs)
        .sum();
    let parallel = work >= PARALLEL_MIN_WORK;
    let tasks_per_product = rayon::current_num_threads() * 2;
    // bf16 weights multiply activations rounded to bf16 pairs, quantized
    // ones activations quantized per block, made once per product.
    let ready: Vec<Ready<'_>> = jobs
        .iter()
        .map(|j| match &j.weight.repr {
            Repr::Bf16(_) => Ready::Pairs(activation_pairs(j.x, j.weight.inputs)),
            Repr::Quant(q) => Ready::Quant(q.prepare(j.x, j.rows)),
            Repr::Tiled(t) => Ready::Quant(t.prepare(j.x)),
            _ => Ready::F32,
        })
        .collect();
    let mut by_panel: Vec<Vec<f32>> = jobs
        .iter()
        .map(|j| vec![0f32; j.weight.outputs.div_ceil(PANEL) * j.rows * PANEL])
        .collect();
    let mut tasks = Vec::new();
    for ((job, ready), out) in jobs.iter().zip(&ready).zip(by_panel.iter_mut()) {
        if job.rows == 0 || job.weight.inputs == 0 {
            continue;
        }
        let count = job.weight.outputs.div_ceil(PANEL);
        let per_task = if parallel {
            count.div_ceil(tasks_per_product).max(1)
        } else {
            count
        };
        for (i, chunk) in out.chunks_mut(per_task * job.rows * PANEL).enumerate() {
            tasks.push((job, ready, i * per_task, chunk));
        }
    }
    let run = |(job, ready, first, out): (&Job<'_>, &Ready<'_>, usize, &mut [f32])| {
        job.weight.block(out, job.x, ready, job.rows, first);
    };
    if parallel {
        tasks.into_par_iter().for_each(run);
    } else {
        tasks.into_iter().for_each(run);
    }
    Ok(jobs
        .iter()
        .zip(&by_panel)
        .map(|(job, panels)| unpanel(panels, job.rows, job.weight.outputs))
        .collect())
}

/// Per-panel results (`[rows, PANEL]` each) as `[rows, outputs]`.
fn unpanel(by_panel: &[f32], rows: usize, outputs: usize) -> Vec<f32> {
    let mut out = vec![0f32; rows * outputs];
    for (r, out_row) in out.chunks_mut(outputs.max(1)).enumerate() {
        for (chunk, panel) in out_row.chunks_mut(PANEL).zip(by_panel.chunks(rows * PANEL)) {
            let row = panel.iter().skip(r * PANEL);
            for (slot, v) in chunk.iter_mut().zip(row) {
                *slot = *v;
            }
        }
    }
    out
}

/// Whole panels `w` against all rows of `x`, with the widest build the
/// CPU runs.
fn block<W: WeightRows>(out: &mut [f32], x: &[f32], w: &[W], rows: usize, inputs: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if simd::avx512() {
            // SAFETY: the CPU has reported the build's features.
            #[allow(unsafe_code)]
            unsafe {
                simd::block_avx512(out, x, w, rows, inputs);
            }
            return;
        }
        if simd::avx2() {
            // SAFETY: as above.
            #[allow(unsafe_code)]
            unsafe {
                simd::block_avx2(out, x, w, rows, inputs);
            }
            return;
        }
    }
    block_portable(out, x, w, rows, inputs);
}

/// Whole bf16 panels `w` (input pairs) against all rows of `x` (input
/// pairs, see [`activation_pairs`]), with the widest build the CPU runs.
fn block_pairs(out: &mut [f32], x: &[u32], w: &[u32], rows: usize, pairs: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if simd::avx512_bf16() {
            // SAFETY: the CPU has reported the build's features.
            #[allow(unsafe_code)]
            unsafe {
                simd::block_bf16_dot(out, x, w, rows, pairs);
            }
            return;
        }
        if simd::avx512() {
            // SAFETY: as above.
            #[allow(unsafe_code)]
            unsafe {
                simd::block_pairs_avx512(out, x, w, rows, pairs);
            }
            return;
        }
        if simd::avx2() {
            // SAFETY: as above.
            #[allow(unsafe_code)]
            unsafe {
                simd::block_pairs_avx2(out, x, w, rows, pairs);
            }
            return;
        }
    }
    block_pairs_portable(out, x, w, rows, pairs);
}

/// The same products without vector instructions: `f32::mul_add` rounds
/// as the vector fused multiply-add does, so the bits are the same.
fn block_portable<W: WeightRows>(out: &mut [f32], x: &[f32], w: &[W], rows: usize, inputs: usize) {
    for (out_panel, panel) in out
        .chunks_exact_mut(rows * PANEL)
        .zip(w.chunks_exact(inputs * PANEL))
    {
        for (out_row, x_row) in out_panel
            .chunks_exact_mut(PANEL)
            .zip(x.chunks_exact(inputs))
        {
            out_row.fill(0.0);
            for (xk, wk) in x_row.iter().zip(panel.chunks_exact(PANEL)) {
                for (acc, wv) in out_row.iter_mut().zip(wk) {
                    *acc = xk.mul_add(wv.widen(), *acc);
                }
            }
        }
    }
}

/// The bf16 products without vector instructions, in the dot-product
/// instruction's order: per pair, the odd input's product is added, then
/// the even one's, each rounded once (a product of two bf16 is exact in
/// f32, so `mul_add` is that addition).
fn block_pairs_portable(out: &mut [f32], x: &[u32], w: &[u32], rows: usize, pairs: usize) {
    for (out_panel, panel) in out
        .chunks_exact_mut(rows * PANEL)
        .zip(w.chunks_exact(pairs * PANEL))
    {
        for (out_row, x_row) in out_panel.chunks_exact_mut(PANEL).zip(x.chunks_exact(pairs)) {
            out_row.fill(0.0);
            for (&xp, wk) in x_row.iter().zip(panel.chunks_exact(PANEL)) {
                let (x_even, x_odd) = (even(xp), odd(xp));
                for (acc, &wp) in out_row.iter_mut().zip(wk) {
                    *acc = x_even.mul_add(even(wp), x_odd.mul_add(odd(wp), *acc));
                }
            }
        }
    }
}

/// The even input of a pair (its low half) as f32.
#[inline(always)]
fn even(pair: u32) -> f32 {
    f32::from_bits(pair << 16)
}

/// The odd input of a pair (its high half) as f32.
#[inline(always)]
fn odd(pair: u32) -> f32 {
    f32::from_bits(pair & 0xffff_0000)
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::{
        __m256, __m512, __m512bh, _MM_HINT_T0, _mm_prefetch, _mm256_and_si256, _mm256_castsi256_ps,
        _mm256_fmadd_ps, _mm256_loadu_si256, _mm256_set1_epi32, _mm256_set1_ps, _mm256_setzero_ps,
        _mm256_slli_epi32, _mm256_storeu_ps, _mm512_and_si512, _mm512_castsi512_ps,
        _mm512_dpbf16_ps, _mm512_fmadd_ps, _mm512_loadu_si512, _mm512_set1_epi32, _mm512_set1_ps,
        _mm512_setzero_ps, _mm512_slli_epi32, _mm512_storeu_ps,
    };
    use std::marker::PhantomData;

    use super::{PANEL, PREFETCH_AHEAD, ROW_BLOCK, WeightRows, even, odd};

    /// Whether the AVX-512 build may run: the CPU has AVX-512F (and F16C,
    /// which f16 weights need), and `PALISADE_NO_AVX512` is not set (to
    /// compare the builds on one machine).
    pub(super) fn avx512() -> bool {
        static AVX512: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *AVX512.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("f16c")
                && std::env::var_os("PALISADE_NO_AVX512").is_none()
        })
    }

    /// Whether the bf16 dot-product instruction may run: the AVX-512 build
    /// does, the CPU has AVX512_BF16, and `PALISADE_NO_AVX512_BF16` is not
    /// set.
    pub(super) fn avx512_bf16() -> bool {
        static BF16: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *BF16.get_or_init(|| {
            avx512()
                && std::arch::is_x86_feature_detected!("avx512bf16")
                && std::env::var_os("PALISADE_NO_AVX512_BF16").is_none()
        })
    }

    /// Whether the AVX2 build may run.
    pub(super) fn avx2() -> bool {
        static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *AVX2.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("f16c")
        })
    }

    /// A vector width: its sums, how they start and how they are stored.
    #[allow(unsafe_code)]
    trait Width {
        /// A vector of sums.
        type V: Copy;
        /// Vectors per panel.
        const PER_PANEL: usize;
        /// # Safety
        /// The CPU has this width's instructions.
        unsafe fn zero() -> Self::V;
        /// # Safety
        /// `p` points at a vector's worth of writable floats; the CPU has
        /// this width's instructions.
        unsafe fn store(p: *mut f32, v: Self::V);
    }

    /// Eight f32 lanes (AVX2).
    struct W256;

    #[allow(unsafe_code)]
    impl Width for W256 {
        type V = __m256;
        const PER_PANEL: usize = PANEL / 8;

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn zero() -> __m256 {
            _mm256_setzero_ps()
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn store(p: *mut f32, v: __m256) {
            // SAFETY: forwarded from the caller.
            unsafe { _mm256_storeu_ps(p, v) }
        }
    }

    /// Sixteen f32 lanes (AVX-512).
    struct W512;

    #[allow(unsafe_code)]
    impl Width for W512 {
        type V = __m512;
        const PER_PANEL: usize = PANEL / 16;

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn zero() -> __m512 {
            _mm512_setzero_ps()
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn store(p: *mut f32, v: __m512) {
            // SAFETY: forwarded from the caller.
            unsafe { _mm512_storeu_ps(p, v) }
        }
    }

    /// One step of a tile (one input, or one pair of inputs) at one
    /// vector width: how a panel's weights and an activation are read and
    /// multiplied into the sums.
    #[allow(unsafe_code)]
    trait Step {
        /// An activation as stored (f32, or a pair of bf16).
        type A: Copy;
        /// A weight as stored.
        type W: Copy;
        /// The width of the sums.
        type Lanes: Width;
        /// A vector of weights, ready to multiply.
        type Wv: Copy;
        /// An activation broadcast, ready to multiply.
        type Xv: Copy;
        /// # Safety
        /// `p` points at a vector's worth of readable weights; the CPU has
        /// this step's instructions.
        unsafe fn weights(p: *const Self::W) -> Self::Wv;
        /// # Safety
        /// The CPU has this step's instructions.
        unsafe fn activation(a: Self::A) -> Self::Xv;
        /// `acc` plus the products of `x` and `w`.
        ///
        /// # Safety
        /// As `activation`.
        unsafe fn step(acc: Sums<Self>, x: Self::Xv, w: Self::Wv) -> Sums<Self>;
    }

    /// A step's vector of sums.
    type Sums<S> = <<S as Step>::Lanes as Width>::V;

    /// f32 activations times widened weights, eight lanes.
    struct Fma256<W>(PhantomData<W>);

    #[allow(unsafe_code)]
    impl<W: WeightRows> Step for Fma256<W> {
        type A = f32;
        type W = W;
        type Lanes = W256;
        type Wv = __m256;
        type Xv = __m256;

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn weights(p: *const W) -> __m256 {
            // SAFETY: forwarded from the caller.
            unsafe { W::load8(p) }
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn activation(a: f32) -> __m256 {
            _mm256_set1_ps(a)
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn step(acc: __m256, x: __m256, w: __m256) -> __m256 {
            _mm256_fmadd_ps(x, w, acc)
        }
    }

    /// f32 activations times widened weights, sixteen lanes.
    struct Fma512<W>(PhantomData<W>);

    #[allow(unsafe_code)]
    impl<W: WeightRows> Step for Fma512<W> {
        type A = f32;
        type W = W;
        type Lanes = W512;
        type Wv = __m512;
        type Xv = __m512;

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn weights(p: *const W) -> __m512 {
            // SAFETY: forwarded from the caller.
            unsafe { W::load16(p) }
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn activation(a: f32) -> __m512 {
            _mm512_set1_ps(a)
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn step(acc: __m512, x: __m512, w: __m512) -> __m512 {
            _mm512_fmadd_ps(x, w, acc)
        }
    }

    /// bf16 pairs by two fused multiply-adds (the dot-product
    /// instruction's order, without it), eight lanes.
    struct Pairs256;

    #[allow(unsafe_code)]
    impl Step for Pairs256 {
        type A = u32;
        type W = u32;
        type Lanes = W256;
        /// The even and the odd inputs' weights.
        type Wv = (__m256, __m256);
        type Xv = (__m256, __m256);

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn weights(p: *const u32) -> (__m256, __m256) {
            // SAFETY: forwarded from the caller; unaligned loads are allowed.
            let v = unsafe { _mm256_loadu_si256(p.cast()) };
            let high = _mm256_set1_epi32(-65_536);
            (
                _mm256_castsi256_ps(_mm256_slli_epi32::<16>(v)),
                _mm256_castsi256_ps(_mm256_and_si256(v, high)),
            )
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn activation(a: u32) -> (__m256, __m256) {
            (_mm256_set1_ps(even(a)), _mm256_set1_ps(odd(a)))
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn step(acc: __m256, x: (__m256, __m256), w: (__m256, __m256)) -> __m256 {
            _mm256_fmadd_ps(x.0, w.0, _mm256_fmadd_ps(x.1, w.1, acc))
        }
    }

    /// bf16 pairs by two fused multiply-adds, sixteen lanes.
    struct Pairs512;

    #[allow(unsafe_code)]
    impl Step for Pairs512 {
        type A = u32;
        type W = u32;
        type Lanes = W512;
        type Wv = (__m512, __m512);
        type Xv = (__m512, __m512);

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn weights(p: *const u32) -> (__m512, __m512) {
            // SAFETY: forwarded from the caller; unaligned loads are allowed.
            let v = unsafe { _mm512_loadu_si512(p.cast()) };
            let high = _mm512_set1_epi32(-65_536);
            (
                _mm512_castsi512_ps(_mm512_slli_epi32::<16>(v)),
                _mm512_castsi512_ps(_mm512_and_si512(v, high)),
            )
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn activation(a: u32) -> (__m512, __m512) {
            (_mm512_set1_ps(even(a)), _mm512_set1_ps(odd(a)))
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn step(acc: __m512, x: (__m512, __m512), w: (__m512, __m512)) -> __m512 {
            _mm512_fmadd_ps(x.0, w.0, _mm512_fmadd_ps(x.1, w.1, acc))
        }
    }

    /// bf16 pairs by the dot-product instruction (`vdpbf16ps`: per lane,
    /// the odd pair's product added, then the even one's, each rounded;
    /// subnormals read and written as zero), sixteen lanes.
    struct Dot512;

    #[allow(unsafe_code)]
    impl Step for Dot512 {
        type A = u32;
        type W = u32;
        type Lanes = W512;
        type Wv = __m512bh;
        type Xv = __m512bh;

        #[target_feature(enable = "avx512f,avx512bf16")]
        #[inline]
        unsafe fn weights(p: *const u32) -> __m512bh {
            // SAFETY: forwarded from the caller; unaligned loads are
            // allowed, and 32 bf16 are the bits of 16 u32.
            unsafe { std::mem::transmute(_mm512_loadu_si512(p.cast())) }
        }

        #[target_feature(enable = "avx512f,avx512bf16")]
        #[inline]
        unsafe fn activation(a: u32) -> __m512bh {
            // SAFETY: 32 bf16 are the bits of 16 u32.
            unsafe { std::mem::transmute(_mm512_set1_epi32(a.cast_signed())) }
        }

        #[target_feature(enable = "avx512f,avx512bf16")]
        #[inline]
        unsafe fn step(acc: __m512, x: __m512bh, w: __m512bh) -> __m512 {
            _mm512_dpbf16_ps(acc, x, w)
        }
    }

    /// The AVX2 build: tiles of 2 rows by 6 vectors (12 sums, 16
    /// registers in all).
    ///
    /// # Safety
    /// The CPU has AVX2, FMA and F16C.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[allow(unsafe_code)]
    pub(super) unsafe fn block_avx2<W: WeightRows>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        block::<Fma256<W>, 2, 6>(out, x, w, rows, inputs);
    }

    /// The AVX-512 build: tiles of 8 rows by 3 vectors (24 sums, 32
    /// registers in all).
    ///
    /// # Safety
    /// The CPU has AVX-512F, AVX2, FMA and F16C.
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    #[allow(unsafe_code)]
    pub(super) unsafe fn block_avx512<W: WeightRows>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        block::<Fma512<W>, 8, 3>(out, x, w, rows, inputs);
    }

    /// bf16 pairs, AVX2 build: tiles of 2 rows by 6 vectors.
    ///
    /// # Safety
    /// The CPU has AVX2, FMA and F16C.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[allow(unsafe_code)]
    pub(super) unsafe fn block_pairs_avx2(
        out: &mut [f32],
        x: &[u32],
        w: &[u32],
        rows: usize,
        pairs: usize,
    ) {
        block::<Pairs256, 2, 6>(out, x, w, rows, pairs);
    }

    /// bf16 pairs, AVX-512 build without the dot product: tiles of 6 rows
    /// by 3 vectors (18 sums, the weights' 6 halves, an activation's 2).
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    #[allow(unsafe_code)]
    pub(super) unsafe fn block_pairs_avx512(
        out: &mut [f32],
        x: &[u32],
        w: &[u32],
        rows: usize,
        pairs: usize,
    ) {
        block::<Pairs512, 6, 3>(out, x, w, rows, pairs);
    }

    /// bf16 pairs by the dot-product instruction: tiles of 8 rows by 3
    /// vectors.
    ///
    /// # Safety
    /// The CPU has AVX-512F and AVX512_BF16.
    #[target_feature(enable = "avx512f,avx512bf16,avx2,fma,f16c")]
    #[allow(unsafe_code)]
    pub(super) unsafe fn block_bf16_dot(
        out: &mut [f32],
        x: &[u32],
        w: &[u32],
        rows: usize,
        pairs: usize,
    ) {
        block::<Dot512, 8, 3>(out, x, w, rows, pairs);
    }

    /// `out` (per panel `[rows, PANEL]`) = `x` (`[rows, steps]`) times
    /// the panels `w` (`[steps, PANEL]` each): blocks of rows, then
    /// panels, then tiles of up to `M` rows (`V` vectors per panel).
    #[inline(always)]
    fn block<S: Step, const M: usize, const V: usize>(
        out: &mut [f32],
        x: &[S::A],
        w: &[S::W],
        rows: usize,
        steps: usize,
    ) {
        debug_assert_eq!(V, <S::Lanes as Width>::PER_PANEL);
        if steps == 0 || x.len() < rows * steps {
            return;
        }
        let mut start = 0;
        while start < rows {
            let end = (start + ROW_BLOCK).min(rows);
            for (out_panel, panel) in out
                .chunks_exact_mut(rows * PANEL)
                .zip(w.chunks_exact(steps * PANEL))
            {
                let mut r = start;
                while r + M <= end {
                    tile::<S, M, V>(out_panel, x, panel, steps, r);
                    r += M;
                }
                match end - r {
                    1 => tile::<S, 1, V>(out_panel, x, panel, steps, r),
                    2 => tile::<S, 2, V>(out_panel, x, panel, steps, r),
                    3 => tile::<S, 3, V>(out_panel, x, panel, steps, r),
                    4 => tile::<S, 4, V>(out_panel, x, panel, steps, r),
                    5 => tile::<S, 5, V>(out_panel, x, panel, steps, r),
                    6 => tile::<S, 6, V>(out_panel, x, panel, steps, r),
                    7 => tile::<S, 7, V>(out_panel, x, panel, steps, r),
                    _ => {}
                }
            }
            start = end;
        }
    }

    /// Rows `r0..r0 + M` of `x` against one panel; writes
    /// `out[(r0 + m) * PANEL..][..PANEL]`.
    #[inline(always)]
    #[allow(unsafe_code)]
    fn tile<S: Step, const M: usize, const V: usize>(
        out: &mut [f32],
        x: &[S::A],
        panel: &[S::W],
        steps: usize,
        r0: usize,
    ) {
        // Every read below is inside a slice checked here to hold it: the
        // panel's `steps * PANEL` weights (vector `v` of step `k` at
        // `k * PANEL + v * LANES`, `V * LANES == PANEL`), element `k` of
        // rows `r0..r0 + M` of `x`, and `PANEL` floats of each output row.
        // The callers run only on CPUs with `S`'s instructions.
        if panel.len() < steps * PANEL || x.len() < (r0 + M) * steps || out.len() < (r0 + M) * PANEL
        {
            return;
        }
        let lanes = PANEL / V;
        let x_rows: [*const S::A; M] =
            std::array::from_fn(|m| x.as_ptr().wrapping_add((r0 + m) * steps));
        // SAFETY: see above.
        let zero = unsafe { <S::Lanes as Width>::zero() };
        let mut acc = [[zero; V]; M];
        let mut p = panel.as_ptr();
        for k in 0..steps {
            // SAFETY: see above.
            let wv: [S::Wv; V] = std::array::from_fn(|v| unsafe { S::weights(p.add(v * lanes)) });
            // A hint, never a fault, for each cache line of the step: the
            // cores streaming at once outrun the hardware prefetcher.
            for line in (0..PANEL * size_of::<S::W>()).step_by(64) {
                // SAFETY: see above.
                unsafe {
                    _mm_prefetch::<_MM_HINT_T0>(
                        p.cast::<u8>().wrapping_add(PREFETCH_AHEAD + line).cast(),
                    );
                }
            }
            for (acc_m, row) in acc.iter_mut().zip(x_rows) {
                // SAFETY: see above.
                let xm = unsafe { S::activation(*row.add(k)) };
                for (a, wn) in acc_m.iter_mut().zip(wv) {
                    // SAFETY: see above.
                    *a = unsafe { S::step(*a, xm, wn) };
                }
            }
            p = p.wrapping_add(PANEL);
        }
        let base = out.as_mut_ptr().wrapping_add(r0 * PANEL);
        for (m, acc_m) in acc.iter().enumerate() {
            for (v, a) in acc_m.iter().enumerate() {
                // SAFETY: see above.
                unsafe { <S::Lanes as Width>::store(base.add(m * PANEL + v * lanes), *a) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn inputs<W>(
        rows: usize,
        inputs: usize,
        outputs: usize,
        of: fn(f32) -> W,
    ) -> (Vec<f32>, Vec<W>) {
        let x = (0..rows * inputs)
            .map(|i| ((i * 7919 % 1009) as f32 / 1009.0) - 0.5)
            .collect();
        let w = (0..outputs * inputs)
            .map(|i| of(((i * 104_729 % 997) as f32 / 997.0) - 0.5))
            .collect();
        (x, w)
    }

    /// The product in the kernel's order, written out plainly.
    fn reference(x: &[f32], w: &[half::f16], rows: usize, outputs: usize, k: usize) -> Vec<f32> {
        let mut out = vec![0f32; rows * outputs];
        for r in 0..rows {
            for o in 0..outputs {
                let mut acc = 0f32;
                for i in 0..k {
                    acc = x[r * k + i].mul_add(w[o * k + i].to_f32(), acc);
                }
                out[r * outputs + o] = acc;
            }
        }
        out
    }

    /// The bf16 product as `vdpbf16ps` defines it, written out plainly:
    /// activations rounded to bf16 (nearest even); per pair of inputs the
    /// odd one's product added first, then the even one's, each rounded.
    fn reference_pairs(
        x: &[f32],
        w: &[half::bf16],
        rows: usize,
        outputs: usize,
        k: usize,
    ) -> Vec<f32> {
        let mut out = vec![0f32; rows * outputs];
        for r in 0..rows {
            for o in 0..outputs {
                let term = |i: usize| {
                    if i < k {
                        half::bf16::from_f32(x[r * k + i]).to_f32() * w[o * k + i].to_f32()
                    } else {
                        0.0
                    }
                };
                let mut acc = 0f32;
                for i in (0..k).step_by(2) {
                    acc += term(i + 1);
                    acc += term(i);
                }
                out[r * outputs + o] = acc;
            }
        }
        out
    }

    /// Per-panel results (`[rows, PANEL]` each) as `[rows, outputs]`.
    fn by_panel(run: &dyn Fn(&mut [f32]), rows: usize, outputs: usize) -> Vec<f32> {
        let mut out = vec![f32::NAN; outputs.div_ceil(PANEL) * rows * PANEL];
        run(&mut out);
        unpanel(&out, rows, outputs)
    }

    const SHAPES: [(usize, usize, usize); 9] = [
        (1, 64, 130),
        (2, 8, 4),
        (3, 37, 5),
        (7, 1024, 49),
        (16, 256, 96),
        (9, 48, 7),
        (13, 40, 47),
        (70, 33, 50),
        (130, 16, 3),
    ];

    #[test]
    fn every_build_gives_the_bits_of_a_plain_fused_sum() {
        for (rows, k, outputs) in SHAPES {
            let (x, w) = inputs(rows, k, outputs, half::f16::from_f32);
            let want = reference(&x, &w, rows, outputs, k);
            let packed = pack(&w, outputs, k);
            let by_panel = |run: &dyn Fn(&mut [f32])| by_panel(run, rows, outputs);
            let portable = by_panel(&|o| block_portable(o, &x, &packed, rows, k));
            assert_eq!(portable, want, "portable {rows}x{k}x{outputs}");
            let weight = PackedWeight {
                repr: Repr::F16(Arc::new(packed.clone())),
                outputs,
                inputs: k,
            };
            let job = Job {
                weight: &weight,
                x: &x,
                rows,
            };
            assert_eq!(products(&[job]).unwrap()[0], want, "dispatched");
            #[cfg(target_arch = "x86_64")]
            {
                if simd::avx2() {
                    // SAFETY: the CPU has the build's features.
                    #[allow(unsafe_code)]
                    let got = by_panel(&|o| unsafe { simd::block_avx2(o, &x, &packed, rows, k) });
                    assert_eq!(got, want, "avx2 {rows}x{k}x{outputs}");
                }
                if simd::avx512() {
                    // SAFETY: as above.
                    #[allow(unsafe_code)]
                    let got = by_panel(&|o| unsafe { simd::block_avx512(o, &x, &packed, rows, k) });
                    assert_eq!(got, want, "avx512 {rows}x{k}x{outputs}");
                }
            }
        }
    }

    #[test]
    fn every_build_gives_the_bits_of_the_bf16_dot_product() {
        for (rows, k, outputs) in SHAPES {
            let (x, w) = inputs(rows, k, outputs, half::bf16::from_f32);
            let want = reference_pairs(&x, &w, rows, outputs, k);
            let packed = pack_pairs(&w, outputs, k);
            let xp = activation_pairs(&x, k);
            let pairs = k.div_ceil(2);
            let by_panel = |run: &dyn Fn(&mut [f32])| by_panel(run, rows, outputs);
            let portable = by_panel(&|o| block_pairs_portable(o, &xp, &packed, rows, pairs));
            assert_eq!(portable, want, "portable {rows}x{k}x{outputs}");
            let weight = PackedWeight {
                repr: Repr::Bf16(Arc::new(packed.clone())),
                outputs,
                inputs: k,
            };
            let job = Job {
                weight: &weight,
                x: &x,
                rows,
            };
            assert_eq!(products(&[job]).unwrap()[0], want, "dispatched");
            #[cfg(target_arch = "x86_64")]
            {
                if simd::avx2() {
                    // SAFETY: the CPU has the build's features.
                    #[allow(unsafe_code)]
                    let got = by_panel(&|o| unsafe {
                        simd::block_pairs_avx2(o, &xp, &packed, rows, pairs)
                    });
                    assert_eq!(got, want, "avx2 {rows}x{k}x{outputs}");
                }
                if simd::avx512() {
                    // SAFETY: as above.
                    #[allow(unsafe_code)]
                    let got = by_panel(&|o| unsafe {
                        simd::block_pairs_avx512(o, &xp, &packed, rows, pairs)
                    });
                    assert_eq!(got, want, "avx512 {rows}x{k}x{outputs}");
                }
                if simd::avx512_bf16() {
                    // SAFETY: as above.
                    #[allow(unsafe_code)]
                    let got = by_panel(&|o| unsafe {
                        simd::block_bf16_dot(o, &xp, &packed, rows, pairs)
                    });
                    assert_eq!(got, want, "vdpbf16ps {rows}x{k}x{outputs}");
                }
            }
        }
    }

    #[test]
    fn bf16_subnormals_read_as_zero() {
        let tiny = f32::from_bits(0x0001_0000); // a bf16 subnormal
        let w = [half::bf16::from_f32(tiny), half::bf16::from_f32(-tiny)];
        assert_eq!(pack_pairs(&w, 1, 2)[0], 0x8000_0000);
        assert_eq!(activation_pairs(&[tiny, 1.0], 2), [0x3f80_0000]);
    }

    #[test]
    fn a_row_gets_the_same_bits_alone_or_in_a_batch() {
        let dev = Device::Cpu;
        let x = Tensor::randn(0f32, 1.0, (16, 512), &dev).unwrap();
        let w = Tensor::randn(0f32, 1.0, (1000, 512), &dev)
            .unwrap()
            .to_dtype(DType::BF16)
            .unwrap();
        let w = PackedWeight::new(&w).unwrap();
        let batch = w.forward(&x).unwrap().to_vec2::<f32>().unwrap();
        for r in [0usize, 5, 15] {
            let alone = w.forward(&x.narrow(0, r, 1).unwrap()).unwrap();
            assert_eq!(alone.to_vec2::<f32>().unwrap()[0], batch[r], "row {r}");
        }
    }

    #[test]
    fn every_dtype_matches_the_widened_matmul() {
        let dev = Device::Cpu;
        for (rows, k, outputs) in SHAPES {
            let x = Tensor::randn(0f32, 1.0, (rows, k), &dev).unwrap();
            let w = Tensor::randn(0f32, 1.0, (outputs, k), &dev).unwrap();
            for dtype in [DType::F32, DType::BF16, DType::F16] {
                let wh = w.to_dtype(dtype).unwrap();
                // bf16 weights multiply activations rounded to bf16.
                let xr = match dtype {
                    DType::BF16 => x.to_dtype(dtype).unwrap().to_dtype(DType::F32).unwrap(),
                    _ => x.clone(),
                };
                let expected = xr
                    .matmul(&wh.to_dtype(DType::F32).unwrap().t().unwrap())
                    .unwrap();
                let got = PackedWeight::new(&wh).unwrap().forward(&x).unwrap();
                assert_eq!(got.dims(), &[rows, outputs]);
                let (got, expected) = (
                    got.to_vec2::<f32>().unwrap(),
                    expected.to_vec2::<f32>().unwrap(),
                );
                let diff = got
                    .iter()
                    .flatten()
                    .zip(expected.iter().flatten())
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(diff < 1e-3, "{rows}x{k}x{outputs} {dtype:?}: {diff}");
            }
        }
    }

    #[test]
    fn a_product_with_the_wrong_width_is_an_error_naming_both() {
        let dev = Device::Cpu;
        let w = PackedWeight::new(&Tensor::zeros((4, 8), DType::BF16, &dev).unwrap()).unwrap();
        let err = w
            .forward(&Tensor::zeros((2, 6), DType::F32, &dev).unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains('6') && err.contains('8'), "{err}");
    }
}
