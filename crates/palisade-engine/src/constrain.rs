//! Grammar-constrained decoding: at each step only the tokens that keep the
//! output a valid prefix of a grammar (a JSON schema, or a Lark grammar for
//! tool calls) may be sampled.
//!
//! The grammar engine is `llguidance` (what llama.cpp and vLLM use): it
//! compiles JSON schemas and Lark grammars and computes token masks over the
//! model's vocabulary. What is ours is the glue: the vocabulary's bytes and
//! tokenizer as llguidance sees them, the mask applied to the logits with
//! every stop token of the model, and the schema keywords refused up front
//! with a message naming them.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::SimpleVob;
use llguidance::toktrie::{TokEnv, TokRxInfo, TokTrie, TokenizerEnv};
use llguidance::{Matcher, ParserFactory};
use serde_json::{Value, json};

use crate::tokenizer::TextTokenizer;
use crate::{EngineError, Result};

/// How JSON is spelled under a constraint: no free whitespace (a model
/// could otherwise emit it without end), separators as Python's
/// `json.dumps` writes them, which is what models saw in training.
fn json_options() -> Value {
    json!({
        "whitespace_flexible": false,
        "item_separator": ", ",
        "key_separator": ": ",
    })
}

/// Compiles grammars for one model's vocabulary. Built once per model
/// (the vocabulary's trie and llguidance's slices take a few hundred
/// milliseconds on a 200k vocabulary), shared by every request.
pub struct Grammars {
    factory: ParserFactory,
    stops: Arc<[u32]>,
    cache: Mutex<Compiled>,
}

/// Grammars compiled before, by their text, the most recently used last.
/// An application sends the same schema or tools with every request: a
/// repeat skips compiling (tens to hundreds of milliseconds for a
/// structured schema on a 200k vocabulary) and shares the lexer states the
/// earlier requests built (a plain `clone` of a matcher shares them; its
/// parser state is its own).
#[derive(Default)]
struct Compiled {
    entries: VecDeque<(String, Matcher)>,
    bytes: usize,
}

/// At most this many grammars are kept...
const CACHED_GRAMMARS: usize = 64;
/// ...holding at most this many bytes of grammar text; a larger grammar is
/// compiled every time.
const CACHED_BYTES: usize = 4 << 20;

