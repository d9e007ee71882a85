//! CPU kernels for the decode path: products of f32 activations with f32,
//! bf16 or f16 weights, and attention over the cache.
//!
//! candle 0.11 has no half-precision matmul on CPU: it widens *the whole
//! storage* of both operands to f32 on every call, which for a view into a
//! stacked expert tensor means converting every expert to run one. Here
//! the weights stay in their dtype and each weight row is streamed once
//! (bf16 widened in registers), so a decode step reads each active weight
//! once: what the memory-bandwidth roofline assumes. The blocked gemm is
//! kept for large row blocks (prefill), where it wins.
//!
//! Activations are always f32 (the residual stream, norms, attention and
//! routing run in f32 whatever the weights' dtype).

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Shape, Tensor};
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use super::Result;
use super::layers::Visibility;

/// Rows above which the weight is widened and handed to the blocked gemm
/// (long prefill chunks); at or below it, the row-streaming kernel (decode,
/// short prompts, a prefill's experts), which reads a half-precision weight
/// once instead of widening it to f32 on every call (measured in
/// `docs/benchmarks.md`: level with the gemm at about 128 rows).
const STREAMING_MAX_ROWS: usize = 64;

/// Weights smaller than this (elements) run on the calling thread: waking
/// the pool would cost more than the product.
const PARALLEL_MIN_ELEMENTS: usize = 1 << 18;

/// Output features a parallel task computes at least: fewer, larger tasks
/// keep the pool's scheduling cost small next to the work.
const MIN_OUTPUTS_PER_TASK: usize = 64;

/// `x @ w^T` for `x` `[rows, in]` (f32) and `w` `[out, in]` in any float
/// dtype; the result is f32 `[rows, out]`.
pub fn linear(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    let x = if x.dtype() == DType::F32 {
        x.clone()
    } else {
        x.to_dtype(DType::F32)?
    };
    let rows = x.dim(0)?;
    match w.dtype() {
        DType::F32 | DType::BF16 | DType::F16
            if w.device().is_cpu() && rows <= STREAMING_MAX_ROWS =>
        {
            Ok(x.contiguous()?
                .apply_op2_no_bwd(&w.contiguous()?, &StreamingLinear)?)
        }
        DType::F32 => Ok(x.matmul(&w.t()?)?),
        // Compute-bound (prefill): widen just this weight, then gemm.
        DType::BF16 | DType::F16 if w.device().is_cpu() => {
            Ok(x.matmul(&w.to_dtype(DType::F32)?.t()?)?)
        }
        // GPUs multiply half precision natively.
        dtype => Ok(x.to_dtype(dtype)?.matmul(&w.t()?)?.to_dtype(DType::F32)?),
    }
}

/// The row-streaming product (CPU, f32 activations x f32/bf16/f16 weights).
struct StreamingLinear;

/// A weight element the streaming kernel reads as f32 in registers.
trait Widen: Copy {
    fn widen(self) -> f32;
}

impl Widen for f32 {
    #[inline(always)]
    fn widen(self) -> f32 {
        self
    }
}

impl Widen for half::f16 {
    #[inline(always)]
    fn widen(self) -> f32 {
        self.to_f32()
    }
}

impl Widen for half::bf16 {
    /// A bf16 is the top half of an f32.
    #[inline(always)]
    fn widen(self) -> f32 {
        f32::from_bits(u32::from(self.to_bits()) << 16)
    }
}

