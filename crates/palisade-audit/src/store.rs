//! Where audit records live: SQLite (embedded, the default; WAL with
//! `synchronous=FULL`, so a committed record survives a power cut) or
//! PostgreSQL (a fleet, each node its own log). One type, two backends;
//! migrations in `audit/migrations/{sqlite,postgresql}`.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::Row;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::merkle::Hash;

/// The store's schema, version by version (`audit/migrations/`, the audit
/// log and the monthly-active-user tables that live beside it): applied in
/// order when a store opens and recorded in `_sqlx_migrations` with their
/// checksums, so that a later version has a path from every earlier one and
/// an edited migration is refused.
const SQLITE_MIGRATIONS: Embedded = Embedded(&[
    (
        1,
        "audit log",
        include_str!("../../../audit/migrations/sqlite/0001_audit_log.sql"),
    ),
    (
        2,
        "monthly active users",
        include_str!("../../../audit/migrations/sqlite/0002_mau.sql"),
    ),
]);
const POSTGRES_MIGRATIONS: Embedded = Embedded(&[
    (
        1,
        "audit log",
        include_str!("../../../audit/migrations/postgresql/0001_audit_log.sql"),
    ),
    (
        2,
        "monthly active users",
        include_str!("../../../audit/migrations/postgresql/0002_mau.sql"),
    ),
]);

/// Migrations compiled into the binary (version, description, SQL), so a
/// packaged daemon needs no migration files at run time.
#[derive(Debug, Clone, Copy)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl sqlx::migrate::MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>,
                > + Send,
        >,
    > {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    sqlx::migrate::Migration::new(
                        *version,
                        (*description).into(),
                        sqlx::migrate::MigrationType::Simple,
                        (*sql).into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Runs a query bound to one `log_id` on either backend and maps each row.
macro_rules! rows {
    ($store:expr, $sqlite:expr, $postgres:expr, $log_id:expr, |$r:ident| $map:expr) => {
        match $store {
            Store::Sqlite(pool) => sqlx::query($sqlite)
                .bind($log_id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|$r| -> Result<_, sqlx::Error> { $map })
                .collect::<Result<Vec<_>, sqlx::Error>>()?,
            Store::Postgres(pool) => sqlx::query($postgres)
                .bind($log_id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|$r| -> Result<_, sqlx::Error> { $map })
                .collect::<Result<Vec<_>, sqlx::Error>>()?,
        }
    };
}

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[error("audit store: {0}")]
pub struct StoreError(pub String);

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self(e.to_string())
    }
}

/// Why an append failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// Another writer took these indices first (e.g. `palisade audit export`
    /// beside the daemon); catch up and retry.
    #[error("another writer appended to the log first")]
    Conflict,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn append_error(e: sqlx::Error) -> AppendError {
    match e.as_database_error() {
        Some(db) if db.is_unique_violation() => AppendError::Conflict,
        _ => AppendError::Store(e.into()),
    }
}

/// One stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// Position in the log.
    pub index: u64,
    /// The leaf hash stored beside the record.
    pub leaf_hash: Vec<u8>,
    /// The record's canonical JSON (empty once pruned).
    pub record: String,
    /// The content was removed by retention; only the leaf hash remains.
    pub pruned: bool,
}

/// One stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size it covers.
    pub size: u64,
    /// The signed note.
    pub note: String,
}

/// A ceiling on the size of a SQLite store, changeable while it runs
/// (`audit.max_store_mib`, applied again on reload). At the ceiling SQLite
/// answers `SQLITE_FULL`, exactly as on a full disk: the node fails closed
/// instead of filling the volume it shares with the system.
#[derive(Debug, Clone)]
pub struct SizeLimit(Arc<AtomicU64>);

/// `SizeLimit` never configured: connections are left as SQLite opens them.
const NEVER_LIMITED: u64 = u64::MAX;
/// `SizeLimit` lifted after it was set: SQLite's own largest page count.
const UNLIMITED_PAGES: u64 = 4_294_967_294;
/// The page size the store is created with (`PRAGMA page_size`).
const PAGE_SIZE: u64 = 4096;

impl Default for SizeLimit {
    fn default() -> Self {
        Self(Arc::new(AtomicU64::new(NEVER_LIMITED)))
    }
}

