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

const SQLITE_SCHEMA: &str = include_str!("../../audit/migrations/sqlite/0002_mau.sql");
const POSTGRES_SCHEMA: &str = include_str!("../../audit/migrations/postgresql/0002_mau.sql");

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
#[derive(Debug)]
struct Month {
    month: String,
    subjects: HashSet<String>,
    sketch: Sketch,
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
        match &store {
            Store::Sqlite(pool) => {
                sqlx::raw_sql(SQLITE_SCHEMA).execute(pool).await?;
            }
            Store::Postgres(pool) => {
                sqlx::raw_sql(POSTGRES_SCHEMA).execute(pool).await?;
            }
        }
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
        if current.subjects.contains(pseudonym) {
            return Ok(Admission::Known);
        }
        let count = current.subjects.len() as u64;
        if let (Some(limit), MauMode::Enforce) = (self.limit, self.mode) {
            if count >= limit {
                return Ok(Admission::Refused { count, limit });
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
            &sketch,
            now,
        )
        .await?;
        current.subjects.insert(pseudonym.to_owned());
        current.sketch = sketch;
        let count = count + 1;
        let crossed = self.limit.and_then(|limit| {
            // The highest one, when a small limit crosses several at once.
            THRESHOLDS
                .iter()
                .rev()
                .copied()
                .find(|p| crossing(count, limit, *p))
        });
        Ok(Admission::New { count, crossed })
    }
}

/// Whether the `count`-th subject is the first at or above `percent` of
/// `limit`.
fn crossing(count: u64, limit: u64, percent: u64) -> bool {
    let at = |n: u64| n.saturating_mul(100) >= limit.saturating_mul(percent);
    limit > 0 && at(count) && !at(count - 1)
}

async fn load(store: &Store, node_id: &str, month: &str) -> Result<Month, StoreError> {
    let subjects: Vec<(String,)> = match store {
        Store::Sqlite(pool) => {
            sqlx::query_as(
                "SELECT pseudonym FROM mau_subjects WHERE node_id = ? AND month = ? GROUP BY pseudonym",
            )
            .bind(node_id)
            .bind(month)
            .fetch_all(pool)
            .await?
        }
        Store::Postgres(pool) => {
            sqlx::query_as(
                "SELECT pseudonym FROM mau_subjects WHERE node_id = $1 AND month = $2 GROUP BY pseudonym",
            )
            .bind(node_id)
            .bind(month)
            .fetch_all(pool)
            .await?
        }
    };
    let mut sketch = Sketch::new();
    let subjects: HashSet<String> = subjects.into_iter().map(|(p,)| p).collect();
    for p in &subjects {
        sketch.insert(hash_of_pseudonym(p));
    }
    Ok(Month {
        month: month.to_owned(),
        subjects,
        sketch,
    })
}

async fn insert(
    store: &Store,
    node_id: &str,
    month: &str,
    tenant: &str,
    pseudonym: &str,
    sketch: &Sketch,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let at = crate::audit::record::timestamp(now);
    match store {
        Store::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO mau_subjects (node_id, month, tenant, pseudonym, first_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(node_id)
            .bind(month)
            .bind(tenant)
            .bind(pseudonym)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO mau_sketches (node_id, month, registers, updated_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (node_id, month) DO UPDATE SET registers = excluded.registers, updated_at = excluded.updated_at",
            )
            .bind(node_id)
            .bind(month)
            .bind(sketch.as_bytes())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Store::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO mau_subjects (node_id, month, tenant, pseudonym, first_seen) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(node_id)
            .bind(month)
            .bind(tenant)
            .bind(pseudonym)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO mau_sketches (node_id, month, registers, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (node_id, month) DO UPDATE SET registers = excluded.registers, updated_at = excluded.updated_at",
            )
            .bind(node_id)
            .bind(month)
            .bind(sketch.as_bytes())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// The fleet's estimate for `month`: every node's sketch merged.
pub async fn fleet_estimate(store: &Store, month: &str) -> Result<(f64, usize), StoreError> {
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
    Ok((merged.estimate(), rows.len()))
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
        // A limit of 3: the second subject is 66 %, the third 100 %.
        assert!(!crossing(2, 3, 80));
        assert!(crossing(3, 3, 80) && crossing(3, 3, 90) && crossing(3, 3, 100));
    }
}