/// `sum(x * w)`, `w` widened on the fly. Sixteen independent sums so the
/// loop vectorises; `FMA` fuses multiply and add where the CPU has it.
#[inline(always)]
fn dot<W: Widen, const FMA: bool>(x: &[f32], w: &[W]) -> f32 {
    let mut acc = [0f32; 16];
    let cx = x.chunks_exact(16);
    let cw = w.chunks_exact(16);
    let mut tail = 0f32;
    for (a, b) in cx.remainder().iter().zip(cw.remainder()) {
        tail += a * b.widen();
    }
    for (xs, ws) in cx.zip(cw) {
        for ((s, a), b) in acc.iter_mut().zip(xs).zip(ws) {
            let b = b.widen();
            *s = if FMA { a.mul_add(b, *s) } else { *s + a * b };
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The sum of eight lanes as a tree.
#[inline(always)]
fn sum8(h: [f32; 8]) -> f32 {
    let q = [h[0] + h[4], h[1] + h[5], h[2] + h[6], h[3] + h[7]];
    (q[0] + q[2]) + (q[1] + q[3])
}

/// `e^x` in f32, branch-free so that a loop over scores vectorises (the
/// library `exp` is a call per element): Cody-Waite reduction to
/// `x = n ln 2 + r`, `|r| <= ln 2 / 2`, and the degree-6 minimax
/// polynomial for `e^r` (within 2 ulp of `f32::exp`). Below -87.3 (where
/// `e^x` leaves the normal range) it is 0, so masked scores weigh nothing.
#[inline(always)]
fn exp_f32(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let xc = x.clamp(-87.3, 88.3);
    let n = (xc * std::f32::consts::LOG2_E + 0.5).floor();
    let r = xc - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_1e-4_f32;
    let p = p.mul_add(r, 1.398_199_9e-3);
    let p = p.mul_add(r, 8.333_452e-3);
    let p = p.mul_add(r, 4.166_579_6e-2);
    let p = p.mul_add(r, 1.666_666_5e-1);
    let p = p.mul_add(r, 0.5);
    let y = (p * r).mul_add(r, r) + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    if x < -87.3 { 0.0 } else { y * scale }
}

/// A weight dtype the streaming kernel handles: one block of output
/// features, `out[o][r] = x[r] . w[o]`.
trait WeightRows: Sized + Sync + Widen {
    /// Eight consecutive weights widened to f32 lanes.
    ///
    /// # Safety
    /// `p` must point at eight readable elements, and the CPU must have
    /// AVX2 and F16C.
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256;

    /// Sixteen consecutive weights widened to f32 lanes.
    ///
    /// # Safety
    /// `p` must point at sixteen readable elements, and the CPU must have
    /// AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512;

    /// The row as the dot product reads it: in place, or widened into
    /// `buf` once for all `rows` activations (f16, which has no cheap
    /// register widening without F16C).
    fn dot_rows<const FMA: bool>(
        out_row: &mut [f32],
        x: &[f32],
        w_row: &[Self],
        inputs: usize,
        buf: &mut [f32],
    );

    #[inline(always)]
    fn block<const FMA: bool>(
        out: &mut [f32],
        x: &[f32],
        w: &[Self],
        rows: usize,
        inputs: usize,
        buf: &mut [f32],
    ) {
        for (out_row, w_row) in out.chunks_mut(rows).zip(w.chunks(inputs)) {
            Self::dot_rows::<FMA>(out_row, x, w_row, inputs, buf);
        }
    }
}

/// Weights widened in registers.
#[inline(always)]
fn dot_rows_in_place<W: Widen, const FMA: bool>(
    out_row: &mut [f32],
    x: &[f32],
    w_row: &[W],
    inputs: usize,
) {
    for (o, x_row) in out_row.iter_mut().zip(x.chunks(inputs)) {
        *o = dot::<W, FMA>(x_row, w_row);
    }
}

impl WeightRows for f32 {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256 {
        // SAFETY: the caller guarantees eight readable elements at `p` and
        // the CPU features; unaligned loads are allowed.
        unsafe { std::arch::x86_64::_mm256_loadu_ps(p) }
    }

    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512 {
        // SAFETY: the caller guarantees sixteen readable elements at `p`
        // and the CPU feature; unaligned loads are allowed.
        unsafe { std::arch::x86_64::_mm512_loadu_ps(p) }
    }

    #[inline(always)]
    fn dot_rows<const FMA: bool>(
        out_row: &mut [f32],
        x: &[f32],
        w_row: &[Self],
        inputs: usize,
        _buf: &mut [f32],
    ) {
        dot_rows_in_place::<f32, FMA>(out_row, x, w_row, inputs);
    }
}

impl WeightRows for half::bf16 {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256 {
        // SAFETY: the caller guarantees eight readable elements at `p` and
        // the CPU features; unaligned loads are allowed.
        unsafe {
            {
                use std::arch::x86_64::{
                    _mm_loadu_si128, _mm256_castsi256_ps, _mm256_cvtepu16_epi32, _mm256_slli_epi32,
                };
                _mm256_castsi256_ps(_mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(
                    _mm_loadu_si128(p.cast()),
                )))
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512 {
        use std::arch::x86_64::{
            _mm256_loadu_si256, _mm512_castsi512_ps, _mm512_cvtepu16_epi32, _mm512_slli_epi32,
        };
        // SAFETY: the caller guarantees sixteen readable elements at `p`
        // and the CPU feature; unaligned loads are allowed.
        unsafe {
            _mm512_castsi512_ps(_mm512_slli_epi32::<16>(_mm512_cvtepu16_epi32(
                _mm256_loadu_si256(p.cast()),
            )))
        }
    }

    #[inline(always)]
    fn dot_rows<const FMA: bool>(
        out_row: &mut [f32],
        x: &[f32],
        w_row: &[Self],
        inputs: usize,
        _buf: &mut [f32],
    ) {
        dot_rows_in_place::<half::bf16, FMA>(out_row, x, w_row, inputs);
    }
}

impl WeightRows for half::f16 {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256 {
        // SAFETY: the caller guarantees eight readable elements at `p` and
        // the CPU features; unaligned loads are allowed.
        unsafe { std::arch::x86_64::_mm256_cvtph_ps(std::arch::x86_64::_mm_loadu_si128(p.cast())) }
    }

    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512 {
        // SAFETY: the caller guarantees sixteen readable elements at `p`
        // and the CPU feature; unaligned loads are allowed.
        unsafe {
            std::arch::x86_64::_mm512_cvtph_ps(std::arch::x86_64::_mm256_loadu_si256(p.cast()))
        }
    }

    #[inline(always)]
    fn dot_rows<const FMA: bool>(
        out_row: &mut [f32],
        x: &[f32],
        w_row: &[Self],
        inputs: usize,
        buf: &mut [f32],
    ) {
        w_row.convert_to_f32_slice(buf);
        dot_rows_in_place::<f32, FMA>(out_row, x, buf, inputs);
    }
}

/// The block compiled for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn block_avx2<W: WeightRows>(
    out: &mut [f32],
    x: &[f32],
    w: &[W],
    rows: usize,
    inputs: usize,
    buf: &mut [f32],
) {
    W::block::<true>(out, x, w, rows, inputs, buf);
}

fn block<W: WeightRows>(
    out: &mut [f32],
    x: &[f32],
    w: &[W],
    rows: usize,
    inputs: usize,
    buf: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        let f16c = std::arch::is_x86_feature_detected!("f16c");
        // SAFETY: both functions only need the instructions named in their
        // `target_feature`, and the CPU has just reported each of them.
        #[allow(unsafe_code)]
        unsafe {
            if rows >= TILED_MIN_ROWS && avx512() {
                tiled::block_avx512(out, x, w, rows, inputs);
            } else if rows >= TILED_MIN_ROWS && f16c {
                tiled::block_avx2(out, x, w, rows, inputs);
            } else {
                block_avx2(out, x, w, rows, inputs, buf);
            }
        }
        return;
    }
    W::block::<false>(out, x, w, rows, inputs, buf);
}

/// Whether the AVX-512 build of the tiled kernel may run: the CPU has
/// AVX-512F (and F16C, which the f16 weights' widening needs), and
/// `PALISADE_NO_AVX512` is not set (to compare the two builds on one
/// machine).
#[cfg(target_arch = "x86_64")]
fn avx512() -> bool {
    static AVX512: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX512.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("f16c")
            && std::env::var_os("PALISADE_NO_AVX512").is_none()
    })
}

/// Activation rows from which the register-blocked kernel runs: with one
/// row there is nothing to share a loaded weight with.
const TILED_MIN_ROWS: usize = 2;

/// The register-blocked kernel for several activation rows (batched
/// decode): a tile of `NW` weight rows by `M` activation rows keeps its
/// `M * NW` sums in registers, so each weight vector, widened once, feeds
/// `M` multiply-adds and each activation vector `NW`. The one-row kernel
/// above re-widens the weight row per activation row and is bound by
/// loads and conversions, not by the multiply-adds.
///
/// Two builds of the same tile, chosen at run time: AVX2 (16 registers of
/// 8 lanes: a 4x3 tile, 12 sums + 3 weights + 1 activation) and AVX-512
/// (32 registers of 16 lanes: an 8x3 tile, 24 sums + 3 weights + 1
/// activation), which halves the instructions per multiply-add and widens
/// each weight vector for eight rows instead of four.
#[cfg(target_arch = "x86_64")]
mod tiled {
    use std::arch::x86_64::{
        __m256, __m512, _MM_HINT_T0, _mm_prefetch, _mm256_fmadd_ps, _mm256_setzero_ps,
        _mm512_fmadd_ps, _mm512_reduce_add_ps, _mm512_setzero_ps,
    };

    use super::WeightRows;

    /// Weight rows per tile in both builds (see the module comment for
    /// the register count).
    const NW: usize = 3;

    /// One vector width and the operations the tile needs.
    #[allow(unsafe_code)]
    trait Simd {
        type V: Copy;
        const LANES: usize;
        /// # Safety
        /// The CPU has this width's instructions.
        unsafe fn zero() -> Self::V;
        /// # Safety
        /// As `zero`.
        unsafe fn fma(a: Self::V, b: Self::V, acc: Self::V) -> Self::V;
        /// # Safety
        /// `p` points at `LANES` readable elements; the CPU has this
        /// width's instructions.
        unsafe fn load<W: WeightRows>(p: *const W) -> Self::V;
        /// # Safety
        /// As `zero`.
        unsafe fn sum(v: Self::V) -> f32;
    }

    struct Avx2;

    #[allow(unsafe_code)]
    impl Simd for Avx2 {
        type V = __m256;
        const LANES: usize = 8;

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn zero() -> __m256 {
            _mm256_setzero_ps()
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn fma(a: __m256, b: __m256, acc: __m256) -> __m256 {
            _mm256_fmadd_ps(a, b, acc)
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        #[allow(unsafe_code)]
        unsafe fn load<W: WeightRows>(p: *const W) -> __m256 {
            // SAFETY: forwarded from the caller.
            unsafe { W::load8(p) }
        }

        #[target_feature(enable = "avx2,fma,f16c")]
        #[inline]
        unsafe fn sum(v: __m256) -> f32 {
            super::hsum256(v)
        }
    }

    struct Avx512;

    #[allow(unsafe_code)]
    impl Simd for Avx512 {
        type V = __m512;
        const LANES: usize = 16;

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn zero() -> __m512 {
            _mm512_setzero_ps()
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn fma(a: __m512, b: __m512, acc: __m512) -> __m512 {
            _mm512_fmadd_ps(a, b, acc)
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        #[allow(unsafe_code)]
        unsafe fn load<W: WeightRows>(p: *const W) -> __m512 {
            // SAFETY: forwarded from the caller.
            unsafe { W::load16(p) }
        }

        #[target_feature(enable = "avx512f")]
        #[inline]
        unsafe fn sum(v: __m512) -> f32 {
            _mm512_reduce_add_ps(v)
        }
    }

    /// The AVX2 build: 4x3 tiles.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) fn block_avx2<W: WeightRows>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        block::<Avx2, W, 4>(out, x, w, rows, inputs);
    }

    /// The AVX-512 build: 8x3 tiles.
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    pub(super) fn block_avx512<W: WeightRows>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        block::<Avx512, W, 8>(out, x, w, rows, inputs);
    }

    /// `out` (`[outputs, rows]`, transposed) = `x` (`[rows, inputs]`) times
    /// the weight rows `w` (`[outputs, inputs]`), in tiles of `M` rows.
    #[inline(always)]
    fn block<S: Simd, W: WeightRows, const M: usize>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        if inputs == 0 || x.len() < rows * inputs {
            return;
        }
        for (out_tile, w_tile) in out.chunks_mut(NW * rows).zip(w.chunks(NW * inputs)) {
            if w_tile.len() == NW * inputs {
                rows_of::<S, W, M, NW>(out_tile, x, w_tile, rows, inputs);
            } else {
                // The last outputs, fewer than a tile: one at a time.
                for (o, w_row) in out_tile.chunks_mut(rows).zip(w_tile.chunks_exact(inputs)) {
                    rows_of::<S, W, M, 1>(o, x, w_row, rows, inputs);
                }
            }
        }
    }

    /// All activation rows against `N` weight rows, `M` rows at a time,
    /// then the rest in tiles of 4, 3, 2 or 1.
    #[inline(always)]
    fn rows_of<S: Simd, W: WeightRows, const M: usize, const N: usize>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        let mut r = 0;
        while r + M <= rows {
            tile::<S, W, M, N>(out, x, w, rows, inputs, r);
            r += M;
        }
        if M > 4 && r + 4 <= rows {
            tile::<S, W, 4, N>(out, x, w, rows, inputs, r);
            r += 4;
        }
        match rows - r {
            3 => tile::<S, W, 3, N>(out, x, w, rows, inputs, r),
            2 => tile::<S, W, 2, N>(out, x, w, rows, inputs, r),
            1 => tile::<S, W, 1, N>(out, x, w, rows, inputs, r),
            _ => {}
        }
    }

    /// Activation rows `r0..r0 + M` against the `N` weight rows of `w`;
    /// writes `out[n * rows + r0 + m]`.
    #[inline(always)]
    #[allow(unsafe_code)]
    fn tile<S: Simd, W: WeightRows, const M: usize, const N: usize>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
        r0: usize,
    ) {
        // Every pointer below starts a row of `inputs` elements inside a
        // slice checked to hold it, and the loop reads `k..k + LANES` of
        // each row with `k + LANES <= body <= inputs`; the callers run
        // only on CPUs with `S`'s instructions (their target features).
        if w.len() < N * inputs || x.len() < (r0 + M) * inputs || out.len() < N * rows {
            return;
        }
        let body = inputs - inputs % S::LANES;
        let w_rows: [*const W; N] = std::array::from_fn(|n| w.as_ptr().wrapping_add(n * inputs));
        let x_rows: [*const f32; M] =
            std::array::from_fn(|m| x.as_ptr().wrapping_add((r0 + m) * inputs));
        // SAFETY: see above.
        let zero = unsafe { S::zero() };
        let mut acc = [[zero; N]; M];
        let mut wv = [zero; N];
        let mut k = 0;
        while k < body {
            for (v, p) in wv.iter_mut().zip(w_rows) {
                // SAFETY: see above.
                *v = unsafe { S::load(p.add(k)) };
                // A hint for the weights a kilobyte on (a prefetch never
                // faults): with several rows streamed at once the
                // hardware prefetcher falls behind.
                // SAFETY: as above.
                unsafe {
                    _mm_prefetch::<_MM_HINT_T0>(
                        p.wrapping_add(k).cast::<u8>().wrapping_add(1024).cast(),
                    );
                }
            }
            for (acc_m, p) in acc.iter_mut().zip(x_rows) {
                // SAFETY: see above.
                let xm = unsafe { S::load(p.add(k)) };
                for (a, wn) in acc_m.iter_mut().zip(wv) {
                    // SAFETY: see above.
                    *a = unsafe { S::fma(xm, wn, *a) };
                }
            }
            k += S::LANES;
        }
        let x_tail = |m: usize| x.iter().skip((r0 + m) * inputs + body).take(inputs - body);
        let w_tail = |n: usize| w.iter().skip(n * inputs + body).take(inputs - body);
        for (m, acc_m) in acc.iter().enumerate() {
            for (n, a) in acc_m.iter().enumerate() {
                let tail: f32 = x_tail(m).zip(w_tail(n)).map(|(a, b)| a * b.widen()).sum();
                if let Some(slot) = out.get_mut(n * rows + r0 + m) {
                    // SAFETY: see above.
                    *slot = unsafe { S::sum(*a) } + tail;
                }
            }
        }
    }
}

