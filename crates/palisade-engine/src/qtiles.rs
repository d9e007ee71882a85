//! Quantized weights re-laid at load as tiles of [`TILE`] rows, so that
//! one 256-bit vector holds four consecutive values of eight output rows
//! and the integer dot products produce eight outputs per instruction,
//! with no horizontal sums (llama.cpp repacks Q4_K the same way for its
//! AVX2 kernels; the layout and the kernels here are our own).
//!
//! The file's layout ([`crate::qkernels`]) keeps one row's blocks
//! together: a dot product of one row and one activation row sums 32 bytes
//! at a time into one vector and adds its lanes at the end, and the 6-bit
//! scales are unpacked per row. Tiled, a block of eight rows' 256 values is
//! 1,184 bytes (the file's 8 x 144 = 1,152, plus 32 for unpacked scales):
//!
//! | bytes | what |
//! |---|---|
//! | 0..16 | `d` of rows 0-7 (f16) |
//! | 16..32 | `dmin` of rows 0-7 (f16) |
//! | 32..96 | scales, `[sub-block 0-7][row 0-7]` (u8) |
//! | 96..160 | minimums, `[sub-block pair 0-3][row 0-7][2]` (u8) |
//! | 160..1184 | nibbles, `[group 0-3][chunk 0-7][row 0-7][4 bytes]` |
//!
//! Byte `i` of chunk `c` of group `g` of a row is the file's byte
//! `32g + 4c + i` of that row's nibbles: its low nibble is value
//! `64g + 4c + i` (sub-block `2g`), its high nibble value `64g + 32 + 4c + i`
//! (sub-block `2g + 1`). Rows past the matrix's last are zeros (`d` = 0).
//!
//! Only CPUs with AVX2 (and FMA, F16C) tile; others keep the file's layout
//! and [`crate::qkernels`]. `PALISADE_NO_TILES` keeps the file's layout
//! too, for A/B measurement.

use rayon::prelude::*;

use crate::qkernels::{self, Activations, Build, Q4K_BYTES};
use crate::quant::{Prepared, QuantWeight};

/// Rows a tile holds.
pub(crate) const TILE: usize = 8;

/// Bytes of one tiled Q4_K block (eight rows' 256 values).
const Q4K_TILE_BYTES: usize = 1184;

/// Activation rows one pass of a tile takes.
const PASS_ROWS: usize = 4;

/// A Q4_K matrix as tiles of [`TILE`] rows.
#[derive(Debug)]
pub(crate) struct Tiled {
    bytes: Vec<u8>,
    outputs: usize,
    inputs: usize,
}

impl Tiled {
    /// `w` tiled, when its block type has a tiled kernel the CPU runs.
    pub(crate) fn new(w: &QuantWeight) -> Option<Self> {
        if qkernels::build() == Build::Portable
            || std::env::var_os("PALISADE_NO_TILES").is_some()
            || w.dtype() != candle_core::quantized::GgmlDType::Q4K
        {
            return None;
        }
        let (outputs, inputs) = (w.outputs(), w.inputs());
        let rows = w.rows_bytes();
        let blocks = inputs / 256;
        if rows.iter().any(|r| r.len() != blocks * Q4K_BYTES) {
            return None;
        }
        let tiles = outputs.div_ceil(TILE);
        let mut bytes = vec![0u8; tiles * blocks * Q4K_TILE_BYTES];
        if blocks > 0 {
            bytes
                .par_chunks_mut(blocks * Q4K_TILE_BYTES)
                .enumerate()
                .for_each(|(t, tile)| {
                    let rows = rows.get(t * TILE..).unwrap_or_default();
                    for (r, row) in rows.iter().take(TILE).enumerate() {
                        for (b, block) in row.chunks_exact(Q4K_BYTES).enumerate() {
                            let at = b * Q4K_TILE_BYTES;
                            if let Some(tb) = tile.get_mut(at..at + Q4K_TILE_BYTES) {
                                tile_q4k_block(tb, r, block);
                            }
                        }
                    }
                });
        }
        Some(Self {
            bytes,
            outputs,
            inputs,
        })
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes.len()
    }

