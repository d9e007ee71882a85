//! Requests and generated tokens per minute, per subject and per tenant.
//!
//! Each limited key has a bucket holding up to one minute's allowance that
//! refills continuously. A request takes one request credit from the
//! subject's bucket and, when the tenant has a limit, from the tenant's; it
//! is refused when either is empty. Generated tokens are charged after the
//! fact ([`RateLimiter::charge_tokens`]); a bucket in debt refuses new
//! requests until it has refilled to zero. `Retry-After` says when.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::principal::{Principal, Role};
use crate::config::{Limit, RateLimitsConfig};

/// Refusal: retry after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// Which limit refused.
    pub scope: Scope,
    /// When a retry can succeed.
    pub retry_after: Duration,
}

/// Whose limit refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The subject's own limit.
    Subject,
    /// The tenant's shared limit.
    Tenant,
}

impl Scope {
    /// `subject` or `tenant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Subject => "subject",
            Scope::Tenant => "tenant",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    requests: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(limit: Limit, at: Instant) -> Self {
        Self {
            requests: f64::from(limit.requests_per_minute),
            tokens: f64::from(limit.tokens_per_minute),
            at,
        }
    }

    fn refill(&mut self, limit: Limit, now: Instant) {
        let minutes = now.saturating_duration_since(self.at).as_secs_f64() / 60.0;
        let rpm = f64::from(limit.requests_per_minute);
        let tpm = f64::from(limit.tokens_per_minute);
        self.requests = (self.requests + rpm * minutes).min(rpm);
        self.tokens = (self.tokens + tpm * minutes).min(tpm);
        self.at = now;
    }

    /// How long until a request may pass, or zero.
    fn wait(&self, limit: Limit) -> Duration {
        let mut wait: f64 = 0.0;
        if limit.requests_per_minute > 0 && self.requests < 1.0 {
            wait = wait.max((1.0 - self.requests) * 60.0 / f64::from(limit.requests_per_minute));
        }
        if limit.tokens_per_minute > 0 && self.tokens < 0.0 {
            wait = wait.max(-self.tokens * 60.0 / f64::from(limit.tokens_per_minute));
        }
        Duration::from_secs_f64(wait)
    }
}

/// The limiter, shared by all workers.
#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitsConfig,
    buckets: Mutex<HashMap<(Scope, String), Bucket>>,
}

