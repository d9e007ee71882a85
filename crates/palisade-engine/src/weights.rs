//! Safetensors weights, memory-mapped: one `model.safetensors` or the
//! shards a `model.safetensors.index.json` names. Tensors are read only when
//! a model asks for them by name, so vision tensors of a multimodal
//! checkpoint are never touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candle_core::safetensors::{Load, MmapedSafetensors};
use candle_core::{DType, Device, Tensor};

use super::panels::PackedWeight;
use super::quant::{QuantWeight, Quantization};
use super::{EngineError, Result};

/// Where the tensors come from.
enum Files {
    /// Safetensors files, memory-mapped.
    Safetensors(MmapedSafetensors),
    /// One GGUF file, dequantized as tensors are loaded.
    Gguf(crate::gguf::GgufFile),
}

/// The weights of a model directory (or a GGUF file).
pub struct Weights {
    files: Files,
    prefix: String,
    dtype: DType,
    device: Device,
    /// Whether quantized tensors (GGUF) stay quantized blocks, multiplied
    /// as such, rather than dequantized to `dtype`.
    keep_quantized: bool,
    /// In-situ quantization of floating-point weights as they load, and
    /// whether it covers attention and the LM head (else only the
    /// feed-forward and expert weights).
    in_situ: Option<(Quantization, bool)>,
    /// Weights handed out as quantized blocks so far.
    quantized_handed: std::sync::atomic::AtomicUsize,
    /// Shard files, for messages.
    sources: Vec<PathBuf>,
}

impl std::fmt::Debug for Weights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Weights")
            .field("sources", &self.sources)
            .field("prefix", &self.prefix)
            .field("dtype", &self.dtype)
            .finish_non_exhaustive()
    }
}

/// A token embedding table.
#[derive(Debug, Clone)]
pub(crate) enum Embedding {
    Dense(Tensor),
    Quantized(QuantWeight),
}

impl Embedding {
    /// The rows of `ids`, f32 `[ids, hidden]` on `device`.
    pub(crate) fn lookup(&self, ids: &[u32], device: &Device) -> Result<Tensor> {
        match self {
            Self::Dense(table) => {
                let ids = Tensor::new(ids, table.device())?;
                Ok(table.index_select(&ids, 0)?.to_dtype(DType::F32)?)
            }
            Self::Quantized(q) => {
                let (vocabulary, hidden) = (q.outputs(), q.inputs());
                let mut out = vec![0f32; ids.len() * hidden];
                for (&id, row) in ids.iter().zip(out.chunks_mut(hidden.max(1))) {
                    if id as usize >= vocabulary {
                        return Err(EngineError::Request(format!(
                            "token id {id} is outside the vocabulary of {vocabulary}"
                        )));
                    }
                    q.dequantize_row(id as usize, row);
                }
                Ok(Tensor::from_vec(out, (ids.len(), hidden), device)?)
            }
        }
    }

    /// The table as the LM head's weight (tied embeddings).
    pub(crate) fn as_linear(&self) -> Result<PackedWeight> {
        match self {
            Self::Dense(table) => PackedWeight::new(table),
            Self::Quantized(q) => Ok(PackedWeight::quantized(q.clone())),
        }
    }
}

/// The digest that identifies a model's weights (a license names it):
/// `sha256:<hex>` of the lines `<file name>\n<hex SHA-256 of the file>\n`
/// for each weights file, in name order. It reads every byte once
/// (about a second per GB here); `palisade model inspect` prints it.
pub fn digest(dir: &Path) -> Result<String> {
    use std::io::Read;
    let mut files = weight_files(dir)?;
    files.sort();
    let mut all = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; 1 << 20];
    for path in files {
        let io = |source| EngineError::Io {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::File::open(&path).map_err(io)?;
        let mut one = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            one.update(buf.get(..n).unwrap_or_default());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        all.update(name.as_bytes());
        all.update(b"\n");
        all.update(hex::encode(one.finish().as_ref()).as_bytes());
        all.update(b"\n");
    }
    Ok(format!("sha256:{}", hex::encode(all.finish().as_ref())))
}

/// The weight files of a model directory: `model.safetensors`, or the
/// shards of `model.safetensors.index.json`, each checked to exist; or a
/// GGUF file itself.
pub fn weight_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if crate::gguf::is_gguf(dir) && dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let index = dir.join("model.safetensors.index.json");
    if index.is_file() {
        let text = std::fs::read_to_string(&index).map_err(|source| EngineError::Io {
            path: index.clone(),
            source,
        })?;
        let parsed: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| EngineError::Json {
                path: index.clone(),
                message: e.to_string(),
            })?;
        let map = parsed
            .get("weight_map")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| EngineError::Json {
                path: index.clone(),
                message: "missing object `weight_map`".into(),
            })?;
        // Shard name -> one tensor it should hold, for the message.
        let mut shards: BTreeMap<&str, &str> = BTreeMap::new();
        for (tensor, file) in map {
            let file = file.as_str().ok_or_else(|| EngineError::Json {
                path: index.clone(),
                message: format!("`weight_map.{tensor}` must be a file name"),
            })?;
            if file.contains('/') || file.contains("..") {
                return Err(EngineError::Weights(format!(
                    "{}: shard name {file:?} (for tensor {tensor}) must be a plain file name",
                    index.display()
                )));
            }
            shards.entry(file).or_insert(tensor);
        }
        let mut files = Vec::with_capacity(shards.len());
        for (file, tensor) in shards {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(EngineError::Weights(format!(
                    "{} names shard {file} (holding {tensor}), which is missing",
                    index.display()
                )));
            }
            files.push(path);
        }
        return Ok(files);
    }
    let single = dir.join("model.safetensors");
    if single.is_file() {
        return Ok(vec![single]);
    }
    Err(EngineError::Weights(format!(
        "{}: no model.safetensors and no model.safetensors.index.json",
        dir.display()
    )))
}

