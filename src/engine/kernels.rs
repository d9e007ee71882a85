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
/// (prefill); at or below it, the row-streaming kernel (decode).
const STREAMING_MAX_ROWS: usize = 16;

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
            if rows >= TILED_MIN_ROWS && f16c {
                tiled::block(out, x, w, rows, inputs);
            } else {
                block_avx2(out, x, w, rows, inputs, buf);
            }
        }
        return;
    }
    W::block::<false>(out, x, w, rows, inputs, buf);
}

/// Activation rows from which the register-blocked kernel runs: with one
/// row there is nothing to share a loaded weight with.
const TILED_MIN_ROWS: usize = 2;

/// The register-blocked kernel for several activation rows (batched
/// decode): a tile of `N` weight rows by `M` activation rows keeps its
/// `M * N` sums in registers, so each weight vector, widened once, feeds
/// `M` multiply-adds and each activation vector `N`. The one-row kernel
/// above re-widens the weight row per activation row and is bound by
/// loads and conversions, not by the multiply-adds.
#[cfg(target_arch = "x86_64")]
mod tiled {
    use std::arch::x86_64::{
        __m256, _mm_add_ps, _mm_cvtss_f32, _mm_hadd_ps, _mm256_castps256_ps128,
        _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_setzero_ps,
    };

    use super::WeightRows;

    /// Weight rows per tile: with four activation rows, 12 sums, 3 weight
    /// vectors and 1 activation vector fill the 16 AVX2 registers exactly
    /// (a 3x4 tile needs 17 and spills a sum on every step).
    const N: usize = 3;