    /// `x` (`[rows, inputs]`, f32) quantized for the tiles' products.
    pub(crate) fn prepare<'a>(&'a self, x: &[f32]) -> Box<dyn Prepared + 'a> {
        Box::new(Ready {
            tiled: self,
            x: qkernels::quantize_q8_k(x, self.inputs),
        })
    }
}

/// Row `r`'s Q4_K block `block` (the file's 144 bytes) into tile block `tb`.
fn tile_q4k_block(tb: &mut [u8], r: usize, block: &[u8]) {
    let byte = |i: usize| block.get(i).copied().unwrap_or(0);
    let mut put = |at: usize, v: u8| {
        if let Some(slot) = tb.get_mut(at) {
            *slot = v;
        }
    };
    for i in 0..2 {
        put(2 * r + i, byte(i));
        put(16 + 2 * r + i, byte(2 + i));
    }
    let mut packed = [0u8; 12];
    for (i, p) in packed.iter_mut().enumerate() {
        *p = byte(4 + i);
    }
    let (scales, mins) = qkernels::q4k_scales(&packed);
    for j in 0..8 {
        put(32 + 8 * j + r, scales[j]);
        put(96 + 16 * (j / 2) + 2 * r + j % 2, mins[j]);
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
        let (outputs, blocks) = (self.tiled.outputs, self.tiled.inputs / 256);
        let rows = self.x.rows();
        let tile_bytes = blocks * Q4K_TILE_BYTES;
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
                    q4k(tile, &self.x, r, n, &mut dots);
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
/// [`PASS_ROWS`]), as `[row][TILE]` in `out`.
fn q4k(tile: &[u8], a: &Activations, first: usize, n: usize, out: &mut [f32]) {
    let blocks = a.k / 256;
    let fits = tile.len() == blocks * Q4K_TILE_BYTES
        && first + n <= a.rows()
        && out.len() >= n * TILE
        && a.pairs.len() == a.rows() * blocks * 4;
    #[cfg(target_arch = "x86_64")]
    if fits && qkernels::build() != Build::Portable {
        // SAFETY: the CPU has AVX2, FMA and F16C (`build`), and the tile,
        // activation and output lengths were checked above.
        #[allow(unsafe_code)]
        unsafe {
            match n {
                1 => x86::q4k::<1>(tile, a, first, out),
                2 => x86::q4k::<2>(tile, a, first, out),
                3 => x86::q4k::<3>(tile, a, first, out),
                _ => x86::q4k::<4>(tile, a, first, out),
            }
        }
        return;
    }
    // Tiles are only made where the vector build runs (`Tiled::new`).
    let _ = fits;
    out.fill(0.0);
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Activations, Q4K_TILE_BYTES, TILE};

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

    /// # Safety
    /// The CPU must have AVX2, FMA and F16C; `tile` must hold `a.k / 256`
    /// tiled blocks, `a` rows `first..first + M` with their minimum pairs,
    /// and `out` `M * TILE` values.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn q4k<const M: usize>(
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
            // SAFETY: tiled block `b` and block `b` of each activation row
            // are in bounds (the caller's promise).
            unsafe {
                let tb = tile.as_ptr().add(b * Q4K_TILE_BYTES);
                let d = _mm256_cvtph_ps(_mm_loadu_si128(tb.cast()));
                let dmin = _mm256_cvtph_ps(_mm_loadu_si128(tb.add(16).cast()));
                // Σ minimum × activation sum, per row: pairs of sub-blocks
                // as i16 pairs.
                let mut msum = [zero; M];
                for p in 0..4 {
                    let mins = _mm256_cvtepu8_epi16(_mm_loadu_si128(tb.add(96 + 16 * p).cast()));
                    for (m, msum) in msum.iter_mut().enumerate() {
                        let pair = *a.pairs.get_unchecked(((first + m) * blocks + b) * 4 + p);
                        *msum = _mm256_add_epi32(
                            *msum,
                            _mm256_madd_epi16(mins, _mm256_set1_epi32(pair)),
                        );
                    }
                }
                let mut isum = [zero; M];
                for g in 0..4 {
                    let scale_lo = scales(tb.add(32 + 16 * g));
                    let scale_hi = scales(tb.add(40 + 16 * g));
                    let mut lo_sum = [zero; M];
                    let mut hi_sum = [zero; M];
                    for c in 0..8 {
                        let at = tb.add(160 + (8 * g + c) * 32);
                        if c % 2 == 0 {
                            _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(PREFETCH_AHEAD).cast());
                        }
                        let v = _mm256_loadu_si256(at.cast());
                        let lo = _mm256_and_si256(v, nibble);
                        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
                        for m in 0..M {
                            let x = xq.add((first + m) * a.k + b * 256 + 64 * g + 4 * c);
                            let xl = _mm256_set1_epi32(x.cast::<i32>().read_unaligned());
                            let xh = _mm256_set1_epi32(x.add(32).cast::<i32>().read_unaligned());
                            // Four nibble-value products per row, in i16
                            // pairs: 8 chunks of at most 2 * 15 * 127 fit.
                            let l = lo_sum.get_unchecked_mut(m);
                            *l = _mm256_add_epi16(*l, _mm256_maddubs_epi16(lo, xl));
                            let h = hi_sum.get_unchecked_mut(m);
                            *h = _mm256_add_epi16(*h, _mm256_maddubs_epi16(hi, xh));
                        }
                    }
                    for m in 0..M {
                        let i = isum.get_unchecked_mut(m);
                        *i = _mm256_add_epi32(
                            *i,
                            _mm256_add_epi32(
                                _mm256_madd_epi16(*lo_sum.get_unchecked(m), scale_lo),
                                _mm256_madd_epi16(*hi_sum.get_unchecked(m), scale_hi),
                            ),
                        );
                    }
                }
                for m in 0..M {
                    let dx = _mm256_set1_ps(*a.scales.get_unchecked((first + m) * blocks + b));
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
            // SAFETY: `out` holds `M * TILE` values (the caller's promise).
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(m * TILE), *f) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::Part;
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_core::{Device, Tensor};

    /// The tiled kernel gives the file-layout kernel's dots (integer sums
    /// are exact; only the f32 accumulation order differs) for a matrix
    /// whose rows do not fill the last tile, for 1 to 9 activation rows.
    #[test]
    fn tiled_q4k_products_match_the_file_layout_kernel() -> crate::Result<()> {
        let dev = Device::Cpu;
        let (outputs, k) = (13, 768);
        let w = Tensor::randn(0f32, 0.5, (outputs, k), &dev)?;
        let q = QTensor::quantize(&w, GgmlDType::Q4K)?;
        let bytes = q.data()?.into_owned();
        let weight = QuantWeight::new(
            GgmlDType::Q4K,
            vec![Part::owned_bytes(&bytes, outputs)],
            None,
            k,
        )?;
        let Some(tiled) = Tiled::new(&weight) else {
            // A CPU without AVX2 keeps the file's layout.
            assert_eq!(qkernels::build(), Build::Portable);
            return Ok(());
        };
        let row_bytes = bytes.len() / outputs;
        for rows in [1usize, 2, 3, 4, 5, 9] {
            let x = Tensor::randn(0f32, 1.0, (rows, k), &dev)?
                .flatten_all()?
                .to_vec1::<f32>()?;
            let acts = qkernels::quantize_q8_k(&x, k);
            let ready = tiled.prepare(&x);
            // Two panels of 8 outputs: `[panels][rows][8]`.
            let mut got = vec![0f32; 2 * rows * 8];
            ready.block(&mut got, 0, 8);
            for o in 0..outputs {
                let wrow = &bytes[o * row_bytes..(o + 1) * row_bytes];
                for r in 0..rows {
                    let mut want = [0f32; 1];
                    qkernels::q4k_portable(wrow, &acts, r, &mut want);
                    let have = got[(o / 8) * rows * 8 + r * 8 + o % 8];
                    let scale: f32 = (0..k).map(|i| x[r * k + i].abs()).sum::<f32>() * 0.5;
                    assert!(
                        (have - want[0]).abs() <= 1e-5 * scale,
                        "output {o} row {r} of {rows}: tiled {have} vs {}",
                        want[0]
                    );
                }
            }
        }
        Ok(())
    }
}