impl Weights {
    /// Maps the weight files of `dir`. Tensors come out in `dtype` on
    /// `device`, named relative to `prefix`.
    pub fn open(dir: &Path, prefix: &str, dtype: DType, device: &Device) -> Result<Self> {
        let sources = weight_files(dir)?;
        // SAFETY: the files are mapped read-only. A mapping is undefined
        // behaviour only if another process truncates or rewrites the file
        // while it is mapped; model directories are read-only inputs that
        // the operator does not modify under a running daemon (the systemd
        // unit mounts them read-only), and every tensor is copied out of the
        // mapping as it is loaded.
        #[allow(unsafe_code)]
        let files = unsafe { MmapedSafetensors::multi(&sources) }
            .map_err(|e| EngineError::Weights(format!("cannot read safetensors weights: {e}")))?;
        Ok(Self {
            files: Files::Safetensors(files),
            prefix: prefix.to_owned(),
            dtype,
            device: device.clone(),
            keep_quantized: false,
            in_situ: None,
            quantized_handed: std::sync::atomic::AtomicUsize::new(0),
            sources,
        })
    }

    /// The tensors of a GGUF file. With `keep_quantized` (on the CPU), the
    /// matrices the file holds quantized stay its blocks, mapped from the
    /// file; every other tensor is dequantized and converted to `dtype` on
    /// `device` as it is loaded.
    #[must_use]
    pub fn from_gguf(
        file: crate::gguf::GgufFile,
        dtype: DType,
        device: &Device,
        keep_quantized: bool,
    ) -> Self {
        let sources = vec![file.path().to_path_buf()];
        Self {
            files: Files::Gguf(file),
            prefix: String::new(),
            dtype,
            keep_quantized: keep_quantized && device.is_cpu(),
            in_situ: None,
            quantized_handed: std::sync::atomic::AtomicUsize::new(0),
            device: device.clone(),
            sources,
        }
    }

    /// Quantizes floating-point weights to `quantization` as they load
    /// (on the CPU): the feed-forward and expert weights, and with
    /// `attention` the attention projections, the LM head and the token
    /// embedding too (as llama.cpp's quantizer does); never the routers or
    /// norms.
    #[must_use]
    pub fn quantized_in_situ(mut self, quantization: Quantization, attention: bool) -> Self {
        self.in_situ = Some((quantization, attention));
        self
    }

    /// The quantization `name` takes as it loads, if any.
    fn in_situ_for(&self, name: &str) -> Option<Quantization> {
        let (quantization, attention) = self.in_situ?;
        let router = name.ends_with("router.weight") || name.ends_with(".gate.weight");
        let outside_ffn = name.contains(".self_attn.")
            || name.ends_with("lm_head.weight")
            || name.ends_with("embed_tokens.weight");
        (self.device.is_cpu() && !router && (attention || !outside_ffn)).then_some(quantization)
    }

    /// `t` (`[out, in]`, loaded for `name`) as the products hold it:
    /// quantized in situ when that applies to `name`, else packed.
    pub(crate) fn pack(&self, name: &str, t: &Tensor) -> Result<PackedWeight> {
        if let Some(q) = self.in_situ_for(name) {
            let (outputs, inputs) = t.dims2()?;
            let values = t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
            if let Some(q) = q.quantize(&values, outputs, inputs)? {
                self.quantized_handed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(PackedWeight::quantized(q));
            }
        }
        PackedWeight::new(t)
    }

    /// `name` as quantized blocks, when they stay so and the file holds
    /// them so, checked to be `[outputs, inputs]`.
    fn quantized(&self, name: &str, outputs: usize, inputs: usize) -> Result<Option<QuantWeight>> {
        let Files::Gguf(file) = &self.files else {
            return Ok(None);
        };
        if !self.keep_quantized {
            return Ok(None);
        }
        match file.quantized(name)? {
            Some(q) if (q.outputs(), q.inputs()) != (outputs, inputs) => {
                Err(EngineError::Weights(format!(
                    "{}: the tensor for {name} has shape [{}, {}], expected [{outputs}, {inputs}]",
                    file.path().display(),
                    q.outputs(),
                    q.inputs()
                )))
            }
            Some(q) => {
                self.quantized_handed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(Some(q))
            }
            None => Ok(None),
        }
    }

    /// Whether any weight was handed out as quantized blocks.
    #[must_use]
    pub fn handed_quantized(&self) -> bool {
        self.quantized_handed
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    }

