//! What an audit record says, and its one byte encoding: RFC 8785 (JCS)
//! canonical JSON, whose SHA-256 leaf hash is what the Merkle tree commits
//! to. The schema is versioned in `audit/schema/record-v1.json`.
//!
//! Every record names its place in the log (`log_id`, `log_index`) and the
//! root of the tree of all records before it (`prev_root`), so that an
//! altered, moved, inserted or removed record is caught at the first index
//! where the log stops agreeing with itself, not only at the next checkpoint.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the record schema written by this build.
pub const SCHEMA_VERSION: u32 = 1;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// The daemon started serving.
    DaemonStarted,
    /// The daemon stopped (after draining).
    DaemonStopped,
    /// A configuration reload was applied.
    ConfigReloaded,
    /// A configuration reload was refused; the old state stays.
    ConfigReloadFailed,
    /// A bearer token or a certificate binding failed verification.
    AuthenticationFailed,
    /// An authenticated principal lacked the role a path needs.
    AuthorizationFailed,
    /// A rate limit refused a request.
    RateLimited,
    /// An inference request was accepted (committed before generation).
    InferenceAccepted,
    /// An inference request was refused.
    InferenceRefused,
    /// An inference request completed.
    InferenceCompleted,
    /// An administrative action (reload, export, license change).
    AdminAction,
    /// An audit export was made.
    AuditExport,
    /// This month's active users crossed 80, 90 or 100 % of the license's
    /// limit (`reason`: the percentage).
    MauThresholdCrossed,
    /// The installation license was checked at start (`outcome`: valid,
    /// grace, refused or unlicensed; `reason`: its standing or fault).
    LicenseChecked,
    /// The audit store takes writes again after refusing them (a full disk,
    /// a lost database): `start_time` is the first refused write,
    /// `end_time` the recovery, `reason` how many records were refused.
    AuditStoreRecovered,
    /// Retention is about to remove the content of every record below
    /// `prune_below`, all of which started before `prune_cutoff`, itself at
    /// least `retention_minimum_days` before this event. Verification
    /// accepts a record without content only when such an event, later in
    /// the log, covers it.
    AuditPruned,
    /// A subject counted toward this month's active users for the first
    /// time (`subject_pseudonym`, `tenant`, `mau_month`): the evidence the
    /// monthly-active-user count is checked and restored against.
    MauSubjectCounted,
    /// A request refused for what it is (a malformed body, an unknown
    /// path or method, a parameter not honoured): `status`, `error_code`,
    /// and who sent it when known; never its content.
    RequestRefused,
}

/// The shortest retention any prune may state: six months (EU AI Act
/// Art. 19, 26(6)); a prune event stating less does not excuse a removal.
pub const LEGAL_MIN_RETENTION_DAYS: u64 = 183;

/// The facts of one event. Fields that do not apply are left out; text of
/// prompts and completions never appears, only keyed hashes of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    /// What happened.
    pub event_type: EventType,
    /// When it started (RFC 3339, UTC, milliseconds).
    pub start_time: String,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The request's id (`X-Request-Id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// OpenTelemetry trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Keyed HMAC of issuer and subject: the log holds no direct identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_pseudonym: Option<String>,
    /// Tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Roles of the principal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Keyed HMAC of the acting service (RFC 8693 `act`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// SHA-256 thumbprint of the client certificate (base64url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_thumbprint: Option<String>,
    /// How the caller authenticated (`mtls`, `mtls+jwt`, `mtls+bound-jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<String>,
    /// The node that served.
    pub node_id: String,
    /// Region and jurisdiction of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Jurisdiction of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Source address, truncated (IPv4 /24, IPv6 /48).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_address: Option<String>,
    /// The operation (`GET /whoami`, `chat.completions`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Model id and weights digest, engine version, chat-template hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// Digest of the model weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_digest: Option<String>,
    /// Engine version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Hash of the chat template used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_template_hash: Option<String>,
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    /// Completion tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens: Option<u64>,
    /// Data classification of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_classification: Option<String>,
    /// Categories of identifiers detected (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier_categories: Vec<String>,
    /// Categories of identifiers detected in the model's output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_identifier_categories: Vec<String>,
    /// Identifiers were redacted from the output before it was sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub output_redacted: bool,
    /// `audit_pruned`: content is removed from every record below this index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune_below: Option<u64>,
    /// `audit_pruned`: every record below `prune_below` started before this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune_cutoff: Option<String>,
    /// `audit_pruned`: the retention minimum in force, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_minimum_days: Option<u64>,
    /// `mau_subject_counted`: the month (`YYYY-MM`, UTC) counted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mau_month: Option<String>,
    /// Declared purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Policy decision (`allow`, `deny`), the determining policies and the policy-set hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Policies that determined the decision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_ids: Vec<String>,
    /// Hash of the policy set in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_set_hash: Option<String>,
    /// `success`, `refused`, `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Stable error code, and for auth failures the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Why, in a few words (never secrets or content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Latency in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// License id in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_id: Option<String>,
    /// Keyed hashes of prompt and completion text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_hash: Option<String>,
    /// Keyed hash of the completion text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_hash: Option<String>,
    /// `stop` or `length`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Names of the tools offered to the model (never their definitions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_offered: Vec<String>,
    /// Names of the tools the model called (never the arguments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_called: Vec<String>,
}

