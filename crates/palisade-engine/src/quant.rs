//! Weights held as GGML quantized blocks (Q4_0 … Q8_0, Q2_K … Q6_K), as
//! the GGUF files people download hold them, multiplied without ever being
//! widened to floating point in memory.
//!
//! A product `x @ w^T` quantizes each activation row once to the block type
//! the weight's dot product takes (Q8_0, Q8_1 or Q8_K: 8 bits per value and
//! a scale per block, as llama.cpp's CPU kernels do), then computes every
//! output with candle's integer dot products (`GgmlType::vec_dot_4`, with
//! AVX2 kernels chosen at run time). Each task takes a range of output rows
//! through every activation row, so a weight row is read from memory once
//! per product whatever the batch, not once per row.
//!
//! A matrix is a list of parts (the gate and up halves of a fused
//! projection are two), each a run of rows in a memory-mapped file or in
//! memory, with an optional row order (the q/k rows llama.cpp's converter
//! permuted for `llama` files): nothing is copied to fuse or reorder.

use std::sync::Arc;

use candle_core::quantized::GgmlDType;
use candle_core::quantized::k_quants::{
    BlockQ2K, BlockQ3K, BlockQ4_0, BlockQ4_1, BlockQ4K, BlockQ5_0, BlockQ5_1, BlockQ5K, BlockQ6K,
    BlockQ8_0, GgmlType,
};

use super::{EngineError, Result, qkernels};

/// Bytes every block type here is aligned to (its `f16` scales).
const BLOCK_ALIGN: usize = 2;

/// Where a part's blocks live.
#[derive(Clone)]
pub(crate) enum Store {
    /// `len` bytes at `offset` of a read-only mapped file.
    Mapped {
        map: Arc<memmap2::Mmap>,
        offset: usize,
        len: usize,
    },
    /// Blocks in memory (in-situ quantization), in `u16`s so that they are
    /// aligned for every block type (each is a whole number of them).
    Owned(Arc<Vec<u16>>),
}

impl Store {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Mapped { map, offset, len } => map
                .get(*offset..offset.saturating_add(*len))
                .unwrap_or_default(),
            Self::Owned(v) => u16_bytes(v),
        }
    }
}

/// `v`'s bytes.
fn u16_bytes(v: &[u16]) -> &[u8] {
    // SAFETY: any initialised `u16` memory is valid as twice as many bytes,
    // and `u8` needs no alignment.
    #[allow(unsafe_code)]
    unsafe {
        std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v))
    }
}

/// `v` as blocks of `T` to write (`T` is a whole number of `u16`s, aligned
/// to 2).
fn u16_blocks_mut<T: GgmlType>(v: &mut [u16]) -> Option<&mut [T]> {
    let size = std::mem::size_of::<T>();
    let bytes = std::mem::size_of_val(v);
    if size == 0 || !bytes.is_multiple_of(size) || std::mem::align_of::<T>() > 2 {
        return None;
    }
    // SAFETY: the memory is aligned for `T` (a `u16` buffer, `T` aligned to
    // at most 2) and covers exactly `bytes / size` values; every bit pattern
    // is a valid block (see `as_blocks`); the borrow is exclusive.
    #[allow(unsafe_code)]
    Some(unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<T>(), bytes / size) })
}

/// `w` (`[outputs, inputs]`, f32, row-major) quantized to blocks of `T`,
/// rows in parallel.
fn quantize_rows<T: GgmlType>(w: &[f32], outputs: usize, inputs: usize) -> Result<Matrix<T>> {
    use rayon::prelude::*;
    let per_row = inputs / T::BLCK_SIZE;
    let bytes = outputs * per_row * std::mem::size_of::<T>();
    let mut store = vec![0u16; bytes / 2];
    let blocks = u16_blocks_mut::<T>(&mut store)
        .ok_or_else(|| EngineError::Weights(format!("{:?} blocks cannot be held", T::DTYPE)))?;
    if per_row > 0 && inputs > 0 {
        blocks
            .par_chunks_mut(per_row)
            .zip(w.par_chunks(inputs))
            .for_each(|(q, x)| T::from_float(x, q));
    }
    let part = Part {
        store: Store::Owned(Arc::new(store)),
        rows: outputs,
    };
    Matrix::new(vec![part], None, inputs)
}

