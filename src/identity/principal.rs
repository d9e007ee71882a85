//! The principal: who a request is for, as policy, license and audit read
//! it. Built from a verified token by the claim mapping of its issuer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client_cert::ClientCertIdentity;

/// What a principal may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Call `/v1/*`.
    Inference,
    /// Read and export the audit trail.
    Auditor,
    /// Reload, license and other administration.
    Admin,
    /// Read `/metrics`.
    Metrics,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Inference, Role::Auditor, Role::Admin, Role::Metrics];

    /// The role's name in tokens and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inference => "inference",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Metrics => "metrics",
        }
    }

    /// The role with this name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where each principal attribute is found in an issuer's tokens. Paths are
/// dotted (`realm_access.roles`) for IdPs that nest them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimMapping {
    /// The subject (user or service id).
    pub subject: String,
    /// The tenant.
    pub tenant: String,
    /// Roles: an array of strings, or one space-separated string.
    pub roles: String,
    /// Data-class clearances: an array of strings, or one space-separated string.
    pub clearances: String,
    /// The principal's region.
    pub region: String,
    /// The declared purpose of processing.
    pub purpose: String,
    /// RFC 8693 actor: an object whose `sub` is the service acting on the subject's behalf.
    pub actor: String,
    /// The data classification of the caller's requests (public, internal,
    /// confidential, pii, phi).
    pub classification: String,
    /// `"service"` for a service, anything else (or absent) for a user.
    pub principal_type: String,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        Self {
            subject: "sub".into(),
            tenant: "tenant".into(),
            roles: "roles".into(),
            clearances: "data_classes".into(),
            region: "region".into(),
            purpose: "purpose".into(),
            actor: "act".into(),
            classification: "classification".into(),
            principal_type: "principal_type".into(),
        }
    }
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The token's issuer.
    pub issuer: String,
    /// The subject: the human (or service) the request is for.
    pub subject: String,
    /// The tenant.
    pub tenant: String,
    /// Palisade roles granted.
    pub roles: BTreeSet<Role>,
    /// Data classes the principal is cleared for.
    pub clearances: Vec<String>,
    /// Region claim, if any.
    pub region: Option<String>,
    /// Purpose claim, if any.
    pub purpose: Option<String>,
    /// Classification claim, if any.
    pub classification: Option<String>,
    /// The caller is a service (claim `principal_type: "service"`), not a person.
    pub service: bool,
    /// The service acting on the subject's behalf (RFC 8693 `act.sub`), if any.
    pub actor: Option<String>,
    /// Whether the token was bound to the client certificate (RFC 8705).
    pub certificate_bound: bool,
    /// The client certificate of the connection.
    pub client_cert: Option<ClientCertIdentity>,
    /// The token's `jti`, if any.
    pub token_id: Option<String>,
    /// When the token expires, seconds since the epoch.
    pub expires_at: i64,
}

impl Principal {
    /// True when the principal holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Reads the value at a dotted path.
pub fn claim<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    // An exact key wins, for IdPs whose claim names contain dots
    // (e.g. namespaced claims like "https://example.com/roles").
    if let Some(v) = claims.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(claims, |v, part| v.get(part))
}

/// A claim of the wrong type, named by its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// Present but not a string.
    #[error("claim `{0}` must be a string")]
    NotAString(String),
    /// A list holding something other than strings.
    #[error("claim `{0}` must hold only strings")]
    NotStrings(String),
    /// Neither a list of strings nor a string.
    #[error("claim `{0}` must be an array of strings or a string")]
    NotAList(String),
}

/// A string claim; `Err` names the claim when it is there but not a string.
pub fn string_claim(claims: &Value, path: &str) -> Result<Option<String>, ClaimError> {
    match claim(claims, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ClaimError::NotAString(path.to_owned())),
    }
}

/// A list claim: an array of strings or a space-separated string.
pub fn list_claim(claims: &Value, path: &str) -> Result<Vec<String>, ClaimError> {
    match claim(claims, path) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s.split_whitespace().map(str::to_owned).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ClaimError::NotStrings(path.to_owned()))
            })
            .collect(),
        Some(_) => Err(ClaimError::NotAList(path.to_owned())),
    }
}

/// Palisade roles from the token's role names: through `role_map` when the
/// issuer has one (IdP group names), else by name. Unknown names are ignored.
pub fn map_roles(names: &[String], role_map: &BTreeMap<String, Vec<Role>>) -> BTreeSet<Role> {
    names
        .iter()
        .flat_map(|name| match role_map.get(name) {
            Some(roles) => roles.clone(),
            None if role_map.is_empty() => Role::parse(name).into_iter().collect(),
            None => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_read_by_dotted_path_or_exact_name() {
        let c = json!({"realm_access": {"roles": ["inference", "x"]}, "https://a.b/t": "acme", "scope": "a b"});
        assert_eq!(
            list_claim(&c, "realm_access.roles").unwrap(),
            vec!["inference", "x"]
        );
        assert_eq!(
            string_claim(&c, "https://a.b/t").unwrap().as_deref(),
            Some("acme")
        );
        assert_eq!(list_claim(&c, "scope").unwrap(), vec!["a", "b"]);
        assert!(string_claim(&c, "realm_access").is_err());
        assert_eq!(string_claim(&c, "missing").unwrap(), None);
    }

    #[test]
    fn roles_map_by_name_or_through_the_role_map() {
        let names = vec![
            "inference".to_owned(),
            "palisade-auditors".to_owned(),
            "root".to_owned(),
        ];
        assert_eq!(
            map_roles(&names, &BTreeMap::new()),
            BTreeSet::from([Role::Inference])
        );
        let map = BTreeMap::from([(
            "palisade-auditors".to_owned(),
            vec![Role::Auditor, Role::Metrics],
        )]);
        assert_eq!(
            map_roles(&names, &map),
            BTreeSet::from([Role::Auditor, Role::Metrics])
        );
    }
}
