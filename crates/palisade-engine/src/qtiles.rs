//! Quantized weights re-laid at load as tiles of [`TILE`] rows, so that
//! one 256-bit vector holds four consecutive values of eight output rows
//! and the integer dot products produce eight outputs per instruction,
//! with no horizontal sums (llama.cpp repacks Q4_K the same way for its
//! AVX2 kernels; the layouts and the kernels here are our own).
//!
//! The file's layout ([`crate::qkernels`]) keeps one row's blocks
//! together: a dot product of one row and one activation row sums 32 bytes
//! at a time into one vector and adds its lanes at the end, and scales are
//! unpacked per row. Tiled, a block of eight rows takes the bytes below;
//! rows past the matrix's last are zeros (`d` = 0). "Chunk `c`" is bytes
//! `4c..4c + 4` of a run of 32, for rows 0-7 in turn (32 bytes).
//!
//! Q4_K, 256 values, 1,184 bytes (the file's 8 x 144 = 1,152, plus 32 for
//! unpacked scales):
//!
//! | bytes | what |
//! |---|---|
//! | 0..16 | `d` of rows 0-7 (f16) |
//! | 16..32 | `dmin` of rows 0-7 (f16) |
//! | 32..96 | scales, `[sub-block 0-7][row 0-7]` (u8) |
//! | 96..160 | minimums, `[sub-block pair 0-3][row 0-7][2]` (u8) |
//! | 160..1184 | nibbles: `[group g 0-3][chunk c 0-7]` of the file's bytes `32g..32g + 32` |
//!
//! A nibble byte's low half is value `64g + 4c + i` (sub-block `2g`), its
//! high half value `64g + 32 + 4c + i` (sub-block `2g + 1`).
//!
//! Q6_K, 256 values, 1,680 bytes (8 x 210):
//!
//! | bytes | what |
//! |---|---|
//! | 0..16 | `d` of rows 0-7 (f16) |
//! | 16..144 | scales, `[pair 0-7][row 0-7][2]` (i8, one per 16 values) |
//! | 144..1680 | `[half h 0-1][chunk c 0-7]` of: low nibbles `64h..`, low nibbles `64h + 32..`, high pairs `128 + 32h..` (96 bytes) |
//!
//! Q8_0, 32 values, 272 bytes (8 x 34): `d` of rows 0-7 (f16), then
//! chunks 0-7 of the 32 values (i8).
//!
//! Only CPUs with AVX2 (and FMA, F16C) tile; others keep the file's layout
//! and [`crate::qkernels`]. `PALISADE_NO_TILES` keeps the file's layout
//! too, for A/B measurement.

use rayon::prelude::*;

use candle_core::quantized::GgmlDType;

use crate::qkernels::{self, Activations, Build, Q4K_BYTES, Q6K_BYTES, Q8_0_BYTES};
use crate::quant::{Prepared, QuantWeight};

/// Rows a tile holds.
pub(crate) const TILE: usize = 8;

/// Activation rows one pass of a tile takes.
const PASS_ROWS: usize = 4;

/// The block types with tiled kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Q4K,
    Q6K,
    Q8_0,
}

impl Kind {
    fn of(dtype: GgmlDType) -> Option<Self> {
        match dtype {
            GgmlDType::Q4K => Some(Self::Q4K),
            GgmlDType::Q6K => Some(Self::Q6K),
            GgmlDType::Q8_0 => Some(Self::Q8_0),
            _ => None,
        }
    }

    /// Values of a row a block holds.
    fn values(self) -> usize {
        match self {
            Self::Q4K | Self::Q6K => 256,
            Self::Q8_0 => 32,
        }
    }

    /// Bytes of one row's block in the file.
    fn file_bytes(self) -> usize {
        match self {
            Self::Q4K => Q4K_BYTES,
            Self::Q6K => Q6K_BYTES,
            Self::Q8_0 => Q8_0_BYTES,
        }
    }

    /// Bytes of a tiled block (eight rows).
    fn tile_bytes(self) -> usize {
        match self {
            Self::Q4K => 1184,
            Self::Q6K => 1680,
            Self::Q8_0 => 272,
        }
    }

    fn dtype(self) -> GgmlDType {
        match self {
            Self::Q4K => GgmlDType::Q4K,
            Self::Q6K => GgmlDType::Q6K,
            Self::Q8_0 => GgmlDType::Q8_0,
        }
    }
}

/// A quantized matrix as tiles of [`TILE`] rows.
#[derive(Debug)]
pub(crate) struct Tiled {
    kind: Kind,
    /// The kernels' build: the CPU's best ([`qkernels::build`]).
    build: Build,
    bytes: Vec<u8>,
    outputs: usize,
    inputs: usize,
}

