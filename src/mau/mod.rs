//! Monthly-active-user accounting: the distinct authenticated subjects
//! (issuer + subject, the human behind an on-behalf-of token) that used
//! inference in a UTC calendar month, on this node.
//!
//! Subjects are kept as the audit trail's keyed-HMAC pseudonyms, so no
//! direct identifier is stored. The count is exact on a node: every new
//! subject of the month is committed to the store (the audit database,
//! `mau_subjects`) before its request proceeds, so a restart loses no
//! count. Beside it each node keeps a HyperLogLog sketch of the month
//! ([`sketch`], `mau_sketches`) that a fleet sharing PostgreSQL can merge
//! without sharing pseudonyms.
//!
//! The license's `mau_limit` and `mau_mode` decide what happens at the
//! limit: `observe` counts; `warn` also logs and records the crossing of
//! 80, 90 and 100 %; `enforce` also refuses a subject not yet active this
//! month once the limit is reached, while subjects already active keep
//! working.

pub mod sketch;

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::audit::store::{Store, StoreError};
use crate::license::MauMode;
use sketch::{Sketch, hash_of_pseudonym};

/// The thresholds whose crossing is reported, in percent of the limit.
pub const THRESHOLDS: [u64; 3] = [80, 90, 100];

/// The UTC calendar month of `t`: `YYYY-MM`.
#[must_use]
pub fn month_of(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

/// What the accountant says about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// The subject was already active this month.
    Known,
    /// A subject new this month, now counted (`count` with it). `crossed`
    /// is the threshold (percent) this subject crossed, if any.
    New { count: u64, crossed: Option<u64> },
    /// Enforced and at the limit: a new subject is refused.
    Refused { count: u64, limit: u64 },
}

/// The month being counted.
/// In memory a subject is the first 128 bits of its pseudonym (collisions
/// are out of reach at any real count: 10^7 subjects collide with
/// probability ~10^-25), so ten million subjects take a few hundred MB
/// rather than gigabytes of strings.
type SubjectKey = u128;

fn key_of(pseudonym: &str) -> SubjectKey {
    pseudonym
        .get(..32)
        .and_then(|h| u128::from_str_radix(h, 16).ok())
        // Not hex (never the case for real pseudonyms): hash it instead.
        .unwrap_or_else(|| {
            let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, pseudonym.as_bytes());
            let mut b = [0u8; 16];
            b.copy_from_slice(d.as_ref().get(..16).unwrap_or(&[0; 16]));
            u128::from_be_bytes(b)
        })
}

struct Month {
    month: String,
    subjects: HashSet<SubjectKey>,
    /// Per tenant, the subjects recorded in it, for the per-tenant counts.
    in_tenant: std::collections::HashMap<String, HashSet<SubjectKey>>,
    sketch: Sketch,
}

impl std::fmt::Debug for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Month")
            .field("month", &self.month)
            .field("subjects", &self.subjects.len())
            .finish_non_exhaustive()
    }
}

/// Counts this node's monthly active users and applies the license's limit.
#[derive(Debug)]
pub struct Accountant {
    store: Store,
    node_id: String,
    limit: Option<u64>,
    mode: MauMode,
    current: tokio::sync::Mutex<Month>,
}

impl Accountant {
    /// Opens the accounting tables in `store` (creating them) and loads the
    /// current month's subjects.
    pub async fn open(
        store: Store,
        node_id: &str,
        limit: Option<u64>,
        mode: MauMode,
        now: OffsetDateTime,
    ) -> Result<Self, StoreError> {
        // The tables are the store's (its migrations create them).
        let month = load(&store, node_id, &month_of(now)).await?;
        Ok(Self {
            store,
            node_id: node_id.to_owned(),
            limit,
            mode,
            current: tokio::sync::Mutex::new(month),
        })
    }

    /// The limit and how it applies.
    #[must_use]
    pub fn terms(&self) -> (Option<u64>, MauMode) {
        (self.limit, self.mode)
    }