impl StreamingLinear {
    fn run<W: WeightRows>(
        x: &[f32],
        rows: usize,
        w: &[W],
        outputs: usize,
        inputs: usize,
    ) -> Vec<f32> {
        // Computed transposed ([out, rows]) so each task owns a contiguous
        // block, then transposed back (rows is at most STREAMING_MAX_ROWS).
        let mut transposed = vec![0f32; outputs * rows];
        if outputs * inputs < PARALLEL_MIN_ELEMENTS {
            let mut buf = vec![0f32; inputs];
            block(&mut transposed, x, w, rows, inputs, &mut buf);
            return Self::untranspose(transposed, rows, outputs);
        }
        let tasks = rayon::current_num_threads() * 2;
        let per_task = outputs.div_ceil(tasks).max(MIN_OUTPUTS_PER_TASK);
        transposed
            .par_chunks_mut(per_task * rows)
            .zip(w.par_chunks(per_task * inputs))
            .for_each_init(
                || vec![0f32; inputs],
                |buf, (out_block, w_block)| block(out_block, x, w_block, rows, inputs, buf),
            );
        Self::untranspose(transposed, rows, outputs)
    }

    fn untranspose(transposed: Vec<f32>, rows: usize, outputs: usize) -> Vec<f32> {
        if rows == 1 {
            return transposed;
        }
        let mut out = vec![0f32; outputs * rows];
        for (o, col) in transposed.chunks(rows).enumerate() {
            for (r, v) in col.iter().enumerate() {
                if let Some(slot) = out.get_mut(r * outputs + o) {
                    *slot = *v;
                }
            }
        }
        out
    }
}