impl Tiled {
    /// `w` tiled, when its block type has a tiled kernel the CPU runs.
    pub(crate) fn new(w: &QuantWeight) -> Option<Self> {
        let kind = Kind::of(w.dtype())?;
        let build = qkernels::build();
        if build == Build::Portable || std::env::var_os("PALISADE_NO_TILES").is_some() {
            return None;
        }
        let (outputs, inputs) = (w.outputs(), w.inputs());
        let rows = w.rows_bytes();
        let blocks = inputs / kind.values();
        if rows.iter().any(|r| r.len() != blocks * kind.file_bytes()) {
            return None;
        }
        let (file_bytes, tile_bytes) = (kind.file_bytes(), kind.tile_bytes());
        let mut bytes = vec![0u8; outputs.div_ceil(TILE) * blocks * tile_bytes];
        if blocks > 0 {
            bytes
                .par_chunks_mut(blocks * tile_bytes)
                .enumerate()
                .for_each(|(t, tile)| {
                    let rows = rows.get(t * TILE..).unwrap_or_default();
                    for (r, row) in rows.iter().take(TILE).enumerate() {
                        for (b, block) in row.chunks_exact(file_bytes).enumerate() {
                            let at = b * tile_bytes;
                            if let Some(tb) = tile.get_mut(at..at + tile_bytes) {
                                let mut put = |at: usize, v: u8| {
                                    if let Some(slot) = tb.get_mut(at) {
                                        *slot = v;
                                    }
                                };
                                let byte = |i: usize| block.get(i).copied().unwrap_or(0);
                                match kind {
                                    Kind::Q4K => tile_q4k_block(&mut put, r, byte),
                                    Kind::Q6K => tile_q6k_block(&mut put, r, byte),
                                    Kind::Q8_0 => tile_q8_0_block(&mut put, r, byte),
                                }
                            }
                        }
                    }
                });
        }
        Some(Self {
            kind,
            build,
            bytes,
            outputs,
            inputs,
        })
    }

    /// The block type.
    pub(crate) fn dtype(&self) -> GgmlDType {
        self.kind.dtype()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes.len()
    }

    /// `x` (`[rows, inputs]`, f32) quantized for the tiles' products.
    pub(crate) fn prepare<'a>(&'a self, x: &[f32]) -> Box<dyn Prepared + 'a> {
        let x = match self.kind {
            Kind::Q4K | Kind::Q6K => qkernels::quantize_q8_k(x, self.inputs),
            Kind::Q8_0 => qkernels::quantize_q8_0(x, self.inputs),
        };
        Box::new(Ready { tiled: self, x })
    }
}

/// `(position, byte)` into a tiled block.
type Put<'a> = dyn FnMut(usize, u8) + 'a;

/// Row `r`'s Q8_0 block (the file's 34 bytes, read by `byte`) into a tiled
/// block.
fn tile_q8_0_block(put: &mut Put<'_>, r: usize, byte: impl Fn(usize) -> u8) {
    for i in 0..2 {
        put(2 * r + i, byte(i));
    }
    for c in 0..8 {
        for i in 0..4 {
            put(16 + 32 * c + 4 * r + i, byte(2 + 4 * c + i));
        }
    }
}

/// Row `r`'s Q6_K block (the file's 210 bytes) into a tiled block.
fn tile_q6k_block(put: &mut Put<'_>, r: usize, byte: impl Fn(usize) -> u8) {
    for i in 0..2 {
        put(2 * r + i, byte(208 + i));
    }
    for j in 0..16 {
        put(16 + 16 * (j / 2) + 2 * r + j % 2, byte(192 + j));
    }
    for h in 0..2 {
        for c in 0..8 {
            let at = 144 + (8 * h + c) * 96 + 4 * r;
            for i in 0..4 {
                put(at + i, byte(64 * h + 4 * c + i));
                put(at + 32 + i, byte(64 * h + 32 + 4 * c + i));
                put(at + 64 + i, byte(128 + 32 * h + 4 * c + i));
            }
        }
    }
}

/// Row `r`'s Q4_K block (the file's 144 bytes) into a tiled block.
fn tile_q4k_block(put: &mut Put<'_>, r: usize, byte: impl Fn(usize) -> u8) {
    for i in 0..2 {
        put(2 * r + i, byte(i));
        put(16 + 2 * r + i, byte(2 + i));
    }
    let mut packed = [0u8; 12];
    for (i, p) in packed.iter_mut().enumerate() {
        *p = byte(4 + i);
    }
    let (scales, mins) = qkernels::q4k_scales(&packed);
    for (j, (&scale, &min)) in scales.iter().zip(&mins).enumerate() {
        put(32 + 8 * j + r, scale);
        put(96 + 16 * (j / 2) + 2 * r + j % 2, min);
    }
    for g in 0..4 {
        for c in 0..8 {
            for i in 0..4 {
                put(
                    160 + (8 * g + c) * 32 + 4 * r + i,
                    byte(16 + 32 * g + 4 * c + i),
                );
            }
        }
    }
}