    /// Adds to this month's count every subject the audit trail counted
    /// that the store's table lacks (rows deleted outside Palisade: the
    /// trail is the evidence, the table only its index); returns how many.
    pub async fn restore_from_trail(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let month = month_of(now);
        let mut current = self.current.lock().await;
        if current.month != month {
            *current = load(&self.store, &self.node_id, &month).await?;
        }
        let mut restored = 0;
        for (tenant, pseudonym) in trail_rows(&self.store, &self.node_id, &month).await? {
            let key = key_of(&pseudonym);
            let new_subject = !current.subjects.contains(&key);
            let new_in_tenant = !current
                .in_tenant
                .get(&tenant)
                .is_some_and(|s| s.contains(&key));
            if !new_subject && !new_in_tenant {
                continue;
            }
            let mut sketch = current.sketch.clone();
            sketch.insert(hash_of_pseudonym(&pseudonym));
            let sketch = new_subject.then_some(&sketch);
            insert(
                &self.store,
                &self.node_id,
                &month,
                &tenant,
                &pseudonym,
                sketch,
                now,
            )
            .await?;
            if let Some(sketch) = sketch {
                current.sketch = sketch.clone();
                current.subjects.insert(key);
                restored += 1;
            }
            current.in_tenant.entry(tenant).or_default().insert(key);
        }
        Ok(restored)
    }

    /// This month's count so far.
    pub async fn count(&self) -> u64 {
        self.current.lock().await.subjects.len() as u64
    }

    /// Accounts for a request by `pseudonym` of `tenant` at `now`: known
    /// this month, new (committed before this returns), or refused at an
    /// enforced limit. A store that cannot commit is an error: the request
    /// must fail closed.
    pub async fn admit(
        &self,
        pseudonym: &str,
        tenant: &str,
        now: OffsetDateTime,
    ) -> Result<Admission, StoreError> {
        let month = month_of(now);
        let mut current = self.current.lock().await;
        if current.month != month {
            // A new month (or the clock moved back across a boundary):
            // count that month from what the store holds for it.
            *current = load(&self.store, &self.node_id, &month).await?;
        }
        let key = key_of(pseudonym);
        if current.subjects.contains(&key) {
            let in_tenant = current
                .in_tenant
                .get(tenant)
                .is_some_and(|s| s.contains(&key));
            if !in_tenant {
                // Active this month already, new in this tenant: counted
                // for the tenant, not again in the total.
                insert(
                    &self.store,
                    &self.node_id,
                    &month,
                    tenant,
                    pseudonym,
                    None,
                    now,
                )
                .await?;
                current
                    .in_tenant
                    .entry(tenant.to_owned())
                    .or_default()
                    .insert(key);
            }
            return Ok(Admission::Known);
        }
        let count = current.subjects.len() as u64;
        if let (Some(limit), MauMode::Enforce) = (self.limit, self.mode) {
            if count >= limit {
                return Ok(Admission::Refused { count, limit });
            }
            // A fleet shares the limit: the nodes' merged sketches estimate
            // its distinct subjects. A subject whose hash leaves the merged
            // registers as they are may be active on another node already
            // and is admitted; one that changes them is new to the fleet,
            // and is refused once the estimate has reached the limit.
            if let Store::Postgres(_) = self.store {
                let (mut fleet, _) = fleet_sketch(&self.store, &month).await?;
                fleet.merge(&current.sketch);
                let estimate = fleet.estimate().round() as u64;
                if estimate >= limit && fleet.insert(hash_of_pseudonym(pseudonym)) {
                    return Ok(Admission::Refused {
                        count: estimate,
                        limit,
                    });
                }
            }
        }
        let mut sketch = current.sketch.clone();
        sketch.insert(hash_of_pseudonym(pseudonym));
        insert(
            &self.store,
            &self.node_id,
            &month,
            tenant,
            pseudonym,
            Some(&sketch),
            now,
        )
        .await?;
        current.subjects.insert(key);
        current
            .in_tenant
            .entry(tenant.to_owned())
            .or_default()
            .insert(key);
        current.sketch = sketch;
        let count = count + 1;
        // The highest one, when a small limit crosses several at once.
        let crossed = self.limit.and_then(|limit| threshold_crossed(count, limit));
        Ok(Admission::New { count, crossed })
    }
}

/// A threshold that a subject newly counted took the month across.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    /// The percent of `of` reached.
    pub percent: u64,
    /// The limit or threshold, in subjects.
    pub of: u64,
    /// What it is, for people ("the license's limit").
    pub what: String,
    /// The status note's topic: `license_limit` or `model_license`.
    pub topic: &'static str,
}

