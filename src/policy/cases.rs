//! Table-driven policy test cases (`policies/tests/*.toml`), run by
//! `palisade policy test`.
//!
//! ```toml
//! [defaults]                      # merged into every case, section by section
//! principal = { tenant = "demo", roles = ["inference"] }
//! resource = { model_id = "demo", node = "n1", region = "eu-central", jurisdiction = "EU" }
//!
//! [[case]]
//! name = "an SSN without the pii clearance is refused"
//! action = "infer"                # default
//! context = { data_classes = ["pii"], identifier_categories = ["ssn"], identifier_count = 1 }
//! decision = "deny"
//! policy_ids = ["clearance-pii"]  # exactly these determine the decision
//! obligations = []                # checked when given
//! ```

use std::path::Path;

use serde::Deserialize;
use toml::Value;

use super::{Action, Caller, Circumstances, Deployment, Facts, PolicySet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default = "infer")]
    action: String,
    #[serde(default)]
    principal: Caller,
    #[serde(default)]
    resource: Deployment,
    #[serde(default)]
    context: Circumstances,
    decision: String,
    #[serde(default)]
    policy_ids: Vec<String>,
    #[serde(default)]
    obligations: Option<Vec<String>>,
}

fn infer() -> String {
    "infer".to_owned()
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// `FILE: name`.
    pub name: String,
    /// Whether the decision matched.
    pub passed: bool,
    /// What was expected and what came, when it failed.
    pub detail: String,
}

/// A test case file that cannot be read, or a malformed case; the message
/// names the file (and the case).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CasesError(pub String);

/// Runs every case in `DIR/tests/*.toml` against `set`. An error is a
/// file that cannot be read or a case that is malformed; a case whose
/// decision differs is a failed [`CaseResult`].
pub fn run(dir: &Path, set: &PolicySet) -> Result<Vec<CaseResult>, CasesError> {
    let tests = dir.join("tests");
    let mut files: Vec<_> = std::fs::read_dir(&tests)
        .map_err(|e| CasesError(format!("{}: {e}", tests.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CasesError(format!(
            "{}: no test cases (*.toml)",
            tests.display()
        )));
    }
    let mut results = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CasesError(format!("{}: {e}", file.display())))?;
        results.extend(run_file(&file.display().to_string(), &text, set)?);
    }
    Ok(results)
}

/// Runs the cases of one file.
pub fn run_file(file: &str, text: &str, set: &PolicySet) -> Result<Vec<CaseResult>, CasesError> {
    cases_of(file, text, set).map_err(CasesError)
}

fn cases_of(file: &str, text: &str, set: &PolicySet) -> Result<Vec<CaseResult>, String> {
    let doc: toml::Table = text.parse().map_err(|e| format!("{file}: {e}"))?;
    for key in doc.keys() {
        if key != "defaults" && key != "case" {
            return Err(format!("{file}: unknown key `{key}` (defaults, case)"));
        }
    }
    let defaults = match doc.get("defaults") {
        None => toml::Table::new(),
        Some(Value::Table(t)) => t.clone(),
        Some(_) => return Err(format!("{file}: `defaults` must be a table")),
    };
    let Some(Value::Array(cases)) = doc.get("case") else {
        return Err(format!("{file}: no [[case]] entries"));
    };
    let mut results = Vec::new();
    for (i, raw) in cases.iter().enumerate() {
        let Value::Table(raw) = raw else {
            return Err(format!("{file}: case {} is not a table", i + 1));
        };
        let mut merged = defaults.clone();
        for (k, v) in raw {
            match (merged.get_mut(k), v) {
                (Some(Value::Table(base)), Value::Table(over)) => {
                    for (kk, vv) in over {
                        base.insert(kk.clone(), vv.clone());
                    }
                }
                _ => {
                    merged.insert(k.clone(), v.clone());
                }
            }
        }
        let case: Case = Value::Table(merged)
            .try_into()
            .map_err(|e| format!("{file}: case {}: {e}", i + 1))?;
        let label = format!("{file}: {}", case.name);
        let action = Action::parse(&case.action).ok_or_else(|| {
            format!(
                "{label}: unknown action {:?} (infer, declare, export-audit, admin)",
                case.action
            )
        })?;
        for class in case
            .context
            .data_classes
            .iter()
            .chain(&case.principal.clearances)
        {
            if super::rank(class).is_none() {
                return Err(format!(
                    "{label}: unknown data class {class:?} ({})",
                    super::CLASSES.join(", ")
                ));
            }
        }
        for category in &case.context.identifier_categories {
            if crate::pii::Category::parse(category).is_none() {
                return Err(format!("{label}: unknown identifier category {category:?}"));
            }
        }
        let allowed = match case.decision.as_str() {
            "allow" => true,
            "deny" => false,
            other => {
                return Err(format!(
                    "{label}: decision must be allow or deny, not {other:?}"
                ));
            }
        };
        let facts = Facts {
            caller: case.principal,
            deployment: case.resource,
            circumstances: case.context,
        };
        let got = set.decide_with(action, &facts, Some(set.schema()));
        let mut want_ids = case.policy_ids.clone();
        want_ids.sort();
        let mut failures = Vec::new();
        if got.allowed != allowed {
            failures.push(format!(
                "expected {}, got {} ({})",
                case.decision,
                if got.allowed { "allow" } else { "deny" },
                if got.reason.is_empty() {
                    got.policy_ids.join(", ")
                } else {
                    got.reason.clone()
                }
            ));
        }
        if got.policy_ids != want_ids {
            failures.push(format!(
                "expected policy ids [{}], got [{}]",
                want_ids.join(", "),
                got.policy_ids.join(", ")
            ));
        }
        if let Some(mut want) = case.obligations {
            want.sort();
            if got.obligations != want {
                failures.push(format!(
                    "expected obligations [{}], got [{}]",
                    want.join(", "),
                    got.obligations.join(", ")
                ));
            }
        }
        results.push(CaseResult {
            name: label,
            passed: failures.is_empty(),
            detail: failures.join("; "),
        });
    }
    Ok(results)
}