impl Compiled {
    fn get(&mut self, key: &str) -> Option<Matcher> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(at)?;
        let matcher = entry.1.clone();
        self.entries.push_back(entry);
        Some(matcher)
    }

    fn put(&mut self, key: String, matcher: Matcher) {
        if key.len() > CACHED_BYTES / 4 {
            return;
        }
        self.bytes += key.len();
        self.entries.push_back((key, matcher));
        while self.entries.len() > CACHED_GRAMMARS || self.bytes > CACHED_BYTES {
            match self.entries.pop_front() {
                Some((old, _)) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

impl std::fmt::Debug for Grammars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grammars")
            .field("stops", &self.stops)
            .finish_non_exhaustive()
    }
}

/// The vocabulary as llguidance sees it: each token's bytes (special
/// tokens marked so that no grammar text can match them) and our own
/// tokenizer for the text a grammar forces.
struct Vocabulary {
    trie: TokTrie,
    tokenizer: TextTokenizer,
}

impl TokenizerEnv for Vocabulary {
    fn tok_trie(&self) -> &TokTrie {
        &self.trie
    }

    fn tokenize_bytes(&self, s: &[u8]) -> Vec<u32> {
        // Text a grammar forces is plain text: special-token spellings in
        // it stay text, as in what users write.
        match std::str::from_utf8(s) {
            Ok(text) => self
                .tokenizer
                .encode_untrusted(text, false)
                .unwrap_or_else(|_| self.trie.greedy_tokenize(s)),
            Err(_) => self.trie.greedy_tokenize(s),
        }
    }

    /// Not canonical: a SentencePiece tokenizer puts `▁` before a text it
    /// encodes alone, so llguidance must not force tokens from it (it would
    /// force that space before every output).
    fn tokenize_is_canonical(&self) -> bool {
        false
    }
}

impl Grammars {
    /// Grammars over `tokenizer`'s vocabulary, for a model whose logits have
    /// `vocab_size` entries (ids the tokenizer lacks are never allowed).
    pub fn new(tokenizer: &TextTokenizer, vocab_size: usize) -> Result<Grammars> {
        let unusable = |why: String| {
            EngineError::Tokenizer(format!(
                "constrained decoding cannot use this tokenizer: {why}"
            ))
        };
        let spec: Value = serde_json::from_str(&tokenizer.to_json()?)
            .map_err(|e| unusable(format!("its JSON does not parse: {e}")))?;
        // llguidance asserts on a few malformed vocabularies; a panic there
        // is this tokenizer's error, not the daemon's end.
        let mut words = catch_unwind(AssertUnwindSafe(|| {
            llguidance::token_bytes_from_tokenizer_json(&spec)
        }))
        .map_err(|_| unusable("its vocabulary could not be read".into()))?
        .map_err(|e| unusable(e.to_string()))?;
        if words.len() > vocab_size {
            return Err(unusable(format!(
                "it has {} tokens and the model {vocab_size} logits",
                words.len()
            )));
        }
        words.resize(vocab_size, Vec::new());
        let stops: Arc<[u32]> = tokenizer.stop_token_ids().into();
        let eos = stops.first().copied().ok_or_else(|| {
            unusable("the model has no stop token, so an answer could not end".into())
        })?;
        let info = TokRxInfo {
            vocab_size: u32::try_from(vocab_size)
                .map_err(|_| unusable(format!("{vocab_size} tokens are too many")))?,
            tok_eos: eos,
            tok_bos: tokenizer.bos_token_id(),
            tok_pad: None,
            tok_unk: None,
            tok_end_of_turn: None,
        };
        let trie = catch_unwind(AssertUnwindSafe(|| TokTrie::from(&info, &words)))
            .map_err(|_| unusable("its vocabulary could not be indexed".into()))?;
        let env: TokEnv = Arc::new(Vocabulary {
            trie,
            tokenizer: tokenizer.clone(),
        });
        let mut factory = ParserFactory::new_simple(&env).map_err(|e| unusable(e.to_string()))?;
        factory.set_stderr_log_level(0);
        // A verbose error carries the text generated so far and the whole
        // grammar: neither may reach an answer, a log or the audit trail.
        factory.limits_mut().verbose_errors = false;
        Ok(Grammars {
            factory,
            stops,
            cache: Mutex::default(),
        })
    }

    /// Output that is one JSON object (`response_format: json_object`).
    pub fn json_object(&self) -> Result<Constraint> {
        self.json_schema(&json!({"type": "object"}))
    }

    /// Output valid against `schema`, which [`check_schema`] has accepted.
    pub fn json_schema(&self, schema: &Value) -> Result<Constraint> {
        let schema = spelled(schema);
        self.compile(format!("json\0{schema}"), || {
            TopLevelGrammar::from_json_schema(schema)
        })
    }

    /// Output in the language of a Lark grammar (llguidance's dialect, with
    /// `%json { schema }` for embedded JSON).
    pub fn lark(&self, grammar: &str) -> Result<Constraint> {
        self.compile(format!("lark\0{grammar}"), || {
            TopLevelGrammar::from_lark(grammar.to_owned())
        })
    }

    /// How many compiled grammars are kept.
    #[cfg(test)]
    fn cached(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entries
            .len()
    }

    /// The grammar `key` names, from the cache or compiled by `grammar`.
    /// A new one's first mask is computed here, on the request's thread,
    /// so that the engine thread does not build its start states.
    fn compile(
        &self,
        key: String,
        grammar: impl FnOnce() -> TopLevelGrammar,
    ) -> Result<Constraint> {
        let constraint = |matcher: Matcher| Constraint::new(matcher, self.stops.clone());
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key);
        if let Some(matcher) = cached {
            return Ok(constraint(matcher));
        }
        let parser = catch_unwind(AssertUnwindSafe(|| self.factory.create_parser(grammar())))
            .map_err(|_| EngineError::Request("the grammar could not be compiled".into()))?
            .map_err(|e| EngineError::Request(format!("the grammar is not usable: {e}")))?;
        let mut matcher = Matcher::new(Ok(parser));
        if let Some(e) = matcher.get_error() {
            return Err(EngineError::Request(format!(
                "the grammar is not usable: {e}"
            )));
        }
        matcher
            .compute_mask()
            .map_err(|_| EngineError::Request(GRAMMAR_FAILED.to_owned()))?;
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .put(key, matcher.clone());
        Ok(constraint(matcher))
    }
}