impl SizeLimit {
    /// Limits the store to `mib` MiB (`audit.max_store_mib`), or lifts the limit.
    pub fn set_mib(&self, mib: Option<u64>) {
        let pages = mib.map_or(UNLIMITED_PAGES, |m| {
            (m.saturating_mul(1 << 20) / PAGE_SIZE).max(1)
        });
        self.0.store(pages, Ordering::Relaxed);
    }

    /// The `PRAGMA` that sets the limit on a connection, if one was ever set.
    fn pragma(&self) -> Option<String> {
        match self.0.load(Ordering::Relaxed) {
            NEVER_LIMITED => None,
            pages => Some(format!("PRAGMA max_page_count = {pages}")),
        }
    }
}

/// Runs a size limit's `pragma` (from [`SizeLimit::pragma`]) on `conn`.
async fn limit_connection(
    conn: &mut sqlx::SqliteConnection,
    pragma: Option<String>,
) -> Result<(), sqlx::Error> {
    if let Some(pragma) = pragma {
        sqlx::query(&pragma).execute(conn).await?;
    }
    Ok(())
}

/// How a PostgreSQL store is backed up (`audit backup` copies SQLite only).
pub const POSTGRES_BACKUP: &str = "a PostgreSQL store is backed up with PostgreSQL's tools: \
     `pg_dump --format=custom --table='audit_*' --table='mau_*' DB > FILE` \
     (a consistent snapshot while the nodes write), restored with pg_restore";

/// The audit store.
#[derive(Debug, Clone)]
pub enum Store {
    /// Embedded SQLite.
    Sqlite(SqlitePool),
    /// Shared PostgreSQL.
    Postgres(PgPool),
}

/// Whether a connection going back to the pool may be used again. One whose
/// transaction did not end in a successful COMMIT (a failed statement, a
/// COMMIT refused by a full disk, a cut network) is closed instead: SQLite
/// may have kept or dropped the transaction, and sqlx's own count of it is
/// then wrong, so that the next "transaction" on it becomes a savepoint
/// that never commits, and its write lock blocks every other writer.
/// Closing rolls back whatever is open; the pool opens a fresh connection.
fn clean<C: sqlx::Connection>(conn: &C) -> bool {
    !conn.is_in_transaction()
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError(format!("{v} is beyond the store's range")))
}

fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError(format!("negative index {v} in the store")))
}