impl CustomOp2 for StreamingLinear {
    fn name(&self) -> &'static str {
        "palisade-streaming-linear"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (rows, inputs) = l1.shape().dims2()?;
        let (outputs, w_inputs) = l2.shape().dims2()?;
        if inputs != w_inputs {
            candle_core::bail!("streaming-linear: x has {inputs} features, the weight {w_inputs}");
        }
        let (Some((x0, x1)), Some((w0, w1))) = (l1.contiguous_offsets(), l2.contiguous_offsets())
        else {
            candle_core::bail!("streaming-linear: operands must be contiguous");
        };
        let CpuStorage::F32(x) = s1 else {
            candle_core::bail!("streaming-linear: activations must be f32");
        };
        let x = x
            .get(x0..x1)
            .ok_or_else(|| candle_core::Error::Msg("streaming-linear: x out of range".into()))?;
        let out = match s2 {
            CpuStorage::BF16(w) => {
                let w = w.get(w0..w1).ok_or_else(|| {
                    candle_core::Error::Msg("streaming-linear: w out of range".into())
                })?;
                Self::run(x, rows, w, outputs, inputs)
            }
            CpuStorage::F16(w) => {
                let w = w.get(w0..w1).ok_or_else(|| {
                    candle_core::Error::Msg("streaming-linear: w out of range".into())
                })?;
                Self::run(x, rows, w, outputs, inputs)
            }
            CpuStorage::F32(w) => {
                let w = w.get(w0..w1).ok_or_else(|| {
                    candle_core::Error::Msg("streaming-linear: w out of range".into())
                })?;
                Self::run(x, rows, w, outputs, inputs)
            }
            _ => candle_core::bail!("streaming-linear: weights must be f32, bf16 or f16"),
        };
        Ok((CpuStorage::F32(out), Shape::from((rows, outputs))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn half_linear_equals_the_widened_matmul() {
        let dev = Device::Cpu;
        for (rows, inputs, outputs) in [
            (1, 64, 130),
            (2, 8, 4),
            (3, 37, 5),
            (7, 1024, 9),
            (16, 256, 64),
            (9, 48, 7),
            (12, 40, 6),
            (15, 1030, 11),
            (40, 64, 70),
        ] {
            let x = Tensor::randn(0f32, 1.0, (rows, inputs), &dev).unwrap();
            let w = Tensor::randn(0f32, 1.0, (outputs, inputs), &dev).unwrap();
            for dtype in [DType::F32, DType::BF16, DType::F16] {
                let wh = w.to_dtype(dtype).unwrap();
                let expected = x
                    .matmul(&wh.to_dtype(DType::F32).unwrap().t().unwrap())
                    .unwrap();
                let got = linear(&x, &wh).unwrap();
                assert_eq!(got.dims(), &[rows, outputs]);
                let diff = (got - expected)
                    .unwrap()
                    .abs()
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .max(0)
                    .unwrap()
                    .to_scalar::<f32>()
                    .unwrap();
                assert!(diff < 1e-3, "{rows}x{inputs}x{outputs} {dtype:?}: {diff}");
            }
        }
    }

    #[test]
    fn the_vectorised_exp_is_within_two_ulp_of_the_library_exp() {
        let mut worst = 0u32;
        for i in 0..=200_000 {
            let x = -87.0 + 175.0 * (i as f32 / 200_000.0);
            let (got, want) = (exp_f32(x), x.exp());
            let ulp = got.to_bits().abs_diff(want.to_bits());
            assert!(ulp <= 2, "exp({x}): {got} against {want} ({ulp} ulp)");
            worst = worst.max(ulp);
        }
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(-90.0), 0.0);
        assert_eq!(exp_f32(0.0), 1.0);
        eprintln!("worst error {worst} ulp");
    }

    #[test]
    fn sums_in_lanes_add_every_element() {
        for n in [0, 1, 7, 8, 9, 16, 33] {
            let values: Vec<f32> = (0..n).map(|i| i as f32 + 0.5).collect();
            let want: f32 = values.iter().sum();
            assert_eq!(sum(&values), want, "{n} values");
            assert_eq!(
                dot8::<false>(&values, &values),
                values.iter().map(|v| v * v).sum::<f32>()
            );
        }
    }

    /// Both builds of the tiled kernel (the dispatcher picks one per CPU)
    /// against a plain f64 sum, over tile sizes and remainders.
    #[cfg(target_arch = "x86_64")]
    #[test]
    #[allow(unsafe_code)]
    fn both_tiled_builds_match_a_plain_sum() {
        type Kernel<'a> = &'a dyn Fn(&mut [f32], &[f32], &[half::bf16], usize, usize);
        fn check(name: &str, run: Kernel<'_>, rows: usize, inputs: usize, outputs: usize) {
            let x: Vec<f32> = (0..rows * inputs)
                .map(|i| ((i * 7919 % 1009) as f32 / 1009.0) - 0.5)
                .collect();
            let w: Vec<half::bf16> = (0..outputs * inputs)
                .map(|i| half::bf16::from_f32(((i * 104_729 % 997) as f32 / 997.0) - 0.5))
                .collect();
            let mut out = vec![f32::NAN; outputs * rows];
            run(&mut out, &x, &w, rows, inputs);
            for o in 0..outputs {
                for r in 0..rows {
                    let expected: f64 = (0..inputs)
                        .map(|k| {
                            f64::from(x[r * inputs + k]) * f64::from(w[o * inputs + k].to_f32())
                        })
                        .sum();
                    let got = out[o * rows + r];
                    assert!(
                        (f64::from(got) - expected).abs() < 1e-3,
                        "{name} {rows}x{inputs}x{outputs} out {o} row {r}: {got} vs {expected}"
                    );
                }
            }
        }
        let shapes = [
            (2, 16, 3),
            (5, 33, 4),
            (8, 64, 6),
            (13, 47, 7),
            (16, 1024, 3),
        ];
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            for (rows, inputs, outputs) in shapes {
                // SAFETY: the CPU has just reported the build's features.
                let run = |o: &mut [f32], x: &[f32], w: &[half::bf16], r, i| unsafe {
                    tiled::block_avx2(o, x, w, r, i)
                };
                check("avx2", &run, rows, inputs, outputs);
            }
        }
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            for (rows, inputs, outputs) in shapes {
                // SAFETY: the CPU has just reported the build's features.
                let run = |o: &mut [f32], x: &[f32], w: &[half::bf16], r, i| unsafe {
                    tiled::block_avx512(o, x, w, r, i)
                };
                check("avx512", &run, rows, inputs, outputs);
            }
        }
    }
}