/// `schema` as llguidance compiles it, also inside a Lark grammar's
/// `%json`: our spelling options in place of any the client sent
/// (`x-guidance` could loosen what is enforced).
#[must_use]
pub fn spelled(schema: &Value) -> Value {
    let mut schema = schema.clone();
    strip_guidance(&mut schema);
    if let Value::Object(map) = &mut schema {
        map.insert("x-guidance".into(), json_options());
        schema
    } else {
        // A boolean schema: `true` is any JSON value, `false` none.
        json!({"allOf": [schema], "x-guidance": json_options()})
    }
}

fn strip_guidance(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("x-guidance");
            map.values_mut().for_each(strip_guidance);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_guidance),
        _ => {}
    }
}

/// What a sequence whose grammar fails at run time is told (a schema past
/// llguidance's per-step limits, say); the engine's own message may quote
/// the output, so it is not passed on.
pub const GRAMMAR_FAILED: &str =
    "the output grammar could not be followed (the schema may be too complex to enforce)";

/// One sequence's place in its grammar.
pub struct Constraint {
    slot: Slot,
    stops: Arc<[u32]>,
    /// Nothing more may follow (the matcher stopped).
    complete: bool,
}

/// Where the matcher is. After each accepted token the next mask is
/// computed on a worker (rayon's global pool, not the engine's) while the
/// model computes the next logits: the mask depends only on the tokens so
/// far, so decoding does not wait for it unless it takes longer than a
/// forward pass.
enum Slot {
    /// Here, the next mask not computed yet.
    Idle(Box<Matcher>),
    /// On a worker, which hands it back with the next mask.
    Computing(std::sync::mpsc::Receiver<(Box<Matcher>, std::result::Result<SimpleVob, String>)>),
    /// Lost: a step failed, or the worker died; the output cannot go on.
    Lost,
}

impl std::fmt::Debug for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Constraint")
            .field("complete", &self.complete)
            .finish_non_exhaustive()
    }
}

impl Constraint {
    fn new(matcher: Matcher, stops: Arc<[u32]>) -> Self {
        Constraint {
            complete: matcher.is_stopped(),
            slot: Slot::Idle(Box::new(matcher)),
            stops,
        }
    }

    /// An independent copy at the same place (one per choice of a request,
    /// made before generating).
    #[must_use]
    pub fn fork(&self) -> Constraint {
        let slot = match &self.slot {
            Slot::Idle(m) => Slot::Idle(Box::new(m.deep_clone())),
            Slot::Computing(_) | Slot::Lost => Slot::Lost,
        };
        Constraint {
            slot,
            stops: self.stops.clone(),
            complete: self.complete,
        }
    }

    /// Sets to -inf the logits of every token the grammar does not allow
    /// next; the model's stop tokens are allowed only where the grammar may
    /// end.
    pub fn mask(&mut self, logits: &mut [f32]) -> Result<()> {
        let failed = || EngineError::Request(GRAMMAR_FAILED.to_owned());
        let (matcher, allowed) = match std::mem::replace(&mut self.slot, Slot::Lost) {
            Slot::Idle(mut m) => {
                let allowed = m.compute_mask_or_eos().map_err(|e| e.to_string());
                (m, allowed)
            }
            Slot::Computing(next) => next.recv().map_err(|_| failed())?,
            Slot::Lost => return Err(failed()),
        };
        self.slot = Slot::Idle(matcher);
        let allowed =
            allowed.map_err(|e| EngineError::Request(format!("the output grammar failed: {e}")))?;
        let may_end = self
            .stops
            .first()
            .is_some_and(|&eos| allowed.is_allowed(eos));
        // Every stop token ends the output where the grammar's one EOS may.
        let stop_logits: Vec<(usize, f32)> = self
            .stops
            .iter()
            .filter_map(|&s| logits.get(s as usize).map(|&l| (s as usize, l)))
            .collect();
        allowed.iter_unset_entries(|id| {
            if let Some(l) = logits.get_mut(id) {
                *l = f32::NEG_INFINITY;
            }
        });
        for (id, logit) in stop_logits {
            if let Some(l) = logits.get_mut(id) {
                *l = if may_end { logit } else { f32::NEG_INFINITY };
            }
        }
        Ok(())
    }