/// A block type to quantize checkpoint weights to as they load
/// (`model.quantization`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantization {
    /// 8 bits per value and a scale per 32: 8.5 bits.
    Q8_0,
    /// 4 bits per value in super-blocks of 256 with 6-bit scales and
    /// minimums: 4.5 bits. Rows whose width is not a multiple of 256 take
    /// Q5_0 (5.5 bits), as llama.cpp's quantizer does.
    Q4K,
}

impl Quantization {
    /// `q8_0` or `q4_k`.
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "q8_0" => Ok(Self::Q8_0),
            "q4_k" => Ok(Self::Q4K),
            other => Err(EngineError::Config(format!(
                "quantization {other:?} is not one the engine makes (q8_0, q4_k)"
            ))),
        }
    }

    /// Bytes a weight takes (the usual block type; Q5_0 rows are a little
    /// larger).
    #[must_use]
    pub fn bytes_per_weight(self) -> f64 {
        match self {
            Self::Q8_0 => 34.0 / 32.0,
            Self::Q4K => 144.0 / 256.0,
        }
    }

    /// The block type for rows of `inputs` values, if any fits.
    fn block_type(self, inputs: usize) -> Option<GgmlDType> {
        match self {
            Self::Q4K if inputs.is_multiple_of(256) => Some(GgmlDType::Q4K),
            Self::Q4K | Self::Q8_0 if !inputs.is_multiple_of(32) => None,
            Self::Q4K => Some(GgmlDType::Q5_0),
            Self::Q8_0 => Some(GgmlDType::Q8_0),
        }
    }

    /// `w` (`[outputs, inputs]`, row-major f32) quantized, or `None` when
    /// its rows are not whole blocks of any type this allows.
    pub(crate) fn quantize(
        self,
        w: &[f32],
        outputs: usize,
        inputs: usize,
    ) -> Result<Option<QuantWeight>> {
        let Some(dtype) = self.block_type(inputs) else {
            return Ok(None);
        };
        if w.len() != outputs * inputs {
            return Err(EngineError::Weights(format!(
                "{} values are no [{outputs}, {inputs}] matrix",
                w.len()
            )));
        }
        Ok(Some(match dtype {
            GgmlDType::Q4K => QuantWeight::Q4K(quantize_rows(w, outputs, inputs)?),
            GgmlDType::Q5_0 => QuantWeight::Q5_0(quantize_rows(w, outputs, inputs)?),
            _ => QuantWeight::Q8_0(quantize_rows(w, outputs, inputs)?),
        }))
    }
}

/// A run of whole rows.
#[derive(Clone)]
pub(crate) struct Part {
    pub store: Store,
    pub rows: usize,
}

#[cfg(test)]
impl Part {
    /// `rows` rows of blocks copied from `bytes`.
    pub(crate) fn owned_bytes(bytes: &[u8], rows: usize) -> Self {
        let words = bytes
            .chunks(2)
            .map(|b| u16::from_ne_bytes([b[0], b.get(1).copied().unwrap_or(0)]))
            .collect();
        Self {
            store: Store::Owned(Arc::new(words)),
            rows,
        }
    }
}

/// `bytes` as blocks of `T`, checked for size and alignment.
fn as_blocks<T: GgmlType>(bytes: &[u8]) -> Option<&[T]> {
    let size = std::mem::size_of::<T>();
    if size == 0
        || !bytes.len().is_multiple_of(size)
        || !(bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>())
    {
        return None;
    }
    // SAFETY: the pointer is aligned for `T` and the slice covers exactly
    // `len / size` values of `T`; the block types are `repr(C)` structs of
    // `f16`, `f32`, `u8`, `i8` and `i16` fields, for which every bit
    // pattern is a valid value. The bytes stay borrowed for the result's
    // lifetime.
    #[allow(unsafe_code)]
    Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) })
}

/// A quantized matrix `[outputs, inputs]` of one block type.
#[derive(Clone)]
pub(crate) struct Matrix<T> {
    parts: Vec<Part>,
    /// Row `o` of the matrix is stored row `order[o]` (of the parts, in
    /// turn), when set.
    order: Option<Arc<[u32]>>,
    outputs: usize,
    inputs: usize,
    _block: std::marker::PhantomData<T>,
}