/// Activations quantized for a tiled weight.
struct Ready<'a> {
    tiled: &'a Tiled,
    x: Activations,
}

impl Prepared for Ready<'_> {
    fn block(&self, out: &mut [f32], first: usize, panel: usize) {
        let kind = self.tiled.kind;
        let outputs = self.tiled.outputs;
        let rows = self.x.rows();
        let tile_bytes = self.tiled.inputs / kind.values() * kind.tile_bytes();
        let mut dots = [0f32; PASS_ROWS * TILE];
        for (p, out) in out.chunks_mut(rows * panel).enumerate() {
            let start = (first + p) * panel;
            let end = (start + panel).min(outputs);
            for t in start / TILE..end.div_ceil(TILE) {
                let tile = self
                    .tiled
                    .bytes
                    .get(t * tile_bytes..(t + 1) * tile_bytes)
                    .unwrap_or_default();
                for r in (0..rows).step_by(PASS_ROWS) {
                    let n = (rows - r).min(PASS_ROWS);
                    dots_of(kind, self.tiled.build, tile, &self.x, r, n, &mut dots);
                    for (m, row_dots) in dots.chunks_exact(TILE).take(n).enumerate() {
                        for (j, d) in row_dots.iter().enumerate() {
                            let o = t * TILE + j;
                            if o < end
                                && o >= start
                                && let Some(slot) = out.get_mut((r + m) * panel + o - start)
                            {
                                *slot = *d;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One tile's dots with activation rows `first..first + n` (`n` at most
/// [`PASS_ROWS`]), as `[row][TILE]` in `out`, with `build`'s kernels.
fn dots_of(
    kind: Kind,
    build: Build,
    tile: &[u8],
    a: &Activations,
    first: usize,
    n: usize,
    out: &mut [f32],
) {
    let blocks = a.k / kind.values();
    let fits = tile.len() == blocks * kind.tile_bytes()
        && first + n <= a.rows()
        && out.len() >= n * TILE
        && match kind {
            Kind::Q4K => a.pairs.len() == a.rows() * blocks * 4,
            Kind::Q6K => a.pairs16.len() == a.rows() * blocks * 8,
            Kind::Q8_0 => a.block == 32 && a.scales.len() == a.rows() * blocks,
        }
        && qkernels::runnable().contains(&build);
    #[cfg(target_arch = "x86_64")]
    if fits {
        // One kernel per block type and row count, so that each row's
        // accumulators stay in registers.
        macro_rules! by_rows {
            ($kernel:ident) => {
                match n {
                    1 => x86::$kernel::<1>(tile, a, first, out),
                    2 => x86::$kernel::<2>(tile, a, first, out),
                    3 => x86::$kernel::<3>(tile, a, first, out),
                    _ => x86::$kernel::<4>(tile, a, first, out),
                }
            };
        }
        // SAFETY: the CPU runs `build` (checked above: every build but the
        // portable one has AVX2, FMA and F16C, the VNNI ones their
        // extension), and the tile, activation and output lengths were
        // checked above.
        #[allow(unsafe_code)]
        unsafe {
            match (kind, build) {
                (_, Build::Portable) => out.fill(f32::NAN),
                (Kind::Q4K, Build::Avx2) => by_rows!(q4k_avx2),
                (Kind::Q4K, Build::AvxVnni) => by_rows!(q4k_vnni),
                (Kind::Q4K, Build::Avx512Vnni) => by_rows!(q4k_vnni512),
                (Kind::Q6K, Build::Avx2) => by_rows!(q6k),
                (Kind::Q6K, Build::AvxVnni) => by_rows!(q6k_vnni),
                (Kind::Q6K, Build::Avx512Vnni) => by_rows!(q6k_vnni512),
                (Kind::Q8_0, Build::Avx2) => by_rows!(q8_0_avx2),
                (Kind::Q8_0, Build::AvxVnni) => by_rows!(q8_0_vnni),
                (Kind::Q8_0, Build::Avx512Vnni) => by_rows!(q8_0_vnni512),
            }
        }
        return;
    }
    // Unreachable: tiles are only made where the vector builds run
    // (`Tiled::new`), and the lengths follow from the tile and `prepare`.
    // Were it reached, NaN outputs show it rather than plausible zeros.
    let _ = (fits, build);
    out.fill(f32::NAN);
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Activations, TILE};
    use crate::qkernels::dot_u8_i8;

    const Q4K_TILE_BYTES: usize = 1184;
    const Q6K_TILE_BYTES: usize = 1680;
    const Q8_0_TILE_BYTES: usize = 272;

    /// How far ahead of the products the kernel asks for weights (bytes).
    const PREFETCH_AHEAD: usize = 2048;

    /// Eight rows' scales (u8 at `p`), each in both i16 halves of its
    /// row's lane.
    ///
    /// # Safety
    /// `p` must point at eight readable bytes; the CPU must have AVX2.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn scales(p: *const u8) -> __m256i {
        // SAFETY: eight readable bytes at `p` (the caller's promise).
        let s = _mm256_cvtepu8_epi32(unsafe { _mm_loadl_epi64(p.cast()) });
        _mm256_or_si256(s, _mm256_slli_epi32::<16>(s))
    }

    /// `acc + Σ` of four nibble-value products per row, and that sum
    /// times the sub-block's scales (at `p`). AVX2 sums in i16 pairs (8
    /// chunks of at most 2 * 15 * 127 fit) and scales them with
    /// `vpmaddwd`; VNNI sums in i32 and multiplies.
    macro_rules! q4k_sum {
        (avx2, $acc:expr, $w:expr, $x:expr) => {
            _mm256_add_epi16($acc, _mm256_maddubs_epi16($w, $x))
        };
        ($flavour:ident, $acc:expr, $w:expr, $x:expr) => {
            dot_u8_i8!($flavour, $acc, $w, $x)
        };
    }
    macro_rules! q4k_scaled {
        (avx2, $sum:expr, $p:expr) => {
            _mm256_madd_epi16($sum, scales($p))
        };
        ($flavour:ident, $sum:expr, $p:expr) => {
            _mm256_mullo_epi32($sum, _mm256_cvtepu8_epi32(_mm_loadl_epi64($p.cast())))
        };
    }

    macro_rules! q4k_kernel {
        ($name:ident, $features:literal, $flavour:ident) => {
            /// # Safety
            /// The CPU must have the features; `tile` must hold `a.k / 256`
            /// tiled blocks, `a` rows `first..first + M` with their minimum
            /// pairs, and `out` `M * TILE` values.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name<const M: usize>(
                tile: &[u8],
                a: &Activations,
                first: usize,
                out: &mut [f32],
            ) {
                let blocks = a.k / 256;
                let nibble = _mm256_set1_epi8(0x0F);
                let zero = _mm256_setzero_si256();
                let mut fsum = [_mm256_setzero_ps(); M];
                let xq = a.qs.as_ptr();
                for b in 0..blocks {
                    // SAFETY: tiled block `b` and block `b` of each
                    // activation row are in bounds (the caller's promise).
                    unsafe {
                        let tb = tile.as_ptr().add(b * Q4K_TILE_BYTES);
                        let d = _mm256_cvtph_ps(_mm_loadu_si128(tb.cast()));
                        let dmin = _mm256_cvtph_ps(_mm_loadu_si128(tb.add(16).cast()));
                        // Σ minimum × activation sum, per row: pairs of
                        // sub-blocks as i16 pairs.
                        let mut msum = [zero; M];
                        for p in 0..4 {
                            let mins =
                                _mm256_cvtepu8_epi16(_mm_loadu_si128(tb.add(96 + 16 * p).cast()));
                            for (m, msum) in msum.iter_mut().enumerate() {
                                let pair =
                                    *a.pairs.get_unchecked(((first + m) * blocks + b) * 4 + p);
                                *msum = _mm256_add_epi32(
                                    *msum,
                                    _mm256_madd_epi16(mins, _mm256_set1_epi32(pair)),
                                );
                            }
                        }
                        let mut isum = [zero; M];
                        for g in 0..4 {
                            let mut lo_sum = [zero; M];
                            let mut hi_sum = [zero; M];
                            for c in 0..8 {
                                let at = tb.add(160 + (8 * g + c) * 32);
                                if c % 2 == 0 {
                                    _mm_prefetch::<_MM_HINT_T0>(
                                        at.wrapping_add(PREFETCH_AHEAD).cast(),
                                    );
                                }
                                let v = _mm256_loadu_si256(at.cast());
                                let lo = _mm256_and_si256(v, nibble);
                                let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
                                for m in 0..M {
                                    let x = xq.add((first + m) * a.k + b * 256 + 64 * g + 4 * c);
                                    let xl = _mm256_set1_epi32(x.cast::<i32>().read_unaligned());
                                    let xh =
                                        _mm256_set1_epi32(x.add(32).cast::<i32>().read_unaligned());
                                    let l = lo_sum.get_unchecked_mut(m);
                                    *l = q4k_sum!($flavour, *l, lo, xl);
                                    let h = hi_sum.get_unchecked_mut(m);
                                    *h = q4k_sum!($flavour, *h, hi, xh);
                                }
                            }
                            for m in 0..M {
                                let i = isum.get_unchecked_mut(m);
                                *i = _mm256_add_epi32(
                                    *i,
                                    _mm256_add_epi32(
                                        q4k_scaled!(
                                            $flavour,
                                            *lo_sum.get_unchecked(m),
                                            tb.add(32 + 16 * g)
                                        ),
                                        q4k_scaled!(
                                            $flavour,
                                            *hi_sum.get_unchecked(m),
                                            tb.add(40 + 16 * g)
                                        ),
                                    ),
                                );
                            }
                        }
                        for m in 0..M {
                            let dx =
                                _mm256_set1_ps(*a.scales.get_unchecked((first + m) * blocks + b));
                            let f = fsum.get_unchecked_mut(m);
                            *f = _mm256_fmadd_ps(
                                _mm256_mul_ps(d, dx),
                                _mm256_cvtepi32_ps(*isum.get_unchecked(m)),
                                *f,
                            );
                            *f = _mm256_fnmadd_ps(
                                _mm256_mul_ps(dmin, dx),
                                _mm256_cvtepi32_ps(*msum.get_unchecked(m)),
                                *f,
                            );
                        }
                    }
                }
                for (m, f) in fsum.iter().enumerate() {
                    // SAFETY: `out` holds `M * TILE` values (the caller's
                    // promise).
                    unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(m * TILE), *f) };
                }
            }
        };
    }

    q4k_kernel!(q4k_avx2, "avx2,fma,f16c", avx2);
    q4k_kernel!(q4k_vnni, "avx2,fma,f16c,avxvnni", vnni);
    q4k_kernel!(q4k_vnni512, "avx2,fma,f16c,avx512vnni,avx512vl", vnni512);

    /// Sixteen i8 at `p` widened to i16.
    ///
    /// # Safety
    /// `p` must point at sixteen readable bytes; the CPU must have AVX2.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn i8_pairs(p: *const u8) -> __m256i {
        // SAFETY: sixteen readable bytes at `p` (the caller's promise).
        _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(p.cast()) })
    }

    /// Eight rows' i16 pairs (lane `r`: `(s[r][2i], s[r][2i + 1])`) with
    /// the low (`HIGH` false) or high one in both halves of the lane.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    fn dup_half<const HIGH: bool>(pairs: __m256i) -> __m256i {
        if HIGH {
            _mm256_shufflehi_epi16::<0xF5>(_mm256_shufflelo_epi16::<0xF5>(pairs))
        } else {
            _mm256_shufflehi_epi16::<0xA0>(_mm256_shufflelo_epi16::<0xA0>(pairs))
        }
    }

    /// Each row's Σ scale × 16-value activation sum of tiled Q6_K block
    /// `b` at `tb`: values are stored plus 32, so 32 times this is taken
    /// off at the end.
    ///
    /// # Safety
    /// The CPU must have AVX2; `tb` must point at the block, and `a` hold
    /// the pairs of rows `first..first + M`.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn q6k_offsets<const M: usize>(
        tb: *const u8,
        a: &Activations,
        first: usize,
        b: usize,
    ) -> [__m256i; M] {
        let blocks = a.k / 256;
        let mut offset = [_mm256_setzero_si256(); M];
        for i in 0..8 {
            // SAFETY: the block's scales and the rows' pairs are in bounds
            // (the caller's promise).
            unsafe {
                let p = i8_pairs(tb.add(16 + 16 * i));
                for (m, offset) in offset.iter_mut().enumerate() {
                    let s = *a.pairs16.get_unchecked(((first + m) * blocks + b) * 8 + i);
                    *offset = _mm256_add_epi32(*offset, _mm256_madd_epi16(p, _mm256_set1_epi32(s)));
                }
            }
        }
        offset
    }

    /// The 6-bit values (plus 32) of the four quarters of a tiled Q6_K
    /// chunk at `at` (96 bytes: low nibbles, low nibbles, high pairs).
    ///
    /// # Safety
    /// The CPU must have AVX2; `at` must point at 96 readable bytes.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn q6k_quarters(at: *const u8) -> [__m256i; 4] {
        let low4 = _mm256_set1_epi8(0x0F);
        let bits45 = _mm256_set1_epi8(0x30);
        // SAFETY: 96 readable bytes at `at` (the caller's promise).
        let (lo, hi, qh) = unsafe {
            (
                _mm256_loadu_si256(at.cast()),
                _mm256_loadu_si256(at.add(32).cast()),
                _mm256_loadu_si256(at.add(64).cast()),
            )
        };
        [
            _mm256_or_si256(
                _mm256_and_si256(lo, low4),
                _mm256_and_si256(_mm256_slli_epi16::<4>(qh), bits45),
            ),
            _mm256_or_si256(
                _mm256_and_si256(hi, low4),
                _mm256_and_si256(_mm256_slli_epi16::<2>(qh), bits45),
            ),
            _mm256_or_si256(
                _mm256_and_si256(_mm256_srli_epi16::<4>(lo), low4),
                _mm256_and_si256(qh, bits45),
            ),
            _mm256_or_si256(
                _mm256_and_si256(_mm256_srli_epi16::<4>(hi), low4),
                _mm256_and_si256(_mm256_srli_epi16::<2>(qh), bits45),
            ),
        ]
    }

    /// # Safety
    /// The CPU must have AVX2, FMA and F16C; `tile` must hold `a.k / 256`
    /// tiled Q6_K blocks, `a` rows `first..first + M` with their 16-value
    /// pairs, and `out` `M * TILE` values.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn q6k<const M: usize>(
        tile: &[u8],
        a: &Activations,
        first: usize,
        out: &mut [f32],
    ) {
        let blocks = a.k / 256;
        let zero = _mm256_setzero_si256();
        let mut fsum = [_mm256_setzero_ps(); M];
        let xq = a.qs.as_ptr();
        for b in 0..blocks {
            // SAFETY: tiled block `b` and block `b` of each activation row
            // are in bounds (the caller's promise).
            unsafe {
                let tb = tile.as_ptr().add(b * Q6K_TILE_BYTES);
                let d = _mm256_cvtph_ps(_mm_loadu_si128(tb.cast()));
                // Values are stored plus 32: Σ scale × 16-value sum, per
                // row, is taken off 32 times at the end.
                let offset = q6k_offsets::<M>(tb, a, first, b);
                let mut isum = [zero; M];
                for h in 0..2 {
                    for sixteen in 0..2 {
                        // Quarter q of this half's chunks 8 * sixteen / 2..
                        // takes scale 8h + sixteen + 2q: pair 4h + q.
                        let mut scale = [zero; 4];
                        for (q, scale) in scale.iter_mut().enumerate() {
                            let p = i8_pairs(tb.add(16 + 16 * (4 * h + q)));
                            *scale = if sixteen == 0 {
                                dup_half::<false>(p)
                            } else {
                                dup_half::<true>(p)
                            };
                        }
                        for c in 4 * sixteen..4 * sixteen + 4 {
                            let at = tb.add(144 + (8 * h + c) * 96);
                            _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(PREFETCH_AHEAD).cast());
                            _mm_prefetch::<_MM_HINT_T0>(
                                at.wrapping_add(PREFETCH_AHEAD + 64).cast(),
                            );
                            let quarters = q6k_quarters(at);
                            for m in 0..M {
                                let x = xq.add((first + m) * a.k + b * 256 + 128 * h + 4 * c);
                                let i = isum.get_unchecked_mut(m);
                                for (q, (&values, &scale)) in
                                    quarters.iter().zip(&scale).enumerate()
                                {
                                    let xv = _mm256_set1_epi32(
                                        x.add(32 * q).cast::<i32>().read_unaligned(),
                                    );
                                    // Six-bit value times value: an i16
                                    // pair sum of at most 2 * 63 * 127.
                                    *i = _mm256_add_epi32(
                                        *i,
                                        _mm256_madd_epi16(_mm256_maddubs_epi16(values, xv), scale),
                                    );
                                }
                            }
                        }
                    }
                }
                for m in 0..M {
                    let dx = _mm256_set1_ps(*a.scales.get_unchecked((first + m) * blocks + b));
                    let total = _mm256_sub_epi32(
                        *isum.get_unchecked(m),
                        _mm256_slli_epi32::<5>(*offset.get_unchecked(m)),
                    );
                    let f = fsum.get_unchecked_mut(m);
                    *f = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(total), *f);
                }
            }
        }
        for (m, f) in fsum.iter().enumerate() {
            // SAFETY: `out` holds `M * TILE` values (the caller's promise).
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(m * TILE), *f) };
        }
    }

    /// Q6_K with `vpdpbusd`: each quarter's four chunks (16 values, one
    /// scale) are summed in i32 per row, then multiplied by the scale,
    /// where AVX2 scales every chunk's i16 pairs with `vpmaddwd`.
    macro_rules! q6k_vnni_kernel {
        ($name:ident, $features:literal, $flavour:ident) => {
            /// # Safety
            /// The CPU must have the features; `tile` must hold `a.k / 256`
            /// tiled Q6_K blocks, `a` rows `first..first + M` with their
            /// 16-value pairs, and `out` `M * TILE` values.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name<const M: usize>(
                tile: &[u8],
                a: &Activations,
                first: usize,
                out: &mut [f32],
            ) {
                let blocks = a.k / 256;
                let zero = _mm256_setzero_si256();
                let mut fsum = [_mm256_setzero_ps(); M];
                let xq = a.qs.as_ptr();
                for b in 0..blocks {
                    // SAFETY: tiled block `b` and block `b` of each
                    // activation row are in bounds (the caller's promise).
                    unsafe {
                        let tb = tile.as_ptr().add(b * Q6K_TILE_BYTES);
                        let d = _mm256_cvtph_ps(_mm_loadu_si128(tb.cast()));
                        let offset = q6k_offsets::<M>(tb, a, first, b);
                        let mut isum = [zero; M];
                        for h in 0..2 {
                            for sixteen in 0..2 {
                                // Quarter q's scale, row r's in lane r as i32.
                                let mut scale = [zero; 4];
                                for (q, scale) in scale.iter_mut().enumerate() {
                                    let p = i8_pairs(tb.add(16 + 16 * (4 * h + q)));
                                    *scale = if sixteen == 0 {
                                        _mm256_srai_epi32::<16>(_mm256_slli_epi32::<16>(p))
                                    } else {
                                        _mm256_srai_epi32::<16>(p)
                                    };
                                }
                                let mut sums = [[zero; 4]; M];
                                for c in 4 * sixteen..4 * sixteen + 4 {
                                    let at = tb.add(144 + (8 * h + c) * 96);
                                    _mm_prefetch::<_MM_HINT_T0>(
                                        at.wrapping_add(PREFETCH_AHEAD).cast(),
                                    );
                                    _mm_prefetch::<_MM_HINT_T0>(
                                        at.wrapping_add(PREFETCH_AHEAD + 64).cast(),
                                    );
                                    let quarters = q6k_quarters(at);
                                    for (m, sums) in sums.iter_mut().enumerate() {
                                        let x =
                                            xq.add((first + m) * a.k + b * 256 + 128 * h + 4 * c);
                                        for (q, (sum, &values)) in
                                            sums.iter_mut().zip(&quarters).enumerate()
                                        {
                                            let xv = _mm256_set1_epi32(
                                                x.add(32 * q).cast::<i32>().read_unaligned(),
                                            );
                                            *sum = dot_u8_i8!($flavour, *sum, values, xv);
                                        }
                                    }
                                }
                                for (m, sums) in sums.iter().enumerate() {
                                    let i = isum.get_unchecked_mut(m);
                                    for (sum, scale) in sums.iter().zip(&scale) {
                                        *i = _mm256_add_epi32(*i, _mm256_mullo_epi32(*sum, *scale));
                                    }
                                }
                            }
                        }
                        for m in 0..M {
                            let dx =
                                _mm256_set1_ps(*a.scales.get_unchecked((first + m) * blocks + b));
                            let total = _mm256_sub_epi32(
                                *isum.get_unchecked(m),
                                _mm256_slli_epi32::<5>(*offset.get_unchecked(m)),
                            );
                            let f = fsum.get_unchecked_mut(m);
                            *f = _mm256_fmadd_ps(
                                _mm256_mul_ps(d, dx),
                                _mm256_cvtepi32_ps(total),
                                *f,
                            );
                        }
                    }
                }
                for (m, f) in fsum.iter().enumerate() {
                    // SAFETY: `out` holds `M * TILE` values (the caller's
                    // promise).
                    unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(m * TILE), *f) };
                }
            }
        };
    }

    q6k_vnni_kernel!(q6k_vnni, "avx2,fma,f16c,avxvnni", vnni);
    q6k_vnni_kernel!(q6k_vnni512, "avx2,fma,f16c,avx512vnni,avx512vl", vnni512);

    macro_rules! q8_0_kernel {
        ($name:ident, $features:literal, $flavour:ident) => {
            /// # Safety
            /// The CPU must have the features; `tile` must hold `a.k / 32`
            /// tiled Q8_0 blocks, `a` rows `first..first + M`, and `out`
            /// `M * TILE` values.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name<const M: usize>(
                tile: &[u8],
                a: &Activations,
                first: usize,
                out: &mut [f32],
            ) {
                let blocks = a.k / 32;
                let mut fsum = [_mm256_setzero_ps(); M];
                let xq = a.qs.as_ptr();
                for b in 0..blocks {
                    // SAFETY: tiled block `b` and block `b` of each
                    // activation row are in bounds (the caller's promise).
                    unsafe {
                        let tb = tile.as_ptr().add(b * Q8_0_TILE_BYTES);
                        _mm_prefetch::<_MM_HINT_T0>(tb.wrapping_add(PREFETCH_AHEAD).cast());
                        _mm_prefetch::<_MM_HINT_T0>(tb.wrapping_add(PREFETCH_AHEAD + 64).cast());
                        _mm_prefetch::<_MM_HINT_T0>(tb.wrapping_add(PREFETCH_AHEAD + 128).cast());
                        _mm_prefetch::<_MM_HINT_T0>(tb.wrapping_add(PREFETCH_AHEAD + 192).cast());
                        let d = _mm256_cvtph_ps(_mm_loadu_si128(tb.cast()));
                        // Two sums a row, so that the products do not
                        // wait on one another.
                        let mut even = [_mm256_setzero_si256(); M];
                        let mut odd = [_mm256_setzero_si256(); M];
                        for c in 0..8 {
                            let w = _mm256_loadu_si256(tb.add(16 + 32 * c).cast());
                            let magnitude = _mm256_sign_epi8(w, w);
                            for m in 0..M {
                                let x = xq.add((first + m) * a.k + b * 32 + 4 * c);
                                let xv = _mm256_set1_epi32(x.cast::<i32>().read_unaligned());
                                let sum = if c % 2 == 0 {
                                    even.get_unchecked_mut(m)
                                } else {
                                    odd.get_unchecked_mut(m)
                                };
                                // |w| times x with w's sign: u8 by i8.
                                *sum =
                                    dot_u8_i8!($flavour, *sum, magnitude, _mm256_sign_epi8(xv, w));
                            }
                        }
                        for m in 0..M {
                            let dx =
                                _mm256_set1_ps(*a.scales.get_unchecked((first + m) * blocks + b));
                            let sum =
                                _mm256_add_epi32(*even.get_unchecked(m), *odd.get_unchecked(m));
                            let f = fsum.get_unchecked_mut(m);
                            *f = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(sum), *f);
                        }
                    }
                }
                for (m, f) in fsum.iter().enumerate() {
                    // SAFETY: `out` holds `M * TILE` values (the caller's
                    // promise).
                    unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(m * TILE), *f) };
                }
            }
        };
    }

    q8_0_kernel!(q8_0_avx2, "avx2,fma,f16c", avx2);
    q8_0_kernel!(q8_0_vnni, "avx2,fma,f16c,avxvnni", vnni);
    q8_0_kernel!(q8_0_vnni512, "avx2,fma,f16c,avx512vnni,avx512vl", vnni512);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::Part;
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_core::{Device, Tensor};

    /// Each tiled kernel, in every build the CPU runs, gives the
    /// file-layout kernel's dots (integer sums are exact; only the f32
    /// accumulation order differs) for a matrix whose rows do not fill the
    /// last tile, for 1 to 9 activation rows.
    #[test]
    fn tiled_products_match_the_file_layout_kernels() -> crate::Result<()> {
        let dev = Device::Cpu;
        let (outputs, k) = (13, 768);
        for dtype in [GgmlDType::Q4K, GgmlDType::Q6K, GgmlDType::Q8_0] {
            let w = Tensor::randn(0f32, 0.5, (outputs, k), &dev)?;
            let q = QTensor::quantize(&w, dtype)?;
            let bytes = q.data()?.into_owned();
            let weight =
                QuantWeight::new(dtype, vec![Part::owned_bytes(&bytes, outputs)], None, k)?;
            let Some(mut tiled) = Tiled::new(&weight) else {
                // A CPU without AVX2 keeps the file's layout.
                assert_eq!(qkernels::build(), Build::Portable);
                return Ok(());
            };
            assert_eq!(tiled.dtype(), dtype);
            // Every vector build this CPU runs, on the same tiles.
            for &build in qkernels::runnable()
                .iter()
                .filter(|b| **b != Build::Portable)
            {
                tiled.build = build;
                check_tiles(&tiled, dtype, &bytes, outputs, k)?;
            }
        }
        Ok(())
    }

    /// `tiled`'s products against the file-layout kernel on `bytes`, for 1
    /// to 9 activation rows.
    fn check_tiles(
        tiled: &Tiled,
        dtype: GgmlDType,
        bytes: &[u8],
        outputs: usize,
        k: usize,
    ) -> crate::Result<()> {
        let dev = Device::Cpu;
        let row_bytes = bytes.len() / outputs;
        for rows in [1usize, 2, 3, 4, 5, 9] {
            let x = Tensor::randn(0f32, 1.0, (rows, k), &dev)?
                .flatten_all()?
                .to_vec1::<f32>()?;
            let (acts, kernel): (_, qkernels::Kernel) = match dtype {
                GgmlDType::Q4K => (qkernels::quantize_q8_k(&x, k), qkernels::q4k_portable),
                GgmlDType::Q6K => (qkernels::quantize_q8_k(&x, k), qkernels::q6k_portable),
                _ => (qkernels::quantize_q8_0(&x, k), qkernels::q8_0_portable),
            };
            let ready = tiled.prepare(&x);
            // Two panels of 8 outputs: `[panels][rows][8]`.
            let mut got = vec![0f32; 2 * rows * 8];
            ready.block(&mut got, 0, 8);
            for o in 0..outputs {
                let wrow = &bytes[o * row_bytes..(o + 1) * row_bytes];
                for r in 0..rows {
                    let mut want = [0f32; 1];
                    kernel(wrow, &acts, r, &mut want);
                    let have = got[(o / 8) * rows * 8 + r * 8 + o % 8];
                    let scale: f32 = (0..k).map(|i| x[r * k + i].abs()).sum::<f32>() * 0.5;
                    assert!(
                        (have - want[0]).abs() <= 1e-5 * scale,
                        "{dtype:?} {:?} output {o} row {r} of {rows}: tiled {have} vs {}",
                        tiled.build,
                        want[0]
                    );
                }
            }
        }
        Ok(())
    }
}