    /// Moves past `token`, which [`Self::mask`] allowed (a stop token ends
    /// the output and is not part of it), and starts computing the next
    /// mask on a worker.
    pub fn accept(&mut self, token: u32) -> Result<()> {
        if self.stops.contains(&token) {
            return Ok(());
        }
        let failed = || EngineError::Request(GRAMMAR_FAILED.to_owned());
        let Slot::Idle(mut matcher) = std::mem::replace(&mut self.slot, Slot::Lost) else {
            return Err(failed());
        };
        matcher.consume_token(token).map_err(|_| failed())?;
        self.complete = matcher.is_stopped();
        if self.complete {
            self.slot = Slot::Idle(matcher);
            return Ok(());
        }
        let (tx, next) = std::sync::mpsc::sync_channel(1);
        rayon::spawn(move || {
            let allowed = matcher.compute_mask_or_eos().map_err(|e| e.to_string());
            // A sequence that ended meanwhile no longer listens.
            let _ = tx.send((matcher, allowed));
        });
        self.slot = Slot::Computing(next);
        Ok(())
    }

    /// Whether the output is complete: nothing more may follow.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.complete
    }
}

/// A JSON-schema keyword constrained decoding does not enforce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedKeyword {
    /// Where it is, as a JSON pointer into the schema (`/properties/tags`).
    pub path: String,
    pub keyword: String,
}

impl std::fmt::Display for UnsupportedKeyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(
            f,
            "the schema keyword `{}` (at {at}) cannot be enforced while generating",
            self.keyword
        )
    }
}

/// Keywords of JSON Schema (2020-12 and draft 7) that the grammar engine
/// does not enforce; a schema using one is refused rather than half-kept.
const UNENFORCED: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
];

/// Keywords whose value is one subschema.
const ONE_SCHEMA: &[&str] = &["items", "additionalItems", "additionalProperties"];
/// Keywords whose value is a list of subschemas.
const SCHEMA_LIST: &[&str] = &["anyOf", "oneOf", "allOf", "prefixItems", "items"];
/// Keywords whose value maps names to subschemas.
const SCHEMA_MAP: &[&str] = &["properties", "patternProperties", "$defs", "definitions"];

/// Refuses a schema that uses a keyword constrained decoding cannot
/// enforce, or a `$ref` outside the schema (nothing is fetched).
pub fn check_schema(schema: &Value) -> std::result::Result<(), UnsupportedKeyword> {
    walk(schema, &mut String::new())
}