impl<T: GgmlType> Matrix<T> {
    fn new(parts: Vec<Part>, order: Option<Arc<[u32]>>, inputs: usize) -> Result<Self> {
        let bad = |why: String| EngineError::Weights(format!("quantized weight: {why}"));
        if !inputs.is_multiple_of(T::BLCK_SIZE) {
            return Err(bad(format!(
                "rows of {inputs} values are not whole {:?} blocks of {}",
                T::DTYPE,
                T::BLCK_SIZE
            )));
        }
        let row_bytes = inputs / T::BLCK_SIZE * std::mem::size_of::<T>();
        for part in &parts {
            let bytes = part.store.bytes();
            if bytes.len() != part.rows * row_bytes {
                return Err(bad(format!(
                    "{} bytes hold no {} rows of {row_bytes} bytes",
                    bytes.len(),
                    part.rows
                )));
            }
            if as_blocks::<T>(bytes).is_none() {
                return Err(bad(format!(
                    "{:?} blocks not aligned to {BLOCK_ALIGN} bytes",
                    T::DTYPE
                )));
            }
        }
        let outputs = parts.iter().map(|p| p.rows).sum();
        if let Some(order) = &order
            && (order.len() != outputs || order.iter().any(|&r| r as usize >= outputs))
        {
            return Err(bad("a row order that is not a permutation".into()));
        }
        Ok(Self {
            parts,
            order,
            outputs,
            inputs,
            _block: std::marker::PhantomData,
        })
    }

    fn blocks_per_row(&self) -> usize {
        self.inputs / T::BLCK_SIZE
    }

    /// The blocks of every part, in order.
    fn part_blocks(&self) -> Vec<(&[T], usize)> {
        self.parts
            .iter()
            .map(|p| (as_blocks::<T>(p.store.bytes()).unwrap_or_default(), p.rows))
            .collect()
    }

    /// Output row `o`'s blocks.
    fn row<'a>(&self, parts: &[(&'a [T], usize)], o: usize) -> &'a [T] {
        let mut r = self
            .order
            .as_ref()
            .and_then(|order| order.get(o))
            .map_or(o, |&r| r as usize);
        let per_row = self.blocks_per_row();
        for &(blocks, rows) in parts {
            if r < rows {
                return blocks
                    .get(r * per_row..(r + 1) * per_row)
                    .unwrap_or_default();
            }
            r -= rows;
        }
        &[]
    }

    /// Output row `o`'s bytes, among the parts' bytes `parts`.
    fn row_bytes<'a>(&self, parts: &[(&'a [u8], usize)], o: usize) -> &'a [u8] {
        let mut r = self
            .order
            .as_ref()
            .and_then(|order| order.get(o))
            .map_or(o, |&r| r as usize);
        let size = self.blocks_per_row() * std::mem::size_of::<T>();
        for &(bytes, rows) in parts {
            if r < rows {
                return bytes.get(r * size..(r + 1) * size).unwrap_or_default();
            }
            r -= rows;
        }
        &[]
    }

    /// Outputs from panel `first` on (`[panels][rows][panel]` in `out`),
    /// each weight row through [`qkernels::ROWS`] activation rows at a time
    /// by `kernel`.
    fn block_with(
        &self,
        out: &mut [f32],
        x: &qkernels::Activations,
        first: usize,
        panel: usize,
        kernel: qkernels::Kernel,
    ) {
        let rows = x.rows();
        let parts: Vec<(&[u8], usize)> = self
            .parts
            .iter()
            .map(|p| (p.store.bytes(), p.rows))
            .collect();
        let mut dots = [0f32; qkernels::ROWS];
        for (p, out) in out.chunks_mut(rows * panel).enumerate() {
            let start = (first + p) * panel;
            for o in start..(start + panel).min(self.outputs) {
                let w = self.row_bytes(&parts, o);
                for r in (0..rows).step_by(qkernels::ROWS) {
                    let n = (rows - r).min(qkernels::ROWS);
                    let dots = dots.get_mut(..n).unwrap_or_default();
                    kernel(w, x, r, dots);
                    for (j, d) in dots.iter().enumerate() {
                        if let Some(slot) = out.get_mut((r + j) * panel + (o - start)) {
                            *slot = *d;
                        }
                    }
                }
            }
        }
    }

    /// `x` (`[rows, inputs]`) quantized for the dot products.
    fn prepare(&self, x: &[f32], rows: usize) -> Vec<T::VecDotType> {
        let per_row = self.blocks_per_row();
        let mut q = vec![T::VecDotType::zeros(); rows * per_row];
        if per_row > 0 {
            for (xs, qs) in x.chunks(self.inputs).zip(q.chunks_mut(per_row)) {
                T::VecDotType::from_float(xs, qs);
            }
        }
        q
    }

    /// Outputs `first..first + out.len() / rows / panel` rounded to panels
    /// of `panel` outputs, written as `[panels][rows][panel]`.
    fn block(&self, out: &mut [f32], x: &[T::VecDotType], rows: usize, first: usize, panel: usize) {
        let parts = self.part_blocks();
        let per_row = self.blocks_per_row();
        let k = self.inputs;
        // candle's Q4_1, Q5_0 and Q5_1 dot products are its portable loop
        // behind a debug assertion of an even block count, which rows in
        // llama.cpp's files need not have (96 values are 3 blocks): call
        // the loop itself.
        let portable = matches!(
            T::DTYPE,
            GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1
        );
        for (p, out) in out.chunks_mut(rows * panel).enumerate() {
            let start = (first + p) * panel;
            let end = (start + panel).min(self.outputs);
            let mut o = start;
            while o < end {
                let n = (end - o).min(4);
                let w: [&[T]; 4] =
                    std::array::from_fn(|j| self.row(&parts, o + j.min(n.saturating_sub(1))));
                for (r, xs) in x.chunks(per_row.max(1)).enumerate().take(rows) {
                    let d = if n == 4 && !portable {
                        let (a, b, c, d) = T::vec_dot_4(k, w[0], w[1], w[2], w[3], xs);
                        [a, b, c, d]
                    } else {
                        std::array::from_fn(|j| match w.get(j) {
                            Some(wj) if j < n && portable => T::vec_dot_unopt(k, wj, xs),
                            Some(wj) if j < n => T::vec_dot(k, wj, xs),
                            _ => 0.0,
                        })
                    };
                    let base = r * panel + (o - start);
                    if let Some(slots) = out.get_mut(base..base + n) {
                        slots.copy_from_slice(d.get(..n).unwrap_or_default());
                    }
                }
                o += n;
            }
        }
    }

    /// Row `o` dequantized into `out` (`inputs` values).
    fn dequantize_row(&self, o: usize, out: &mut [f32]) {
        let parts = self.part_blocks();
        T::to_float(self.row(&parts, o), out);
    }
}

