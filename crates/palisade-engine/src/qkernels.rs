//! Integer dot-product kernels for the block types people download most
//! (Q8_0, and Q4_K and Q6_K: a Q4_K_M file), read in the file's own block
//! layout, with activations quantized to 8 bits as llama.cpp does.
//!
//! candle's `vec_dot` multiplies one weight row by one activation row and
//! converts every block's half-precision scales in software; here one
//! weight row meets up to [`ROWS`] activation rows per pass (so a batch or
//! a prompt reads each weight block once), activation scales are f32, the
//! weight scales convert with F16C, and the CPU's 8-bit dot product
//! (`vpdpbusd`, AVX-VNNI) replaces the two-step multiply-add where the CPU
//! has it. Chosen at run time; other CPUs keep candle's kernels.
//!
//! Block layouts (ggml's, as in the GGUF file):
//! - Q8_0, 34 bytes per 32 values: `d` (f16), then 32 `i8`.
//! - Q4_K, 144 bytes per 256 values: `d`, `dmin` (f16), 12 bytes of 6-bit
//!   scales and minimums for eight sub-blocks of 32, then 128 bytes of
//!   nibbles: byte `l` of group `j` holds value `64j + l` (low nibble) and
//!   `64j + 32 + l` (high nibble).
//! - Q6_K, 210 bytes per 256 values: 128 bytes of low nibbles, 64 of high
//!   bit pairs, 16 signed 8-bit scales (one per 16 values), then `d`; a
//!   value is `d * scale * (q - 32)` with `q` six bits. In each half of
//!   128 values, low-nibble byte `l` and high-pair byte `l` give values
//!   `l`, `l + 32`, `l + 64` and `l + 96` (see [`q6k_portable`]).

/// A kernel: one weight row's dots with activation rows `first..`.
pub(crate) type Kernel = fn(&[u8], &Activations, usize, &mut [f32]);

/// Activation rows one pass of a weight row takes.
pub(crate) const ROWS: usize = 4;

pub(crate) const Q8_0_BYTES: usize = 34;
pub(crate) const Q4K_BYTES: usize = 144;
pub(crate) const Q6K_BYTES: usize = 210;

/// Activation rows quantized to 8 bits: per row `k` values, a scale per
/// `block` values, and (for the K types) each 16 values' sum.
#[derive(Debug, Default)]
pub(crate) struct Activations {
    pub k: usize,
    pub block: usize,
    pub qs: Vec<i8>,
    pub scales: Vec<f32>,
    pub sums: Vec<i32>,
    /// Q8_K only: per block, the sums of sub-blocks `2p` and `2p + 1` (32
    /// values each) as the low and high i16 of pair `p` (four a block),
    /// for the tiled kernels' minimums.
    pub pairs: Vec<i32>,
    /// Q8_K only: per block, the sums of 16 values `2p` and `2p + 1` as
    /// the low and high i16 of pair `p` (eight a block), for the tiled
    /// Q6_K kernel's offsets.
    pub pairs16: Vec<i32>,
}

impl Activations {
    pub fn rows(&self) -> usize {
        self.qs.len() / self.k.max(1)
    }

    fn row(&self, r: usize) -> (&[i8], &[f32], &[i32]) {
        let blocks = self.k / self.block.max(1);
        let subs = self.k / 16;
        (
            self.qs
                .get(r * self.k..(r + 1) * self.k)
                .unwrap_or_default(),
            self.scales
                .get(r * blocks..(r + 1) * blocks)
                .unwrap_or_default(),
            self.sums.get(r * subs..(r + 1) * subs).unwrap_or_default(),
        )
    }
}

/// `x` (`[rows, k]`) as Q8_0 activations, as llama.cpp's x86 code makes
/// them: per 32 values, scale `amax / 127`, values `x * 127 / amax`
/// rounded half to even.
pub(crate) fn quantize_q8_0(x: &[f32], k: usize) -> Activations {
    let mut a = Activations {
        k,
        block: 32,
        qs: vec![0; x.len()],
        scales: Vec::with_capacity(x.len() / 32),
        sums: Vec::new(),
        pairs: Vec::new(),
        pairs16: Vec::new(),
    };
    for (xs, qs) in x.chunks_exact(32).zip(a.qs.chunks_exact_mut(32)) {
        let amax = amax(xs);
        let id = if amax != 0.0 { 127.0 / amax } else { 0.0 };
        // The scale the weights' product uses is the f16 one llama.cpp
        // stores, read back.
        a.scales.push(half::f16::from_f32(amax / 127.0).to_f32());
        scale_round(xs, id, qs);
    }
    a
}

/// The largest magnitude in `xs`.
fn amax(xs: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if build() != Build::Portable {
        // SAFETY: the CPU has AVX2 (`build`).
        #[allow(unsafe_code)]
        return unsafe { x86::amax(xs) };
    }
    xs.iter().fold(0f32, |m, v| m.max(v.abs()))
}

