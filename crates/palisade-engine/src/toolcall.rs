//! Tool calls in the syntax each model family was trained to write them,
//! as its published chat template renders earlier calls:
//!
//! - JSON (Llama 3.1 and Llama 4): `{"name": "f", "parameters": {...}}`,
//!   several separated by `; `;
//! - Hermes (Qwen3): `<tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>`,
//!   one block per call;
//! - Mistral (Mixtral 8x22B and later): `[TOOL_CALLS][{"name": "f", "arguments": {...}}]`.
//!
//! For each: the Lark grammar that forces valid calls to the offered tools
//! (arguments valid against each tool's parameter schema), and the parser
//! that reads calls back out of generated text.

use serde_json::{Value, json};

use crate::constrain::spelled;

/// How a model writes tool calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolSyntax {
    Json,
    Hermes,
    Mistral,
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
}

/// A call read from the model's output.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub name: String,
    /// The arguments as JSON text.
    pub arguments: String,
}

/// The most calls one answer may hold under a grammar (parallel calls):
/// bounded, so that a model that never chooses to stop still ends.
pub const MAX_PARALLEL_CALLS: usize = 8;

const HERMES_OPEN: &str = "<tool_call>";
const HERMES_CLOSE: &str = "</tool_call>";
const MISTRAL_OPEN: &str = "[TOOL_CALLS]";

impl ToolSyntax {
    /// The syntax a chat template renders tool calls in (JSON when it shows
    /// none of the others).
    #[must_use]
    pub fn of_template(template: Option<&str>) -> ToolSyntax {
        match template {
            Some(t) if t.contains(HERMES_OPEN) => ToolSyntax::Hermes,
            Some(t) if t.contains(MISTRAL_OPEN) => ToolSyntax::Mistral,
            _ => ToolSyntax::Json,
        }
    }

