//! Tool calling on chat completions: `tools`, `tool_choice` and
//! `parallel_tool_calls` read and checked; the tools rendered by the model's
//! own chat template; `required` and named choices constrained by the
//! grammar of the tools' parameter schemas (`engine::toolcall`); calls read
//! back out of the output as `message.tool_calls`.

use super::structured::checked_schema;
use super::wire::invalid;
use super::*;
use crate::engine::toolcall::{ToolCall, ToolSpec, ToolSyntax};

/// The most tools one request may offer (OpenAI's limit).
pub const MAX_TOOLS: usize = 128;

/// What `tool_choice` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ToolChoice {
    /// The model may not call a tool; the tools are not shown to it.
    None,
    /// The model answers in text or calls tools.
    Auto,
    /// The model calls one or more tools.
    Required,
    /// The model calls this tool.
    Named(String),
}

/// The tools of a chat request.
#[derive(Debug, Clone)]
pub(super) struct Tools {
    /// As the chat template sees them: `{"type": "function", "function": {...}}`.
    pub(super) definitions: Vec<Value>,
    pub(super) specs: Vec<ToolSpec>,
    pub(super) choice: ToolChoice,
    pub(super) parallel: bool,
}

impl Tools {
    /// The names offered.
    pub(super) fn names(&self) -> Vec<&str> {
        self.specs.iter().map(|s| s.name.as_str()).collect()
    }

    /// Whether the model is shown the tools and its output read for calls.
    pub(super) fn active(&self) -> bool {
        self.choice != ToolChoice::None
    }

    /// The grammar the output must follow: a call (or several) for
    /// `required` and named choices, none for `auto`.
    pub(super) fn grammar(&self, syntax: ToolSyntax, mistral_token: Option<u32>) -> Option<String> {
        match &self.choice {
            ToolChoice::None | ToolChoice::Auto => None,
            ToolChoice::Required => Some(syntax.grammar(&self.specs, self.parallel, mistral_token)),
            ToolChoice::Named(name) => {
                let specs: Vec<ToolSpec> = self
                    .specs
                    .iter()
                    .filter(|s| &s.name == name)
                    .cloned()
                    .collect();
                Some(syntax.grammar(&specs, false, mistral_token))
            }
        }
    }
}

/// The tools of a request the model may call, and the syntax it writes
/// calls in (from its chat template).
#[derive(Debug)]
pub(super) struct ToolUse {
    pub(super) tools: Tools,
    pub(super) syntax: ToolSyntax,
}

impl ToolUse {
    /// The grammar of `required` and named choices.
    pub(super) fn grammar(&self, tokenizer: &TextTokenizer) -> Option<String> {
        // Mistral's `[TOOL_CALLS]` is a control token where the vocabulary
        // has it as one.
        let mistral = tokenizer
            .token_to_id("[TOOL_CALLS]")
            .filter(|_| tokenizer.spells_special_token("[TOOL_CALLS]"));
        self.tools.grammar(self.syntax, mistral)
    }

    /// The calls a finished output holds, with the content before them.
    pub(super) fn calls_in(&self, text: &str) -> Option<(String, Vec<ToolCall>)> {
        calls_in(text, &self.tools, self.syntax)
    }
}

/// The private-use character that marks message places in a rendered
/// template (`TextTokenizer::encode_chat`); tool text holding it could
/// pose as a marker.
const MARKER: char = '\u{F8FF}';

/// Refuses tool definitions or earlier calls that spell one of the model's
/// control tokens: the template renders them as its own text, so they
/// could forge turns (message contents are kept plain; these cannot be).
pub(super) fn refuse_spelled_specials(
    tokenizer: &TextTokenizer,
    chat: &[ChatMessage],
    definitions: Option<&[Value]>,
) -> Result<(), ApiError> {
    let forged = |field: String| {
        Err(invalid(
            &field,
            format!("`{field}` spells one of the model's control tokens"),
        ))
    };
    for (i, m) in chat.iter().enumerate() {
        for (j, call) in m.tool_calls.iter().enumerate() {
            let text = call.to_string();
            if tokenizer.spells_special_token(&text) || text.contains(MARKER) {
                return forged(format!("messages[{i}].tool_calls[{j}]"));
            }
        }
        if m.tool_call_id
            .as_deref()
            .is_some_and(|id| tokenizer.spells_special_token(id))
        {
            return forged(format!("messages[{i}].tool_call_id"));
        }
    }
    for (i, tool) in definitions.unwrap_or_default().iter().enumerate() {
        let text = tool.to_string();
        if tokenizer.spells_special_token(&text) || text.contains(MARKER) {
            return forged(format!("tools[{i}]"));
        }
    }
    Ok(())
}