/// A quantized weight `[outputs, inputs]` of any block type.
#[derive(Clone)]
pub(crate) enum QuantWeight {
    Q4_0(Matrix<BlockQ4_0>),
    Q4_1(Matrix<BlockQ4_1>),
    Q5_0(Matrix<BlockQ5_0>),
    Q5_1(Matrix<BlockQ5_1>),
    Q8_0(Matrix<BlockQ8_0>),
    Q2K(Matrix<BlockQ2K>),
    Q3K(Matrix<BlockQ3K>),
    Q4K(Matrix<BlockQ4K>),
    Q5K(Matrix<BlockQ5K>),
    Q6K(Matrix<BlockQ6K>),
}

/// `$body` with `$m` bound to the matrix of whatever type `$w` holds.
macro_rules! each {
    ($w:expr, $m:ident => $body:expr) => {
        match $w {
            QuantWeight::Q4_0($m) => $body,
            QuantWeight::Q4_1($m) => $body,
            QuantWeight::Q5_0($m) => $body,
            QuantWeight::Q5_1($m) => $body,
            QuantWeight::Q8_0($m) => $body,
            QuantWeight::Q2K($m) => $body,
            QuantWeight::Q3K($m) => $body,
            QuantWeight::Q4K($m) => $body,
            QuantWeight::Q5K($m) => $body,
            QuantWeight::Q6K($m) => $body,
        }
    };
}

impl std::fmt::Debug for QuantWeight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantWeight")
            .field("dtype", &self.dtype())
            .field("outputs", &self.outputs())
            .field("inputs", &self.inputs())
            .finish()
    }
}

/// Whether the engine multiplies `dtype` as quantized blocks.
#[must_use]
pub fn multiplies(dtype: GgmlDType) -> bool {
    use GgmlDType as G;
    matches!(
        dtype,
        G::Q4_0
            | G::Q4_1
            | G::Q5_0
            | G::Q5_1
            | G::Q8_0
            | G::Q2K
            | G::Q3K
            | G::Q4K
            | G::Q5K
            | G::Q6K
    )
}

