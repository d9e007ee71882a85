//! `response_format`: plain text, one JSON object, or JSON valid against a
//! schema, enforced while generating (see `engine::constrain`), on chat
//! and text completions alike.

use super::wire::invalid;
use super::*;
use crate::engine::constrain::{Constraint, Grammars, check_schema};

/// What the output must be.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum OutputFormat {
    Text,
    /// `{"type": "json_object"}`: any JSON object.
    JsonObject,
    /// `{"type": "json_schema", ...}`: JSON valid against `schema`.
    JsonSchema {
        name: String,
        schema: Value,
    },
}

/// Reads `response_format` from the body (400 naming what is wrong).
pub(super) fn output_format(
    body: &serde_json::Map<String, Value>,
) -> Result<OutputFormat, ApiError> {
    let Some(format) = body.get("response_format").filter(|v| !v.is_null()) else {
        return Ok(OutputFormat::Text);
    };
    let Value::Object(format) = format else {
        return Err(invalid(
            "response_format",
            "`response_format` must be an object such as {\"type\": \"json_object\"}",
        ));
    };
    match format.get("type").and_then(Value::as_str) {
        Some("text") => Ok(OutputFormat::Text),
        Some("json_object") => Ok(OutputFormat::JsonObject),
        Some("json_schema") => json_schema(format.get("json_schema")),
        Some(other) => Err(invalid(
            "response_format.type",
            format!(
                "`response_format.type` {other:?} is not one of text, json_object, json_schema"
            ),
        )),
        None => Err(invalid(
            "response_format.type",
            "`response_format.type` is required (text, json_object or json_schema)",
        )),
    }
}

fn json_schema(spec: Option<&Value>) -> Result<OutputFormat, ApiError> {
    const FIELD: &str = "response_format.json_schema";
    let Some(Value::Object(spec)) = spec else {
        return Err(invalid(
            FIELD,
            format!("`{FIELD}` must be an object with a `name` and a `schema`"),
        ));
    };
    let name = super::tools::openai_name(spec.get("name"), &format!("{FIELD}.name"))?;
    let strict = match spec.get("strict") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(invalid(
                &format!("{FIELD}.strict"),
                format!("`{FIELD}.strict` must be a boolean"),
            ));
        }
    };
    let mut schema = match spec.get("schema") {
        Some(s @ (Value::Object(_) | Value::Bool(_))) => s.clone(),
        Some(_) => {
            return Err(invalid(
                &format!("{FIELD}.schema"),
                format!("`{FIELD}.schema` must be a JSON Schema (an object)"),
            ));
        }
        None => {
            return Err(invalid(
                &format!("{FIELD}.schema"),
                format!("`{FIELD}.schema` is required"),
            ));
        }
    };
    checked_schema(&mut schema, strict, &format!("{FIELD}.schema"))?;
    Ok(OutputFormat::JsonSchema { name, schema })
}

/// Refuses a schema with a keyword that cannot be enforced (400
/// `unsupported_parameter` naming it and its place); under `strict`, as in
/// OpenAI's strict mode, objects admit no properties beyond theirs.
pub(super) fn checked_schema(
    schema: &mut Value,
    strict: bool,
    field: &str,
) -> Result<(), ApiError> {
    check_schema(schema).map_err(|refused| {
        ApiError::new(
            ErrorCode::UnsupportedParameter,
            format!("`{field}`: {refused}"),
        )
        .with_param(field)
    })?;
    if strict {
        close_objects(schema);
    }
    Ok(())
}

/// `additionalProperties: false` on every object schema that says nothing
/// of it.
fn close_objects(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let is_object = map.get("type").is_some_and(|t| {
                t == "object"
                    || t.as_array()
                        .is_some_and(|a| a.iter().any(|x| x == "object"))
            }) || map.contains_key("properties");
            if is_object && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, value) in map.iter_mut() {
                // The values of `properties` and `$defs` are schemas; the
                // map itself is not.
                if matches!(
                    key.as_str(),
                    "properties" | "patternProperties" | "$defs" | "definitions"
                ) && let Value::Object(entries) = value
                {
                    entries.values_mut().for_each(close_objects);
                } else if !matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                    close_objects(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// The grammar of `format` over the model's vocabulary; `None` for text.
pub(super) fn compile(
    grammars: Result<&Grammars, &str>,
    format: &OutputFormat,
) -> Result<Option<Constraint>, ApiError> {
    let compiled = match format {
        OutputFormat::Text => return Ok(None),
        OutputFormat::JsonObject => usable(grammars)?.json_object(),
        OutputFormat::JsonSchema { schema, .. } => usable(grammars)?.json_schema(schema),
    };
    compiled.map(Some).map_err(|e| {
        ApiError::new(
            ErrorCode::UnsupportedParameter,
            format!("`response_format`: {e}"),
        )
        .with_param("response_format")
    })
}

/// The model's grammars, or 400 saying why this model has none.
pub(super) fn usable<'a>(grammars: Result<&'a Grammars, &str>) -> Result<&'a Grammars, ApiError> {
    grammars.map_err(|why| {
        ApiError::new(
            ErrorCode::UnsupportedParameter,
            format!("constrained output is not available for this model: {why}"),
        )
        .with_param("response_format")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn formats_are_read_and_bad_ones_named() {
        assert_eq!(output_format(&body(json!({}))).unwrap(), OutputFormat::Text);
        assert_eq!(
            output_format(&body(json!({"response_format": {"type": "json_object"}}))).unwrap(),
            OutputFormat::JsonObject
        );
        let e = output_format(&body(json!({"response_format": {"type": "xml"}}))).unwrap_err();
        assert!(e.to_string().contains("xml"), "{e}");
        let e = output_format(&body(json!({"response_format": {"type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "array", "uniqueItems": true}}}})))
        .unwrap_err();
        assert!(e.to_string().contains("uniqueItems"), "{e}");
        assert_eq!(e.code(), ErrorCode::UnsupportedParameter);
        let e = output_format(&body(json!({"response_format": {"type": "json_schema",
            "json_schema": {"schema": {}}}})))
        .unwrap_err();
        assert!(e.to_string().contains("name"), "{e}");
    }

    #[test]
    fn strict_closes_every_object_that_says_nothing() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "inner": {"type": "object", "properties": {"a": {"type": "string"}}},
                "open": {"type": "object", "additionalProperties": true},
                "properties": {"type": "string"}
            },
            "$defs": {"d": {"properties": {"x": {"type": "integer"}}}}
        });
        checked_schema(&mut schema, true, "s").unwrap();
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(
            schema["properties"]["inner"]["additionalProperties"],
            json!(false)
        );
        assert_eq!(
            schema["properties"]["open"]["additionalProperties"],
            json!(true)
        );
        assert!(
            schema["properties"]["properties"]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(schema["$defs"]["d"]["additionalProperties"], json!(false));
    }
}