/// Attention of a few queries (decode, small chunks) over a cache view, on
/// CPU: scores, mask, softmax and the weighted sum in one pass per query
/// row, reading keys and values in place. Larger query blocks (prefill) go
/// through the blocked matmuls, which win there.
pub const ATTENTION_KERNEL_MAX_QUERIES: usize = 16;

/// `q` `[kv_heads, groups * len, head_dim]` (f32, contiguous, already
/// scaled), `keys`/`values` `[kv_heads, n, head_dim]` (f32, rows
/// contiguous); query `i` of each group sits at position `past + i`, key `j`
/// at `first_key + j`. Key `j` is row `j` of `keys`, or row `rows[j]` when
/// `rows` is given (a paged cache: `keys` is then the whole pool). Returns
/// `[kv_heads, groups * len, head_dim]`.
#[allow(clippy::too_many_arguments)]
pub fn attention(
    q: &Tensor,
    keys: &Tensor,
    values: &Tensor,
    rows: Option<Vec<u32>>,
    len: usize,
    past: usize,
    first_key: usize,
    visibility: Visibility,
) -> Result<Tensor> {
    Ok(q.apply_op3_no_bwd(
        keys,
        values,
        &AttentionOp {
            rows,
            len,
            past,
            first_key,
            visibility,
        },
    )?)
}