impl QuantWeight {
    /// The rows of `parts` (each whole rows of `inputs` values of `dtype`),
    /// in order, or in `order` when given.
    pub(crate) fn new(
        dtype: GgmlDType,
        parts: Vec<Part>,
        order: Option<Arc<[u32]>>,
        inputs: usize,
    ) -> Result<Self> {
        use GgmlDType as G;
        Ok(match dtype {
            G::Q4_0 => Self::Q4_0(Matrix::new(parts, order, inputs)?),
            G::Q4_1 => Self::Q4_1(Matrix::new(parts, order, inputs)?),
            G::Q5_0 => Self::Q5_0(Matrix::new(parts, order, inputs)?),
            G::Q5_1 => Self::Q5_1(Matrix::new(parts, order, inputs)?),
            G::Q8_0 => Self::Q8_0(Matrix::new(parts, order, inputs)?),
            G::Q2K => Self::Q2K(Matrix::new(parts, order, inputs)?),
            G::Q3K => Self::Q3K(Matrix::new(parts, order, inputs)?),
            G::Q4K => Self::Q4K(Matrix::new(parts, order, inputs)?),
            G::Q5K => Self::Q5K(Matrix::new(parts, order, inputs)?),
            G::Q6K => Self::Q6K(Matrix::new(parts, order, inputs)?),
            other => {
                return Err(EngineError::Weights(format!(
                    "{other:?} weights are not multiplied as quantized blocks"
                )));
            }
        })
    }

    /// The rows of `weights` one after another, when all are of one block
    /// type and width and none reorders its rows.
    pub(crate) fn concat(weights: Vec<Self>) -> Result<Option<Self>> {
        let Some(first) = weights.first() else {
            return Ok(None);
        };
        let (dtype, inputs) = (first.dtype(), first.inputs());
        let reordered = weights.iter().any(|w| each!(w, m => m.order.is_some()));
        let mut parts = Vec::new();
        let mut order: Vec<u32> = Vec::new();
        for w in weights {
            if w.dtype() != dtype || w.inputs() != inputs {
                return Ok(None);
            }
            let base = order.len() as u32;
            let (p, own, rows) = each!(w, m => (m.parts, m.order, m.outputs));
            if reordered {
                match own {
                    Some(own) => order.extend(own.iter().map(|r| base + r)),
                    None => order.extend((0..rows as u32).map(|r| base + r)),
                }
            }
            parts.extend(p);
        }
        let order = reordered.then(|| Arc::from(order));
        Self::new(dtype, parts, order, inputs).map(Some)
    }

    /// The block type.
    pub(crate) fn dtype(&self) -> GgmlDType {
        fn of<T: GgmlType>(_: &Matrix<T>) -> GgmlDType {
            T::DTYPE
        }
        each!(self, m => of(m))
    }

    pub(crate) fn outputs(&self) -> usize {
        each!(self, m => m.outputs)
    }

    pub(crate) fn inputs(&self) -> usize {
        each!(self, m => m.inputs)
    }

    /// Bytes of blocks (what the weight costs in memory once touched).
    pub(crate) fn bytes(&self) -> usize {
        each!(self, m => m.parts.iter().map(|p| p.store.bytes().len()).sum())
    }