    /// The linear weight `name` (`[outputs, inputs]`) as the products hold
    /// it: the file's quantized blocks, or packed from the tensor.
    pub fn linear(&self, name: &str, outputs: usize, inputs: usize) -> Result<PackedWeight> {
        match self.quantized(name, outputs, inputs)? {
            Some(q) => Ok(PackedWeight::quantized(q)),
            None => self.pack(name, &self.get(name, &[outputs, inputs])?),
        }
    }

    /// As [`Self::fused`], but weights the file holds quantized in
    /// different block types (a Q4_K_M file's q and k in Q4_K, v in Q6_K)
    /// stay quantized as separate parts, one after another, rather than
    /// being dequantized to be fused.
    pub fn fused_parts(&self, names: &[(&str, usize)], inputs: usize) -> Result<Vec<PackedWeight>> {
        let mut blocks = Vec::with_capacity(names.len());
        for &(name, outputs) in names {
            match self.quantized(name, outputs, inputs)? {
                Some(q) => blocks.push(PackedWeight::quantized(q)),
                None => break,
            }
        }
        let one_type = blocks.windows(2).all(|pair| match pair {
            [a, b] => a.block_type() == b.block_type(),
            _ => true,
        });
        if blocks.len() == names.len() && !one_type {
            return Ok(blocks);
        }
        Ok(vec![self.fused(names, inputs)?])
    }

    /// The linear weights `names` (`[outputs, inputs]` each, `outputs`
    /// per name) with their rows one after another (gate and up, or q, k
    /// and v, fused): their quantized blocks side by side when all are of
    /// one block type, otherwise packed from the concatenated tensors.
    pub fn fused(&self, names: &[(&str, usize)], inputs: usize) -> Result<PackedWeight> {
        let mut blocks = Vec::with_capacity(names.len());
        for &(name, outputs) in names {
            match self.quantized(name, outputs, inputs)? {
                Some(q) => blocks.push(q),
                None => break,
            }
        }
        if blocks.len() == names.len()
            && let Some(q) = QuantWeight::concat(blocks)?
        {
            return Ok(PackedWeight::quantized(q));
        }
        let tensors = names
            .iter()
            .map(|&(n, outputs)| self.get(n, &[outputs, inputs]))
            .collect::<Result<Vec<_>>>()?;
        let first = names.first().map_or("", |(n, _)| n);
        self.pack(first, &Tensor::cat(&tensors, 0)?)
    }

    /// The token embedding `name` (`[vocabulary, hidden]`): the file's
    /// quantized blocks (rows dequantized as they are looked up), or the
    /// tensor.
    pub(crate) fn embedding(
        &self,
        name: &str,
        vocabulary: usize,
        hidden: usize,
    ) -> Result<Embedding> {
        if let Some(q) = self.quantized(name, vocabulary, hidden)? {
            return Ok(Embedding::Quantized(q));
        }
        let table = self.get(name, &[vocabulary, hidden])?;
        if let Some(q) = self.in_situ_for(name) {
            let values = table
                .to_dtype(DType::F32)?
                .flatten_all()?
                .to_vec1::<f32>()?;
            if let Some(q) = q.quantize(&values, vocabulary, hidden)? {
                return Ok(Embedding::Quantized(q));
            }
        }
        Ok(Embedding::Dense(table))
    }

    /// The dtype tensors are converted to.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The device tensors are loaded onto.
    #[must_use]
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Whether `name` (relative to the prefix) is present.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        match &self.files {
            Files::Safetensors(files) => files.get(&format!("{}{name}", self.prefix)).is_ok(),
            Files::Gguf(file) => file.has(name),
        }
    }

    /// Loads `name` (relative to the prefix), checking its shape.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let files = match &self.files {
            Files::Safetensors(files) => files,
            Files::Gguf(file) => {
                let tensor = file.tensor(name)?;
                if tensor.dims() != shape {
                    return Err(EngineError::Weights(format!(
                        "{}: the tensor for {name} has shape {:?}, expected {shape:?}",
                        file.path().display(),
                        tensor.dims()
                    )));
                }
                return Ok(tensor.to_dtype(self.dtype)?.to_device(&self.device)?);
            }
        };
        let full = format!("{}{name}", self.prefix);
        let view = files.get(&full).map_err(|_| {
            EngineError::Weights(format!("tensor {full} is missing from the weights"))
        })?;
        if view.shape() != shape {
            return Err(EngineError::Weights(format!(
                "tensor {full} has shape {:?}, expected {shape:?}",
                view.shape()
            )));
        }
        use safetensors::Dtype as S;
        if !matches!(view.dtype(), S::F32 | S::F16 | S::BF16 | S::F64) {
            return Err(EngineError::Weights(format!(
                "tensor {full} is stored as {:?}; floating-point weights (F32, BF16, F16) are expected",
                view.dtype()
            )));
        }
        let tensor = view
            .load(&self.device)
            .map_err(|e| EngineError::Weights(format!("tensor {full}: {e}")))?;
        Ok(tensor.to_dtype(self.dtype)?)
    }
}
