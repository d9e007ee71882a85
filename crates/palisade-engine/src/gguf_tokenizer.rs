//! The tokenizer and chat template a GGUF file carries in its metadata
//! (`tokenizer.ggml.*`, `tokenizer.chat_template`), as a [`TextTokenizer`].
//!
//! The file holds the vocabulary, not the Hugging Face `tokenizer.json` it
//! was converted from, so that file is rebuilt from what the names mean in
//! llama.cpp (`src/llama-vocab.cpp`, the reference for every name here):
//! `gpt2` is a byte-level BPE whose text is first split by the regex its
//! `tokenizer.ggml.pre` names; `llama` is a SentencePiece vocabulary, run
//! as `transformers`' `LlamaTokenizerFast` runs it (a BPE with byte
//! fallback whose merges come from the pieces' scores, spaces as `▁`). The
//! `tokenizers` crate then encodes exactly as for a model directory, and
//! [`TextTokenizer::from_parts`] checks and finishes both alike.
//!
//! The tokens that end a generation are llama.cpp's: the file's EOS, EOT
//! and EOM ids, and the tokens whose text llama.cpp takes as one
//! (`<|eot_id|>`, `<|im_end|>`, ...), since converters write only one EOS.

use std::collections::HashMap;
use std::fmt::Display;
use std::path::Path;

use candle_core::quantized::gguf_file::Value;
use serde_json::{Value as Json, json};

use crate::gguf::GgufFile;
use crate::tokenizer::{ChatTemplate, TextTokenizer, TokenizerParts, present};
use crate::{EngineError, Result};

const MODEL_KEY: &str = "tokenizer.ggml.model";
const PRE_KEY: &str = "tokenizer.ggml.pre";
const TOKENS_KEY: &str = "tokenizer.ggml.tokens";
const TYPES_KEY: &str = "tokenizer.ggml.token_type";
const MERGES_KEY: &str = "tokenizer.ggml.merges";
const SCORES_KEY: &str = "tokenizer.ggml.scores";
const TEMPLATE_KEY: &str = "tokenizer.chat_template";

/// The tokenizer models (`tokenizer.ggml.model`) Palisade rebuilds.
const MODELS: [&str; 2] = ["gpt2", "llama"];

/// The pre-tokenizer names (`tokenizer.ggml.pre`) of byte-level BPE
/// vocabularies Palisade knows, and how each splits text. A file without
/// the key, or with `default`, is split as GPT-2 splits.
const PRE_TOKENIZERS: [(&str, Split); 7] = [
    ("gpt-2", Split::Gpt2),
    ("default", Split::Gpt2),
    ("llama-bpe", Split::Llama3),
    ("llama3", Split::Llama3),
    ("llama-v3", Split::Llama3),
    ("llama4", Split::Llama4),
    ("qwen2", Split::Qwen2),
];

/// Llama 3's split, as its `tokenizer.json` writes it.
const LLAMA3_REGEX: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Llama 4's split (GPT-4o's): words split before capitals, contractions
/// kept with their word, slashes kept with punctuation.
const LLAMA4_REGEX: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Qwen2's split: Llama 3's with single digits.
const QWEN2_REGEX: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Token texts llama.cpp takes as ending a generation whatever the file's
/// EOS (those of the families Palisade serves and their kin).
const END_OF_GENERATION: [&str; 8] = [
    "<|eot_id|>",
    "<|eom_id|>",
    "<|end_of_text|>",
    "<|im_end|>",
    "<|endoftext|>",
    "<end_of_turn>",
    "<EOT>",
    "</s>",
];

/// `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
const TYPE_UNKNOWN: i64 = 2;
const TYPE_CONTROL: i64 = 3;
const TYPE_USER_DEFINED: i64 = 4;

/// How a byte-level BPE vocabulary splits text before merging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Gpt2,
    Llama3,
    Llama4,
    Qwen2,
}

/// The kind of tokenizer a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `gpt2`: byte-level BPE with its merges.
    ByteLevel(Split),
    /// `llama`: SentencePiece pieces with scores, byte fallback.
    SentencePiece,
}

/// Loads the tokenizer and chat template of the open GGUF `file`, for a
/// model whose embedding has `vocab_size` rows.
pub fn load(file: &GgufFile, vocab_size: usize) -> Result<TextTokenizer> {
    from_metadata(file.metadata(), file.path(), vocab_size)
}

/// Builds the tokenizer that the GGUF metadata `metadata`, read from the
/// file at `path` (named in errors), defines, for a model whose embedding
/// has `vocab_size` rows.
///
/// An unknown `tokenizer.ggml.model` or `tokenizer.ggml.pre` is an error
/// naming the key and its value; so is a missing or mistyped key.
pub fn from_metadata(
    metadata: &HashMap<String, Value>,
    path: &Path,
    vocab_size: usize,
) -> Result<TextTokenizer> {
    let meta = Meta {
        map: metadata,
        path,
    };
    let kind = kind(&meta)?;
    let vocab = vocabulary(&meta)?;
    let specials = specials(&meta, kind, &vocab)?;
    let definition = tokenizer_json(&meta, kind, &vocab, &specials)?;
    let tokenizer: tokenizers::Tokenizer = serde_json::from_value(definition)
        .map_err(|e| meta.error(format!("cannot build the tokenizer: {e}")))?;
    let text = |id: Option<u32>| id.and_then(|id| vocab.token(id)).map(str::to_owned);
    TextTokenizer::from_parts(
        TokenizerParts {
            tokenizer,
            origin: format!("{} ({TOKENS_KEY})", path.display()),
            bos_token: text(specials.bos),
            eos_token: text(specials.eos),
            bos_token_id: specials.bos,
            add_bos_token: specials.add_bos,
            stop_token_ids: specials.stop,
            chat_template: chat_template(&meta)?,
            template_origin: format!("{} ({TEMPLATE_KEY})", path.display()),
        },
        vocab_size,
    )
}