impl Store {
    /// Opens `url` (`sqlite:PATH` or `postgres://...`) and creates the tables.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_limited(url, SizeLimit::default()).await
    }

    /// Opens `url` with a size limit (SQLite only) the caller can change later.
    pub async fn open_limited(url: &str, limit: SizeLimit) -> Result<Self, StoreError> {
        let store = if let Some(rest) = url.strip_prefix("sqlite:") {
            let options = SqliteConnectOptions::from_str(&format!("sqlite:{rest}"))?
                .create_if_missing(true)
                .page_size(PAGE_SIZE as u32)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5));
            // The limit is per connection in SQLite: set on every new one and
            // again on each use, so that a reload reaches them all.
            let on_connect = limit.clone();
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .after_connect(move |conn, _| Box::pin(limit_connection(conn, on_connect.pragma())))
                .before_acquire(move |conn, _| {
                    let pragma = limit.pragma();
                    Box::pin(async move { limit_connection(conn, pragma).await.map(|()| true) })
                })
                .after_release(|conn, _| Box::pin(async move { Ok(clean(conn)) }))
                .connect_with(options)
                .await?;
            Store::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(5))
                .after_release(|conn, _| Box::pin(async move { Ok(clean(conn)) }))
                .connect(url)
                .await?;
            Store::Postgres(pool)
        } else {
            return Err(StoreError(format!(
                "{url:?} is not a store URL; use sqlite:PATH or postgres://USER@HOST/DB"
            )));
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Brings the schema up to this build's version. Stores created before
    /// versioned migrations hold the same tables (`CREATE TABLE IF NOT
    /// EXISTS`), so their first migration only records them.
    async fn migrate(&self) -> Result<(), StoreError> {
        let failed = |e: sqlx::migrate::MigrateError| {
            StoreError(format!(
                "cannot bring the audit store's schema up to date: {e}"
            ))
        };
        match self {
            Store::Sqlite(pool) => {
                let migrator = sqlx::migrate::Migrator::new(SQLITE_MIGRATIONS)
                    .await
                    .map_err(failed)?;
                migrator.run(pool).await.map_err(failed)?;
            }
            Store::Postgres(pool) => {
                let migrator = sqlx::migrate::Migrator::new(POSTGRES_MIGRATIONS)
                    .await
                    .map_err(failed)?;
                migrator.run(pool).await.map_err(failed)?;
            }
        }
        Ok(())
    }

    /// Appends records in one transaction: all are durable, or none.
    pub async fn append(&self, log_id: &str, records: &[StoredRecord]) -> Result<(), AppendError> {
        match self {
            Store::Sqlite(pool) => {
                let mut tx = pool.begin().await.map_err(append_error)?;
                // Multi-row inserts: one statement per 200 records (SQLite
                // allows 32766 bound parameters).
                for chunk in records.chunks(200) {
                    let mut sql = String::from(
                        "INSERT INTO audit_records (log_id, log_index, leaf_hash, record) VALUES ",
                    );
                    sql.push_str(&vec!["(?, ?, ?, ?)"; chunk.len()].join(", "));
                    let mut q = sqlx::query(&sql);
                    for r in chunk {
                        q = q
                            .bind(log_id)
                            .bind(to_i64(r.index)?)
                            .bind(&r.leaf_hash)
                            .bind(&r.record);
                    }
                    q.execute(&mut *tx).await.map_err(append_error)?;
                }
                tx.commit().await.map_err(append_error)?;
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(append_error)?;
                let mut indices = Vec::with_capacity(records.len());
                let mut leaves = Vec::with_capacity(records.len());
                let mut texts = Vec::with_capacity(records.len());
                for r in records {
                    indices.push(to_i64(r.index)?);
                    leaves.push(r.leaf_hash.clone());
                    texts.push(r.record.clone());
                }
                sqlx::query(
                    "INSERT INTO audit_records (log_id, log_index, leaf_hash, record) \
                     SELECT $1, * FROM UNNEST($2::BIGINT[], $3::BYTEA[], $4::TEXT[])",
                )
                .bind(log_id)
                .bind(&indices)
                .bind(&leaves)
                .bind(&texts)
                .execute(&mut *tx)
                .await
                .map_err(append_error)?;
                tx.commit().await.map_err(append_error)?;
            }
        }
        Ok(())
    }

    /// Stores a signed checkpoint.
    pub async fn add_checkpoint(
        &self,
        log_id: &str,
        size: u64,
        root: &Hash,
        note: &str,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                sqlx::query(
                    "INSERT OR IGNORE INTO audit_checkpoints (log_id, tree_size, root_hash, note, created_at) \
                     VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                )
                .bind(log_id)
                .bind(to_i64(size)?)
                .bind(root.as_slice())
                .bind(note)
                .execute(pool)
                .await?;
            }
            Store::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO audit_checkpoints (log_id, tree_size, root_hash, note) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(log_id)
                .bind(to_i64(size)?)
                .bind(root.as_slice())
                .bind(note)
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Every record of `log_id` in index order.
    pub async fn records(&self, log_id: &str) -> Result<Vec<StoredRecord>, StoreError> {
        let rows = rows!(
            self,
            "SELECT log_index, leaf_hash, record FROM audit_records WHERE log_id = ? ORDER BY log_index",
            "SELECT log_index, leaf_hash, record FROM audit_records WHERE log_id = $1 ORDER BY log_index",
            log_id,
            |r| Ok((
                r.try_get::<i64, _>(0)?,
                r.try_get::<Vec<u8>, _>(1)?,
                r.try_get::<Option<String>, _>(2)?
            ))
        );
        rows.into_iter()
            .map(|(index, leaf_hash, record)| {
                Ok(StoredRecord {
                    index: to_u64(index)?,
                    leaf_hash,
                    pruned: record.is_none(),
                    record: record.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The leaf hashes of `log_id` from index `from` on, in index order (to
    /// rebuild the tree at start, or catch up with another writer).
    pub async fn leaf_hashes(
        &self,
        log_id: &str,
        from: u64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let from = to_i64(from)?;
        let rows: Vec<(i64, Vec<u8>)> = match self {
            Store::Sqlite(pool) => sqlx::query(
                "SELECT log_index, leaf_hash FROM audit_records WHERE log_id = ? AND log_index >= ? ORDER BY log_index",
            )
            .bind(log_id)
            .bind(from)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?,
            Store::Postgres(pool) => sqlx::query(
                "SELECT log_index, leaf_hash FROM audit_records WHERE log_id = $1 AND log_index >= $2 ORDER BY log_index",
            )
            .bind(log_id)
            .bind(from)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?,
        };
        rows.into_iter()
            .map(|(index, leaf)| Ok((to_u64(index)?, leaf)))
            .collect()
    }

    /// The texts of `log_id`'s records that contain `needle` (a plain
    /// substring, searched by the database), in index order.
    pub async fn records_containing(
        &self,
        log_id: &str,
        needle: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = match self {
            Store::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT record FROM audit_records WHERE log_id = ? AND instr(record, ?) > 0 ORDER BY log_index",
                )
                .bind(log_id)
                .bind(needle)
                .fetch_all(pool)
                .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT record FROM audit_records WHERE log_id = $1 AND strpos(record, $2) > 0 ORDER BY log_index",
                )
                .bind(log_id)
                .bind(needle)
                .fetch_all(pool)
                .await?
            }
        };
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    /// Every checkpoint of `log_id`, smallest first.
    pub async fn checkpoints(&self, log_id: &str) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows = rows!(
            self,
            "SELECT tree_size, note FROM audit_checkpoints WHERE log_id = ? ORDER BY tree_size",
            "SELECT tree_size, note FROM audit_checkpoints WHERE log_id = $1 ORDER BY tree_size",
            log_id,
            |r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?))
        );
        rows.into_iter()
            .map(|(size, note)| {
                Ok(StoredCheckpoint {
                    size: to_u64(size)?,
                    note,
                })
            })
            .collect()
    }

    /// The logs (one per node) that signed a checkpoint at or after `since`:
    /// the nodes active on this store, for the license's node limit.
    pub async fn active_logs(
        &self,
        since: time::OffsetDateTime,
    ) -> Result<Vec<String>, StoreError> {
        let since = crate::record::timestamp(since);
        let rows = rows!(
            self,
            "SELECT DISTINCT log_id FROM audit_checkpoints WHERE created_at >= ? ORDER BY log_id",
            "SELECT DISTINCT log_id FROM audit_checkpoints WHERE created_at >= $1::timestamptz ORDER BY log_id",
            since,
            |r| r.try_get::<String, _>(0)
        );
        Ok(rows)
    }

    /// Removes the content of records below `below` (retention), keeping
    /// their leaf hashes so the log stays verifiable. Returns how many
    /// records lost their content.
    pub async fn prune_content(&self, log_id: &str, below: u64) -> Result<u64, StoreError> {
        let below = to_i64(below)?;
        let done = match self {
            Store::Sqlite(pool) => sqlx::query(
                "UPDATE audit_records SET record = NULL WHERE log_id = ? AND log_index < ? AND record IS NOT NULL",
            )
            .bind(log_id)
            .bind(below)
            .execute(pool)
            .await?
            .rows_affected(),
            Store::Postgres(pool) => sqlx::query(
                "UPDATE audit_records SET record = NULL WHERE log_id = $1 AND log_index < $2 AND record IS NOT NULL",
            )
            .bind(log_id)
            .bind(below)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(done)
    }

    /// Moves everything in SQLite's write-ahead log into the database file
    /// and closes the store: after a clean stop `audit.db` alone holds the
    /// trail, so a backup that copies only that file is complete.
    pub async fn checkpoint_and_close(&self) -> Result<(), StoreError> {
        if let Store::Sqlite(pool) = self {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        self.close().await;
        Ok(())
    }

    /// An online, consistent copy of a SQLite store into the new file `out`
    /// (`VACUUM INTO`: one read transaction, so writers carry on and the
    /// copy is one moment of the log). PostgreSQL is backed up with its
    /// own tools.
    pub async fn backup(&self, out: &std::path::Path) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                let target = out
                    .to_str()
                    .ok_or_else(|| StoreError(format!("{} is not a UTF-8 path", out.display())))?;
                sqlx::query("VACUUM INTO ?")
                    .bind(target)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Store::Postgres(_) => Err(StoreError(POSTGRES_BACKUP.to_owned())),
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
    }
}