struct AttentionOp {
    rows: Option<Vec<u32>>,
    len: usize,
    past: usize,
    first_key: usize,
    visibility: Visibility,
}

/// The keys and values one query row attends over.
struct KeysValues<'a> {
    keys: View<'a>,
    values: View<'a>,
    n_keys: usize,
    /// The view's row of each key, when not the key's own index.
    rows: Option<&'a [u32]>,
}

impl KeysValues<'_> {
    /// Prefetches `heads` of key `key`'s row of `view` (the keys or the
    /// values), when there is such a key.
    #[inline(always)]
    fn prefetch(&self, view: &View<'_>, heads: std::ops::Range<usize>, key: usize) {
        if key < self.n_keys {
            prefetch(view, heads, self.row_of(key));
        }
    }

    #[inline(always)]
    fn row_of(&self, key: usize) -> usize {
        match self.rows {
            Some(rows) => rows.get(key).map_or(usize::MAX, |r| *r as usize),
            None => key,
        }
    }
}

/// A `[heads, rows, dim]` f32 view with contiguous rows.
struct View<'a> {
    data: &'a [f32],
    head_stride: usize,
    row_stride: usize,
    dim: usize,
}

impl<'a> View<'a> {
    fn new(storage: &'a CpuStorage, layout: &Layout, what: &str) -> candle_core::Result<Self> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("attention: {what} must be f32");
        };
        let (_, _, dim) = layout.shape().dims3()?;
        let &[head_stride, row_stride, 1] = layout.stride() else {
            candle_core::bail!("attention: {what} rows must be contiguous");
        };
        let data = data
            .get(layout.start_offset()..)
            .ok_or_else(|| candle_core::Error::Msg(format!("attention: {what} out of range")))?;
        Ok(Self {
            data,
            head_stride,
            row_stride,
            dim,
        })
    }

    fn row(&self, head: usize, row: usize) -> &'a [f32] {
        let start = head * self.head_stride + row * self.row_stride;
        self.data.get(start..start + self.dim).unwrap_or_default()
    }
}