    /// `x` (`[rows, inputs]`, f32) quantized for this weight's products:
    /// Q8_0, Q4_K and Q6_K weights take Palisade's kernels ([`qkernels`]),
    /// the other types candle's.
    pub(crate) fn prepare<'a>(&'a self, x: &[f32], rows: usize) -> Box<dyn Prepared + 'a> {
        match self {
            Self::Q8_0(m) => {
                return Box::new(Ours {
                    weight: Kernel::Q8_0(m),
                    x: qkernels::quantize_q8_0(x, m.inputs),
                });
            }
            Self::Q4K(m) => {
                return Box::new(Ours {
                    weight: Kernel::Q4K(m),
                    x: qkernels::quantize_q8_k(x, m.inputs),
                });
            }
            Self::Q6K(m) => {
                return Box::new(Ours {
                    weight: Kernel::Q6K(m),
                    x: qkernels::quantize_q8_k(x, m.inputs),
                });
            }
            _ => {}
        }

        fn boxed<'a, T: GgmlType>(
            m: &'a Matrix<T>,
            x: &[f32],
            rows: usize,
        ) -> Box<dyn Prepared + 'a>
        where
            T::VecDotType: Sync,
        {
            Box::new(Activations {
                matrix: m,
                x: m.prepare(x, rows),
                rows,
            })
        }
        each!(self, m => boxed(m, x, rows))
    }

    /// Tells the kernel that this weight's mapped pages will not be read
    /// again (its blocks were copied into tiles), so that they leave the
    /// process's resident memory instead of doubling it; they stay in the
    /// page cache, and a later read, if any, maps them again.
    pub(crate) fn release_mapped_pages(&self) {
        #[cfg(unix)]
        each!(self, m => {
            for part in &m.parts {
                if let Store::Mapped { map, offset, len } = &part.store {
                    // SAFETY: the map is a read-only file mapping, so
                    // dropping its pages loses nothing: they are read
                    // from the file again if touched, with the same bytes.
                    #[allow(unsafe_code)]
                    let _ = unsafe {
                        map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, *offset, *len)
                    };
                }
            }
        });
    }

    /// Every output row's blocks as the file lays them out, in order.
    pub(crate) fn rows_bytes(&self) -> Vec<&[u8]> {
        each!(self, m => {
            let parts: Vec<(&[u8], usize)> =
                m.parts.iter().map(|p| (p.store.bytes(), p.rows)).collect();
            (0..m.outputs).map(|o| m.row_bytes(&parts, o)).collect()
        })
    }

    /// Row `o` as f32 (an embedding lookup), into `out` (`inputs` values).
    pub(crate) fn dequantize_row(&self, o: usize, out: &mut [f32]) {
        each!(self, m => m.dequantize_row(o, out))
    }
}

/// Activations quantized for one weight, ready for its products.
pub(crate) trait Prepared: Sync {
    /// Outputs from panel `first` on, `panel` outputs per panel, written
    /// `[panels][rows][panel]` into `out`.
    fn block(&self, out: &mut [f32], first: usize, panel: usize);
}

/// A weight of a block type with a kernel of ours.
enum Kernel<'a> {
    Q8_0(&'a Matrix<BlockQ8_0>),
    Q4K(&'a Matrix<BlockQ4K>),
    Q6K(&'a Matrix<BlockQ6K>),
}

/// Activations quantized for one of our kernels.
struct Ours<'a> {
    weight: Kernel<'a>,
    x: qkernels::Activations,
}

impl Prepared for Ours<'_> {
    fn block(&self, out: &mut [f32], first: usize, panel: usize) {
        match self.weight {
            Kernel::Q8_0(m) => m.block_with(out, &self.x, first, panel, qkernels::q8_0),
            Kernel::Q4K(m) => m.block_with(out, &self.x, first, panel, qkernels::q4k),
            Kernel::Q6K(m) => m.block_with(out, &self.x, first, panel, qkernels::q6k),
        }
    }
}

struct Activations<'a, T: GgmlType> {
    matrix: &'a Matrix<T>,
    x: Vec<T::VecDotType>,
    rows: usize,
}