/// The metadata with the file it came from, for errors that name both.
struct Meta<'a> {
    map: &'a HashMap<String, Value>,
    path: &'a Path,
}

impl Meta<'_> {
    fn error(&self, message: impl Display) -> EngineError {
        EngineError::Tokenizer(format!("{}: {message}", self.path.display()))
    }

    fn missing(&self, key: &str) -> EngineError {
        self.error(format!("no `{key}` in the GGUF metadata"))
    }

    fn mistyped(&self, key: &str, wanted: &str, value: &Value) -> EngineError {
        self.error(format!(
            "{key} must be {wanted}, not {:?}",
            value.value_type()
        ))
    }

    fn string(&self, key: &str) -> Result<Option<&str>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.mistyped(key, "a string", other)),
        }
    }

    fn flag(&self, key: &str) -> Result<Option<bool>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.mistyped(key, "true or false", other)),
        }
    }

    /// A token id key, which must name a token of the vocabulary.
    fn id(&self, key: &str, vocab: &Vocab) -> Result<Option<u32>> {
        let Some(value) = self.map.get(key) else {
            return Ok(None);
        };
        let id = integer(value)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.mistyped(key, "a token id", value))?;
        if vocab.token(id).is_none() {
            return Err(self.error(format!(
                "{key} {id} is not a token id (the vocabulary has {} tokens)",
                vocab.tokens.len()
            )));
        }
        Ok(Some(id))
    }

    fn array(&self, key: &str) -> Result<Option<&[Value]>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.mistyped(key, "an array", other)),
        }
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<&str>>> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.as_str()),
                other => Err(self.mistyped(key, "an array of strings", other)),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    fn numbers<T>(
        &self,
        key: &str,
        wanted: &str,
        each: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<Vec<T>>> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| each(v).ok_or_else(|| self.mistyped(key, wanted, v)))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::U8(x) => Some(i64::from(*x)),
        Value::I8(x) => Some(i64::from(*x)),
        Value::U16(x) => Some(i64::from(*x)),
        Value::I16(x) => Some(i64::from(*x)),
        Value::U32(x) => Some(i64::from(*x)),
        Value::I32(x) => Some(i64::from(*x)),
        Value::U64(x) => i64::try_from(*x).ok(),
        Value::I64(x) => Some(*x),
        _ => None,
    }
}

/// What `tokenizer.ggml.model` and `tokenizer.ggml.pre` name.
fn kind(meta: &Meta<'_>) -> Result<Kind> {
    let model = meta
        .string(MODEL_KEY)?
        .ok_or_else(|| meta.missing(MODEL_KEY))?;
    match model {
        // llama.cpp has no pre-tokenizer for SentencePiece and ignores the key.
        "llama" => Ok(Kind::SentencePiece),
        "gpt2" => {
            let pre = meta.string(PRE_KEY)?.unwrap_or("default");
            PRE_TOKENIZERS
                .iter()
                .find(|(name, _)| *name == pre)
                .map(|&(_, split)| Kind::ByteLevel(split))
                .ok_or_else(|| {
                    let known: Vec<&str> = PRE_TOKENIZERS.iter().map(|(name, _)| *name).collect();
                    meta.error(format!(
                        "{PRE_KEY} {pre:?} is not a pre-tokenizer Palisade knows (known: {})",
                        known.join(", ")
                    ))
                })
        }
        other => Err(meta.error(format!(
            "{MODEL_KEY} {other:?} is not a tokenizer Palisade knows (known: {})",
            MODELS.join(", ")
        ))),
    }
}

/// The file's tokens, by id, with their types.
struct Vocab {
    tokens: Vec<String>,
    /// `tokenizer.ggml.token_type` per token; 1 (normal) without the key.
    types: Vec<i64>,
}

impl Vocab {
    fn token(&self, id: u32) -> Option<&str> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.tokens.get(i))
            .map(String::as_str)
    }

    fn token_type(&self, id: usize) -> i64 {
        self.types.get(id).copied().unwrap_or(1)
    }
}

fn vocabulary(meta: &Meta<'_>) -> Result<Vocab> {
    let raw = meta
        .strings(TOKENS_KEY)?
        .ok_or_else(|| meta.missing(TOKENS_KEY))?;
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(raw.len());
    let mut tokens = Vec::with_capacity(raw.len());
    for (id, &token) in raw.iter().enumerate() {
        if let Some(first) = seen.insert(token, id) {
            return Err(meta.error(format!(
                "{TOKENS_KEY} holds {token:?} twice (ids {first} and {id})"
            )));
        }
        // As llama.cpp does: an empty token could never be told apart.
        tokens.push(if token.is_empty() {
            format!("[EMPTY_{id}]")
        } else {
            token.to_owned()
        });
    }
    let types = meta
        .numbers(TYPES_KEY, "an array of integers", integer)?
        .unwrap_or_default();
    if !types.is_empty() && types.len() < tokens.len() {
        return Err(meta.error(format!(
            "{TYPES_KEY} has {} entries for {} tokens",
            types.len(),
            tokens.len()
        )));
    }
    Ok(Vocab { tokens, types })
}