/// Buckets kept before idle full ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    /// A limiter with these limits.
    pub fn new(config: RateLimitsConfig) -> Self {
        Self {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The subject limit for `principal`: the most generous of its roles'
    /// limits, else the default. A 0 (unlimited) is the most generous.
    fn subject_limit(&self, principal: &Principal) -> Limit {
        let role_limits: Vec<Limit> = principal
            .roles
            .iter()
            .filter_map(|r: &Role| self.config.roles.get(r.as_str()).copied())
            .collect();
        if role_limits.is_empty() {
            return self.config.default;
        }
        let most = |f: fn(&Limit) -> u32| {
            let values: Vec<u32> = role_limits.iter().map(f).collect();
            if values.contains(&0) {
                0
            } else {
                values.into_iter().max().unwrap_or(0)
            }
        };
        Limit {
            requests_per_minute: most(|l| l.requests_per_minute),
            tokens_per_minute: most(|l| l.tokens_per_minute),
        }
    }

    fn keys(&self, principal: &Principal) -> Vec<((Scope, String), Limit)> {
        let mut keys = vec![(
            (
                Scope::Subject,
                format!("{}\u{0}{}", principal.issuer, principal.subject),
            ),
            self.subject_limit(principal),
        )];
        if let Some(limit) = self.config.tenants.get(&principal.tenant) {
            keys.push(((Scope::Tenant, principal.tenant.clone()), *limit));
        }
        keys.retain(|(_, l)| l.requests_per_minute > 0 || l.tokens_per_minute > 0);
        keys
    }

    /// Admits one request at `now`, or says when to retry.
    pub fn admit(&self, principal: &Principal, now: Instant) -> Result<(), Limited> {
        let keys = self.keys(principal);
        if keys.is_empty() {
            return Ok(());
        }
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            // A bucket untouched for a minute has refilled to full unless it
            // is in token debt; dropping it changes nothing.
            buckets.retain(|_, b| {
                now.saturating_duration_since(b.at) < Duration::from_secs(60) || b.tokens < 0.0
            });
        }
        // Check every bucket before taking from any, so a refusal costs nothing.
        for (key, limit) in &keys {
            let bucket = buckets
                .entry(key.clone())
                .or_insert_with(|| Bucket::full(*limit, now));
            bucket.refill(*limit, now);
            let wait = bucket.wait(*limit);
            if !wait.is_zero() {
                return Err(Limited {
                    scope: key.0,
                    retry_after: wait,
                });
            }
        }
        for (key, limit) in &keys {
            if limit.requests_per_minute > 0
                && let Some(b) = buckets.get_mut(key)
            {
                b.requests -= 1.0;
            }
        }
        Ok(())
    }

    /// Charges `tokens` generated for `principal` at `now`.
    pub fn charge_tokens(&self, principal: &Principal, tokens: u64, now: Instant) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (key, limit) in self.keys(principal) {
            if limit.tokens_per_minute == 0 {
                continue;
            }
            let bucket = buckets
                .entry(key)
                .or_insert_with(|| Bucket::full(limit, now));
            bucket.refill(limit, now);
            bucket.tokens -= tokens as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn principal(tenant: &str, subject: &str, roles: &[Role]) -> Principal {
        Principal {
            issuer: "iss".into(),
            subject: subject.into(),
            tenant: tenant.into(),
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
            clearances: vec![],
            region: None,
            purpose: None,
            classification: None,
            service: false,
            actor: None,
            certificate_bound: false,
            client_cert: None,
            token_id: None,
            expires_at: 0,
        }
    }

    fn limit(rpm: u32, tpm: u32) -> Limit {
        Limit {
            requests_per_minute: rpm,
            tokens_per_minute: tpm,
        }
    }

    #[test]
    fn a_subject_gets_its_per_minute_allowance_then_waits_for_refill() {
        let rl = RateLimiter::new(RateLimitsConfig {
            default: limit(3, 0),
            ..RateLimitsConfig::default()
        });
        let p = principal("t", "alice", &[]);
        let t0 = Instant::now();
        for _ in 0..3 {
            rl.admit(&p, t0).unwrap();
        }
        let refused = rl.admit(&p, t0).unwrap_err();
        assert_eq!(refused.scope, Scope::Subject);
        assert_eq!(refused.retry_after, Duration::from_secs(20));
        // Others are not affected.
        rl.admit(&principal("t", "bob", &[]), t0).unwrap();
        // One request's worth refills in 20 s.
        rl.admit(&p, t0 + Duration::from_secs(20)).unwrap();
        assert!(rl.admit(&p, t0 + Duration::from_secs(20)).is_err());
    }

    #[test]
    fn a_tenant_limit_is_shared_and_role_limits_are_the_most_generous() {
        let rl = RateLimiter::new(RateLimitsConfig {
            default: limit(1, 0),
            roles: BTreeMap::from([
                ("metrics".to_owned(), limit(0, 0)),
                ("inference".to_owned(), limit(5, 0)),
            ]),
            tenants: BTreeMap::from([("acme".to_owned(), limit(2, 0))]),
        });
        let t0 = Instant::now();
        rl.admit(&principal("acme", "a", &[Role::Inference]), t0)
            .unwrap();
        rl.admit(&principal("acme", "b", &[Role::Inference]), t0)
            .unwrap();
        let refused = rl
            .admit(&principal("acme", "c", &[Role::Inference]), t0)
            .unwrap_err();
        assert_eq!(refused.scope, Scope::Tenant);
        // Unlimited role (0) beats the default of 1.
        let m = principal("other", "prom", &[Role::Metrics, Role::Inference]);
        for _ in 0..50 {
            rl.admit(&m, t0).unwrap();
        }
    }

    #[test]
    fn generated_tokens_put_the_bucket_in_debt_until_refilled() {
        let rl = RateLimiter::new(RateLimitsConfig {
            default: limit(0, 600),
            ..RateLimitsConfig::default()
        });
        let p = principal("t", "alice", &[]);
        let t0 = Instant::now();
        rl.admit(&p, t0).unwrap();
        rl.charge_tokens(&p, 900, t0);
        let refused = rl.admit(&p, t0).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(30));
        rl.admit(&p, t0 + Duration::from_secs(30)).unwrap();
    }
}