/// `qs[i] = round_half_even(xs[i] * s)`, capped at 127.
fn scale_round(xs: &[f32], s: f32, qs: &mut [i8]) {
    #[cfg(target_arch = "x86_64")]
    if build() != Build::Portable {
        // SAFETY: the CPU has AVX2 (`build`).
        #[allow(unsafe_code)]
        return unsafe { x86::scale_round(xs, s, qs) };
    }
    for (q, v) in qs.iter_mut().zip(xs) {
        *q = (v * s).round_ties_even().min(127.0) as i8;
    }
}

/// `x` (`[rows, k]`) as Q8_K activations, as ggml's `quantize_row_q8_K`
/// makes them: per 256 values, scale `-max / 127` of the value of largest
/// magnitude, values rounded half to even and capped at 127; plus each 16
/// values' sum.
pub(crate) fn quantize_q8_k(x: &[f32], k: usize) -> Activations {
    let mut a = Activations {
        k,
        block: 256,
        qs: vec![0; x.len()],
        scales: Vec::with_capacity(x.len() / 256),
        sums: Vec::with_capacity(x.len() / 16),
        pairs: Vec::with_capacity(x.len() / 64),
        pairs16: Vec::with_capacity(x.len() / 32),
    };
    for (xs, qs) in x.chunks_exact(256).zip(a.qs.chunks_exact_mut(256)) {
        // The first value of the largest magnitude, with its sign.
        let amax = amax(xs);
        let max = xs.iter().copied().find(|v| v.abs() == amax).unwrap_or(0.0);
        if amax == 0.0 {
            a.scales.push(0.0);
        } else {
            let iscale = -127.0 / max;
            scale_round(xs, iscale, qs);
            a.scales.push(1.0 / iscale);
        }
        let first = a.sums.len();
        for sub in qs.chunks_exact(16) {
            a.sums.push(sub.iter().map(|&q| i32::from(q)).sum());
        }
        // A sum of 32 values of at most 127 in magnitude fits an i16.
        let pair = |lo: i32, hi: i32| {
            (u32::from(lo as i16 as u16) | (u32::from(hi as i16 as u16) << 16)) as i32
        };
        for four in a.sums.get(first..).unwrap_or_default().chunks_exact(4) {
            if let &[s0, s1, s2, s3] = four {
                a.pairs.push(pair(s0 + s1, s2 + s3));
                a.pairs16.push(pair(s0, s1));
                a.pairs16.push(pair(s2, s3));
            }
        }
    }
    a
}