impl Accountant {
    /// The thresholds the `count`-th subject of the month crossed:
    /// `crossed` of the license's limit (unless the license only observes),
    /// and `model_threshold` of the model named `model` (its license's own
    /// figure: warned, never enforced, as the appliance sees only its own
    /// users).
    #[must_use]
    pub fn crossings(
        &self,
        count: u64,
        crossed: Option<u64>,
        model: &str,
        model_threshold: Option<u64>,
    ) -> Vec<Crossing> {
        let license = crossed
            .filter(|_| self.mode != MauMode::Observe)
            .zip(self.limit)
            .map(|(percent, of)| Crossing {
                percent,
                of,
                what: "the license's limit".to_owned(),
                topic: "license_limit",
            });
        let model = model_threshold.and_then(|of| {
            threshold_crossed(count, of).map(|percent| Crossing {
                percent,
                of,
                what: format!("the {model} model license's threshold"),
                topic: "model_license",
            })
        });
        license.into_iter().chain(model).collect()
    }
}

/// The highest threshold (80, 90, 100 %) of `limit` that the `count`-th
/// subject is the first to reach, if any.
#[must_use]
pub fn threshold_crossed(count: u64, limit: u64) -> Option<u64> {
    THRESHOLDS
        .iter()
        .rev()
        .copied()
        .find(|p| crossing(count, limit, *p))
}

/// The note an operator sees in `STATUS=` once `count` subjects have
/// reached 80 % or more of `limit`, `None` below.
#[must_use]
pub fn status_note(count: u64, limit: u64, what: &str) -> Option<String> {
    (limit > 0 && count.saturating_mul(100) >= limit.saturating_mul(80)).then(|| {
        format!(
            "monthly active users at {}% of {what} ({count} of {limit})",
            count.saturating_mul(100) / limit
        )
    })
}

/// The (tenant, pseudonym) of every subject the audit trail of `node_id`
/// says was first counted in `month` (`mau_subject_counted` records).
pub async fn trail_rows(
    store: &Store,
    node_id: &str,
    month: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let texts = store
        .records_containing(node_id, "\"mau_subject_counted\"")
        .await?;
    let mut out = Vec::new();
    for text in texts {
        let record: crate::audit::record::AuditRecord = serde_json::from_str(&text)
            .map_err(|e| StoreError(format!("an audit record does not parse: {e}")))?;
        let e = record.event;
        if e.event_type == crate::audit::record::EventType::MauSubjectCounted
            && e.mau_month.as_deref() == Some(month)
            && let (Some(tenant), Some(pseudonym)) = (e.tenant, e.subject_pseudonym)
        {
            out.push((tenant, pseudonym));
        }
    }
    Ok(out)
}

/// Whether the `count`-th subject is the first at or above `percent` of
/// `limit`.
fn crossing(count: u64, limit: u64, percent: u64) -> bool {
    let at = |n: u64| n.saturating_mul(100) >= limit.saturating_mul(percent);
    limit > 0 && at(count) && !at(count - 1)
}

async fn load(store: &Store, node_id: &str, month: &str) -> Result<Month, StoreError> {
    let mut subjects = HashSet::new();
    let mut in_tenant: std::collections::HashMap<String, HashSet<SubjectKey>> =
        std::collections::HashMap::new();
    let mut sketch = Sketch::new();
    for (tenant, pseudonym) in rows(store, node_id, month).await? {
        let key = key_of(&pseudonym);
        if subjects.insert(key) {
            sketch.insert(hash_of_pseudonym(&pseudonym));
        }
        in_tenant.entry(tenant).or_default().insert(key);
    }
    Ok(Month {
        month: month.to_owned(),
        subjects,
        in_tenant,
        sketch,
    })
}

/// The (tenant, pseudonym) rows of a node's month.
async fn rows(
    store: &Store,
    node_id: &str,
    month: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(match store {
        Store::Sqlite(pool) => {
            sqlx::query_as(
                "SELECT tenant, pseudonym FROM mau_subjects WHERE node_id = ? AND month = ?",
            )
            .bind(node_id)
            .bind(month)
            .fetch_all(pool)
            .await?
        }
        Store::Postgres(pool) => {
            sqlx::query_as(
                "SELECT tenant, pseudonym FROM mau_subjects WHERE node_id = $1 AND month = $2",
            )
            .bind(node_id)
            .bind(month)
            .fetch_all(pool)
            .await?
        }
    })
}

