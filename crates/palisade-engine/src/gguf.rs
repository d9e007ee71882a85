//! GGUF files, llama.cpp's container, as they are published for Llama 4,
//! Mixtral and Qwen3-MoE: what a file holds (architecture,
//! hyperparameters, tensor types and sizes), read from its header with
//! candle's `gguf_file` reader before any weight is touched. Serving from
//! GGUF weights is not in this release; this is what `palisade model
//! inspect` shows and what a configured `.gguf` path is refused with.

use std::collections::BTreeMap;
use std::path::Path;

use candle_core::quantized::gguf_file::{Content, Value};

use super::{EngineError, Result};

/// The architectures (GGUF `general.architecture`) Palisade's engine has
/// models for; `llama` only with experts (Mixtral).
pub const ARCHITECTURES: [&str; 3] = ["llama4", "qwen3moe", "llama"];

/// Tensors of one type in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeShare {
    /// How many tensors.
    pub tensors: usize,
    /// Their bytes in the file.
    pub bytes: u64,
}

/// What a GGUF file holds.
#[derive(Debug, Clone)]
pub struct GgufSummary {
    /// `general.architecture`.
    pub architecture: String,
    /// `general.name`, when given.
    pub name: Option<String>,
    /// The hyperparameters Palisade reads, by key without the architecture
    /// prefix (`block_count`, `expert_count`, ...), as written.
    pub hyperparameters: BTreeMap<String, String>,
    /// Vocabulary size (`tokenizer.ggml.tokens`), when the file has one.
    pub vocabulary: Option<usize>,
    /// Whether the file carries a chat template.
    pub chat_template: bool,
    /// Tensors by type name (`Q4K`, `F32`, ...).
    pub types: BTreeMap<String, TypeShare>,
    /// Parameters in all tensors.
    pub parameters: u64,
    /// Bytes of tensor data.
    pub data_bytes: u64,
    /// `split.no` and `split.count` of a split set.
    pub split: Option<(u64, u64)>,
}

impl GgufSummary {
    /// Why the engine has no model for this file's architecture, if it
    /// has none.
    #[must_use]
    pub fn unsupported(&self) -> Option<String> {
        let experts = self
            .hyperparameters
            .get("expert_count")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        match self.architecture.as_str() {
            "llama4" | "qwen3moe" => None,
            "llama" if experts > 0 => None,
            "llama" => Some("a `llama` file without experts is a dense model; Palisade serves mixture-of-experts models".to_owned()),
            other => Some(format!(
                "architecture {other:?} is not one Palisade serves (llama4, qwen3moe, llama with experts)"
            )),
        }
    }
}

/// The hyperparameter keys shown, after the `ARCH.` prefix.
const KEYS: [&str; 10] = [
    "block_count",
    "embedding_length",
    "attention.head_count",
    "attention.head_count_kv",
    "feed_forward_length",
    "expert_feed_forward_length",
    "expert_count",
    "expert_used_count",
    "context_length",
    "rope.freq_base",
];

/// Reads what the GGUF file at `path` holds, checking that every tensor's
/// data lies within the file (a truncated download is named as such).
pub fn inspect(path: &Path) -> Result<GgufSummary> {
    let bad = |why: String| EngineError::Weights(format!("{}: {why}", path.display()));
    let mut file = std::fs::File::open(path).map_err(|e| bad(format!("cannot open: {e}")))?;
    let len = file
        .metadata()
        .map_err(|e| bad(format!("cannot read: {e}")))?
        .len();
    let content =
        Content::read(&mut file).map_err(|e| bad(format!("not a readable GGUF file: {e}")))?;
    let text = |key: &str| {
        content
            .metadata
            .get(key)
            .and_then(|v| v.to_string().ok())
            .cloned()
    };
    let architecture = text("general.architecture")
        .ok_or_else(|| bad("no general.architecture in the metadata".to_owned()))?;
    let mut hyperparameters = BTreeMap::new();
    for key in KEYS {
        if let Some(v) = content.metadata.get(&format!("{architecture}.{key}")) {
            hyperparameters.insert(key.to_owned(), shown(v));
        }
    }
    let mut types: BTreeMap<String, TypeShare> = BTreeMap::new();
    let (mut parameters, mut data_bytes) = (0u64, 0u64);
    for (name, info) in &content.tensor_infos {
        let elements = info.shape.elem_count();
        let block = info.ggml_dtype.block_size();
        if elements % block != 0 {
            return Err(bad(format!(
                "tensor {name}: {elements} values are not whole blocks of {block} for {:?}",
                info.ggml_dtype
            )));
        }
        let bytes = (elements / block * info.ggml_dtype.type_size()) as u64;
        let end = content.tensor_data_offset + info.offset + bytes;
        if end > len {
            return Err(bad(format!(
                "truncated: tensor {name} ends at byte {end}, but the file has {len} bytes"
            )));
        }
        let share = types.entry(format!("{:?}", info.ggml_dtype)).or_default();
        share.tensors += 1;
        share.bytes += bytes;
        parameters += elements as u64;
        data_bytes += bytes;
    }
    let number = |key: &str| content.metadata.get(key).and_then(as_u64);
    Ok(GgufSummary {
        name: text("general.name"),
        vocabulary: content
            .metadata
            .get("tokenizer.ggml.tokens")
            .and_then(|v| v.to_vec().ok())
            .map(Vec::len),
        chat_template: content.metadata.contains_key("tokenizer.chat_template"),
        split: number("split.no").zip(number("split.count")),
        architecture,
        hyperparameters,
        types,
        parameters,
        data_bytes,
    })
}