impl AttentionOp {
    /// The query rows of key heads `first..`, `rows` per head (`groups *
    /// len`). Keys are visited in cache order and every head's part of a
    /// cache row is used before the next: a cache row holds all key heads
    /// side by side, so this reads memory in sequence (the prefetcher
    /// follows it) instead of jumping a row's width per key.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn heads<const FMA: bool>(
        &self,
        out: &mut [f32],
        q: &[f32],
        first: usize,
        rows: usize,
        len: usize,
        kv: &KeysValues<'_>,
        scores: &mut Vec<f32>,
    ) {
        let dim = kv.keys.dim.max(1);
        let (n, rows) = (kv.n_keys, rows.max(1));
        if n == 0 {
            return;
        }
        scores.clear();
        scores.resize(q.len() / dim * n, f32::NEG_INFINITY);
        let heads = q.len() / dim / rows;
        for j in 0..n {
            let row = kv.row_of(j);
            kv.prefetch(&kv.keys, first..first + heads, j + PREFETCH_KEYS);
            for (i, (q_row, row_scores)) in q
                .chunks_exact(dim)
                .zip(scores.chunks_exact_mut(n))
                .enumerate()
            {
                if self
                    .visibility
                    .visible(self.past + i % rows % len, self.first_key + j)
                    && let Some(s) = row_scores.get_mut(j)
                {
                    *s = dot8::<FMA>(q_row, kv.keys.row(first + i / rows, row));
                }
            }
        }
        // Softmax per query row; the weights normalised in place.
        for row_scores in scores.chunks_exact_mut(n) {
            let max = row_scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for s in row_scores.iter_mut() {
                *s = exp_f32(*s - max);
            }
            let inverse = 1.0 / sum(row_scores);
            for s in row_scores.iter_mut() {
                *s *= inverse;
            }
        }
        out.fill(0.0);
        for j in 0..n {
            let row = kv.row_of(j);
            kv.prefetch(&kv.values, first..first + heads, j + PREFETCH_KEYS);
            for (i, (out_row, row_scores)) in out
                .chunks_exact_mut(dim)
                .zip(scores.chunks_exact(n))
                .enumerate()
            {
                let w = row_scores.get(j).copied().unwrap_or(0.0);
                if w == 0.0 {
                    continue;
                }
                let value = kv.values.row(first + i / rows, row);
                for (o, x) in out_row.iter_mut().zip(value) {
                    *o = if FMA { w.mul_add(*x, *o) } else { *o + w * x };
                }
            }
        }
    }
}

/// How many keys ahead attention asks for cache rows: a paged cache's
/// rows are scattered over blocks, and the hardware prefetcher does not
/// follow a sequence's block table.
const PREFETCH_KEYS: usize = 4;

