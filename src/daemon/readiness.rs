//! Which parts of the daemon are ready to serve, for `/readyz`, systemd's
//! `STATUS=` and the `palisade_component_ready` metric.
//!
//! A component is `starting` while it initialises, then `ready` or
//! `unavailable` with a reason. systemd hears `READY=1` once no component
//! is still starting (the daemon has finished starting up); `/readyz`
//! answers 200 only when every component is ready, which is what a load
//! balancer should route on.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;

use crate::telemetry::metrics::{ComponentLabels, Metrics};

/// The state of one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum ComponentState {
    /// Still initialising.
    Starting,
    /// Ready to serve.
    Ready,
    /// Finished starting but cannot serve, for the reason given.
    Unavailable(String),
}

/// Component names used by the daemon.
pub mod component {
    /// The HTTPS listeners are bound and accepting.
    pub const LISTENERS: &str = "listeners";
    /// The server certificate and client CA are loaded.
    pub const TLS: &str = "tls";
    /// The audit store is open and the log is writing.
    pub const AUDIT: &str = "audit";
    /// At least one token issuer is configured with usable keys.
    pub const IDENTITY: &str = "identity";
    /// The model is loaded and the engine can generate.
    pub const MODEL: &str = "model";
    /// The installation license verifies and is in force (or in grace).
    pub const LICENSE: &str = "license";
    /// The policy set is loaded (and not empty).
    pub const POLICY: &str = "policy";
}

/// The readiness of every component.
#[derive(Debug)]
pub struct Readiness {
    components: RwLock<BTreeMap<String, ComponentState>>,
    /// Warnings an operator should see in `STATUS=` while the node is
    /// ready (a monthly-active-user threshold crossed), by topic.
    notes: RwLock<BTreeMap<String, String>>,
    metrics: Arc<Metrics>,
}

impl Readiness {
    /// An empty registry that mirrors states into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self {
            components: RwLock::new(BTreeMap::new()),
            notes: RwLock::new(BTreeMap::new()),
            metrics,
        }
    }

    /// Sets the state of `name`.
    pub fn set(&self, name: &str, state: ComponentState) {
        let ready = i64::from(state == ComponentState::Ready);
        self.metrics
            .component_ready
            .get_or_create(&ComponentLabels {
                component: name.to_owned(),
            })
            .set(ready);
        self.components
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned(), state);
    }

    /// Every component and its state.
    pub fn snapshot(&self) -> BTreeMap<String, ComponentState> {
        self.components
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// True when every component is ready.
    pub fn is_ready(&self) -> bool {
        self.snapshot()
            .values()
            .all(|s| *s == ComponentState::Ready)
    }

    /// True when no component is still starting.
    pub fn has_started(&self) -> bool {
        self.snapshot()
            .values()
            .all(|s| *s != ComponentState::Starting)
    }

    /// Sets (or, with `None`, clears) the note on `topic`.
    pub fn set_note(&self, topic: &str, note: Option<String>) {
        let mut notes = self
            .notes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match note {
            Some(n) => notes.insert(topic.to_owned(), n),
            None => notes.remove(topic),
        };
    }

    /// The notes, in topic order.
    pub fn notes(&self) -> Vec<String> {
        self.notes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// One line naming each component that is not ready and why, or `None`.
    pub fn not_ready_summary(&self) -> Option<String> {
        let parts: Vec<String> = self
            .snapshot()
            .into_iter()
            .filter_map(|(name, state)| match state {
                ComponentState::Ready => None,
                ComponentState::Starting => Some(format!("{name} (starting)")),
                ComponentState::Unavailable(why) => Some(format!("{name} ({why})")),
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_every_component_is() {
        let r = Readiness::new(Arc::new(Metrics::new()));
        r.set("a", ComponentState::Starting);
        assert!(!r.has_started());
        r.set("a", ComponentState::Ready);
        r.set("b", ComponentState::Unavailable("no disk".into()));
        assert!(r.has_started());
        assert!(!r.is_ready());
        assert_eq!(r.not_ready_summary().as_deref(), Some("b (no disk)"));
        r.set("b", ComponentState::Ready);
        assert!(r.is_ready());
        assert_eq!(r.not_ready_summary(), None);
    }
}
