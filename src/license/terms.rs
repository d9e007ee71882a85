//! A model's own license terms, read from its directory: the operator's
//! `palisade-model.toml` when present (authoritative), else recognised from
//! the `LICENSE` file, a `license` key in `config.json`, or the `license:`
//! line of the model card (`README.md` front matter).
//!
//! ```toml
//! license = "llama4"
//! mau_threshold = 700000000
//! attribution = "Built with Llama"
//! acceptable_use = "https://www.llama.com/llama4/use-policy"
//! ```
//!
//! The appliance cannot decide whether a licensee crosses a threshold such
//! as Llama 4's 700 million monthly active users (that test is about the
//! licensee's whole business on the model's release date); it records the
//! terms, shows the attribution where the license asks for it, and counts
//! its own users against the limits the operator or the contract sets.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The operator's file in a model directory.
pub const MODEL_TERMS_FILE: &str = "palisade-model.toml";

/// A model's license terms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelTerms {
    /// License id (`llama4`, `apache-2.0`...).
    pub license: Option<String>,
    /// The monthly-active-user threshold the license names, if any.
    pub mau_threshold: Option<u64>,
    /// Text the license asks to display.
    pub attribution: Option<String>,
    /// Where the acceptable-use policy is.
    pub acceptable_use: Option<String>,
    /// Which file the terms came from (not read from the TOML).
    #[serde(skip_deserializing)]
    pub source: Option<String>,
}

/// The terms of the Llama 4 Community License.
fn llama4() -> ModelTerms {
    ModelTerms {
        license: Some("llama4".into()),
        mau_threshold: Some(700_000_000),
        attribution: Some("Built with Llama".into()),
        acceptable_use: Some("https://www.llama.com/llama4/use-policy".into()),
        source: None,
    }
}

/// The terms of a license this release knows by its id (`llama4`,
/// `apache-2.0`, `mit`); an unknown id gets only its name.
#[must_use]
pub fn of_license(id: &str) -> ModelTerms {
    if id.trim().is_empty() {
        return ModelTerms::default();
    }
    known(id).unwrap_or_else(|| ModelTerms {
        license: Some(id.to_owned()),
        ..ModelTerms::default()
    })
}

fn known(id: &str) -> Option<ModelTerms> {
    match id.trim().to_ascii_lowercase().as_str() {
        "llama4" | "llama-4" | "llama 4 community license" => Some(llama4()),
        id @ ("apache-2.0" | "mit") => Some(ModelTerms {
            license: Some(id.to_owned()),
            ..ModelTerms::default()
        }),
        _ => None,
    }
}

/// A model terms file that exists but cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {why}", path.display())]
pub struct TermsError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong.
    pub why: String,
}

/// The operator's `palisade-model.toml` at `path`, if there is one.
fn read_terms_file(path: &Path) -> Result<Option<ModelTerms>, TermsError> {
    let bad = |why: String| TermsError {
        path: path.to_path_buf(),
        why,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let mut terms: ModelTerms = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
            terms.source = Some(MODEL_TERMS_FILE.into());
            Ok(Some(terms))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// The terms of a single-file model (GGUF): `palisade-model.toml` beside
/// the file when there is one, else the file's `general.license`.
fn read_beside_file(file: &Path) -> Result<ModelTerms, TermsError> {
    if let Some(terms) = read_terms_file(&file.with_file_name(MODEL_TERMS_FILE))? {
        return Ok(terms);
    }
    let license = crate::engine::gguf::inspect(file)
        .ok()
        .and_then(|s| s.license)
        .filter(|id| !id.trim().is_empty());
    Ok(match license {
        Some(id) => {
            let mut terms = known(&id).unwrap_or(ModelTerms {
                license: Some(id),
                ..ModelTerms::default()
            });
            terms.source = Some("general.license".into());
            terms
        }
        None => ModelTerms::default(),
    })
}

/// Reads the terms of the model in `dir`; none found is not an error.
pub fn read(dir: &Path) -> Result<ModelTerms, TermsError> {
    if dir.is_file() {
        return read_beside_file(dir);
    }
    if let Some(terms) = read_terms_file(&dir.join(MODEL_TERMS_FILE))? {
        return Ok(terms);
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("LICENSE")) {
        let upper = text.to_ascii_uppercase();
        let found = if upper.contains("LLAMA 4 COMMUNITY LICENSE") {
            Some(llama4())
        } else if upper.contains("APACHE LICENSE") && upper.contains("VERSION 2.0") {
            known("apache-2.0")
        } else {
            None
        };
        if let Some(mut terms) = found {
            terms.source = Some("LICENSE".into());
            return Ok(terms);
        }
    }
    // Some checkpoints name their license in config.json.
    let from_config = std::fs::read_to_string(dir.join("config.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v.get("license").and_then(|l| l.as_str()).map(str::to_owned))
        .filter(|id| !id.trim().is_empty());
    if let Some(id) = from_config {
        let mut terms = known(&id).unwrap_or(ModelTerms {
            license: Some(id),
            ..ModelTerms::default()
        });
        terms.source = Some("config.json".into());
        return Ok(terms);
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("README.md")) {
        // The model card's YAML front matter: `license: llama4`.
        let front = text
            .strip_prefix("---")
            .and_then(|rest| rest.split("\n---").next())
            .unwrap_or_default();
        let license = front
            .lines()
            .find_map(|l| l.trim().strip_prefix("license:"))
            .map(|v| v.trim().trim_matches('"').to_owned());
        if let Some(id) = license {
            let mut terms = known(&id).unwrap_or(ModelTerms {
                license: Some(id),
                ..ModelTerms::default()
            });
            terms.source = Some("README.md".into());
            return Ok(terms);
        }
    }
    Ok(ModelTerms::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_come_from_the_operator_file_then_the_license_then_the_card() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), ModelTerms::default());
        std::fs::write(
            dir.path().join("README.md"),
            "---\nlicense: apache-2.0\n---\n# card",
        )
        .unwrap();
        let t = read(dir.path()).unwrap();
        assert_eq!(t.license.as_deref(), Some("apache-2.0"));
        assert_eq!(t.source.as_deref(), Some("README.md"));
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"model_type": "llama4", "license": "llama4"}"#,
        )
        .unwrap();
        let t = read(dir.path()).unwrap();
        assert_eq!(t.mau_threshold, Some(700_000_000));
        assert_eq!(t.source.as_deref(), Some("config.json"));
        std::fs::write(
            dir.path().join("LICENSE"),
            "LLAMA 4 COMMUNITY LICENSE AGREEMENT\nLlama 4 Version Effective Date: April 5, 2025",
        )
        .unwrap();
        let t = read(dir.path()).unwrap();
        assert_eq!(t.mau_threshold, Some(700_000_000));
        assert_eq!(t.attribution.as_deref(), Some("Built with Llama"));
        assert_eq!(t.source.as_deref(), Some("LICENSE"));
        std::fs::write(
            dir.path().join(MODEL_TERMS_FILE),
            "license = \"custom\"\nmau_threshold = 5000\nattribution = \"Powered by X\"\n",
        )
        .unwrap();
        let t = read(dir.path()).unwrap();
        assert_eq!(t.license.as_deref(), Some("custom"));
        assert_eq!(t.mau_threshold, Some(5000));
        assert_eq!(t.source.as_deref(), Some(MODEL_TERMS_FILE));
        std::fs::write(dir.path().join(MODEL_TERMS_FILE), "licence = \"typo\"\n").unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("palisade-model.toml") && err.contains("licence"),
            "{err}"
        );
    }
}