impl<T: GgmlType> Prepared for Activations<'_, T>
where
    T::VecDotType: Sync,
{
    fn block(&self, out: &mut [f32], first: usize, panel: usize) {
        self.matrix.block(out, &self.x, self.rows, first, panel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::QTensor;
    use candle_core::{Device, Tensor};

    /// `rows` rows of `q`'s blocks, copied.
    fn owned(q: &QTensor, rows: usize) -> Part {
        Part::owned_bytes(&q.data().unwrap_or_default(), rows)
    }

    /// In-situ quantization gives llama.cpp's (candle's) blocks bit for bit.
    #[test]
    fn in_situ_quantization_makes_the_reference_blocks() -> Result<()> {
        let dev = Device::Cpu;
        for (q, inputs, dtype) in [
            (Quantization::Q8_0, 96, GgmlDType::Q8_0),
            (Quantization::Q4K, 512, GgmlDType::Q4K),
            (Quantization::Q4K, 96, GgmlDType::Q5_0),
        ] {
            let w = Tensor::randn(0f32, 1.0, (7, inputs), &dev)?;
            let ours = q
                .quantize(&w.flatten_all()?.to_vec1()?, 7, inputs)?
                .ok_or_else(|| EngineError::Weights("not quantized".into()))?;
            assert_eq!(ours.dtype(), dtype);
            let theirs = QTensor::quantize(&w, dtype)?;
            let bytes = each!(&ours, m => m.parts[0].store.bytes().to_vec());
            assert_eq!(bytes, theirs.data()?.into_owned(), "{dtype:?}");
        }
        assert!(Quantization::Q8_0.quantize(&[0.0; 40], 2, 20)?.is_none());
        assert!(Quantization::parse("q3_k").is_err());
        Ok(())
    }

    /// Our products give candle's own quantized matmul's bits for the
    /// block types multiplied with candle's kernels, and the same values
    /// (up to the order of f32 sums, and activations rounded half to even
    /// as llama.cpp does) for those with ours (Q8_0, Q4_K), for batches of
    /// 1, 3 and 16 rows (16 is four passes of our four-row kernel).
    #[test]
    fn quantized_products_match_candles_matmul() -> Result<()> {
        let dev = Device::Cpu;
        let (out, inp) = (53, 512);
        for dtype in [
            GgmlDType::Q8_0,
            GgmlDType::Q4K,
            GgmlDType::Q6K,
            GgmlDType::Q5_0,
        ] {
            let w = Tensor::randn(0f32, 1.0, (out, inp), &dev)?;
            let q = QTensor::quantize(&w, dtype)?;
            let weight = QuantWeight::new(dtype, vec![owned(&q, out)], None, inp)?;
            let qm = candle_core::quantized::QMatMul::from_qtensor(q)?;
            for rows in [1usize, 3, 16] {
                let x = Tensor::randn(0f32, 1.0, (rows, inp), &dev)?;
                let want = candle_core::Module::forward(&qm, &x)?.to_vec2::<f32>()?;
                let xs = x.flatten_all()?.to_vec1::<f32>()?;
                let prepared = weight.prepare(&xs, rows);
                let panel = 8;
                let panels = out.div_ceil(panel);
                let mut got = vec![0f32; panels * rows * panel];
                prepared.block(&mut got, 0, panel);
                let ours = matches!(dtype, GgmlDType::Q8_0 | GgmlDType::Q4K | GgmlDType::Q6K);
                let wd = QTensor::quantize(&w, dtype)?
                    .dequantize(&dev)?
                    .to_vec2::<f32>()?;
                let xv = x.to_vec2::<f32>()?;
                for (r, want) in want.iter().enumerate() {
                    for (o, &v) in want.iter().enumerate() {
                        let g = got[(o / panel) * rows * panel + r * panel + o % panel];
                        if ours {
                            let scale: f32 =
                                wd[o].iter().zip(&xv[r]).map(|(a, b)| (a * b).abs()).sum();
                            assert!(
                                (g - v).abs() <= 1e-3 * scale,
                                "{dtype:?} rows {rows} ({r}, {o}): {g} vs {v}"
                            );
                        } else {
                            assert_eq!(
                                g.to_bits(),
                                v.to_bits(),
                                "{dtype:?} rows {rows} ({r}, {o})"
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn fused_and_reordered_rows_read_the_right_blocks() -> Result<()> {
        let dev = Device::Cpu;
        let inp = 64;
        let a = Tensor::randn(0f32, 1.0, (4, inp), &dev)?;
        let b = Tensor::randn(0f32, 1.0, (2, inp), &dev)?;
        let (qa, qb) = (
            QTensor::quantize(&a, GgmlDType::Q8_0)?,
            QTensor::quantize(&b, GgmlDType::Q8_0)?,
        );
        let parts = vec![owned(&qa, 4), owned(&qb, 2)];
        let order: Arc<[u32]> = Arc::from(vec![5u32, 0, 4, 1, 3, 2]);
        let w = QuantWeight::new(GgmlDType::Q8_0, parts, Some(order.clone()), inp)?;
        let all =
            Tensor::cat(&[qa.dequantize(&dev)?, qb.dequantize(&dev)?], 0)?.to_vec2::<f32>()?;
        let mut row = vec![0f32; inp];
        for (o, &r) in order.iter().enumerate() {
            w.dequantize_row(o, &mut row);
            assert_eq!(row, all[r as usize]);
        }
        let bad = QuantWeight::new(
            GgmlDType::Q8_0,
            vec![owned(&qa, 4)],
            Some(Arc::from(vec![0u32, 1, 2, 9])),
            inp,
        );
        assert!(bad.is_err());
        Ok(())
    }
}