/// Records `pseudonym` in `tenant` for the month and, for a subject new to
/// the month, the node's updated sketch: one transaction.
async fn insert(
    store: &Store,
    node_id: &str,
    month: &str,
    tenant: &str,
    pseudonym: &str,
    sketch: Option<&Sketch>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let at = crate::audit::record::timestamp(now);
    // The same statements for both databases, with their placeholders.
    let (subject_sql, sketch_sql) = match store {
        Store::Sqlite(_) => (
            "INSERT INTO mau_subjects (node_id, month, tenant, pseudonym, first_seen) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            "INSERT INTO mau_sketches (node_id, month, registers, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (node_id, month) DO UPDATE SET registers = excluded.registers, \
             updated_at = excluded.updated_at",
        ),
        Store::Postgres(_) => (
            "INSERT INTO mau_subjects (node_id, month, tenant, pseudonym, first_seen) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            "INSERT INTO mau_sketches (node_id, month, registers, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (node_id, month) DO UPDATE SET registers = excluded.registers, \
             updated_at = excluded.updated_at",
        ),
    };
    macro_rules! write {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await?;
            sqlx::query(subject_sql)
                .bind(node_id)
                .bind(month)
                .bind(tenant)
                .bind(pseudonym)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            if let Some(sketch) = sketch {
                sqlx::query(sketch_sql)
                    .bind(node_id)
                    .bind(month)
                    .bind(sketch.as_bytes())
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }};
    }
    match store {
        Store::Sqlite(pool) => write!(pool),
        Store::Postgres(pool) => write!(pool),
    }
    Ok(())
}

/// The fleet's estimate for `month`: every node's sketch merged.
pub async fn fleet_estimate(store: &Store, month: &str) -> Result<(f64, usize), StoreError> {
    let (merged, nodes) = fleet_sketch(store, month).await?;
    Ok((merged.estimate(), nodes))
}

/// Every node's sketch of `month` merged, and how many nodes there are.
async fn fleet_sketch(store: &Store, month: &str) -> Result<(Sketch, usize), StoreError> {
    let rows: Vec<(Vec<u8>,)> = match store {
        Store::Sqlite(pool) => {
            sqlx::query_as("SELECT registers FROM mau_sketches WHERE month = ?")
                .bind(month)
                .fetch_all(pool)
                .await?
        }
        Store::Postgres(pool) => {
            sqlx::query_as("SELECT registers FROM mau_sketches WHERE month = $1")
                .bind(month)
                .fetch_all(pool)
                .await?
        }
    };
    let mut merged = Sketch::new();
    for (bytes,) in &rows {
        let sketch =
            Sketch::from_bytes(bytes).map_err(|e| StoreError(format!("mau_sketches: {e}")))?;
        merged.merge(&sketch);
    }
    Ok((merged, rows.len()))
}

/// The format marker of a report.
pub const REPORT_FORMAT: &str = "palisade-mau-report/1";

/// A month's monthly-active-user report of one node, for auditors.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub format: String,
    pub node_id: String,
    /// The model this node serves (its subjects are `subjects`: one model
    /// per node), when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `YYYY-MM`, UTC.
    pub month: String,
    pub generated_at: String,
    pub license_id: Option<String>,
    pub limit: Option<u64>,
    pub mode: MauMode,
    /// Distinct subjects on this node, exact.
    pub subjects: u64,
    /// Distinct subjects per tenant, exact (a subject active in two
    /// tenants counts in each, once in `subjects`).
    pub tenants: std::collections::BTreeMap<String, u64>,
    /// Nodes whose sketches of the month are in the store.
    pub fleet_nodes: usize,
    /// The fleet's distinct subjects estimated from the merged sketches
    /// (standard error 0.81 %).
    pub fleet_estimate: u64,
}

impl Report {
    /// Builds the report of `node_id`'s `month` from the store.
    pub async fn build(
        store: &Store,
        node_id: &str,
        model: Option<&str>,
        month: &str,
        license: Option<(&str, Option<u64>, MauMode)>,
        now: OffsetDateTime,
    ) -> Result<Self, StoreError> {
        let rows = rows(store, node_id, month).await?;
        let subjects: HashSet<&str> = rows.iter().map(|(_, p)| p.as_str()).collect();
        // The count must agree with its evidence in the audit trail.
        let missing: HashSet<String> = trail_rows(store, node_id, month)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .filter(|p| !subjects.contains(p.as_str()))
            .collect();
        if !missing.is_empty() {
            return Err(StoreError(format!(
                "the count disagrees with the audit trail: {} subjects the trail counted in {month} are missing from the monthly-active-user table (rows deleted outside Palisade?); a restart of node {node_id} restores them from the trail, then report again",
                missing.len()
            )));
        }
        let mut tenants = std::collections::BTreeMap::new();
        for (tenant, _) in &rows {
            *tenants.entry(tenant.clone()).or_insert(0u64) += 1;
        }
        let (estimate, nodes) = fleet_estimate(store, month).await?;
        let (license_id, limit, mode) = license
            .map_or((None, None, MauMode::Observe), |(id, l, m)| {
                (Some(id.to_owned()), l, m)
            });
        Ok(Self {
            format: REPORT_FORMAT.to_owned(),
            node_id: node_id.to_owned(),
            model: model.map(str::to_owned),
            month: month.to_owned(),
            generated_at: crate::audit::record::timestamp(now),
            license_id,
            limit,
            mode,
            subjects: subjects.len() as u64,
            tenants,
            fleet_nodes: nodes,
            fleet_estimate: estimate.round() as u64,
        })
    }