/// Asks the CPU to bring `heads` of cache row `row` of `view` into cache
/// (a hint: nothing is read).
#[inline(always)]
fn prefetch(view: &View<'_>, heads: std::ops::Range<usize>, row: usize) {
    #[cfg(target_arch = "x86_64")]
    for head in heads {
        let start = head
            .saturating_mul(view.head_stride)
            .saturating_add(row.saturating_mul(view.row_stride));
        let base = view.data.as_ptr().wrapping_add(start);
        for line in (0..view.dim).step_by(16) {
            // SAFETY: a prefetch never faults, whatever the address.
            #[allow(unsafe_code)]
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    base.wrapping_add(line).cast(),
                );
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (view, heads, row);
}

/// `sum(a * b)` in eight lanes (one AVX2 register), reduced as a tree.
#[inline(always)]
fn dot8<const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    // `FMA` is set only on CPUs with AVX2 and FMA (`attention_heads_avx2`).
    // The compiler turns the portable loop below into two-lane loads.
    #[cfg(target_arch = "x86_64")]
    if FMA {
        // SAFETY: see above.
        #[allow(unsafe_code)]
        return unsafe { dot_avx2(a, b) };
    }
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (xa, xb) in ca.zip(cb) {
        for ((s, x), y) in acc.iter_mut().zip(xa).zip(xb) {
            *s = if FMA { x.mul_add(*y, *s) } else { *s + x * y };
        }
    }
    sum8(acc) + tail
}

/// `sum(a * b)` with two AVX2 accumulators.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(unsafe_code)]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::{_mm256_add_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_setzero_ps};
    let n = a.len().min(b.len());
    let body = n - n % 16;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let mut k = 0;
    while k < body {
        // SAFETY: `k + 16 <= body <= n`, inside both slices.
        unsafe {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(k)), _mm256_loadu_ps(pb.add(k)), s0);
            s1 = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(k + 8)),
                _mm256_loadu_ps(pb.add(k + 8)),
                s1,
            );
        }
        k += 16;
    }
    let tail: f32 = a.iter().zip(b).skip(body).map(|(x, y)| x * y).sum();
    hsum256(_mm256_add_ps(s0, s1)) + tail
}

/// The eight lanes of an AVX2 register added up.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
fn hsum256(v: std::arch::x86_64::__m256) -> f32 {
    use std::arch::x86_64::{
        _mm_add_ps, _mm_cvtss_f32, _mm_hadd_ps, _mm256_castps256_ps128, _mm256_extractf128_ps,
    };
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_hadd_ps(s, s);
    _mm_cvtss_f32(_mm_hadd_ps(s, s))
}

/// The sum of a slice in eight lanes, reduced as a tree.
#[inline(always)]
fn sum(values: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (s, v) in acc.iter_mut().zip(chunk) {
            *s += v;
        }
    }
    sum8(acc) + tail
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn attention_heads_avx2(
    op: &AttentionOp,
    out: &mut [f32],
    q: &[f32],
    first: usize,
    rows: usize,
    len: usize,
    kv: &KeysValues<'_>,
    scores: &mut Vec<f32>,
) {
    op.heads::<true>(out, q, first, rows, len, kv, scores);
}

impl candle_core::CustomOp3 for AttentionOp {
    fn name(&self) -> &'static str {
        "palisade-attention"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (heads, rows, dim) = l1.shape().dims3()?;
        let (Some((q0, q1)), CpuStorage::F32(q)) = (l1.contiguous_offsets(), s1) else {
            candle_core::bail!("attention: queries must be contiguous f32");
        };
        let q = q
            .get(q0..q1)
            .ok_or_else(|| candle_core::Error::Msg("attention: q out of range".into()))?;
        let k = View::new(s2, l2, "keys")?;
        let v = View::new(s3, l3, "values")?;
        let view_rows = l2.shape().dims3()?.1;
        if k.dim != dim || v.dim != dim || l3.shape().dims3()?.1 != view_rows {
            candle_core::bail!("attention: query, key and value shapes disagree");
        }
        let n_keys = match &self.rows {
            Some(rows) => {
                if rows.iter().any(|r| *r as usize >= view_rows) {
                    candle_core::bail!("attention: a key row is outside the cache");
                }
                rows.len()
            }
            None => view_rows,
        };
        let kv = KeysValues {
            keys: k,
            values: v,
            n_keys,
            rows: self.rows.as_deref(),
        };
        let len = self.len.max(1);
        #[cfg(target_arch = "x86_64")]
        let fma = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let fma = false;
        let mut out = vec![0f32; heads * rows * dim];
        // One task per thread, each a run of key heads.
        let per_task = heads.div_ceil(rayon::current_num_threads()).max(1);
        out.par_chunks_mut(per_task * rows * dim)
            .zip(q.par_chunks(per_task * rows * dim))
            .enumerate()
            .for_each_init(Vec::new, |scores, (task, (out_part, q_part))| {
                let first = task * per_task;
                #[cfg(target_arch = "x86_64")]
                if fma {
                    // SAFETY: only AVX2 and FMA instructions are needed, and
                    // the CPU reported both.
                    #[allow(unsafe_code)]
                    unsafe {
                        attention_heads_avx2(self, out_part, q_part, first, rows, len, &kv, scores);
                    }
                    return;
                }
                let _ = fma;
                self.heads::<false>(out_part, q_part, first, rows, len, &kv, scores);
            });
        Ok((CpuStorage::F32(out), Shape::from((heads, rows, dim))))
    }
}
