//! Data-residency and classification policy, decided in-process by Cedar.
//!
//! A policy directory holds one Cedar schema (`*.cedarschema`) and any
//! number of policy files (`*.cedar`); the shipped set is in `policies/` of
//! the repository and built into the binary for configs without
//! `[policy] dir`. Every policy is validated against the schema at load, so
//! a set that does not validate is never in force. Cedar denies by default
//! and a `forbid` beats every `permit`.
//!
//! Policies are named by their `@id("...")` annotation (else
//! `FILE.policyN`). An `@obligation("redact")` or `@obligation("no-store")`
//! annotation on a permit that determines an allow asks the caller to
//! redact identifiers before the model sees them, or not to keep content
//! hashes. A decision carries the determining policy ids and the hash of
//! the whole set, so an audit record names exactly which rules decided.

pub mod cases;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId,
    RestrictedExpression, Schema, ValidationMode, Validator,
};
use miette::Diagnostic;

/// Data classes, lowest first.
pub const CLASSES: [&str; 5] = ["public", "internal", "confidential", "pii", "phi"];

/// The rank of a data class (`public` 0 ... `phi` 4).
pub fn rank(class: &str) -> Option<usize> {
    CLASSES.iter().position(|c| *c == class)
}

/// The highest class in `classes`, `public` when empty.
pub fn highest<'a>(classes: impl IntoIterator<Item = &'a String>) -> String {
    classes
        .into_iter()
        .filter_map(|c| rank(c))
        .max()
        .and_then(|r| CLASSES.get(r))
        .unwrap_or(&"public")
        .to_string()
}

/// The shipped schema and policies (`policies/` in the repository).
pub const SHIPPED: [(&str, &str); 6] = [
    (
        "palisade.cedarschema",
        include_str!("../../policies/palisade.cedarschema"),
    ),
    ("base.cedar", include_str!("../../policies/base.cedar")),
    (
        "classification.cedar",
        include_str!("../../policies/classification.cedar"),
    ),
    ("gdpr.cedar", include_str!("../../policies/gdpr.cedar")),
    ("hipaa.cedar", include_str!("../../policies/hipaa.cedar")),
    (
        "allowlist.cedar",
        include_str!("../../policies/allowlist.cedar"),
    ),
];

/// The shipped test cases (`policies/tests/`).
pub const SHIPPED_TESTS: [(&str, &str); 1] = [(
    "shipped.toml",
    include_str!("../../policies/tests/shipped.toml"),
)];

/// Writes the shipped schema, policies and test cases into `dir` (which
/// must not hold them yet), for an operator to edit.
pub fn write_shipped(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("tests"))?;
    for (name, text) in SHIPPED {
        write_new(&dir.join(name), text)?;
    }
    for (name, text) in SHIPPED_TESTS {
        write_new(&dir.join("tests").join(name), text)?;
    }
    Ok(())
}

fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// What a policy decides about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run inference.
    Infer,
    /// Have classification and purpose headers believed as declared.
    Declare,
    /// Export the audit trail.
    ExportAudit,
    /// Administer the node.
    Admin,
}

impl Action {
    /// The action's id in the schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Infer => "infer",
            Action::Declare => "declare",
            Action::ExportAudit => "export-audit",
            Action::Admin => "admin",
        }
    }

    /// The action with this id.
    pub fn parse(name: &str) -> Option<Action> {
        [
            Action::Infer,
            Action::Declare,
            Action::ExportAudit,
            Action::Admin,
        ]
        .into_iter()
        .find(|a| a.as_str() == name)
    }
}

/// Whether the caller is a person or a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallerKind {
    /// A human user (the default).
    #[default]
    User,
    /// A service (token claim `principal_type: "service"`).
    Service,
}