    /// `out` (`[outputs, rows]`, transposed) = `x` (`[rows, inputs]`) times
    /// the weight rows `w` (`[outputs, inputs]`).
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) fn block<W: WeightRows>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        if inputs == 0 || x.len() < rows * inputs {
            return;
        }
        for (out_tile, w_tile) in out.chunks_mut(N * rows).zip(w.chunks(N * inputs)) {
            if w_tile.len() == N * inputs {
                rows_of::<W, N>(out_tile, x, w_tile, rows, inputs);
            } else {
                // The last outputs, fewer than a tile: one at a time.
                for (o, w_row) in out_tile.chunks_mut(rows).zip(w_tile.chunks_exact(inputs)) {
                    rows_of::<W, 1>(o, x, w_row, rows, inputs);
                }
            }
        }
    }

    /// All activation rows against `NW` weight rows, four rows at a time.
    #[target_feature(enable = "avx2,fma,f16c")]
    fn rows_of<W: WeightRows, const NW: usize>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
    ) {
        let mut r = 0;
        while r + 4 <= rows {
            tile::<W, 4, NW>(out, x, w, rows, inputs, r);
            r += 4;
        }
        match rows - r {
            3 => tile::<W, 3, NW>(out, x, w, rows, inputs, r),
            2 => tile::<W, 2, NW>(out, x, w, rows, inputs, r),
            1 => tile::<W, 1, NW>(out, x, w, rows, inputs, r),
            _ => {}
        }
    }

    /// Activation rows `r0..r0 + M` against the `NW` weight rows of `w`;
    /// writes `out[n * rows + r0 + m]`.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    #[allow(unsafe_code)]
    fn tile<W: WeightRows, const M: usize, const NW: usize>(
        out: &mut [f32],
        x: &[f32],
        w: &[W],
        rows: usize,
        inputs: usize,
        r0: usize,
    ) {
        // Every pointer below starts a row of `inputs` elements inside a
        // slice checked to hold it, and the loop reads `k..k + 8` of each
        // row with `k + 8 <= body <= inputs`; the CPU has the instructions
        // `load8` needs (this function's target features).
        if w.len() < NW * inputs || x.len() < (r0 + M) * inputs || out.len() < NW * rows {
            return;
        }
        let body = inputs - inputs % 8;
        let w_rows: [*const W; NW] = std::array::from_fn(|n| w.as_ptr().wrapping_add(n * inputs));
        let x_rows: [*const f32; M] =
            std::array::from_fn(|m| x.as_ptr().wrapping_add((r0 + m) * inputs));
        let mut acc = [[_mm256_setzero_ps(); NW]; M];
        let mut wv = [_mm256_setzero_ps(); NW];
        let mut k = 0;
        while k < body {
            for (v, p) in wv.iter_mut().zip(w_rows) {
                // SAFETY: see above.
                *v = unsafe { W::load8(p.add(k)) };
            }
            for (acc_m, p) in acc.iter_mut().zip(x_rows) {
                // SAFETY: see above.
                let xm = unsafe { f32::load8(p.add(k)) };
                for (a, wn) in acc_m.iter_mut().zip(wv) {
                    *a = _mm256_fmadd_ps(xm, wn, *a);
                }
            }
            k += 8;
        }
        let x_tail = |m: usize| x.iter().skip((r0 + m) * inputs + body).take(inputs - body);
        let w_tail = |n: usize| w.iter().skip(n * inputs + body).take(inputs - body);
        for (m, acc_m) in acc.iter().enumerate() {
            for (n, a) in acc_m.iter().enumerate() {
                let tail: f32 = x_tail(m).zip(w_tail(n)).map(|(a, b)| a * b.widen()).sum();
                if let Some(slot) = out.get_mut(n * rows + r0 + m) {
                    *slot = hsum(*a) + tail;
                }
            }
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_hadd_ps(s, s);
        _mm_cvtss_f32(_mm_hadd_ps(s, s))
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
    #[inline(always)]
    fn row<const FMA: bool>(
        &self,
        out: &mut [f32],
        q: &[f32],
        qi: usize,
        head: usize,
        kv: &KeysValues<'_>,
        scores: &mut Vec<f32>,
    ) {
        let position = self.past + qi;
        scores.clear();
        let mut max = f32::NEG_INFINITY;
        for j in 0..kv.n_keys {
            let s = if self.visibility.visible(position, self.first_key + j) {
                dot::<f32, FMA>(q, kv.keys.row(head, kv.row_of(j)))
            } else {
                f32::NEG_INFINITY
            };
            max = max.max(s);
            scores.push(s);
        }
        let mut sum = 0f32;
        for s in scores.iter_mut() {
            *s = (*s - max).exp();
            sum += *s;
        }
        out.fill(0.0);
        for (j, p) in scores.iter().enumerate() {
            if *p == 0.0 {
                continue;
            }
            let w = p / sum;
            for (o, x) in out.iter_mut().zip(kv.values.row(head, kv.row_of(j))) {
                *o = if FMA { w.mul_add(*x, *o) } else { *o + w * x };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn attention_row_avx2(
    op: &AttentionOp,
    out: &mut [f32],
    q: &[f32],
    qi: usize,
    head: usize,
    kv: &KeysValues<'_>,
    scores: &mut Vec<f32>,
) {
    op.row::<true>(out, q, qi, head, kv, scores);
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
        out.par_chunks_mut(dim)
            .zip(q.par_chunks(dim))
            .enumerate()
            .for_each_init(
                || Vec::with_capacity(n_keys),
                |scores, (index, (out_row, q_row))| {
                    let (head, row) = (index / rows, index % rows);
                    let qi = row % len;
                    #[cfg(target_arch = "x86_64")]
                    if fma {
                        // SAFETY: only AVX2 and FMA instructions are needed, and
                        // the CPU reported both.
                        #[allow(unsafe_code)]
                        unsafe {
                            attention_row_avx2(self, out_row, q_row, qi, head, &kv, scores);
                        }
                        return;
                    }
                    let _ = fma;
                    self.row::<false>(out_row, q_row, qi, head, &kv, scores);
                },
            );
        Ok((CpuStorage::F32(out), Shape::from((heads, rows, dim))))
    }
}
