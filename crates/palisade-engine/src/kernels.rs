//! CPU kernels for the decode path: attention over the cache, and the
//! widening loads of f32 and f16 weights that the products in
//! [`super::panels`] use (bf16 weights are read in pairs there).
//!
//! Activations are always f32 (the residual stream, norms, attention and
//! routing run in f32 whatever the weights' dtype).

use candle_core::{CpuStorage, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::Result;
use super::layers::Visibility;

/// A weight element read as f32.
pub(super) trait Widen: Copy {
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

/// A weight dtype the product kernels load, widened to f32 lanes.
pub(super) trait WeightRows: Sized + Sync + Send + Widen {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