/// The principal, as policy sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Caller {
    /// User or service.
    pub kind: CallerKind,
    /// Token issuer.
    pub issuer: String,
    /// Subject.
    pub subject: String,
    /// Tenant.
    pub tenant: String,
    /// Palisade roles.
    pub roles: Vec<String>,
    /// Data-class clearances.
    pub clearances: Vec<String>,
    /// Region claim ("" when absent).
    pub region: String,
    /// Token bound to the client certificate.
    pub certificate_bound: bool,
    /// The acting service ("" when none).
    pub acting_service: String,
}

/// The model deployment: model facts and node facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deployment {
    /// Served model id.
    pub model_id: String,
    /// The model's license id.
    pub license: String,
    /// Node id.
    pub node: String,
    /// Node region.
    pub region: String,
    /// Node jurisdiction.
    pub jurisdiction: String,
    /// Node site.
    pub site: String,
}

/// The request's circumstances.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Circumstances {
    /// Every class of data in the request.
    pub data_classes: BTreeSet<String>,
    /// Categories of identifiers detected.
    pub identifier_categories: BTreeSet<String>,
    /// How many identifiers were detected.
    pub identifier_count: i64,
    /// Declared purpose ("" when none).
    pub purpose: String,
    /// Hour of the day, UTC.
    pub hour_utc: i64,
    /// Day of the week, 1 = Monday.
    pub weekday_utc: i64,
    /// Client certificate thumbprint ("" when none).
    pub client_certificate: String,
    /// Client certificate subject CN ("" when none).
    pub client_subject: String,
    /// Names of the tools the request offers the model (in the context
    /// only when there are some, so that schemas from before tool calling
    /// still validate requests without them).
    pub tools: BTreeSet<String>,
}

impl Circumstances {
    /// The highest class in the request.
    pub fn classification(&self) -> String {
        highest(&self.data_classes)
    }
}

/// What a decision is about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// Who.
    pub caller: Caller,
    /// On what.
    pub deployment: Deployment,
    /// In which circumstances.
    pub circumstances: Circumstances,
}

/// An obligation an allow carries.
pub const REDACT: &str = "redact";
/// Obligation: keep no hash of the content.
pub const NO_STORE: &str = "no-store";

/// A decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allowed?
    pub allowed: bool,
    /// The policies that determined it: the permits that allowed, or the
    /// forbids that denied (empty for a default deny).
    pub policy_ids: Vec<String>,
    /// Obligations of the determining permits (`redact`, `no-store`).
    pub obligations: Vec<String>,
    /// Why, for a deny: which rules, or that nothing permits it.
    pub reason: String,
}

impl Decision {
    /// True when the allow carries `obligation`.
    pub fn obliges(&self, obligation: &str) -> bool {
        self.obligations.iter().any(|o| o == obligation)
    }
}

/// One problem in a policy directory, located as precisely as Cedar says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file (or the directory).
    pub file: String,
    /// Line and column, when known.
    pub at: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found loading a policy directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct PolicyErrors(pub Vec<PolicyError>);

/// A loaded, validated policy set.
#[derive(Debug)]
pub struct PolicySet {
    set: cedar_policy::PolicySet,
    schema: Schema,
    obligations: HashMap<PolicyId, Vec<String>>,
    hash: String,
    origin: String,
    authorizer: Authorizer,
}

/// `line:col` (1-based) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// One error per diagnostic, located in `text` when it has a label.
fn located(file: &str, text: &str, d: &dyn Diagnostic, message: String) -> PolicyError {
    let at = d
        .labels()
        .and_then(|mut l| l.next())
        .map(|l| line_col(text, l.offset()));
    let help = d.help().map(|h| format!(" ({h})")).unwrap_or_default();
    PolicyError {
        file: file.to_owned(),
        at,
        message: format!("{message}{help}"),
    }
}

impl PolicySet {
    /// The shipped set.
    pub fn shipped() -> Result<Self, PolicyErrors> {
        let files: Vec<(String, String)> = SHIPPED
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect();
        Self::from_files("built-in policies", &files)
    }