/// The special tokens and what encoding adds.
struct Specials {
    bos: Option<u32>,
    eos: Option<u32>,
    unk: Option<u32>,
    add_bos: bool,
    add_eos: bool,
    /// Ascending, without duplicates.
    stop: Vec<u32>,
}

fn specials(meta: &Meta<'_>, kind: Kind, vocab: &Vocab) -> Result<Specials> {
    let id = |key: &str| meta.id(&format!("tokenizer.ggml.{key}"), vocab);
    // Without the keys, llama.cpp takes SentencePiece's usual ids.
    let default = |id: u32| match kind {
        Kind::SentencePiece => vocab.token(id).map(|_| id),
        Kind::ByteLevel(_) => None,
    };
    let bos = id("bos_token_id")?.or_else(|| default(1));
    let eos = id("eos_token_id")?.or_else(|| default(2));
    let unk = id("unknown_token_id")?.or_else(|| default(0));
    let add_bos = meta
        .flag("tokenizer.ggml.add_bos_token")?
        .unwrap_or(matches!(
            kind,
            Kind::SentencePiece | Kind::ByteLevel(Split::Llama3)
        ));
    let add_eos = meta.flag("tokenizer.ggml.add_eos_token")?.unwrap_or(false);
    for (adds, token, key) in [(add_bos, bos, "bos"), (add_eos, eos, "eos")] {
        if adds && token.is_none() {
            return Err(meta.error(format!(
                "tokenizer.ggml.add_{key}_token is true but there is no \
                 tokenizer.ggml.{key}_token_id"
            )));
        }
    }
    let mut stop: Vec<u32> = [eos, id("eot_token_id")?, id("eom_token_id")?]
        .into_iter()
        .flatten()
        .collect();
    for (i, token) in vocab.tokens.iter().enumerate() {
        if END_OF_GENERATION.contains(&token.as_str())
            && let Ok(i) = u32::try_from(i)
        {
            stop.push(i);
        }
    }
    stop.sort_unstable();
    stop.dedup();
    Ok(Specials {
        bos,
        eos,
        unk,
        add_bos,
        add_eos,
        stop,
    })
}

/// The Hugging Face `tokenizer.json` the metadata stands for.
fn tokenizer_json(meta: &Meta<'_>, kind: Kind, vocab: &Vocab, specials: &Specials) -> Result<Json> {
    let stages = match kind {
        Kind::ByteLevel(split) => byte_level(meta, split, vocab)?,
        Kind::SentencePiece => sentencepiece(meta, vocab, specials)?,
    };
    Ok(json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added_tokens(vocab),
        "normalizer": stages.normalizer,
        "pre_tokenizer": stages.pre_tokenizer,
        "post_processor": eos_appender(vocab, specials),
        "decoder": stages.decoder,
        "model": stages.model,
    }))
}

/// The stages of a `tokenizer.json` that differ by kind.
struct Stages {
    normalizer: Json,
    pre_tokenizer: Json,
    decoder: Json,
    model: Json,
}

/// The vocabulary as a BPE model's `vocab`: token to id.
fn vocab_json(vocab: &Vocab) -> serde_json::Map<String, Json> {
    vocab
        .tokens
        .iter()
        .enumerate()
        .map(|(id, token)| (token.clone(), json!(id)))
        .collect()
}

/// A byte-level BPE as the family's `tokenizer.json` has it.
fn byte_level(meta: &Meta<'_>, split: Split, vocab: &Vocab) -> Result<Stages> {
    let regex = match split {
        Split::Gpt2 => None,
        Split::Llama3 => Some(LLAMA3_REGEX),
        Split::Llama4 => Some(LLAMA4_REGEX),
        Split::Qwen2 => Some(QWEN2_REGEX),
    };
    let pre_tokenizer = match regex {
        // GPT-2's regex is the byte-level pre-tokenizer's own.
        None => json!({
            "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
            "use_regex": true,
        }),
        Some(regex) => json!({"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": false},
            {
                "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                "use_regex": false,
            },
        ]}),
    };
    Ok(Stages {
        // Qwen's tokenizers compose text (NFC) before splitting it.
        normalizer: if split == Split::Qwen2 {
            json!({"type": "NFC"})
        } else {
            Json::Null
        },
        pre_tokenizer,
        decoder: json!({
            "type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true,
            "use_regex": true,
        }),
        model: json!({
            "type": "BPE", "dropout": null, "unk_token": null,
            "continuing_subword_prefix": null, "end_of_word_suffix": null,
            "fuse_unk": false, "byte_fallback": false,
            // llama.cpp looks whole words up first for Llama 3, as its
            // `tokenizer.json` asks.
            "ignore_merges": split == Split::Llama3,
            "vocab": vocab_json(vocab), "merges": byte_level_merges(meta)?,
        }),
    })
}