/// The eight 6-bit scales and minimums of a Q4_K block's 12 bytes:
/// scales and minimums 0-3 are the low six bits of bytes 0-3 and 4-7;
/// 4-7 take their low four bits from the nibbles of bytes 8-11 and their
/// top two from the top bits of bytes 0-3 and 4-7. Word-wise, no branch.
pub(crate) fn q4k_scales(s: &[u8; 12]) -> ([u8; 8], [u8; 8]) {
    let word = |i: usize| {
        let b = |j: usize| s.get(4 * i + j).copied().unwrap_or(0);
        u32::from_le_bytes([b(0), b(1), b(2), b(3)])
    };
    let (w0, w1, w2) = (word(0), word(1), word(2));
    const LOW6: u32 = 0x3f3f_3f3f;
    const LOW4: u32 = 0x0f0f_0f0f;
    const LOW2: u32 = 0x0303_0303;
    let scales_lo = w0 & LOW6;
    let mins_lo = w1 & LOW6;
    let scales_hi = (w2 & LOW4) | (((w0 >> 6) & LOW2) << 4);
    let mins_hi = ((w2 >> 4) & LOW4) | (((w1 >> 6) & LOW2) << 4);
    let join = |lo: u32, hi: u32| {
        let (a, b) = (lo.to_le_bytes(), hi.to_le_bytes());
        [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
    };
    (join(scales_lo, scales_hi), join(mins_lo, mins_hi))
}

fn f16_at(bytes: &[u8], at: usize) -> f32 {
    let b = |i: usize| bytes.get(at + i).copied().unwrap_or(0);
    half::f16::from_le_bytes([b(0), b(1)]).to_f32()
}

/// Portable Q8_0 dots of one weight row with activation rows `first..`
/// (up to [`ROWS`]); the reference the vector builds are tested against.
pub(crate) fn q8_0_portable(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    for (j, o) in out.iter_mut().enumerate().take(ROWS) {
        let (xq, xd, _) = a.row(first + j);
        let mut acc = 0f32;
        for ((wb, xs), &dx) in w.chunks_exact(Q8_0_BYTES).zip(xq.chunks_exact(32)).zip(xd) {
            let dw = f16_at(wb, 0);
            let qs = wb.get(2..).unwrap_or_default();
            let sum: i32 = qs
                .iter()
                .zip(xs)
                .map(|(&q, &x)| i32::from(q as i8) * i32::from(x))
                .sum();
            acc = (dw * dx).mul_add(sum as f32, acc);
        }
        *o = acc;
    }
}

/// Portable Q4_K dots of one weight row with activation rows `first..`.
pub(crate) fn q4k_portable(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    for (j, o) in out.iter_mut().enumerate().take(ROWS) {
        let (xq, xd, xsum) = a.row(first + j);
        let (mut acc, mut acc_min) = (0f32, 0f32);
        for (b, wb) in w.chunks_exact(Q4K_BYTES).enumerate() {
            let (d, dmin) = (f16_at(wb, 0), f16_at(wb, 2));
            let mut packed = [0u8; 12];
            packed.copy_from_slice(wb.get(4..16).unwrap_or(&[0; 12]));
            let (sc, m) = q4k_scales(&packed);
            let qs = wb.get(16..).unwrap_or_default();
            let xs = xq.get(b * 256..(b + 1) * 256).unwrap_or_default();
            let mut sum = 0i32;
            let mut mins = 0i32;
            for g in 0..4 {
                let bytes = qs.get(32 * g..32 * g + 32).unwrap_or_default();
                for (half, shift) in [(0usize, 0u8), (1, 4)] {
                    let s = 2 * g + half;
                    let x = xs
                        .get(64 * g + 32 * half..64 * g + 32 * half + 32)
                        .unwrap_or_default();
                    let dot: i32 = bytes
                        .iter()
                        .zip(x)
                        .map(|(&q, &v)| i32::from((q >> shift) & 0xF) * i32::from(v))
                        .sum();
                    sum += dot * i32::from(sc.get(s).copied().unwrap_or(0));
                    let sum = |i: usize| xsum.get(b * 16 + i).copied().unwrap_or(0);
                    mins +=
                        i32::from(m.get(s).copied().unwrap_or(0)) * (sum(2 * s) + sum(2 * s + 1));
                }
            }
            let dx = xd.get(b).copied().unwrap_or(0.0);
            acc = (d * dx).mul_add(sum as f32, acc);
            acc_min = (dmin * dx).mul_add(mins as f32, acc_min);
        }
        *o = acc - acc_min;
    }
}

/// Portable Q6_K dots of one weight row with activation rows `first..`.
pub(crate) fn q6k_portable(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    for (j, o) in out.iter_mut().enumerate().take(ROWS) {
        let (xq, xd, _) = a.row(first + j);
        let mut acc = 0f32;
        for (b, wb) in w.chunks_exact(Q6K_BYTES).enumerate() {
            let d = f16_at(wb, 208);
            let byte = |i: usize| wb.get(i).copied().unwrap_or(0);
            let scale = |i: usize| i32::from(byte(192 + i) as i8);
            let x = |i: usize| i32::from(xq.get(b * 256 + i).copied().unwrap_or(0));
            let mut sum = 0i32;
            for half in 0..2 {
                let (ql, qh, sc, xs) = (64 * half, 128 + 32 * half, 8 * half, 128 * half);
                for l in 0..32 {
                    let (lo, hi, h) = (byte(ql + l), byte(ql + l + 32), byte(qh + l));
                    let is = l / 16;
                    let q = [
                        (lo & 0xF) | ((h & 3) << 4),
                        (hi & 0xF) | (((h >> 2) & 3) << 4),
                        (lo >> 4) | (((h >> 4) & 3) << 4),
                        (hi >> 4) | (((h >> 6) & 3) << 4),
                    ];
                    for (quarter, q) in q.into_iter().enumerate() {
                        sum += scale(sc + is + 2 * quarter)
                            * (i32::from(q) - 32)
                            * x(xs + 32 * quarter + l);
                    }
                }
            }
            let dx = xd.get(b).copied().unwrap_or(0.0);
            acc = (d * dx).mul_add(sum as f32, acc);
        }
        *o = acc;
    }
}

/// Which build of the kernels the CPU runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Build {
    Portable,
    Avx2,
    /// AVX2 with AVX-VNNI's `vpdpbusd` (Alder Lake, Sapphire Rapids, Zen 5).
    AvxVnni,
    /// AVX2 with AVX-512 VNNI's `vpdpbusd` on 256-bit vectors (Ice Lake,
    /// Cascade Lake, Zen 4).
    Avx512Vnni,
}

/// Every build this CPU runs, the best last.
pub(crate) fn runnable() -> &'static [Build] {
    static BUILDS: std::sync::OnceLock<Vec<Build>> = std::sync::OnceLock::new();
    BUILDS.get_or_init(|| {
        let mut builds = vec![Build::Portable];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            builds.push(Build::Avx2);
            if std::arch::is_x86_feature_detected!("avx512vnni")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                builds.push(Build::Avx512Vnni);
            }
            // Where both exist, the VEX encoding is as fast and shorter.
            if std::arch::is_x86_feature_detected!("avxvnni") {
                builds.push(Build::AvxVnni);
            }
        }
        builds
    })
}