/// Whether `path` names a GGUF file (by its extension).
#[must_use]
pub fn is_gguf(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gguf"))
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::U8(x) => Some(u64::from(*x)),
        Value::U16(x) => Some(u64::from(*x)),
        Value::U32(x) => Some(u64::from(*x)),
        Value::U64(x) => Some(*x),
        Value::I32(x) => u64::try_from(*x).ok(),
        Value::I64(x) => u64::try_from(*x).ok(),
        _ => None,
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::F32(x) => x.to_string(),
        Value::F64(x) => x.to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        other => as_u64(other).map_or_else(|| format!("{other:?}"), |n| n.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/gguf")
            .join(name)
    }

    fn counts(s: &GgufSummary) -> Vec<(&str, usize)> {
        s.types
            .iter()
            .map(|(k, v)| (k.as_str(), v.tensors))
            .collect()
    }

    #[test]
    fn the_fixtures_hold_what_llama_cpp_wrote() {
        // The tensor types of the fixtures' README, as llama-quantize wrote them.
        let k = inspect(&fixture("llama4-k256/q4_k_m.gguf")).unwrap();
        assert_eq!(k.architecture, "llama4");
        assert_eq!(counts(&k), vec![("F32", 11), ("Q4K", 27), ("Q6K", 6)]);
        assert_eq!(k.hyperparameters["embedding_length"], "256");
        assert_eq!(k.hyperparameters["expert_count"], "4");
        assert_eq!(k.vocabulary, Some(384));
        assert!(k.chat_template);
        assert!(k.unsupported().is_none());
        let m = inspect(&fixture("mixtral-tiny/q8_0.gguf")).unwrap();
        assert_eq!(m.architecture, "llama");
        assert_eq!(counts(&m), vec![("F16", 3), ("F32", 10), ("Q8_0", 20)]);
        assert!(m.unsupported().is_none(), "llama with experts is Mixtral");
        // Q8_0 stores 32 values in 34 bytes; the shares add up to the data.
        assert_eq!(m.types["Q8_0"].bytes % 34, 0);
        assert_eq!(m.data_bytes, m.types.values().map(|t| t.bytes).sum::<u64>());
        assert!(m.parameters > 0);
    }

    #[test]
    fn a_truncated_or_foreign_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let whole = std::fs::read(fixture("llama4-k256/q4_k_m.gguf")).unwrap();
        let cut = dir.path().join("cut.gguf");
        std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
        let e = inspect(&cut).unwrap_err().to_string();
        assert!(e.contains("cut.gguf") && e.contains("truncated"), "{e}");
        let head = dir.path().join("head.gguf");
        std::fs::write(&head, &whole[..64]).unwrap();
        let e = inspect(&head).unwrap_err().to_string();
        assert!(e.contains("head.gguf") && e.contains("GGUF"), "{e}");
        let foreign = dir.path().join("model.gguf");
        std::fs::write(&foreign, b"PK\x03\x04 not a gguf at all").unwrap();
        let e = inspect(&foreign).unwrap_err().to_string();
        assert!(e.contains("not a readable GGUF file"), "{e}");
    }
}