/// A SentencePiece vocabulary as `transformers`' `LlamaTokenizerFast` runs
/// it (and as llama.cpp does): spaces become `▁`, one is put before the
/// text and after every special token unless
/// `tokenizer.ggml.add_space_prefix` is false, pieces merge by score, and
/// characters without a piece fall back to their UTF-8 byte tokens.
fn sentencepiece(meta: &Meta<'_>, vocab: &Vocab, specials: &Specials) -> Result<Stages> {
    let scores = meta
        .numbers(SCORES_KEY, "an array of numbers", |v| match v {
            Value::F32(x) => Some(*x),
            // llama.cpp takes integer scores as well.
            other => integer(other).map(|n| n as f32),
        })?
        .ok_or_else(|| meta.missing(SCORES_KEY))?;
    if scores.len() < vocab.tokens.len() {
        return Err(meta.error(format!(
            "{SCORES_KEY} has {} entries for {} tokens",
            scores.len(),
            vocab.tokens.len()
        )));
    }
    let merges: Vec<Json> = sentencepiece_merges(&vocab.tokens, &scores)
        .into_iter()
        .map(|(l, r)| json!([l, r]))
        .collect();
    let prefix_space = meta
        .flag("tokenizer.ggml.add_space_prefix")?
        .unwrap_or(true);
    let mut normalizers = Vec::new();
    let mut decoders = vec![
        json!({"type": "Replace", "pattern": {"String": "▁"}, "content": " "}),
        json!({"type": "ByteFallback"}),
        json!({"type": "Fuse"}),
    ];
    if prefix_space {
        normalizers.push(json!({"type": "Prepend", "prepend": "▁"}));
        decoders.push(json!({"type": "Strip", "content": " ", "start": 1, "stop": 0}));
    }
    normalizers.push(json!({"type": "Replace", "pattern": {"String": " "}, "content": "▁"}));
    let unk = specials.unk.and_then(|id| vocab.token(id));
    Ok(Stages {
        normalizer: json!({"type": "Sequence", "normalizers": normalizers}),
        pre_tokenizer: Json::Null,
        decoder: json!({"type": "Sequence", "decoders": decoders}),
        model: json!({
            "type": "BPE", "dropout": null, "unk_token": unk,
            "continuing_subword_prefix": null, "end_of_word_suffix": null,
            "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
            "vocab": vocab_json(vocab), "merges": merges,
        }),
    })
}

/// `tokenizer.ggml.merges` as pairs: each entry is two tokens with a space
/// between them (the first token is never empty, so the space is the first
/// one after its first character).
fn byte_level_merges(meta: &Meta<'_>) -> Result<Vec<Json>> {
    let merges = meta
        .strings(MERGES_KEY)?
        .ok_or_else(|| meta.missing(MERGES_KEY))?;
    merges
        .iter()
        .enumerate()
        .map(|(i, merge)| {
            let split = merge
                .char_indices()
                .nth(1)
                .and_then(|(start, _)| merge.get(start..)?.find(' ').map(|at| start + at));
            let pair = split.and_then(|at| Some((merge.get(..at)?, merge.get(at + 1..)?)));
            match pair {
                Some((left, right)) if !right.is_empty() => Ok(json!([left, right])),
                _ => Err(meta.error(format!(
                    "{MERGES_KEY}[{i}] is {merge:?}, not two tokens separated by a space"
                ))),
            }
        })
        .collect()
}

/// The merges `transformers` derives from a SentencePiece vocabulary: every
/// split of a piece into two pieces of the vocabulary, the splits of one
/// piece by the ids of their halves, then all by the piece's score, highest
/// first, ties by longer left and then longer right half, else in
/// vocabulary order.
fn sentencepiece_merges(tokens: &[String], scores: &[f32]) -> Vec<(String, String)> {
    let ids: HashMap<&str, usize> = tokens
        .iter()
        .enumerate()
        .map(|(id, token)| (token.as_str(), id))
        .collect();
    let mut merges: Vec<(&str, &str, f32)> = Vec::new();
    for (piece, &score) in tokens.iter().zip(scores) {
        let mut local: Vec<(usize, usize, &str, &str)> = piece
            .char_indices()
            .skip(1)
            .filter_map(|(at, _)| {
                let (left, right) = piece.split_at_checked(at)?;
                Some((*ids.get(left)?, *ids.get(right)?, left, right))
            })
            .collect();
        local.sort_by_key(|&(l, r, _, _)| (l, r));
        merges.extend(local.into_iter().map(|(_, _, l, r)| (l, r, score)));
    }
    let chars = |s: &str| s.chars().count();
    // Stable, so equal keys stay in vocabulary order, as in Python.
    merges.sort_by(|a, b| {
        b.2.total_cmp(&a.2)
            .then_with(|| chars(b.0).cmp(&chars(a.0)))
            .then_with(|| chars(b.1).cmp(&chars(a.1)))
    });
    merges
        .into_iter()
        .map(|(l, r, _)| (l.to_owned(), r.to_owned()))
        .collect()
}

/// Control, unknown and user-defined tokens, matched in text before the
/// model runs (as llama.cpp matches them); control and unknown ones are
/// special (skipped when decoding, never forged from user text).
fn added_tokens(vocab: &Vocab) -> Vec<Json> {
    vocab
        .tokens
        .iter()
        .enumerate()
        .filter_map(|(id, token)| {
            let special = match vocab.token_type(id) {
                TYPE_CONTROL | TYPE_UNKNOWN => true,
                TYPE_USER_DEFINED => false,
                _ => return None,
            };
            Some(json!({
                "id": id, "content": token, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": special,
            }))
        })
        .collect()
}