/// Refuses tools a model's chat template never renders: the model would
/// not see them, and the parameter would be ignored in silence.
pub(super) fn refuse_unrendered(tokenizer: &TextTokenizer) -> Result<(), ApiError> {
    if tokenizer
        .chat_template_source()
        .is_some_and(|t| t.contains("tools"))
    {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::UnsupportedParameter,
        "this model's chat template does not render tools, so the model would never see them; describe the tools in a message instead, or serve a model whose template supports tools",
    )
    .with_param("tools"))
}

/// Reads `tools`, `tool_choice` and `parallel_tool_calls` (400 naming what
/// is wrong); None when the request offers no tools.
pub(super) fn tools_of(
    body: &serde_json::Map<String, Value>,
    api: Api,
) -> Result<Option<Tools>, ApiError> {
    let given = |k: &str| body.get(k).filter(|v| !v.is_null());
    for legacy in ["functions", "function_call"] {
        if given(legacy).is_some() {
            return Err(ApiError::new(
                ErrorCode::UnsupportedParameter,
                format!("`{legacy}` is the deprecated form of tool calling; send `tools` and `tool_choice`"),
            )
            .with_param(legacy));
        }
    }
    let Some(list) = given("tools") else {
        // `parallel_tool_calls` alone has nothing to act on; a choice of a
        // tool that is not offered cannot be kept.
        if given("tool_choice").is_some_and(|c| c != "none") {
            return Err(invalid("tool_choice", "`tool_choice` needs `tools`"));
        }
        return Ok(None);
    };
    if api == Api::Text {
        return Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            "`tools` are for chat completions (/v1/chat/completions)",
        )
        .with_param("tools"));
    }
    let Value::Array(list) = list else {
        return Err(invalid("tools", "`tools` must be a list"));
    };
    if list.is_empty() || list.len() > MAX_TOOLS {
        return Err(invalid(
            "tools",
            format!(
                "`tools` must hold 1 to {MAX_TOOLS} tools, not {}",
                list.len()
            ),
        ));
    }
    let mut definitions = Vec::with_capacity(list.len());
    let mut specs: Vec<ToolSpec> = Vec::with_capacity(list.len());
    for (i, tool) in list.iter().enumerate() {
        let field = format!("tools[{i}]");
        let kind = tool.get("type").and_then(Value::as_str);
        if kind != Some("function") {
            return Err(ApiError::new(
                ErrorCode::UnsupportedParameter,
                format!("`{field}.type` must be \"function\" (the only kind of tool served)"),
            )
            .with_param(format!("{field}.type")));
        }
        let Some(Value::Object(function)) = tool.get("function") else {
            return Err(invalid(
                &format!("{field}.function"),
                format!("`{field}.function` must be an object with a `name`"),
            ));
        };
        let name = openai_name(function.get("name"), &format!("{field}.function.name"))?;
        if specs.iter().any(|s| s.name == name) {
            return Err(invalid(
                &format!("{field}.function.name"),
                format!("two tools are named {name:?}"),
            ));
        }
        let description = match function.get("description") {
            None | Some(Value::Null) => None,
            Some(Value::String(d)) => Some(d.clone()),
            Some(_) => {
                return Err(invalid(
                    &format!("{field}.function.description"),
                    format!("`{field}.function.description` must be a string"),
                ));
            }
        };
        let strict = match function.get("strict") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(invalid(
                    &format!("{field}.function.strict"),
                    format!("`{field}.function.strict` must be a boolean"),
                ));
            }
        };
        let mut parameters = match function.get("parameters") {
            None | Some(Value::Null) => json!({"type": "object", "properties": {}}),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => {
                return Err(invalid(
                    &format!("{field}.function.parameters"),
                    format!("`{field}.function.parameters` must be a JSON Schema (an object)"),
                ));
            }
        };
        checked_schema(
            &mut parameters,
            strict,
            &format!("{field}.function.parameters"),
        )?;
        let mut shown = serde_json::Map::new();
        shown.insert("name".into(), json!(name));
        if let Some(d) = description {
            shown.insert("description".into(), json!(d));
        }
        shown.insert("parameters".into(), parameters.clone());
        definitions.push(json!({"type": "function", "function": shown}));
        specs.push(ToolSpec { name, parameters });
    }
    let choice = match given("tool_choice") {
        None => ToolChoice::Auto,
        Some(Value::String(s)) => match s.as_str() {
            "none" => ToolChoice::None,
            "auto" => ToolChoice::Auto,
            "required" => ToolChoice::Required,
            other => {
                return Err(invalid(
                    "tool_choice",
                    format!(
                        "`tool_choice` {other:?} is not none, auto, required or a named function"
                    ),
                ));
            }
        },
        Some(Value::Object(o)) => {
            let name = o
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .filter(|_| o.get("type").and_then(Value::as_str) == Some("function"));
            match name {
                Some(n) if specs.iter().any(|s| s.name == n) => ToolChoice::Named(n.to_owned()),
                Some(n) => {
                    return Err(invalid(
                        "tool_choice",
                        format!("`tool_choice` names {n:?}, which is not among `tools`"),
                    ));
                }
                None => {
                    return Err(invalid(
                        "tool_choice",
                        "`tool_choice` must be none, auto, required or {\"type\": \"function\", \"function\": {\"name\": ...}}",
                    ));
                }
            }
        }
        Some(_) => {
            return Err(invalid(
                "tool_choice",
                "`tool_choice` must be a string or an object",
            ));
        }
    };
    let parallel = match given("parallel_tool_calls") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(invalid(
                "parallel_tool_calls",
                "`parallel_tool_calls` must be a boolean",
            ));
        }
    };
    Ok(Some(Tools {
        definitions,
        specs,
        choice,
        parallel,
    }))
}