fn walk(schema: &Value, path: &mut String) -> std::result::Result<(), UnsupportedKeyword> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    let refuse = |path: &str, keyword: &str| {
        Err(UnsupportedKeyword {
            path: path.to_owned(),
            keyword: keyword.to_owned(),
        })
    };
    for (key, value) in map {
        if UNENFORCED.contains(&key.as_str()) {
            return refuse(path, key);
        }
        if key == "$ref" && !value.as_str().is_some_and(|r| r.starts_with('#')) {
            return refuse(path, "$ref (to a document outside the schema)");
        }
    }
    let len = path.len();
    for (key, value) in map {
        let pointer = |path: &mut String, parts: &[&str]| {
            path.truncate(len);
            for p in parts {
                path.push('/');
                path.push_str(&p.replace('~', "~0").replace('/', "~1"));
            }
        };
        if ONE_SCHEMA.contains(&key.as_str()) && value.is_object() {
            pointer(path, &[key]);
            walk(value, path)?;
        }
        if SCHEMA_LIST.contains(&key.as_str())
            && let Value::Array(items) = value
        {
            for (i, item) in items.iter().enumerate() {
                pointer(path, &[key, &i.to_string()]);
                walk(item, path)?;
            }
        }
        if SCHEMA_MAP.contains(&key.as_str())
            && let Value::Object(entries) = value
        {
            for (name, item) in entries {
                pointer(path, &[key, name]);
                walk(item, path)?;
            }
        }
    }
    path.truncate(len);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unenforced_keywords_are_named_with_their_place() {
        let schema = json!({
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
                "a/b": {"anyOf": [{"type": "string"}, {"not": {"type": "null"}}]}
            }
        });
        let refused = check_schema(&schema).unwrap_err();
        assert_eq!(refused.keyword, "uniqueItems");
        assert_eq!(refused.path, "/properties/tags");
        let schema = json!({"properties": {"a/b": {"anyOf": [{"type": "string"}, {"not": {}}]}}});
        let refused = check_schema(&schema).unwrap_err();
        assert_eq!(refused.keyword, "not");
        assert_eq!(refused.path, "/properties/a~1b/anyOf/1");
        assert!(
            check_schema(&json!({"$ref": "https://example.com/s.json"}))
                .unwrap_err()
                .keyword
                .starts_with("$ref")
        );
        check_schema(&json!({
            "$defs": {"p": {"type": "integer", "minimum": 0}},
            "type": "object",
            "properties": {"p": {"$ref": "#/$defs/p"}, "e": {"enum": ["a", "b"]}},
            "required": ["p"],
            "additionalProperties": false
        }))
        .unwrap();
    }

    /// Generates under `constraint` choosing uniformly among the allowed
    /// tokens (the worst a model can do), as the scheduler would.
    fn wander(
        tokenizer: &TextTokenizer,
        mut constraint: Constraint,
        vocab: usize,
        seed: u64,
    ) -> String {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut ids = Vec::new();
        for _ in 0..400 {
            let mut logits = vec![0.0f32; vocab];
            constraint.mask(&mut logits).unwrap();
            let allowed: Vec<usize> = (0..vocab).filter(|&i| logits[i].is_finite()).collect();
            assert!(!allowed.is_empty(), "the mask allows nothing");
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let token = allowed[(state % allowed.len() as u64) as usize] as u32;
            if tokenizer.stop_token_ids().contains(&token) {
                break;
            }
            constraint.accept(token).unwrap();
            ids.push(token);
            if constraint.is_complete() {
                break;
            }
        }
        tokenizer.decode(&ids, false).unwrap()
    }

    #[test]
    fn random_choices_under_a_schema_give_valid_json_on_every_fixture_tokenizer() {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/models");
        let schema = json!({
            "type": "object",
            "properties": {
                "id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                "level": {"enum": ["low", "high"]},
                "count": {"type": "integer", "minimum": 0, "maximum": 999},
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 3}
            },
            "required": ["id", "level", "count", "tags"],
            "additionalProperties": false
        });
        for name in ["llama4-tiny", "mixtral-tiny", "qwen3moe-tiny"] {
            let dir = fixtures.join(name);
            let config = crate::config::ModelConfig::from_dir(&dir).unwrap();
            let vocab = config.common.vocab_size;
            let tokenizer = TextTokenizer::load(&dir, vocab).unwrap();
            let grammars = Grammars::new(&tokenizer, vocab).unwrap();
            let compiled = grammars.json_schema(&schema).unwrap();
            for seed in 1..=5 {
                let text = wander(&tokenizer, compiled.fork(), vocab, seed);
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{name}: {text:?} is not JSON: {e}"));
                let id = value["id"].as_str().unwrap();
                assert!(id.len() == 8 && id.as_bytes()[3] == b'-', "{name}: {text}");
                assert!(["low", "high"].contains(&value["level"].as_str().unwrap()));
                assert!((0..=999).contains(&value["count"].as_i64().unwrap()));
                assert!(value["tags"].as_array().unwrap().len() <= 3);
                assert_eq!(value.as_object().unwrap().len(), 4, "{name}: {text}");
            }
            // The same schema again comes from the cache: its constraints
            // share the lexer's states, each keeps its own place, and the
            // cached one stays at the start.
            let (first, second) = (
                grammars.json_schema(&schema).unwrap(),
                grammars.json_schema(&schema).unwrap(),
            );
            assert_eq!(grammars.cached(), 1, "{name}");
            for (seed, constraint) in [(11, first), (12, second)] {
                let text = wander(&tokenizer, constraint, vocab, seed);
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{name}: cached: {text:?} is not JSON: {e}"));
                assert_eq!(value.as_object().unwrap().len(), 4, "{name}: {text}");
            }
            let text = wander(&tokenizer, grammars.json_object().unwrap(), vocab, 9);
            // A free object may run past the 400 steps; what there is must
            // be its start.
            assert!(text.starts_with('{'), "{name}: {text}");
        }
    }

    #[test]
    fn client_guidance_options_are_replaced_by_ours() {
        let schema = json!({
            "type": "object",
            "x-guidance": {"lenient": true},
            "properties": {"a": {"type": "string", "x-guidance": {"lenient": true}}}
        });
        let compiled = spelled(&schema);
        assert_eq!(compiled["x-guidance"], json_options());
        assert!(compiled["properties"]["a"].get("x-guidance").is_none());
        assert_eq!(
            spelled(&json!(true)),
            json!({"allOf": [true], "x-guidance": json_options()})
        );
    }
}