impl AuditEvent {
    /// An event of `event_type` on `node_id` starting at `start_time`.
    pub fn new(event_type: EventType, node_id: &str, start_time: time::OffsetDateTime) -> Self {
        Self {
            event_type,
            start_time: timestamp(start_time),
            end_time: None,
            request_id: None,
            trace_id: None,
            subject_pseudonym: None,
            tenant: None,
            roles: Vec::new(),
            on_behalf_of: None,
            client_cert_thumbprint: None,
            auth_method: None,
            node_id: node_id.to_owned(),
            region: None,
            jurisdiction: None,
            source_address: None,
            operation: None,
            model_id: None,
            weights_digest: None,
            engine_version: None,
            chat_template_hash: None,
            prompt_tokens: None,
            completion_tokens: None,
            data_classification: None,
            identifier_categories: Vec::new(),
            output_identifier_categories: Vec::new(),
            output_redacted: false,
            prune_below: None,
            prune_cutoff: None,
            retention_minimum_days: None,
            mau_month: None,
            purpose: None,
            decision: None,
            policy_ids: Vec::new(),
            policy_set_hash: None,
            outcome: None,
            status: None,
            error_code: None,
            reason: None,
            latency_ms: None,
            license_id: None,
            prompt_hash: None,
            completion_hash: None,
            finish_reason: None,
            tools_offered: Vec::new(),
            tools_called: Vec::new(),
        }
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A record as stored: the event and its place in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Record schema version.
    pub schema_version: u32,
    /// Unique id (UUIDv7).
    pub event_id: String,
    /// The log (node) the record belongs to.
    pub log_id: String,
    /// Position in the log, from 0.
    pub log_index: u64,
    /// Hex root of the tree of records `0..log_index`.
    pub prev_root: String,
    /// The event.
    pub event: AuditEvent,
}

/// Why a value cannot be canonically encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode canonically: {0}")]
pub struct CanonicalError(String);

/// RFC 8785 canonical JSON of a value holding only strings, integers,
/// booleans, null, arrays and objects (audit records hold no floats, whose
/// canonical form would need ECMAScript number formatting).
pub fn canonical(value: &Value) -> Result<String, CanonicalError> {
    check(value)?;
    let mut out = String::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

/// Writes `value` with every object's keys in order (UTF-8 byte order,
/// equal to JCS's UTF-16 order for the ASCII keys `check` allows), no
/// insignificant whitespace, and strings and integers as serde_json writes
/// them (which is as JCS does). The order is imposed here, not left to
/// serde_json's map type, whose order depends on a cargo feature that any
/// dependency can turn on.
fn write_canonical(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    let scalar = |v: &Value| serde_json::to_string(v).map_err(|e| CanonicalError(e.to_string()));
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&scalar(&Value::String(key.clone()))?);
                out.push(':');
                write_canonical(item, out)?;
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        other => out.push_str(&scalar(other)?),
    }
    Ok(())
}

fn check(value: &Value) -> Result<(), CanonicalError> {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            Err(CanonicalError(format!("non-integer number {n}")))
        }
        Value::Number(n) if n.as_i64().is_some_and(|i| i.unsigned_abs() > (1 << 53)) => {
            Err(CanonicalError(format!("integer {n} beyond 2^53")))
        }
        Value::Number(n) if n.as_u64().is_some_and(|u| u > (1 << 53)) => {
            Err(CanonicalError(format!("integer {n} beyond 2^53")))
        }
        Value::Object(map) => {
            if map.keys().any(|k| !k.is_ascii()) {
                return Err(CanonicalError("non-ASCII object key".into()));
            }
            map.values().try_for_each(check)
        }
        Value::Array(items) => items.iter().try_for_each(check),
        _ => Ok(()),
    }
}

/// The canonical bytes of a record.
pub fn encode(record: &AuditRecord) -> Result<String, CanonicalError> {
    let value = serde_json::to_value(record).map_err(|e| CanonicalError(e.to_string()))?;
    canonical(&value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_refuses_floats() {
        let v = json!({"b": 1, "a": [true, null, "x\u{1}\"é"], "c": {"z": 0, "y": -3}});
        assert_eq!(
            canonical(&v).unwrap(),
            r#"{"a":[true,null,"x\u0001\"é"],"b":1,"c":{"y":-3,"z":0}}"#
        );
        assert!(canonical(&json!({"x": 1.5})).is_err());
        assert!(canonical(&json!({"x": 9007199254740993u64})).is_err());
    }

    #[test]
    fn records_round_trip_through_their_canonical_form() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut event = AuditEvent::new(EventType::AuthenticationFailed, "node-1", t);
        event.reason = Some("expired".into());
        event.status = Some(401);
        let record = AuditRecord {
            schema_version: SCHEMA_VERSION,
            event_id: "0".into(),
            log_id: "node-1".into(),
            log_index: 7,
            prev_root: "00".into(),
            event,
        };
        let text = encode(&record).unwrap();
        assert!(
            text.contains(r#""start_time":"2027-01-15T08:00:00.000Z""#),
            "{text}"
        );
        assert!(!text.contains("null"), "absent fields are left out: {text}");
        let back: AuditRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record);
        assert_eq!(encode(&back).unwrap(), text);
    }
}