    /// The key the arguments go under.
    fn arguments_key(self) -> &'static str {
        match self {
            ToolSyntax::Json => "parameters",
            ToolSyntax::Hermes | ToolSyntax::Mistral => "arguments",
        }
    }

    /// A Lark grammar (llguidance's dialect) whose sentences are one call,
    /// or with `parallel` one or more, to the tools of `tools`.
    /// `mistral_token` is the id of the `[TOOL_CALLS]` control token where
    /// the vocabulary has one.
    #[must_use]
    pub fn grammar(self, tools: &[ToolSpec], parallel: bool, mistral_token: Option<u32>) -> String {
        let calls: Vec<Value> = tools
            .iter()
            .map(|t| {
                json!({
                    "type": "object",
                    "properties": {
                        "name": {"const": t.name},
                        self.arguments_key(): t.parameters,
                    },
                    "required": ["name", self.arguments_key()],
                    "additionalProperties": false,
                })
            })
            .collect();
        let body = spelled(&json!({"anyOf": calls}));
        let repeat = |call: &str, separator: &str| {
            if parallel {
                let more = MAX_PARALLEL_CALLS - 1;
                format!("start: {call} ({separator} {call}){{0,{more}}}\n")
            } else {
                format!("start: {call}\n")
            }
        };
        let rules = match self {
            ToolSyntax::Json => repeat("call", "\"; \""),
            ToolSyntax::Hermes => {
                repeat("block", "\"\\n\"") + "block: \"<tool_call>\\n\" call \"\\n</tool_call>\"\n"
            }
            ToolSyntax::Mistral => {
                let open = mistral_token
                    .map_or_else(|| format!("{MISTRAL_OPEN:?}"), |id| format!("<[{id}]>"));
                let list = if parallel {
                    format!(
                        "\"[\" call (\", \" call){{0,{}}} \"]\"",
                        MAX_PARALLEL_CALLS - 1
                    )
                } else {
                    "\"[\" call \"]\"".to_owned()
                };
                format!("start: {open} {list}\n")
            }
        };
        format!("{rules}call: %json {body}\n")
    }

    /// The calls in `text`, and the text before them, when `text` is calls
    /// to tools named in `offered` in this syntax (a call to another name,
    /// or text after the calls, means it is not).
    #[must_use]
    pub fn parse(self, text: &str, offered: &[&str]) -> Option<(String, Vec<ToolCall>)> {
        let (content, calls) = match self {
            ToolSyntax::Json => (String::new(), json_sequence(text.trim(), ';')?),
            ToolSyntax::Hermes => {
                let start = text.find(HERMES_OPEN)?;
                let mut rest = &text[start..];
                let mut calls = Vec::new();
                while let Some(after) = rest.trim_start().strip_prefix(HERMES_OPEN) {
                    let end = after.find(HERMES_CLOSE)?;
                    calls.push(serde_json::from_str(after[..end].trim()).ok()?);
                    rest = &after[end + HERMES_CLOSE.len()..];
                }
                if !rest.trim().is_empty() {
                    return None;
                }
                (text[..start].trim().to_owned(), calls)
            }
            ToolSyntax::Mistral => {
                let trimmed = text.trim();
                let list = trimmed.strip_prefix(MISTRAL_OPEN).unwrap_or(trimmed);
                match serde_json::from_str::<Value>(list.trim()).ok()? {
                    Value::Array(calls) => (String::new(), calls),
                    _ => return None,
                }
            }
        };
        if calls.is_empty() {
            return None;
        }
        let calls = calls
            .into_iter()
            .map(|call| {
                let name = call.get("name")?.as_str()?;
                if !offered.contains(&name) {
                    return None;
                }
                let arguments = call
                    .get(self.arguments_key())
                    .or_else(|| call.get("arguments"))
                    .or_else(|| call.get("parameters"))?;
                let arguments = match arguments {
                    // Some models write the arguments as a JSON string.
                    Value::String(s) if serde_json::from_str::<Value>(s).is_ok() => s.clone(),
                    other => other.to_string(),
                };
                Some(ToolCall {
                    name: name.to_owned(),
                    arguments,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some((content, calls))
    }

    /// Whether `text`, the output so far, may still turn out to be tool
    /// calls (so a stream holds it back rather than send it as content).
    #[must_use]
    pub fn may_open(self, text: &str) -> bool {
        let t = text.trim_start();
        let opening = match self {
            ToolSyntax::Json => "{",
            ToolSyntax::Mistral if t.starts_with('[') => "[",
            ToolSyntax::Mistral => MISTRAL_OPEN,
            // Content may come before the first block.
            ToolSyntax::Hermes => return true,
        };
        t.starts_with(opening) || opening.starts_with(t)
    }
}

/// JSON objects separated by whitespace or `separator`; None unless the
/// whole text is such.
fn json_sequence(text: &str, separator: char) -> Option<Vec<Value>> {
    let mut values = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let value = stream.next()?.ok()?;
        if !value.is_object() {
            return None;
        }
        values.push(value);
        rest = rest[stream.byte_offset()..].trim_start();
        if let Some(after) = rest.strip_prefix(separator) {
            rest = after.trim_start();
        }
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_read_in_each_syntax() {
        let offered = ["get_weather", "lookup"];
        let (content, calls) = ToolSyntax::Json
            .parse(
                r#" {"name": "get_weather", "parameters": {"city": "Oslo"}}; {"name": "lookup", "parameters": {}}"#,
                &offered,
            )
            .unwrap();
        assert_eq!(content, "");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, r#"{"city":"Oslo"}"#);
        let (content, calls) = ToolSyntax::Hermes
            .parse(
                "Let me check.\n<tool_call>\n{\"name\": \"lookup\", \"arguments\": {\"q\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Rome\\\"}\"}\n</tool_call>",
                &offered,
            )
            .unwrap();
        assert_eq!(content, "Let me check.");
        assert_eq!(calls[1].arguments, r#"{"city": "Rome"}"#);
        let (_, calls) = ToolSyntax::Mistral
            .parse(
                r#"[TOOL_CALLS][{"name": "lookup", "arguments": {"q": "x"}}]"#,
                &offered,
            )
            .unwrap();
        assert_eq!(calls[0].name, "lookup");
        // Not calls: plain text, an unknown tool, text after the calls.
        assert!(
            ToolSyntax::Json
                .parse("The weather is fine.", &offered)
                .is_none()
        );
        assert!(
            ToolSyntax::Json
                .parse(r#"{"name": "rm", "parameters": {}}"#, &offered)
                .is_none()
        );
        assert!(
            ToolSyntax::Hermes
                .parse(
                    "<tool_call>\n{\"name\": \"lookup\", \"arguments\": {}}\n</tool_call> and more",
                    &offered
                )
                .is_none()
        );
    }

    #[test]
    fn the_template_names_the_syntax_and_streams_know_what_may_open_a_call() {
        assert_eq!(
            ToolSyntax::of_template(Some("x <tool_call> y")),
            ToolSyntax::Hermes
        );
        assert_eq!(
            ToolSyntax::of_template(Some("[TOOL_CALLS] [")),
            ToolSyntax::Mistral
        );
        assert_eq!(ToolSyntax::of_template(None), ToolSyntax::Json);
        assert!(ToolSyntax::Json.may_open("  {\"na"));
        assert!(ToolSyntax::Json.may_open(""));
        assert!(!ToolSyntax::Json.may_open("Hello"));
        assert!(ToolSyntax::Mistral.may_open("[TOOL"));
        assert!(!ToolSyntax::Mistral.may_open("Sure"));
    }
}