/// A name as OpenAI allows them for functions and schemas: 1 to 64
/// letters, digits, `_`, `-`.
pub(super) fn openai_name(value: Option<&Value>, field: &str) -> Result<String, ApiError> {
    match value {
        Some(Value::String(n))
            if !n.is_empty()
                && n.len() <= 64
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            Ok(n.clone())
        }
        Some(_) => Err(invalid(
            field,
            format!("`{field}` must be 1 to 64 letters, digits, `_` or `-`"),
        )),
        None => Err(invalid(field, format!("`{field}` is required"))),
    }
}

/// A tool call of an earlier assistant message, as sent.
#[derive(Debug, Deserialize)]
pub(super) struct ToolCallIn {
    pub(super) id: String,
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) function: FunctionCallIn,
}

#[derive(Debug, Deserialize)]
pub(super) struct FunctionCallIn {
    pub(super) name: String,
    /// JSON text, as the model wrote it.
    pub(super) arguments: String,
}

/// An earlier call as the chat template reads it (the arguments as a JSON
/// value), from the message at `field`.
pub(super) fn call_for_template(call: &ToolCallIn, field: &str) -> Result<Value, ApiError> {
    if call.kind != "function" {
        return Err(invalid(
            &format!("{field}.type"),
            format!("`{field}.type` must be \"function\""),
        ));
    }
    openai_name(
        Some(&json!(call.function.name)),
        &format!("{field}.function.name"),
    )?;
    let arguments: Value = serde_json::from_str(&call.function.arguments).map_err(|e| {
        invalid(
            &format!("{field}.function.arguments"),
            format!("`{field}.function.arguments` is not JSON text: {e}"),
        )
    })?;
    Ok(json!({
        "id": call.id,
        "type": "function",
        "function": {"name": call.function.name, "arguments": arguments},
    }))
}

/// The calls a finished output holds, with the content before them; None
/// when it holds none (it is then the answer's content).
pub(super) fn calls_in(
    text: &str,
    tools: &Tools,
    syntax: ToolSyntax,
) -> Option<(String, Vec<ToolCall>)> {
    if !tools.active() {
        return None;
    }
    let (content, mut calls) = syntax.parse(text, &tools.names())?;
    if !tools.parallel {
        calls.truncate(1);
    }
    Some((content, calls))
}

