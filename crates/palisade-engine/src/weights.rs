//! Safetensors weights, memory-mapped: one `model.safetensors` or the
//! shards a `model.safetensors.index.json` names. Tensors are read only when
//! a model asks for them by name, so vision tensors of a multimodal
//! checkpoint are never touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candle_core::safetensors::{Load, MmapedSafetensors};
use candle_core::{DType, Device, Tensor};

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
/// shards of `model.safetensors.index.json`, each checked to exist.
pub fn weight_files(dir: &Path) -> Result<Vec<PathBuf>> {
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
            sources,
        })
    }

    /// The tensors of a GGUF file, dequantized and converted to `dtype` on
    /// `device` as they are loaded.
    #[must_use]
    pub fn from_gguf(file: crate::gguf::GgufFile, dtype: DType, device: &Device) -> Self {
        let sources = vec![file.path().to_path_buf()];
        Self {
            files: Files::Gguf(file),
            prefix: String::new(),
            dtype,
            device: device.clone(),
            sources,
        }
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