/// The build the kernels use: the CPU's best, unless `PALISADE_NO_AVX2`
/// or `PALISADE_NO_VNNI` asks for a lesser one (for A/B measurement).
pub(crate) fn build() -> Build {
    static BUILD: std::sync::OnceLock<Build> = std::sync::OnceLock::new();
    *BUILD.get_or_init(|| {
        let no_avx2 = std::env::var_os("PALISADE_NO_AVX2").is_some();
        let no_vnni = std::env::var_os("PALISADE_NO_VNNI").is_some();
        runnable()
            .iter()
            .rev()
            .copied()
            .find(|b| match b {
                Build::Portable => true,
                Build::Avx2 => !no_avx2,
                Build::AvxVnni | Build::Avx512Vnni => !no_avx2 && !no_vnni,
            })
            .unwrap_or(Build::Portable)
    })
}

/// Q8_0 dots of weight row `w` with activation rows `first..first +
/// out.len()` (at most [`ROWS`]), with the CPU's best build.
pub(crate) fn q8_0(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    q8_0_on(build(), w, a, first, out);
}

/// [`q8_0`] with `build`, which must be one of [`runnable`].
fn q8_0_on(build: Build, w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if w.len() / Q8_0_BYTES * 32 == a.k
        && first + out.len() <= a.rows()
        && runnable().contains(&build)
    {
        // SAFETY: the CPU has the build's features (`runnable`), and the
        // row and activation lengths were checked to agree.
        #[allow(unsafe_code)]
        unsafe {
            match build {
                Build::AvxVnni => return x86::q8_0_vnni(w, a, first, out),
                Build::Avx512Vnni => return x86::q8_0_vnni512(w, a, first, out),
                Build::Avx2 => return x86::q8_0_avx2(w, a, first, out),
                Build::Portable => {}
            }
        }
    }
    let _ = build;
    q8_0_portable(w, a, first, out);
}

/// Q6_K dots, as [`q8_0`].
pub(crate) fn q6k(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    q6k_on(build(), w, a, first, out);
}

/// [`q6k`] with `build`, which must be one of [`runnable`].
fn q6k_on(build: Build, w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if w.len() / Q6K_BYTES * 256 == a.k
        && first + out.len() <= a.rows()
        && build != Build::Portable
        && runnable().contains(&build)
    {
        // SAFETY: as in `q8_0_on`; every vector build has AVX2.
        #[allow(unsafe_code)]
        return unsafe { x86::q6k_avx2(w, a, first, out) };
    }
    let _ = build;
    q6k_portable(w, a, first, out);
}

/// Q4_K dots, as [`q8_0`].
pub(crate) fn q4k(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    q4k_on(build(), w, a, first, out);
}

/// [`q4k`] with `build`, which must be one of [`runnable`].
fn q4k_on(build: Build, w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if w.len() / Q4K_BYTES * 256 == a.k
        && first + out.len() <= a.rows()
        && build != Build::Portable
        && runnable().contains(&build)
    {
        // SAFETY: as in `q8_0_on`; every vector build has AVX2.
        #[allow(unsafe_code)]
        return unsafe { x86::q4k_avx2(w, a, first, out) };
    }
    let _ = build;
    q4k_portable(w, a, first, out);
}

