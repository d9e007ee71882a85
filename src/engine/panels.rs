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
//! candle 0.11 has no half-precision matmul on CPU (it widens the whole
//! weight to f32 on every call); other devices keep the checkpoint's
//! tensor and multiply in its dtype.

use std::sync::Arc;

use candle_core::{DType, Tensor};
use rayon::prelude::*;

use super::kernels::WeightRows;
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
    Bf16(Arc<Vec<half::bf16>>),
    F16(Arc<Vec<half::f16>>),
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
                DType::BF16 => Repr::Bf16(Arc::new(pack(&flat(w)?, outputs, inputs))),
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
            Repr::F32(_) | Repr::Bf16(_) | Repr::F16(_) => {
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
    /// against all rows of `x`.
    fn block(&self, out: &mut [f32], x: &[f32], rows: usize, first: usize) {
        let size = self.inputs * PANEL;
        let count = out.len() / (rows * PANEL).max(1);
        let range = first * size..(first + count) * size;
        match &self.repr {
            Repr::F32(p) => block(out, x, p.get(range).unwrap_or_default(), rows, self.inputs),
            Repr::Bf16(p) => block(out, x, p.get(range).unwrap_or_default(), rows, self.inputs),
            Repr::F16(p) => block(out, x, p.get(range).unwrap_or_default(), rows, self.inputs),
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
    let mut by_panel: Vec<Vec<f32>> = jobs
        .iter()
        .map(|j| vec![0f32; j.weight.outputs.div_ceil(PANEL) * j.rows * PANEL])
        .collect();
    let mut tasks = Vec::new();
    for (job, out) in jobs.iter().zip(by_panel.iter_mut()) {
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
            tasks.push((job, i * per_task, chunk));
        }
    }
    let run = |(job, first, out): (&Job<'_>, usize, &mut [f32])| {
        job.weight.block(out, job.x, job.rows, first);
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

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::{
        __m256, __m512, _MM_HINT_T0, _mm_prefetch, _mm256_fmadd_ps, _mm256_set1_ps,
        _mm256_setzero_ps, _mm256_storeu_ps, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_setzero_ps,
        _mm512_storeu_ps,
    };

    use super::{PANEL, PREFETCH_AHEAD, ROW_BLOCK, WeightRows};

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

    /// Whether the AVX2 build may run.
    pub(super) fn avx2() -> bool {
        static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *AVX2.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("f16c")
        })
    }

    /// One vector width and the operations the tile needs.
    #[allow(unsafe_code)]
    trait Simd {
        type V: Copy;
        /// Vectors per panel.
        const PER_PANEL: usize;
        /// # Safety
        /// The CPU has this width's instructions.
        unsafe fn zero() -> Self::V;
        /// # Safety
        /// As `zero`.
        unsafe fn splat(v: f32) -> Self::V;
        /// # Safety
        /// As `zero`.
        unsafe fn fma(a: Self::V, b: Self::V, acc: Self::V) -> Self::V;
        /// # Safety
        /// `p` points at a vector's worth of readable elements; the CPU
        /// has this width's instructions.
        unsafe fn load<W: WeightRows>(p: *const W) -> Self::V;
        /// # Safety
        /// `p` points at a vector's worth of writable floats; the CPU has
        /// this width's instructions.
        unsafe fn store(p: *mut f32, v: Self::V);
    }

    struct Avx2;

    #[allow(unsafe_code)]
    impl Simd for Avx2 {
        type V = __m256;
        const PER_PANEL: usize = PANEL / 8;

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn zero() -> __m256 {
            _mm256_setzero_ps()
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn splat(v: f32) -> __m256 {
            _mm256_set1_ps(v)
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn fma(a: __m256, b: __m256, acc: __m256) -> __m256 {
            _mm256_fmadd_ps(a, b, acc)
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn load<W: WeightRows>(p: *const W) -> __m256 {
            // SAFETY: forwarded from the caller.
            unsafe { W::load8(p) }
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn store(p: *mut f32, v: __m256) {
            // SAFETY: forwarded from the caller.
            unsafe { _mm256_storeu_ps(p, v) }
        }
    }

    struct Avx512;

    #[allow(unsafe_code)]
    impl Simd for Avx512 {
        type V = __m512;
        const PER_PANEL: usize = PANEL / 16;

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn zero() -> __m512 {
            _mm512_setzero_ps()
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn splat(v: f32) -> __m512 {
            _mm512_set1_ps(v)
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn fma(a: __m512, b: __m512, acc: __m512) -> __m512 {
            _mm512_fmadd_ps(a, b, acc)
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn load<W: WeightRows>(p: *const W) -> __m512 {
            // SAFETY: forwarded from the caller.
            unsafe { W::load16(p) }
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn store(p: *mut f32, v: __m512) {
            // SAFETY: forwarded from the caller.
            unsafe { _mm512_storeu_ps(p, v) }
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
        block::<Avx2, W, 2, 6>(out, x, w, rows, inputs);
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
        block::<Avx512, W, 8, 3>(out, x, w, rows, inputs);
    }

    /// `out` (per panel `[rows, PANEL]`) = `x` (`[rows, inputs]`) times
    /// the panels `w`: blocks of rows, then panels, then tiles of up to
    /// `M` rows (`V` vectors per panel).
    #[inline(always)]
    fn block<S: Simd, W: WeightRows, const M: usize, const V: usize>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        debug_assert_eq!(V, S::PER_PANEL);
        if inputs == 0 || x.len() < rows * inputs {
            return;
        }
        let mut start = 0;
        while start < rows {
            let end = (start + ROW_BLOCK).min(rows);
            for (out_panel, panel) in out
                .chunks_exact_mut(rows * PANEL)
                .zip(w.chunks_exact(inputs * PANEL))
            {
                let mut r = start;
                while r + M <= end {
                    tile::<S, W, M, V>(out_panel, x, panel, inputs, r);
                    r += M;
                }
                match end - r {
                    1 => tile::<S, W, 1, V>(out_panel, x, panel, inputs, r),
                    2 => tile::<S, W, 2, V>(out_panel, x, panel, inputs, r),
                    3 => tile::<S, W, 3, V>(out_panel, x, panel, inputs, r),
                    4 => tile::<S, W, 4, V>(out_panel, x, panel, inputs, r),
                    5 => tile::<S, W, 5, V>(out_panel, x, panel, inputs, r),
                    6 => tile::<S, W, 6, V>(out_panel, x, panel, inputs, r),
                    7 => tile::<S, W, 7, V>(out_panel, x, panel, inputs, r),
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
    fn tile<S: Simd, W: WeightRows, const M: usize, const V: usize>(
        out: &mut [f32],
        x: &[f32],
        panel: &[W],
        inputs: usize,
        r0: usize,
    ) {
        // Every read below is inside a slice checked here to hold it: the
        // panel's `inputs * PANEL` weights (vector `v` of step `k` at
        // `k * PANEL + v * LANES`, `V * LANES == PANEL`), element `k` of
        // rows `r0..r0 + M` of `x`, and `PANEL` floats of each output row.
        // The callers run only on CPUs with `S`'s instructions.
        if panel.len() < inputs * PANEL
            || x.len() < (r0 + M) * inputs
            || out.len() < (r0 + M) * PANEL
        {
            return;
        }
        let lanes = PANEL / V;
        let x_rows: [*const f32; M] =
            std::array::from_fn(|m| x.as_ptr().wrapping_add((r0 + m) * inputs));
        // SAFETY: see above.
        let zero = unsafe { S::zero() };
        let mut acc = [[zero; V]; M];
        let mut p = panel.as_ptr();
        for k in 0..inputs {
            // SAFETY: see above.
            let wv: [S::V; V] = std::array::from_fn(|v| unsafe { S::load(p.add(v * lanes)) });
            // A hint, never a fault: the cores streaming at once outrun
            // the hardware prefetcher.
            // SAFETY: see above.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(p.cast::<u8>().wrapping_add(PREFETCH_AHEAD).cast());
            }
            for (acc_m, row) in acc.iter_mut().zip(x_rows) {
                // SAFETY: see above.
                let xm = unsafe { S::splat(*row.add(k)) };
                for (a, wn) in acc_m.iter_mut().zip(wv) {
                    // SAFETY: see above.
                    *a = unsafe { S::fma(xm, wn, *a) };
                }
            }
            p = p.wrapping_add(PANEL);
        }
        let base = out.as_mut_ptr().wrapping_add(r0 * PANEL);
        for (m, acc_m) in acc.iter().enumerate() {
            for (v, a) in acc_m.iter().enumerate() {
                // SAFETY: see above.
                unsafe { S::store(base.add(m * PANEL + v * lanes), *a) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn inputs(rows: usize, inputs: usize, outputs: usize) -> (Vec<f32>, Vec<half::bf16>) {
        let x = (0..rows * inputs)
            .map(|i| ((i * 7919 % 1009) as f32 / 1009.0) - 0.5)
            .collect();
        let w = (0..outputs * inputs)
            .map(|i| half::bf16::from_f32(((i * 104_729 % 997) as f32 / 997.0) - 0.5))
            .collect();
        (x, w)
    }

    /// The product in the kernel's order, written out plainly.
    fn reference(x: &[f32], w: &[half::bf16], rows: usize, outputs: usize, k: usize) -> Vec<f32> {
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
            let (x, w) = inputs(rows, k, outputs);
            let want = reference(&x, &w, rows, outputs, k);
            let packed = pack(&w, outputs, k);
            let count = outputs.div_ceil(PANEL);
            let by_panel = |run: &dyn Fn(&mut [f32])| {
                let mut out = vec![f32::NAN; count * rows * PANEL];
                run(&mut out);
                let mut flat = vec![0f32; rows * outputs];
                for r in 0..rows {
                    for o in 0..outputs {
                        flat[r * outputs + o] = out[(o / PANEL * rows + r) * PANEL + o % PANEL];
                    }
                }
                flat
            };
            let portable = by_panel(&|o| block_portable(o, &x, &packed, rows, k));
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
                let expected = x
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