    /// Loads and validates the directory `dir`.
    pub fn load(dir: &Path) -> Result<Self, PolicyErrors> {
        let fail = |message: String| {
            PolicyErrors(vec![PolicyError {
                file: dir.display().to_string(),
                at: None,
                message,
            }])
        };
        let entries = std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read: {e}")))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| fail(e.to_string()))?.path();
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            if !(name.ends_with(".cedar") || name.ends_with(".cedarschema")) || !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| {
                PolicyErrors(vec![PolicyError {
                    file: path.display().to_string(),
                    at: None,
                    message: format!("cannot read: {e}"),
                }])
            })?;
            files.push((name, text));
        }
        Self::from_files(&dir.display().to_string(), &files)
    }

    /// Parses and validates `files` (name, text); `origin` names them in
    /// messages.
    pub fn from_files(origin: &str, files: &[(String, String)]) -> Result<Self, PolicyErrors> {
        let mut files: Vec<&(String, String)> = files.iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut errors = Vec::new();
        let schemas: Vec<&&(String, String)> = files
            .iter()
            .filter(|(n, _)| n.ends_with(".cedarschema"))
            .collect();
        let schema = match schemas.as_slice() {
            [(name, text)] => match Schema::from_cedarschema_str(text) {
                Ok((schema, _warnings)) => Some(schema),
                Err(e) => {
                    errors.push(located(name, text, &e, e.to_string()));
                    None
                }
            },
            [] => {
                errors.push(PolicyError {
                    file: origin.to_owned(),
                    at: None,
                    message: "no schema (*.cedarschema): policies cannot be validated without one"
                        .to_owned(),
                });
                None
            }
            _ => {
                errors.push(PolicyError {
                    file: origin.to_owned(),
                    at: None,
                    message: "more than one schema (*.cedarschema); keep exactly one".to_owned(),
                });
                None
            }
        };
        let mut set = cedar_policy::PolicySet::new();
        let mut obligations = HashMap::new();
        let mut sources: HashMap<PolicyId, (&str, &str)> = HashMap::new();
        for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".cedar")) {
            let parsed = match cedar_policy::PolicySet::from_str(text) {
                Ok(p) => p,
                Err(e) => {
                    for d in e.iter() {
                        errors.push(located(name, text, d, d.to_string()));
                    }
                    continue;
                }
            };
            if parsed.templates().next().is_some() {
                errors.push(PolicyError {
                    file: name.clone(),
                    at: None,
                    message: "policy templates are not supported; write static policies".to_owned(),
                });
            }
            let stem = name.trim_end_matches(".cedar");
            let mut in_file: Vec<&cedar_policy::Policy> = parsed.policies().collect();
            in_file.sort_by_key(|p| p.id().to_string());
            for policy in in_file {
                let id = match policy.annotation("id") {
                    Some(id) => id.to_owned(),
                    None => format!("{stem}.{}", policy.id()),
                };
                let pid = PolicyId::new(&id);
                let renamed = policy.new_id(pid.clone());
                if let Err(e) = set.add(renamed) {
                    errors.push(PolicyError {
                        file: name.clone(),
                        at: None,
                        message: format!("policy id {id:?}: {e} (ids must be unique across files)"),
                    });
                    continue;
                }
                if let Some(list) = policy.annotation("obligation") {
                    let list: Vec<String> = list
                        .split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect();
                    for o in &list {
                        if o != REDACT && o != NO_STORE {
                            errors.push(PolicyError {
                                file: name.clone(),
                                at: None,
                                message: format!(
                                    "policy {id:?}: unknown obligation {o:?} (known: {REDACT}, {NO_STORE})"
                                ),
                            });
                        }
                    }
                    obligations.insert(pid.clone(), list);
                }
                sources.insert(pid, (name.as_str(), text.as_str()));
            }
        }
        let Some(schema) = schema else {
            return Err(PolicyErrors(errors));
        };
        let validation = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
        for e in validation.validation_errors() {
            let (file, text) = sources.get(e.policy_id()).copied().unwrap_or((origin, ""));
            errors.push(located(
                file,
                text,
                e,
                format!(
                    "policy {:?} does not validate against the schema: {e}",
                    e.policy_id().to_string()
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(PolicyErrors(errors));
        }
        let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for (name, text) in &files {
            if name.ends_with(".cedar") || name.ends_with(".cedarschema") {
                digest.update(name.as_bytes());
                digest.update(&[0]);
                digest.update(text.as_bytes());
                digest.update(&[0]);
            }
        }
        let hash = format!(
            "sha256:{}",
            digest
                .finish()
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Ok(Self {
            set,
            schema,
            obligations,
            hash,
            origin: origin.to_owned(),
            authorizer: Authorizer::new(),
        })
    }

    /// `sha256:` of the schema and policy files, names and contents, in
    /// name order.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Where the set came from (a directory, or the built-in set).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How many policies are in force.
    pub fn len(&self) -> usize {
        self.set.num_of_policies()
    }

    /// True when there are no policies: everything is denied.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The ids of every policy, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.set.policies().map(|p| p.id().to_string()).collect();
        ids.sort();
        ids
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Decides `action` on `facts`. Anything that keeps Cedar from deciding
    /// denies (fail closed).
    pub fn decide(&self, action: Action, facts: &Facts) -> Decision {
        self.decide_with(action, facts, None)
    }

    /// [`decide`](Self::decide), validating the request against the schema
    /// when `schema` is given (the test cases do; the daemon builds its
    /// requests to the schema already).
    pub fn decide_with(&self, action: Action, facts: &Facts, schema: Option<&Schema>) -> Decision {
        let deny = |reason: String| Decision {
            allowed: false,
            policy_ids: Vec::new(),
            obligations: Vec::new(),
            reason,
        };
        if self.is_empty() {
            return deny(format!(
                "the policy set ({}) is empty, so nothing is permitted",
                self.origin
            ));
        }
        let (request, entities) = match cedar_request(action, facts, schema) {
            Ok(r) => r,
            Err(e) => return deny(format!("the request cannot be put to policy: {e}")),
        };
        let response = self
            .authorizer
            .is_authorized(&request, &self.set, &entities);
        let mut ids: Vec<String> = response
            .diagnostics()
            .reason()
            .map(ToString::to_string)
            .collect();
        ids.sort();
        let errors: Vec<String> = response
            .diagnostics()
            .errors()
            .map(ToString::to_string)
            .collect();
        for e in &errors {
            tracing::warn!(error = %e, "a policy could not be evaluated (treated as not applying)");
        }
        let allowed = response.decision() == cedar_policy::Decision::Allow;
        if !allowed {
            let reason = if ids.is_empty() {
                format!("no policy permits {} for this principal", action.as_str())
            } else {
                format!("forbidden by {}", ids.join(", "))
            };
            return Decision {
                allowed,
                policy_ids: ids,
                obligations: Vec::new(),
                reason,
            };
        }
        let obligations: BTreeSet<String> = response
            .diagnostics()
            .reason()
            .filter_map(|id| self.obligations.get(id))
            .flatten()
            .cloned()
            .collect();
        Decision {
            allowed,
            policy_ids: ids,
            obligations: obligations.into_iter().collect(),
            reason: String::new(),
        }
    }
}

fn uid(type_name: &str, id: &str) -> Result<EntityUid, String> {
    let t = EntityTypeName::from_str(type_name).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(t, EntityId::new(id)))
}

fn string(s: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(s.to_owned())
}

fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> RestrictedExpression {
    RestrictedExpression::new_set(items.into_iter().map(|s| string(s)))
}

/// The Cedar request and entities for `facts`.
fn cedar_request(
    action: Action,
    facts: &Facts,
    schema: Option<&Schema>,
) -> Result<(cedar_policy::Request, Entities), String> {
    let c = &facts.caller;
    let d = &facts.deployment;
    let x = &facts.circumstances;
    let tenant = uid("Palisade::Tenant", &c.tenant)?;
    let kind = match c.kind {
        CallerKind::User => "Palisade::User",
        CallerKind::Service => "Palisade::Service",
    };
    let principal = uid(kind, &c.subject)?;
    let caller_attrs: HashMap<String, RestrictedExpression> = [
        ("issuer", string(&c.issuer)),
        ("subject", string(&c.subject)),
        ("tenant", string(&c.tenant)),
        ("roles", strings(&c.roles)),
        ("clearances", strings(&c.clearances)),
        ("region", string(&c.region)),
        (
            "certificate_bound",
            RestrictedExpression::new_bool(c.certificate_bound),
        ),
        ("acting_service", string(&c.acting_service)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let resource = uid(
        "Palisade::Deployment",
        &format!("{}/{}", d.node, d.model_id),
    )?;
    let deployment_attrs: HashMap<String, RestrictedExpression> = [
        ("model_id", &d.model_id),
        ("license", &d.license),
        ("node", &d.node),
        ("region", &d.region),
        ("jurisdiction", &d.jurisdiction),
        ("site", &d.site),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), string(v)))
    .collect();
    let entities = Entities::from_entities(
        [
            Entity::new_no_attrs(tenant.clone(), HashSet::new()),
            Entity::new(principal.clone(), caller_attrs, HashSet::from([tenant]))
                .map_err(|e| e.to_string())?,
            Entity::new(resource.clone(), deployment_attrs, HashSet::new())
                .map_err(|e| e.to_string())?,
        ],
        schema,
    )
    .map_err(|e| e.to_string())?;
    let context = Context::from_pairs(
        [
            ("classification", string(&x.classification())),
            ("data_classes", strings(&x.data_classes)),
            ("identifier_categories", strings(&x.identifier_categories)),
            (
                "identifier_count",
                RestrictedExpression::new_long(x.identifier_count),
            ),
            ("purpose", string(&x.purpose)),
            ("hour_utc", RestrictedExpression::new_long(x.hour_utc)),
            ("weekday_utc", RestrictedExpression::new_long(x.weekday_utc)),
            ("client_certificate", string(&x.client_certificate)),
            ("client_subject", string(&x.client_subject)),
        ]
        .into_iter()
        .chain((!x.tools.is_empty()).then(|| ("tools", strings(&x.tools))))
        .map(|(k, v)| (k.to_owned(), v)),
    )
    .map_err(|e| e.to_string())?;
    let request = cedar_policy::Request::new(
        principal,
        uid("Palisade::Action", action.as_str())?,
        resource,
        context,
        schema,
    )
    .map_err(|e| e.to_string())?;
    Ok((request, entities))
}

/// The policy set in force, replaced whole on reload.
#[derive(Debug)]
pub struct PolicyState {
    current: RwLock<Arc<PolicySet>>,
}

impl PolicyState {
    /// Holds `set`.
    pub fn new(set: PolicySet) -> Self {
        Self {
            current: RwLock::new(Arc::new(set)),
        }
    }

    /// The set in force.
    pub fn get(&self) -> Arc<PolicySet> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts `set` in force.
    pub fn replace(&self, set: PolicySet) {
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(set);
    }
}

/// The policy set a config asks for: its `[policy] dir`, else the shipped
/// set.
pub fn load_configured(dir: Option<&PathBuf>) -> Result<PolicySet, PolicyErrors> {
    match dir {
        Some(dir) => PolicySet::load(dir),
        None => PolicySet::shipped(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(classes: &[&str], clearances: &[&str], purpose: &str) -> Facts {
        Facts {
            caller: Caller {
                subject: "alice".into(),
                tenant: "demo".into(),
                roles: vec!["inference".into()],
                clearances: clearances.iter().map(|c| (*c).to_owned()).collect(),
                ..Caller::default()
            },
            deployment: Deployment {
                model_id: "demo".into(),
                node: "n1".into(),
                jurisdiction: "EU".into(),
                region: "eu-central".into(),
                ..Deployment::default()
            },
            circumstances: Circumstances {
                data_classes: classes.iter().map(|c| (*c).to_owned()).collect(),
                purpose: purpose.into(),
                ..Circumstances::default()
            },
        }
    }

    #[test]
    fn the_shipped_set_validates_and_decides() -> Result<(), PolicyErrors> {
        let set = PolicySet::shipped()?;
        assert!(set.hash().starts_with("sha256:"));
        let allowed = set.decide(Action::Infer, &facts(&[], &[], ""));
        assert!(allowed.allowed, "{allowed:?}");
        assert_eq!(allowed.policy_ids, vec!["permit-inference"]);
        let denied = set.decide(Action::Infer, &facts(&["pii"], &[], ""));
        assert!(!denied.allowed);
        assert_eq!(denied.policy_ids, vec!["clearance-pii"]);
        let phi = set.decide(Action::Infer, &facts(&["phi"], &["phi"], "research"));
        assert_eq!(phi.policy_ids, vec!["hipaa-phi-purpose"]);
        let phi = set.decide(Action::Infer, &facts(&["phi"], &["phi"], "treatment"));
        assert!(phi.allowed && phi.obliges(NO_STORE), "{phi:?}");
        Ok(())
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let schema = SHIPPED[0];
        let files = vec![
            (schema.0.to_owned(), schema.1.to_owned()),
            (
                "bad.cedar".to_owned(),
                "// c\npermit (principal, action, resource) when { context.nope == 1 };\nforbid (principal action, resource);\n"
                    .to_owned(),
            ),
        ];
        let Err(PolicyErrors(errors)) = PolicySet::from_files("t", &files) else {
            panic!("a syntax error was accepted");
        };
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        assert!(first.starts_with("bad.cedar:3:"), "{first}");
        // Fix the syntax: now the schema error is reported, on line 2.
        let files = vec![
            files[0].clone(),
            (
                "bad.cedar".to_owned(),
                "// c\npermit (principal, action, resource) when { context.nope == 1 };\n"
                    .to_owned(),
            ),
        ];
        let Err(PolicyErrors(errors)) = PolicySet::from_files("t", &files) else {
            panic!("a policy that does not validate was accepted");
        };
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        assert!(first.starts_with("bad.cedar:2:"), "{first}");
        assert!(first.contains("does not validate"), "{first}");
    }

    #[test]
    fn a_policy_can_forbid_a_tool_for_a_role() -> Result<(), PolicyErrors> {
        let mut files: Vec<(String, String)> = SHIPPED
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect();
        files.push((
            "tools.cedar".to_owned(),
            "@id(\"refunds-need-finance\")\nforbid (principal, action == Palisade::Action::\"infer\", resource)\n\
             when { context has tools && context.tools.contains(\"issue_refund\") }\n\
             unless { principal.roles.contains(\"finance\") };\n"
                .to_owned(),
        ));
        let set = PolicySet::from_files("t", &files)?;
        let mut f = facts(&[], &[], "");
        assert!(set.decide(Action::Infer, &f).allowed, "no tools offered");
        f.circumstances.tools = ["lookup_order".to_owned()].into();
        assert!(set.decide(Action::Infer, &f).allowed);
        f.circumstances.tools.insert("issue_refund".to_owned());
        let d = set.decide(Action::Infer, &f);
        assert!(!d.allowed);
        assert_eq!(d.policy_ids, vec!["refunds-need-finance"]);
        f.caller.roles.push("finance".into());
        assert!(set.decide(Action::Infer, &f).allowed);
        Ok(())
    }

    #[test]
    fn an_empty_set_denies_everything_and_says_so() -> Result<(), PolicyErrors> {
        let schema = SHIPPED[0];
        let set = PolicySet::from_files("empty", &[(schema.0.to_owned(), schema.1.to_owned())])?;
        assert!(set.is_empty());
        let d = set.decide(Action::Infer, &facts(&[], &[], ""));
        assert!(!d.allowed);
        assert!(d.reason.contains("empty"), "{}", d.reason);
        Ok(())
    }
}