/// A post-processor that puts EOS after the text, for a file that asks for
/// it (`tokenizer.ggml.add_eos_token`); BOS is the [`TextTokenizer`]'s own
/// `add_bos_token`.
fn eos_appender(vocab: &Vocab, specials: &Specials) -> Json {
    let eos = specials
        .eos
        .filter(|_| specials.add_eos)
        .and_then(|id| Some((id, vocab.token(id)?)));
    let Some((id, token)) = eos else {
        return Json::Null;
    };
    let eos_piece = json!({"SpecialToken": {"id": token, "type_id": 0}});
    json!({
        "type": "TemplateProcessing",
        "single": [{"Sequence": {"id": "A", "type_id": 0}}, eos_piece],
        "pair": [
            {"Sequence": {"id": "A", "type_id": 0}}, eos_piece,
            {"Sequence": {"id": "B", "type_id": 1}}, eos_piece,
        ],
        "special_tokens": {token: {"id": token, "ids": [id], "tokens": [token]}},
    })
}

/// `tokenizer.chat_template`; without it, the names of the named ones
/// (`tokenizer.chat_template.NAME`), which have no default to use.
fn chat_template(meta: &Meta<'_>) -> Result<ChatTemplate> {
    if let Some(source) = meta.string(TEMPLATE_KEY)? {
        return Ok(present(source.to_owned(), TEMPLATE_KEY));
    }
    let mut named: Vec<String> = meta
        .map
        .keys()
        .filter_map(|key| key.strip_prefix(TEMPLATE_KEY)?.strip_prefix('.'))
        .map(str::to_owned)
        .collect();
    named.sort();
    Ok(ChatTemplate::Absent { named })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::tokenizer::ChatMessage;

    /// Each GGUF fixture with the model directory it was converted from.
    const FIXTURES: [(&str, &str); 9] = [
        ("llama4-tiny", "f32"),
        ("llama4-tiny", "q8_0"),
        ("llama4-tiny", "q4_k_m"),
        ("mixtral-tiny", "f32"),
        ("mixtral-tiny", "q8_0"),
        ("mixtral-tiny", "q4_k_m"),
        ("llama4-k256", "q4_k_m"),
        ("llama4-k256", "q5_k_m"),
        ("llama4-k256", "q6_k"),
    ];

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
    }

    fn gguf_path(model: &str, format: &str) -> PathBuf {
        root().join(format!("gguf/{model}/{format}.gguf"))
    }

    fn golden(model: &str, format: &str) -> Json {
        let path = root().join(format!("gguf/{model}/{format}.golden.json"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn ids(v: &Json) -> Vec<u32> {
        serde_json::from_value(v.clone()).unwrap()
    }

    fn metadata(model: &str) -> (HashMap<String, Value>, PathBuf) {
        let path = gguf_path(model, "f32");
        let file = crate::gguf::open(&path).unwrap();
        (file.metadata().clone(), path)
    }

    /// The tokenizer a fixture's metadata gives, after `change`.
    fn changed(
        model: &str,
        change: impl FnOnce(&mut HashMap<String, Value>),
    ) -> Result<TextTokenizer> {
        let (mut map, path) = metadata(model);
        change(&mut map);
        from_metadata(&map, &path, 512)
    }

    fn set(map: &mut HashMap<String, Value>, key: &str, value: &str) {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }

    /// Texts that exercise the split: contractions, digits, runs of
    /// spaces and newlines, punctuation, letters outside ASCII, special
    /// token text.
    const TEXTS: [&str; 8] = [
        "Meta's release of Llama 4 has thrown fresh fuel on the debate.",
        "I'M here, you're THERE; we'd've   gone.\n\n  Then 1234567 and 3.14159!",
        "naïve café — 日本語 🎉 Grüße aus Köln\t\ttabs\r\nCRLF",
        "  leading and trailing spaces   ",
        "<|eot|>[INST] hi [/INST]</s><s><|header_start|>user",
        "path/to/file.rs::main() -> Result<(), Error> { x += 1; }",
        "",
        "\n",
    ];

    /// Every fixture's GGUF tokenizer is the model directory's: the golden
    /// texts and chats encode to their ids and decode back, arbitrary text
    /// encodes alike, and BOS, stop tokens and chat template agree.
    #[test]
    fn gguf_tokenizers_match_their_goldens_and_model_directories() {
        let (mut texts, mut chats) = (0, 0);
        for (model, format) in FIXTURES {
            let path = gguf_path(model, format);
            let file = crate::gguf::open(&path).unwrap();
            let tok = load(&file, file.model_config().unwrap().common.vocab_size).unwrap();
            let reference = TextTokenizer::load(&root().join("models").join(model), 512).unwrap();
            let g = golden(model, format);
            for case in g["logits_cases"].as_array().unwrap() {
                let Some(text) = case.get("text").and_then(Json::as_str) else {
                    continue;
                };
                let expected = ids(&case["input_ids"]);
                assert_eq!(
                    tok.encode(text, false).unwrap(),
                    expected,
                    "{model}/{format}"
                );
                assert_eq!(
                    tok.decode(&expected, false).unwrap(),
                    text,
                    "{model}/{format}"
                );
                texts += 1;
            }
            for case in g["chat_cases"].as_array().unwrap() {
                let messages = case["messages"].as_array().unwrap();
                let add = case["add_generation_prompt"].as_bool().unwrap();
                let text = tok.apply_chat_template_json(messages, add).unwrap();
                assert_eq!(text, case["text"].as_str().unwrap(), "{model}/{format}");
                let expected = ids(&case["input_ids"]);
                assert_eq!(
                    tok.encode(&text, false).unwrap(),
                    expected,
                    "{model}/{format}"
                );
                assert_eq!(
                    tok.decode(&expected, false).unwrap(),
                    text,
                    "{model}/{format}"
                );
                let typed: Vec<ChatMessage> =
                    serde_json::from_value(case["messages"].clone()).unwrap();
                assert_eq!(
                    tok.encode_chat(&typed, add).unwrap(),
                    expected,
                    "{model}/{format}"
                );
                chats += 1;
            }
            for text in TEXTS {
                let expected = reference.encode(text, false).unwrap();
                assert_eq!(
                    tok.encode(text, false).unwrap(),
                    expected,
                    "{model}: {text:?}"
                );
                assert_eq!(
                    tok.encode(text, true).unwrap(),
                    reference.encode(text, true).unwrap()
                );
                assert_eq!(
                    tok.encode_untrusted(text, false).unwrap(),
                    reference.encode_untrusted(text, false).unwrap()
                );
                assert_eq!(tok.decode(&expected, false).unwrap(), text, "{model}");
                assert_eq!(
                    tok.decode(&expected, true).unwrap(),
                    reference.decode(&expected, true).unwrap()
                );
            }
            assert_eq!(tok.stop_token_ids(), reference.stop_token_ids(), "{model}");
            assert_eq!(tok.bos_token_id(), reference.bos_token_id(), "{model}");
            assert_eq!(tok.add_bos_token(), reference.add_bos_token(), "{model}");
            assert_eq!(tok.vocab_len(), reference.vocab_len(), "{model}");
            assert_eq!(
                tok.chat_template_hash(),
                reference.chat_template_hash(),
                "{model}"
            );
            assert_eq!(
                tok.tokens_at_least(64),
                reference.tokens_at_least(64),
                "{model}"
            );
        }
        assert_eq!((texts, chats), (9, 24));
    }

    #[test]
    fn an_unknown_pre_tokenizer_is_named() {
        let err = changed("llama4-tiny", |m| set(m, PRE_KEY, "deepseek-llm")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(
                "tokenizer.ggml.pre \"deepseek-llm\" is not a pre-tokenizer Palisade knows \
                 (known: gpt-2, default, llama-bpe"
            ),
            "{message}"
        );
        assert!(message.contains("f32.gguf"), "{message}");
    }

    #[test]
    fn an_unknown_model_is_named() {
        let err = changed("mixtral-tiny", |m| set(m, MODEL_KEY, "bert")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(
                "tokenizer.ggml.model \"bert\" is not a tokenizer Palisade knows \
                 (known: gpt2, llama)"
            ),
            "{message}"
        );
    }

    #[test]
    fn missing_and_mistyped_keys_are_named_with_the_file() {
        for key in [MODEL_KEY, TOKENS_KEY, MERGES_KEY] {
            let message = changed("llama4-tiny", |m| {
                m.remove(key);
            })
            .unwrap_err()
            .to_string();
            assert!(
                message.contains(&format!("no `{key}` in the GGUF metadata")),
                "{message}"
            );
            assert!(message.contains("llama4-tiny/f32.gguf"), "{message}");
        }
        let message = changed("llama4-tiny", |m| {
            m.insert("tokenizer.ggml.eos_token_id".to_owned(), Value::U32(4000));
        })
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("tokenizer.ggml.eos_token_id 4000 is not a token id"),
            "{message}"
        );
        let message = changed("llama4-tiny", |m| {
            m.insert(MODEL_KEY.to_owned(), Value::U32(2));
        })
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("tokenizer.ggml.model must be a string"),
            "{message}"
        );
        let message = changed("llama4-tiny", |m| {
            m.insert(
                MERGES_KEY.to_owned(),
                Value::Array(vec![Value::String("Ġt".to_owned())]),
            );
        })
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("tokenizer.ggml.merges[0] is \"Ġt\""),
            "{message}"
        );
        // Too large for the model is refused, as for a model directory.
        let (map, path) = metadata("llama4-tiny");
        let message = from_metadata(&map, &path, 100).unwrap_err().to_string();
        assert!(message.contains("vocab_size is 100"), "{message}");
    }

    /// The byte-level names split text with their family's regex.
    #[test]
    fn pre_tokenizer_names_split_as_their_families() {
        let split = |pre: &str, text: &str| -> Vec<String> {
            let (mut map, path) = metadata("llama4-tiny");
            set(&mut map, PRE_KEY, pre);
            let meta = Meta {
                map: &map,
                path: &path,
            };
            let kind = kind(&meta).unwrap();
            let vocab = vocabulary(&meta).unwrap();
            let specials = specials(&meta, kind, &vocab).unwrap();
            let definition = tokenizer_json(&meta, kind, &vocab, &specials).unwrap();
            let tokenizer: tokenizers::Tokenizer = serde_json::from_value(definition).unwrap();
            let mut pre = tokenizers::PreTokenizedString::from(text);
            if let Some(n) = tokenizer.get_normalizer() {
                let mut normalized = tokenizers::NormalizedString::from(text);
                tokenizers::Normalizer::normalize(n, &mut normalized).unwrap();
                pre = tokenizers::PreTokenizedString::from(normalized);
            }
            tokenizers::PreTokenizer::pre_tokenize(
                tokenizer.get_pre_tokenizer().unwrap(),
                &mut pre,
            )
            .unwrap();
            pre.get_splits(
                tokenizers::OffsetReferential::Original,
                tokenizers::OffsetType::Char,
            )
            .into_iter()
            .map(|(s, _, _)| s.replace('Ġ', " ").replace('Ċ', "\n"))
            .collect()
        };
        let text = "I'M 12345 HelloWorld's a/b\n";
        assert_eq!(
            split("gpt-2", text),
            [
                "I",
                "'",
                "M",
                " 12345",
                " HelloWorld",
                "'s",
                " a",
                "/",
                "b",
                "\n"
            ]
        );
        assert_eq!(split("default", text), split("gpt-2", text));
        assert_eq!(
            split("llama-bpe", text),
            [
                "I",
                "'M",
                " ",
                "123",
                "45",
                " HelloWorld",
                "'s",
                " a",
                "/b",
                "\n"
            ]
        );
        assert_eq!(split("llama3", text), split("llama-bpe", text));
        assert_eq!(
            split("llama4", text),
            [
                "I'M", " ", "123", "45", " Hello", "World's", " a", "/b", "\n"
            ]
        );
        assert_eq!(
            split("qwen2", text),
            [
                "I",
                "'M",
                " ",
                "1",
                "2",
                "3",
                "4",
                "5",
                " HelloWorld",
                "'s",
                " a",
                "/b",
                "\n"
            ]
        );
        // Qwen composes decomposed accents first.
        // (é is C3 A9, which byte-level BPE spells Ã©.)
        assert_eq!(split("qwen2", "e\u{301}"), ["Ã©"]);
        assert_eq!(split("llama4", "e\u{301}"), ["eÌģ"]);
    }

    /// The stop tokens and the BOS default follow llama.cpp: EOS, EOT and
    /// EOM ids, end-of-generation texts; Llama 3's BOS is added by default.
    #[test]
    fn stop_tokens_and_bos_follow_llama_cpp() {
        let tok = changed("llama4-tiny", |m| {
            m.insert("tokenizer.ggml.eom_token_id".to_owned(), Value::U32(5));
            m.remove("tokenizer.ggml.add_bos_token");
            set(m, PRE_KEY, "llama-bpe");
        })
        .unwrap();
        assert_eq!(tok.stop_token_ids(), &[1, 4, 5]);
        assert!(tok.add_bos_token());
        assert_eq!(tok.encode("hi", true).unwrap().first(), Some(&0));
        let tok = changed("llama4-tiny", |m| {
            m.insert("tokenizer.ggml.add_eos_token".to_owned(), Value::Bool(true));
        })
        .unwrap();
        assert_eq!(tok.encode("hi", true).unwrap().last(), Some(&4));
        assert_ne!(tok.encode("hi", false).unwrap().last(), Some(&4));
        let message = changed("llama4-tiny", |m| {
            m.remove("tokenizer.ggml.bos_token_id");
            m.insert("tokenizer.ggml.add_bos_token".to_owned(), Value::Bool(true));
        })
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("add_bos_token is true but there is no"),
            "{message}"
        );
    }

    #[test]
    fn named_templates_without_a_default() {
        let tok = changed("llama4-tiny", |m| {
            let source = m.remove(TEMPLATE_KEY).unwrap();
            m.insert(format!("{TEMPLATE_KEY}.tool_use"), source);
        })
        .unwrap();
        assert_eq!(tok.chat_template_hash(), None);
        let err = tok.apply_chat_template(&[], false).unwrap_err();
        assert!(err.to_string().contains("tool_use"), "{err}");
        let err = changed("llama4-tiny", |m| set(m, TEMPLATE_KEY, "{% for %}")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("(tokenizer.chat_template): the chat template does not compile"),
            "{message}"
        );
    }

    /// A hand-made SentencePiece vocabulary: `<unk>`, `<s>`, `</s>`, the 256
    /// byte tokens, then pieces with scores.
    fn sentencepiece(pieces: &[(&str, f32)]) -> HashMap<String, Value> {
        let mut tokens = vec!["<unk>".to_owned(), "<s>".to_owned(), "</s>".to_owned()];
        let mut types = vec![2, 3, 3];
        let mut scores = vec![0.0, 0.0, 0.0];
        for byte in 0..=255u8 {
            tokens.push(format!("<0x{byte:02X}>"));
            types.push(6);
            scores.push(0.0);
        }
        for &(piece, score) in pieces {
            tokens.push(piece.to_owned());
            types.push(1);
            scores.push(score);
        }
        let array = |v: Vec<Value>| Value::Array(v);
        let mut map = HashMap::new();
        map.insert(MODEL_KEY.to_owned(), Value::String("llama".to_owned()));
        map.insert(
            TOKENS_KEY.to_owned(),
            array(tokens.into_iter().map(Value::String).collect()),
        );
        map.insert(
            TYPES_KEY.to_owned(),
            array(types.into_iter().map(Value::I32).collect()),
        );
        map.insert(
            SCORES_KEY.to_owned(),
            array(scores.into_iter().map(Value::F32).collect()),
        );
        map.insert("tokenizer.ggml.add_bos_token".to_owned(), Value::Bool(true));
        map
    }

    /// Ids of the hand-made pieces: after the 3 specials and 256 bytes.
    const FIRST_PIECE: u32 = 259;

    /// Constrained decoding reads a SentencePiece vocabulary (`▁` for the
    /// space, byte-fallback pieces) as the bytes its tokens spell, and
    /// forces no `▁` before the output (the tokenizer's dummy prefix).
    #[test]
    fn sentencepiece_vocabularies_serve_grammars() {
        let pieces = [
            ("▁", -1.0),
            ("{", -2.0),
            ("}", -2.0),
            ("\"", -2.0),
            ("a", -2.0),
            ("▁a", -3.0),
        ];
        let tok = from_metadata(&sentencepiece(&pieces), Path::new("hand-made.gguf"), 512).unwrap();
        let grammars = crate::constrain::Grammars::new(&tok, 512).unwrap();
        let mut c = grammars
            .json_schema(&serde_json::json!({"type": "object", "properties": {"a": {"const": "a"}}, "required": ["a"]}))
            .unwrap();
        let mut logits = vec![0.0f32; 512];
        c.mask(&mut logits).unwrap();
        let open = FIRST_PIECE + 1;
        let allowed: Vec<usize> = (0..512).filter(|&i| logits[i].is_finite()).collect();
        assert!(
            logits[open as usize].is_finite(),
            "`{{` opens the object: {allowed:?}"
        );
        assert!(logits[FIRST_PIECE as usize + 4].is_infinite(), "`a` cannot");
        assert!(logits[2].is_infinite(), "nor can it end yet");
        // `{` as its byte-fallback piece <0x7B> (id 3 + 0x7B) spells it too.
        assert!(logits[3 + 0x7B].is_finite());
    }

    #[test]
    fn sentencepiece_encodes_by_score_with_byte_fallback() {
        let pieces = [
            ("▁", -1.0),
            ("h", -2.0),
            ("i", -2.0),
            ("e", -2.0),
            ("l", -2.0),
            ("o", -2.0),
            ("▁h", -3.0),
            ("▁hi", -4.0),
            ("ll", -5.0),
            ("he", -6.0),
            ("▁he", -7.0),
            ("llo", -8.0),
        ];
        let id = |piece: &str| {
            let at = pieces.iter().position(|(p, _)| *p == piece).unwrap();
            FIRST_PIECE + u32::try_from(at).unwrap()
        };
        let map = sentencepiece(&pieces);
        let tok = from_metadata(&map, Path::new("hand-made.gguf"), 512).unwrap();
        assert_eq!(tok.bos_token_id(), Some(1));
        assert_eq!(tok.stop_token_ids(), &[2]);
        assert!(tok.add_bos_token());
        // A space is prefixed and every space becomes `▁`.
        assert_eq!(tok.encode("hi", false).unwrap(), [id("▁hi")]);
        assert_eq!(tok.encode("hi", true).unwrap(), [1, id("▁hi")]);
        // "▁hello" by score: ▁h (-3), ll (-5), ▁he (-7, though "he" scores
        // better, its h is taken), llo (-8).
        assert_eq!(tok.encode("hello", false).unwrap(), [id("▁he"), id("llo")]);
        // Two spaces: the first is a lone ▁.
        assert_eq!(tok.encode(" hi", false).unwrap(), [id("▁"), id("▁hi")]);
        // Unknown characters fall back to their UTF-8 bytes: "é" is C3 A9.
        assert_eq!(
            tok.encode("hé", false).unwrap(),
            [id("▁h"), 3 + 0xC3, 3 + 0xA9]
        );
        // Decoding undoes all of it, including the prefixed space.
        for text in ["hi", "hello", " hi", "hé", "hi hello"] {
            let ids = tok.encode(text, false).unwrap();
            assert_eq!(tok.decode(&ids, false).unwrap(), text);
        }
        // Special token text splits the text; each piece gets its prefix
        // space, as llama.cpp and transformers' legacy Llama tokenizer do.
        assert_eq!(
            tok.encode("hi</s>hi", false).unwrap(),
            [id("▁hi"), 2, id("▁hi")]
        );
        assert_eq!(tok.encode_untrusted("</s>", false).unwrap()[0], id("▁"));
        // Without the prefix space.
        let mut map = sentencepiece(&pieces);
        map.insert(
            "tokenizer.ggml.add_space_prefix".to_owned(),
            Value::Bool(false),
        );
        let tok = from_metadata(&map, Path::new("hand-made.gguf"), 512).unwrap();
        assert_eq!(tok.encode("hi", false).unwrap(), [id("h"), id("i")]);
        assert_eq!(tok.decode(&[id("▁hi")], false).unwrap(), " hi");
    }

    #[test]
    fn sentencepiece_merges_follow_transformers_order() {
        let tokens: Vec<String> = ["a", "b", "c", "ab", "bc", "abc"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let scores = [0.0, 0.0, 0.0, -1.0, -1.0, -2.0];
        let merges = sentencepiece_merges(&tokens, &scores);
        let pairs: Vec<(&str, &str)> = merges
            .iter()
            .map(|(l, r)| (l.as_str(), r.as_str()))
            .collect();
        // ab and bc tie at -1 and keep vocabulary order; abc's two splits
        // come by score, then the longer left half first.
        assert_eq!(pairs, [("a", "b"), ("b", "c"), ("ab", "c"), ("a", "bc")]);
        let message = from_metadata(
            &{
                let mut map = sentencepiece(&[("a", 0.0)]);
                map.remove(SCORES_KEY);
                map
            },
            Path::new("hand-made.gguf"),
            512,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            message,
            "hand-made.gguf: no `tokenizer.ggml.scores` in the GGUF metadata"
        );
    }
}