    /// The signed note body: an origin line, then the report as RFC 8785
    /// JSON on one line.
    pub fn note_body(&self) -> Result<String, ReportError> {
        let value = serde_json::to_value(self).map_err(|e| ReportError(e.to_string()))?;
        let json =
            crate::audit::record::canonical(&value).map_err(|e| ReportError(e.to_string()))?;
        Ok(format!("palisade.mau/{}\n{json}\n", self.node_id))
    }

    /// Reads a report from a signed note's body (after its signature was
    /// checked).
    pub fn from_note_body(body: &str) -> Result<Self, ReportError> {
        let json = body
            .lines()
            .nth(1)
            .ok_or_else(|| ReportError("the report note has no report line".to_owned()))?;
        let report: Self = serde_json::from_str(json).map_err(|e| ReportError(e.to_string()))?;
        if report.format != REPORT_FORMAT {
            return Err(ReportError(format!("not a {REPORT_FORMAT} report")));
        }
        Ok(report)
    }
}

/// A monthly-active-user report that cannot be written or read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReportError(pub String);

/// A string that is not a month (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a month (YYYY-MM)")]
pub struct NotAMonth(pub String);

/// Checks a month string: `YYYY-MM`.
pub fn parse_month(text: &str) -> Result<String, NotAMonth> {
    let ok = text.len() == 7
        && text.as_bytes().get(4) == Some(&b'-')
        && text
            .get(..4)
            .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
        && text
            .get(5..)
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|m| (1..=12).contains(&m));
    if ok {
        Ok(text.to_owned())
    } else {
        Err(NotAMonth(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_utc_and_thresholds_cross_once() {
        let t = OffsetDateTime::from_unix_timestamp(1_767_225_599).unwrap(); // 2025-12-31T23:59:59Z
        assert_eq!(month_of(t), "2025-12");
        let plus_one = t.to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap());
        assert_eq!(
            month_of(plus_one),
            "2025-12",
            "local offsets do not move the month"
        );
        assert_eq!(month_of(t + time::Duration::seconds(1)), "2026-01");
        let limit = 10;
        let crossed: Vec<(u64, u64)> = (1..=12)
            .flat_map(|n| {
                THRESHOLDS
                    .iter()
                    .filter(move |p| crossing(n, limit, **p))
                    .map(move |p| (n, *p))
            })
            .collect();
        assert_eq!(crossed, vec![(8, 80), (9, 90), (10, 100)]);
        assert_eq!(parse_month("2026-11").unwrap(), "2026-11");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "abcd-ef"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
        // A limit of 3: the second subject is 66 %, the third 100 %.
        assert!(!crossing(2, 3, 80));
        assert!(crossing(3, 3, 80) && crossing(3, 3, 90) && crossing(3, 3, 100));
    }

    #[test]
    fn crossings_name_the_license_limit_unless_observed_and_the_model_threshold_always() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("a.db").display());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let open = |mode| {
            rt.block_on(async {
                let store = Store::open(&url).await.unwrap();
                Accountant::open(store, "n1", Some(10), mode, crate::clock::now())
                    .await
                    .unwrap()
            })
        };
        let enforced = open(MauMode::Enforce);
        let both = enforced.crossings(8, Some(80), "scout", Some(8));
        let topics: Vec<_> = both.iter().map(|c| (c.topic, c.percent, c.of)).collect();
        assert_eq!(
            topics,
            vec![("license_limit", 80, 10), ("model_license", 100, 8)]
        );
        assert!(both[1].what.contains("scout"), "{}", both[1].what);
        assert!(enforced.crossings(5, None, "scout", Some(100)).is_empty());
        // Observed only: the license's limit is counted, not announced.
        let observed = open(MauMode::Observe);
        let model_only = observed.crossings(8, Some(80), "scout", Some(8));
        assert_eq!(model_only.len(), 1);
        assert_eq!(model_only[0].topic, "model_license");
    }
}