/// How many bytes at the end of `pending` (streamed text not sent yet) must
/// wait because they may be a tool call; None once the output is certainly
/// content. JSON and Mistral calls are the whole output, so only its start
/// can open one; Hermes blocks may follow content.
pub(super) fn held_for_calls(syntax: ToolSyntax, pending: &str) -> Option<usize> {
    const OPEN: &str = "<tool_call>";
    match syntax {
        ToolSyntax::Json | ToolSyntax::Mistral => syntax.may_open(pending).then_some(pending.len()),
        ToolSyntax::Hermes => Some(match pending.find(OPEN) {
            Some(at) => pending.len() - at,
            // A partial `<tool_call` at the end waits, as a stop string's
            // start does.
            None => crate::serving::scheduler::held_back(pending, &[OPEN.to_owned()]),
        }),
    }
}

/// A call's id, unique within the answer, as the SDKs expect them; for
/// Mistral's syntax 9 letters and digits, which its published templates
/// insist on when the call comes back in the next turn.
pub(super) fn call_id(syntax: ToolSyntax) -> String {
    let hex = uuid::Uuid::now_v7().simple().to_string();
    match syntax {
        // The v7 uuid's random tail, not its time-ordered head.
        ToolSyntax::Mistral => hex.chars().rev().take(9).collect(),
        ToolSyntax::Json | ToolSyntax::Hermes => format!("call_{hex}"),
    }
}

impl ToolUse {
    /// Calls as `message.tool_calls` (and, with `index`, as stream deltas).
    pub(super) fn calls_json(&self, calls: &[ToolCall], with_index: bool) -> Vec<Value> {
        calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut call = json!({
                    "id": call_id(self.syntax),
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                });
                if with_index && let Value::Object(m) = &mut call {
                    m.insert("index".into(), json!(i));
                }
                call
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn weather() -> Value {
        json!([{"type": "function", "function": {"name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])
    }

    #[test]
    fn streams_hold_back_only_what_may_be_a_call() {
        use ToolSyntax::{Hermes, Json};
        assert_eq!(held_for_calls(Json, "{\"na"), Some(4));
        assert_eq!(held_for_calls(Json, "Hello"), None);
        assert_eq!(held_for_calls(Hermes, "Let me check <tool_"), Some(6));
        assert_eq!(held_for_calls(Hermes, "ok <tool_call>\n{"), Some(13));
        assert_eq!(held_for_calls(Hermes, "plain text"), Some(0));
    }

    #[test]
    fn tools_and_choices_are_read_and_bad_ones_named() {
        let t = tools_of(&body(json!({"tools": weather()})), Api::Chat)
            .unwrap()
            .unwrap();
        assert_eq!(t.choice, ToolChoice::Auto);
        assert!(t.parallel);
        assert_eq!(t.names(), ["get_weather"]);
        let t = tools_of(
            &body(json!({"tools": weather(), "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                "parallel_tool_calls": false})),
            Api::Chat,
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.choice, ToolChoice::Named("get_weather".into()));
        let e = tools_of(
            &body(json!({"tools": weather(), "tool_choice": {"type": "function", "function": {"name": "rm"}}})),
            Api::Chat,
        )
        .unwrap_err();
        assert!(e.to_string().contains("\"rm\""), "{e}");
        let e = tools_of(&body(json!({"tool_choice": "required"})), Api::Chat).unwrap_err();
        assert!(e.to_string().contains("needs `tools`"), "{e}");
        let e = tools_of(&body(json!({"tools": weather()})), Api::Text).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnsupportedParameter);
        let e = tools_of(
            &body(json!({"tools": [{"type": "function", "function": {"name": "a b"}}]})),
            Api::Chat,
        )
        .unwrap_err();
        assert!(e.to_string().contains("tools[0].function.name"), "{e}");
        let e = tools_of(
            &body(
                json!({"tools": [{"type": "function", "function": {"name": "f",
                "parameters": {"type": "object", "properties": {"x": {"not": {}}}}}}]}),
            ),
            Api::Chat,
        )
        .unwrap_err();
        assert!(e.to_string().contains("`not`"), "{e}");
        assert!(tools_of(&body(json!({"functions": []})), Api::Chat).is_err());
    }
}