/// `acc + Σ u8 × i8` over groups of four, as eight i32 lanes: `vpdpbusd`
/// (VEX or EVEX) or its three-instruction AVX2 equivalent (inside functions
/// that import `std::arch::x86_64::*` and enable the features).
#[cfg(target_arch = "x86_64")]
macro_rules! dot_u8_i8 {
    (vnni, $acc:expr, $u:expr, $s:expr) => {
        _mm256_dpbusd_avx_epi32($acc, $u, $s)
    };
    (vnni512, $acc:expr, $u:expr, $s:expr) => {
        _mm256_dpbusd_epi32($acc, $u, $s)
    };
    (avx2, $acc:expr, $u:expr, $s:expr) => {
        _mm256_add_epi32(
            $acc,
            _mm256_madd_epi16(_mm256_maddubs_epi16($u, $s), _mm256_set1_epi16(1)),
        )
    };
}
#[cfg(target_arch = "x86_64")]
pub(crate) use dot_u8_i8;

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Activations, Q4K_BYTES, Q6K_BYTES, Q8_0_BYTES, ROWS, q4k_scales};

    /// How far ahead of the products the kernels ask for weights (bytes):
    /// the hardware prefetcher alone falls behind when both cores stream.
    const PREFETCH_AHEAD: usize = 2048;

    /// Sum of eight f32 lanes.
    #[target_feature(enable = "avx2,fma,f16c")]
    fn hsum(v: __m256) -> f32 {
        let lo = _mm256_castps256_ps128(v);
        let hi = _mm256_extractf128_ps::<1>(v);
        let s = _mm_add_ps(lo, hi);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_movehdup_ps(s));
        _mm_cvtss_f32(s)
    }

    /// An f16 at `p` as f32.
    ///
    /// # Safety
    /// `p` must point at two readable bytes; the CPU must have F16C.
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn f16(p: *const u8) -> f32 {
        // SAFETY: two readable bytes at `p` (the caller's promise).
        let bits = unsafe { p.cast::<u16>().read_unaligned() };
        _mm_cvtss_f32(_mm_cvtph_ps(_mm_set1_epi16(bits as i16)))
    }

    /// The largest magnitude in `xs`.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn amax(xs: &[f32]) -> f32 {
        let magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff));
        let mut m = _mm256_setzero_ps();
        let whole = xs.len() / 8 * 8;
        for i in (0..whole).step_by(8) {
            // SAFETY: eight values from `i` are in `xs`.
            let v = unsafe { _mm256_loadu_ps(xs.as_ptr().add(i)) };
            m = _mm256_max_ps(m, _mm256_and_ps(v, magnitude));
        }
        let lo = _mm256_castps256_ps128(m);
        let hi = _mm256_extractf128_ps::<1>(m);
        let s = _mm_max_ps(lo, hi);
        let s = _mm_max_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_max_ss(s, _mm_movehdup_ps(s));
        let tail = xs.get(whole..).unwrap_or_default();
        tail.iter().fold(_mm_cvtss_f32(s), |m, v| m.max(v.abs()))
    }

    /// Eight values at `p` times `scale`, rounded half to even, capped.
    ///
    /// # Safety
    /// Eight readable values at `p`; the CPU must have AVX2.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn round8(p: *const f32, scale: __m256, cap: __m256) -> __m256i {
        // SAFETY: eight readable values at `p` (the caller's promise).
        let v = _mm256_mul_ps(unsafe { _mm256_loadu_ps(p) }, scale);
        let r = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
        _mm256_cvtps_epi32(_mm256_min_ps(r, cap))
    }

    /// `qs[i] = round_half_even(xs[i] * s)`, capped at 127.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn scale_round(xs: &[f32], s: f32, qs: &mut [i8]) {
        let (scale, cap) = (_mm256_set1_ps(s), _mm256_set1_ps(127.0));
        // `packs` interleaves the four vectors' 128-bit halves; this puts
        // their four-byte groups back in order.
        let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        let whole = xs.len().min(qs.len()) / 32 * 32;
        for i in (0..whole).step_by(32) {
            // SAFETY: 32 values from `i` are in `xs` and in `qs`.
            unsafe {
                let p = xs.as_ptr().add(i);
                let (q0, q1) = (round8(p, scale, cap), round8(p.add(8), scale, cap));
                let (q2, q3) = (round8(p.add(16), scale, cap), round8(p.add(24), scale, cap));
                let bytes =
                    _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
                let bytes = _mm256_permutevar8x32_epi32(bytes, order);
                _mm256_storeu_si256(qs.as_mut_ptr().add(i).cast(), bytes);
            }
        }
        let tail = xs.get(whole..).unwrap_or_default();
        for (q, v) in qs.get_mut(whole..).unwrap_or_default().iter_mut().zip(tail) {
            *q = (v * s).round_ties_even().min(127.0) as i8;
        }
    }

    macro_rules! q8_0_kernel {
        ($name:ident, $features:literal, $flavour:ident) => {
            /// # Safety
            /// The CPU must have the features; `w` must hold `a.k / 32`
            /// blocks and `a` rows `first..first + out.len()`.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
                let n = out.len().min(ROWS);
                let blocks = a.k / 32;
                let mut acc = [_mm256_setzero_ps(); ROWS];
                let xq = a.qs.as_ptr();
                let wp = w.as_ptr();
                for b in 0..blocks {
                    // SAFETY: block `b` of the row and of each activation
                    // row is in bounds (the caller's promise).
                    unsafe {
                        let wb = wp.add(b * Q8_0_BYTES);
                        _mm_prefetch::<_MM_HINT_T0>(wb.wrapping_add(PREFETCH_AHEAD).cast());
                        let dw = f16(wb);
                        let q = _mm256_loadu_si256(wb.add(2).cast());
                        let uq = _mm256_sign_epi8(q, q);
                        for (r, acc) in acc.iter_mut().enumerate().take(n) {
                            let row = first + r;
                            let x = _mm256_loadu_si256(xq.add(row * a.k + b * 32).cast());
                            let sx = _mm256_sign_epi8(x, q);
                            let dot = dot_u8_i8!($flavour, _mm256_setzero_si256(), uq, sx);
                            let d = dw * *a.scales.get_unchecked(row * blocks + b);
                            *acc =
                                _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(dot), *acc);
                        }
                    }
                }
                for (o, v) in out.iter_mut().zip(acc) {
                    *o = hsum(v);
                }
            }
        };
    }

    macro_rules! q4k_kernel {
        ($name:ident, $features:literal) => {
            /// # Safety
            /// The CPU must have the features; `w` must hold `a.k / 256`
            /// blocks and `a` rows `first..first + out.len()`.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
                let n = out.len().min(ROWS);
                let blocks = a.k / 256;
                let mut acc = [_mm256_setzero_ps(); ROWS];
                let mut acc_min = [0f32; ROWS];
                let xq = a.qs.as_ptr();
                let wp = w.as_ptr();
                let nibble = _mm256_set1_epi8(0x0F);
                for b in 0..blocks {
                    // SAFETY: block `b` of the row and of each activation
                    // row is in bounds (the caller's promise).
                    unsafe {
                        let wb = wp.add(b * Q4K_BYTES);
                        _mm_prefetch::<_MM_HINT_T0>(wb.wrapping_add(PREFETCH_AHEAD).cast());
                        _mm_prefetch::<_MM_HINT_T0>(wb.wrapping_add(PREFETCH_AHEAD + 64).cast());
                        _mm_prefetch::<_MM_HINT_T0>(wb.wrapping_add(PREFETCH_AHEAD + 128).cast());
                        let (d, dmin) = (f16(wb), f16(wb.add(2)));
                        let (sc, m) = q4k_scales(&*wb.add(4).cast::<[u8; 12]>());
                        let qs = wb.add(16);
                        // Per group of 64 values: its 32 bytes' low and
                        // high nibbles, and the two sub-blocks' scales.
                        // (Plain loops: a closure would not inherit this
                        // function's target features.)
                        let zero = _mm256_setzero_si256();
                        let mut groups = [(zero, zero, zero, zero); 4];
                        for (g, (group, pair)) in
                            groups.iter_mut().zip(sc.chunks_exact(2)).enumerate()
                        {
                            let q = _mm256_loadu_si256(qs.add(32 * g).cast());
                            *group = (
                                _mm256_and_si256(q, nibble),
                                _mm256_and_si256(_mm256_srli_epi16::<4>(q), nibble),
                                _mm256_set1_epi16(i16::from(*pair.get_unchecked(0))),
                                _mm256_set1_epi16(i16::from(*pair.get_unchecked(1))),
                            );
                        }
                        for (r, (acc, acc_min)) in
                            acc.iter_mut().zip(acc_min.iter_mut()).enumerate().take(n)
                        {
                            let row = first + r;
                            let x = xq.add(row * a.k + b * 256);
                            let mut sum = _mm256_setzero_si256();
                            for (g, &(lo, hi, scale_lo, scale_hi)) in groups.iter().enumerate() {
                                let xl = _mm256_loadu_si256(x.add(64 * g).cast());
                                let xh = _mm256_loadu_si256(x.add(64 * g + 32).cast());
                                // Nibble times value fits an i16 pair sum
                                // (15 * 127 * 2); the scale multiplies the
                                // pairs as they widen to i32.
                                let pl = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, xl), scale_lo);
                                let ph = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, xh), scale_hi);
                                sum = _mm256_add_epi32(sum, _mm256_add_epi32(pl, ph));
                            }
                            let dx = *a.scales.get_unchecked(row * blocks + b);
                            *acc = _mm256_fmadd_ps(
                                _mm256_set1_ps(d * dx),
                                _mm256_cvtepi32_ps(sum),
                                *acc,
                            );
                            let sums = std::slice::from_raw_parts(
                                a.sums.as_ptr().add((row * blocks + b) * 16),
                                16,
                            );
                            let mins: i32 = m
                                .iter()
                                .zip(sums.chunks_exact(2))
                                .map(|(&m, s)| i32::from(m) * s.iter().sum::<i32>())
                                .sum();
                            *acc_min = (dmin * dx).mul_add(mins as f32, *acc_min);
                        }
                    }
                }
                for ((o, v), mn) in out.iter_mut().zip(acc).zip(acc_min) {
                    *o = hsum(v) - mn;
                }
            }
        };
    }

    q8_0_kernel!(q8_0_avx2, "avx2,fma,f16c", avx2);
    q8_0_kernel!(q8_0_vnni, "avx2,fma,f16c,avxvnni", vnni);
    q8_0_kernel!(q8_0_vnni512, "avx2,fma,f16c,avx512vnni,avx512vl", vnni512);
    q4k_kernel!(q4k_avx2, "avx2,fma,f16c");

    /// # Safety
    /// The CPU must have AVX2, FMA and F16C; `w` must hold `a.k / 256`
    /// blocks and `a` rows `first..first + out.len()`.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn q6k_avx2(w: &[u8], a: &Activations, first: usize, out: &mut [f32]) {
        let n = out.len().min(ROWS);
        let blocks = a.k / 256;
        let mut acc = [_mm256_setzero_ps(); ROWS];
        let xq = a.qs.as_ptr();
        let wp = w.as_ptr();
        let (low4, low2) = (_mm256_set1_epi8(0x0F), _mm256_set1_epi8(0x03));
        for b in 0..blocks {
            // SAFETY: block `b` of the row and of each activation row is in
            // bounds (the caller's promise).
            unsafe {
                let wb = wp.add(b * Q6K_BYTES);
                for ahead in [0, 64, 128, 192] {
                    _mm_prefetch::<_MM_HINT_T0>(wb.wrapping_add(PREFETCH_AHEAD + ahead).cast());
                }
                let d = f16(wb.add(208));
                let sc = std::slice::from_raw_parts(wb.add(192).cast::<i8>(), 16);
                // The eight 32-value quarters: six-bit values (unsigned)
                // and their two scales (one per 128-bit lane); value
                // `32 * i + 16 * t + l` has scale `2 * i + t`. (Plain loops:
                // a closure would not inherit this function's target
                // features.)
                let zero = _mm256_setzero_si256();
                let mut quarters = [(zero, zero); 8];
                for (i, (quarter, pair)) in quarters.iter_mut().zip(sc.chunks_exact(2)).enumerate()
                {
                    let (half, part) = (i / 4, i % 4);
                    let ql = _mm256_loadu_si256(wb.add(64 * half + 32 * (part % 2)).cast());
                    let qh = _mm256_loadu_si256(wb.add(128 + 32 * half).cast());
                    let low = if part < 2 {
                        _mm256_and_si256(ql, low4)
                    } else {
                        _mm256_and_si256(_mm256_srli_epi16::<4>(ql), low4)
                    };
                    let high = match part {
                        0 => qh,
                        1 => _mm256_srli_epi16::<2>(qh),
                        2 => _mm256_srli_epi16::<4>(qh),
                        _ => _mm256_srli_epi16::<6>(qh),
                    };
                    let q =
                        _mm256_or_si256(low, _mm256_slli_epi16::<4>(_mm256_and_si256(high, low2)));
                    let scale = _mm256_set_m128i(
                        _mm_set1_epi16(i16::from(*pair.get_unchecked(1))),
                        _mm_set1_epi16(i16::from(*pair.get_unchecked(0))),
                    );
                    *quarter = (q, scale);
                }
                // 32 * Σ scale * Σx over each 16 values: the `- 32` of
                // every value (scale `i` covers values `16i..16i + 16`).
                let mut offsets = [0i32; ROWS];
                for (r, offset) in offsets.iter_mut().enumerate().take(n) {
                    let sums = std::slice::from_raw_parts(
                        a.sums.as_ptr().add(((first + r) * blocks + b) * 16),
                        16,
                    );
                    let mut dot = 0i32;
                    for (&scale, &sum) in sc.iter().zip(sums) {
                        dot += i32::from(scale) * sum;
                    }
                    *offset = 32 * dot;
                }
                for (r, (acc, offset)) in acc.iter_mut().zip(offsets).enumerate().take(n) {
                    let row = first + r;
                    let x = xq.add(row * a.k + b * 256);
                    let mut sum = _mm256_setzero_si256();
                    for (i, &(q, scale)) in quarters.iter().enumerate() {
                        let xs = _mm256_loadu_si256(x.add(32 * i).cast());
                        // Six-bit value times value fits an i16 pair sum
                        // (63 * 127 * 2).
                        let p = _mm256_madd_epi16(_mm256_maddubs_epi16(q, xs), scale);
                        sum = _mm256_add_epi32(sum, p);
                    }
                    let dx = *a.scales.get_unchecked(row * blocks + b);
                    let total =
                        _mm256_sub_epi32(sum, _mm256_setr_epi32(offset, 0, 0, 0, 0, 0, 0, 0));
                    *acc = _mm256_fmadd_ps(_mm256_set1_ps(d * dx), _mm256_cvtepi32_ps(total), *acc);
                }
            }
        }
        for (o, v) in out.iter_mut().zip(acc) {
            *o = hsum(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_core::{Device, Tensor};

    /// The vector quantization of activations gives ggml's scalar one's
    /// bytes: ties rounded to even, the first value of the largest
    /// magnitude setting a Q8_K block's sign, a 33-value row's tail.
    #[test]
    fn activations_quantize_as_the_scalar_reference() -> crate::Result<()> {
        let dev = Device::Cpu;
        let mut x = Tensor::randn(0f32, 1.0, (3, 512), &dev)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        // Halves that round to even, and a block whose largest magnitude
        // comes twice with both signs.
        for (i, v) in x.iter_mut().take(64).enumerate() {
            *v = (i as f32 - 32.0) + 0.5;
        }
        x[300] = -9.0;
        x[310] = 9.0;
        let reference_q8_k = |xs: &[f32]| -> (Vec<i8>, f32) {
            let (mut max, mut amax) = (0f32, 0f32);
            for &v in xs {
                if v.abs() > amax {
                    amax = v.abs();
                    max = v;
                }
            }
            let iscale = -127.0 / max;
            let q = xs
                .iter()
                .map(|v| (iscale * v).round_ties_even().min(127.0) as i8)
                .collect();
            (q, 1.0 / iscale)
        };
        let a = quantize_q8_k(&x, 512);
        for (b, xs) in x.chunks_exact(256).enumerate() {
            let (q, scale) = reference_q8_k(xs);
            assert_eq!(
                &a.qs[b * 256..(b + 1) * 256],
                q.as_slice(),
                "Q8_K block {b}"
            );
            assert_eq!(a.scales[b], scale, "Q8_K block {b}");
        }
        let a = quantize_q8_0(&x, 512);
        for (b, xs) in x.chunks_exact(32).enumerate() {
            let amax = xs.iter().fold(0f32, |m, v| m.max(v.abs()));
            let id = if amax != 0.0 { 127.0 / amax } else { 0.0 };
            let q: Vec<i8> = xs
                .iter()
                .map(|v| (v * id).round_ties_even() as i8)
                .collect();
            assert_eq!(&a.qs[b * 32..(b + 1) * 32], q.as_slice(), "Q8_0 block {b}");
        }
        let mut tail = [0i8; 33];
        scale_round(&x[..33], 10.0, &mut tail);
        let want: Vec<i8> = x[..33]
            .iter()
            .map(|v| (v * 10.0).round_ties_even().min(127.0) as i8)
            .collect();
        assert_eq!(tail.as_slice(), want.as_slice());
        // Exact halves, scaled by one: -10.0, -9.5, ... 9.5.
        let halves: Vec<f32> = (0..40).map(|i| i as f32 * 0.5 - 10.0).collect();
        let mut rounded = [0i8; 40];
        scale_round(&halves, 1.0, &mut rounded);
        assert_eq!(&rounded[..6], &[-10, -10, -9, -8, -8, -8]);
        assert_eq!(&rounded[20..26], &[0, 0, 1, 2, 2, 2]);
        assert_eq!(
            amax(&x[..33]),
            x[..33].iter().fold(0f32, |m, v| m.max(v.abs()))
        );
        Ok(())
    }

    /// Every build this CPU runs gives the portable kernel's result (integer sums are
    /// exact; only the f32 accumulation order differs), and the portable
    /// kernel agrees with the weights dequantized by candle times the
    /// activations dequantized, in f64.
    #[test]
    fn vector_builds_agree_with_the_portable_kernel_and_the_dequantized_product()
    -> crate::Result<()> {
        let dev = Device::Cpu;
        let (out, k, rows) = (5, 512, 3);
        let x = Tensor::randn(0f32, 1.0, (rows, k), &dev)?.to_vec2::<f32>()?;
        let flat: Vec<f32> = x.concat();
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q4K, GgmlDType::Q6K] {
            let w = Tensor::randn(0f32, 0.5, (out, k), &dev)?;
            let q = QTensor::quantize(&w, dtype)?;
            let wd = q.dequantize(&dev)?.to_vec2::<f32>()?;
            let bytes = q.data()?.into_owned();
            let row_bytes = bytes.len() / out;
            type On = fn(Build, &[u8], &Activations, usize, &mut [f32]);
            let (acts, kernel): (Activations, On) = match dtype {
                GgmlDType::Q8_0 => (quantize_q8_0(&flat, k), q8_0_on),
                GgmlDType::Q4K => (quantize_q8_k(&flat, k), q4k_on),
                _ => (quantize_q8_k(&flat, k), q6k_on),
            };
            let block = acts.block;
            for o in 0..out {
                let wrow = &bytes[o * row_bytes..(o + 1) * row_bytes];
                let mut slow = [0f32; 3];
                match dtype {
                    GgmlDType::Q8_0 => q8_0_portable(wrow, &acts, 0, &mut slow),
                    GgmlDType::Q4K => q4k_portable(wrow, &acts, 0, &mut slow),
                    _ => q6k_portable(wrow, &acts, 0, &mut slow),
                }
                for r in 0..rows {
                    // The dequantized activations: values times their scale.
                    let want: f64 = (0..k)
                        .map(|i| {
                            let xd = f64::from(acts.scales[r * (k / block) + i / block]);
                            f64::from(wd[o][i]) * f64::from(acts.qs[r * k + i]) * xd
                        })
                        .sum();
                    let scale: f64 = (0..k).map(|i| f64::from(wd[o][i] * x[r][i]).abs()).sum();
                    assert!(
                        (f64::from(slow[r]) - want).abs() <= 1e-4 * scale,
                        "{dtype:?} portable {} vs {want}",
                        slow[r]
                    );
                    for &build in runnable() {
                        let mut fast = [0f32; 3];
                        kernel(build, wrow, &acts, 0, &mut fast);
                        assert!(
                            (fast[r] - slow[r]).abs() <= 1e-5 * scale as f32,
                            "{dtype:?} {build:?} build {} vs portable {}",
                            fast[r],
                            slow[r]
                        );
                    }
                }
            }
        }
        Ok(())
    }
}
