//! The running audit log: one writer task owns the tree and the store.
//! Callers hand it events and wait until their record is durably committed;
//! everything that arrived meanwhile is committed in the same transaction
//! (group commit). A failed commit fails every record in it, and the tree
//! does not advance: nothing is acknowledged that is not stored.
//!
//! While the store refuses writes (a full disk, a lost database) the log
//! reports itself unhealthy (`AuditLog::health`), tries the store again
//! every second on its own, and its first record after the outage is an
//! `audit_store_recovered` event that names the gap and how many records
//! were refused, so the trail itself shows when it could not write.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use super::checkpoint::{Checkpoint, CheckpointSigner};
use super::merkle::{CompactTree, leaf_hash};
use super::record::{AuditEvent, AuditRecord, EventType, SCHEMA_VERSION, encode, timestamp};
use super::store::{AppendError, Store, StoredRecord};

/// The audit trail cannot take records now; requests must fail closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit trail is unavailable: {0}")]
pub struct AuditUnavailable(pub String);

/// Largest group commit.
const MAX_BATCH: usize = 1024;

/// How often a failing store is tried again when no request comes.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// How the log writes and signs.
#[derive(Debug)]
pub struct LogSettings {
    /// The log id (the node id).
    pub log_id: String,
    /// Sign a checkpoint after this many records...
    pub checkpoint_every_records: u64,
    /// ...or this long after the first unsigned record.
    pub checkpoint_interval: Duration,
    /// Append every signed checkpoint to this file as well.
    pub checkpoint_file: Option<PathBuf>,
    /// Offer every signed checkpoint note here as well (the daemon pushes
    /// them to an endpoint). A full queue drops the note: it stays in the
    /// store and the file.
    pub checkpoint_feed: Option<mpsc::Sender<String>>,
}

/// The checkpoint origin of a log.
pub fn origin(log_id: &str) -> String {
    format!("palisade/{log_id}")
}

/// Where the log index of a committed record (or the failure) is sent.
type IndexReply = oneshot::Sender<Result<u64, AuditUnavailable>>;

enum Command {
    Append(Box<AuditEvent>, IndexReply),
    Checkpoint(oneshot::Sender<Result<Option<Checkpoint>, AuditUnavailable>>),
}

/// A handle to the running log; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Command>,
    store: Store,
    log_id: String,
    health: watch::Receiver<Option<String>>,
}

impl AuditLog {
    /// Rebuilds the tree from the store and starts the writer task on the
    /// current runtime.
    pub async fn start(
        store: Store,
        signer: CheckpointSigner,
        settings: LogSettings,
    ) -> Result<Self, AuditUnavailable> {
        let mut tree = CompactTree::new();
        let leaves = store
            .leaf_hashes(&settings.log_id, 0)
            .await
            .map_err(|e| AuditUnavailable(e.to_string()))?;
        for (expected, (index, leaf)) in leaves.into_iter().enumerate() {
            let leaf: [u8; 32] = leaf.as_slice().try_into().map_err(|_| {
                AuditUnavailable(format!(
                    "log index {index}: the stored leaf hash is not 32 bytes"
                ))
            })?;
            if index != expected as u64 {
                return Err(AuditUnavailable(format!(
                    "log index {expected} is missing from the store; run `palisade audit verify`"
                )));
            }
            tree.push(leaf);
        }
        // Records left unsigned (a crash, another writer) get a checkpoint soon.
        let signed = store
            .checkpoints(&settings.log_id)
            .await
            .map_err(|e| AuditUnavailable(e.to_string()))?
            .last()
            .map_or(0, |c| c.size);
        let unsigned = tree.size().saturating_sub(signed);
        let (tx, rx) = mpsc::channel(16 * MAX_BATCH);
        let handle_store = store.clone();
        let log_id = settings.log_id.clone();
        let pusher = settings.checkpoint_feed.clone();
        let (health_tx, health) = watch::channel(None);
        let writer = Writer {
            health: health_tx,
            outage: None,
            pusher,
            store,
            signer,
            origin: origin(&settings.log_id),
            settings,
            tree,
            unsigned,
            first_unsigned: (unsigned > 0).then(tokio::time::Instant::now),
        };
        tokio::spawn(writer.run(rx));
        Ok(Self {
            tx,
            store: handle_store,
            log_id,
            health,
        })
    }

    /// `None` while the store takes writes; the reason of the last failure
    /// while it does not (then every append fails closed until it recovers).
    pub fn health(&self) -> watch::Receiver<Option<String>> {
        self.health.clone()
    }

    /// The store the log writes to (for reads: exports, proofs).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The log id.
    pub fn log_id(&self) -> &str {
        &self.log_id
    }

    /// Appends `event`; returns its log index once it is durably stored.
    pub async fn append(&self, event: AuditEvent) -> Result<u64, AuditUnavailable> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Append(Box::new(event), reply))
            .await
            .map_err(|_| AuditUnavailable("the audit writer has stopped".into()))?;
        rx.await
            .map_err(|_| AuditUnavailable("the audit writer has stopped".into()))?
    }

    /// Hands `event` to the writer at once, without waiting for its commit:
    /// for a record that must not depend on a task that a stop can drop
    /// (a request cancelled as its handler is dropped). The writer commits
    /// it in order, before anything appended after it (the stop record).
    /// When the queue is full, a task waits for room; an error means the
    /// writer has stopped.
    pub fn enqueue(&self, event: AuditEvent) -> Result<(), AuditUnavailable> {
        let (reply, _) = oneshot::channel();
        match self.tx.try_send(Command::Append(Box::new(event), reply)) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(command)) => {
                let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                    AuditUnavailable("the audit queue is full and no runtime can wait".into())
                })?;
                let tx = self.tx.clone();
                runtime.spawn(async move {
                    if tx.send(command).await.is_err() {
                        tracing::error!("the audit writer stopped before a queued record");
                    }
                });
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                Err(AuditUnavailable("the audit writer has stopped".into()))
            }
        }
    }

    /// Signs a checkpoint of everything committed so far (if anything is
    /// unsigned) and returns it.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>, AuditUnavailable> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Checkpoint(reply))
            .await
            .map_err(|_| AuditUnavailable("the audit writer has stopped".into()))?;
        rx.await
            .map_err(|_| AuditUnavailable("the audit writer has stopped".into()))?
    }
}

/// A time the store refused writes.
struct Outage {
    /// When the first write failed (RFC 3339).
    since: String,
    /// Records refused since.
    refused: u64,
}

struct Writer {
    /// `None` while writes succeed, else why the last one failed.
    health: watch::Sender<Option<String>>,
    outage: Option<Outage>,
    pusher: Option<mpsc::Sender<String>>,
    store: Store,
    signer: CheckpointSigner,
    origin: String,
    settings: LogSettings,
    tree: CompactTree,
    unsigned: u64,
    first_unsigned: Option<tokio::time::Instant>,
}

impl Writer {
    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        loop {
            let mut deadline = self
                .first_unsigned
                .map(|t| t + self.settings.checkpoint_interval);
            if self.outage.is_some() {
                let retry = tokio::time::Instant::now() + RETRY_EVERY;
                deadline = Some(deadline.map_or(retry, |d| d.min(retry)));
            }
            let command = match deadline {
                Some(d) => tokio::select! {
                    c = rx.recv() => c,
                    _ = tokio::time::sleep_until(d) => {
                        if self.outage.is_some() {
                            // Try the store again: the recovery record alone.
                            self.commit(Vec::new()).await;
                            if self.outage.is_some() {
                                continue;
                            }
                        }
                        if let Err(e) = self.sign_checkpoint().await {
                            tracing::error!(error = %e, "cannot sign an audit checkpoint");
                        }
                        continue;
                    }
                },
                None => rx.recv().await,
            };
            let Some(first) = command else {
                if let Err(e) = self.sign_checkpoint().await {
                    tracing::error!(error = %e, "cannot sign the final audit checkpoint");
                }
                return;
            };
            let mut batch = Vec::new();
            let mut checkpoint_requests = Vec::new();
            let mut next = Some(first);
            while let Some(c) = next.take() {
                match c {
                    Command::Append(e, r) => batch.push((e, r)),
                    Command::Checkpoint(r) => checkpoint_requests.push(r),
                }
                if batch.len() < MAX_BATCH {
                    next = rx.try_recv().ok();
                }
            }
            if !batch.is_empty() {
                self.commit(batch).await;
            }
            if self.unsigned >= self.settings.checkpoint_every_records
                || !checkpoint_requests.is_empty()
            {
                let result = self.sign_checkpoint().await;
                if let Err(e) = &result {
                    tracing::error!(error = %e, "cannot sign an audit checkpoint");
                }
                for r in checkpoint_requests {
                    let _ = r.send(result.clone());
                }
            }
        }
    }

    async fn commit(&mut self, batch: Vec<(Box<AuditEvent>, IndexReply)>) {
        let (mut events, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        // After an outage the trail first says so, in the same transaction.
        let recovery = self.outage.as_ref().map(|outage| {
            let now = crate::clock::now();
            let mut e = AuditEvent::new(EventType::AuditStoreRecovered, &self.settings.log_id, now);
            e.start_time.clone_from(&outage.since);
            e.end_time = Some(timestamp(now));
            e.reason = Some(format!(
                "the audit store refused writes; {} records were refused and their requests failed closed",
                outage.refused
            ));
            Box::new(e)
        });
        let offset = usize::from(recovery.is_some());
        if let Some(e) = recovery {
            events.insert(0, e);
        }
        // Another writer (a CLI export beside the daemon) may have taken the
        // next indices: catch up with the store and place the batch after it.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (tree, rows) = match self.records_for(&events) {
                Ok(built) if !built.1.is_empty() => built,
                Ok(_) => return,
                Err(e) => {
                    for reply in replies {
                        let _ = reply.send(Err(e.clone()));
                    }
                    return;
                }
            };
            match self.store.append(&self.settings.log_id, &rows).await {
                Ok(()) => {
                    self.tree = tree;
                    self.unsigned += rows.len() as u64;
                    self.first_unsigned
                        .get_or_insert_with(tokio::time::Instant::now);
                    for (reply, row) in replies.into_iter().zip(rows.iter().skip(offset)) {
                        let _ = reply.send(Ok(row.index));
                    }
                    if self.outage.take().is_some() {
                        tracing::warn!("the audit store takes writes again");
                    }
                    self.health.send_replace(None);
                    return;
                }
                Err(AppendError::Conflict) if attempts < 5 => {
                    if let Err(e) = self.catch_up().await {
                        tracing::error!(error = %e, "cannot catch up with the audit store");
                    }
                }
                Err(e) => {
                    let refused = (rows.len() - offset) as u64;
                    if refused > 0 || self.outage.is_none() {
                        tracing::error!(error = %e, records = refused, "audit commit failed; the requests fail closed");
                    }
                    let outage = self.outage.get_or_insert_with(|| Outage {
                        since: timestamp(crate::clock::now()),
                        refused: 0,
                    });
                    outage.refused += refused;
                    self.health.send_replace(Some(e.to_string()));
                    for reply in replies {
                        let _ = reply.send(Err(AuditUnavailable(e.to_string())));
                    }
                    return;
                }
            }
        }
    }

    /// The records of `events` placed after the current tree, and the tree with them.
    fn records_for(
        &self,
        events: &[Box<AuditEvent>],
    ) -> Result<(CompactTree, Vec<StoredRecord>), AuditUnavailable> {
        let mut tree = self.tree.clone();
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            let index = tree.size();
            let record = AuditRecord {
                schema_version: SCHEMA_VERSION,
                event_id: uuid::Uuid::now_v7().to_string(),
                log_id: self.settings.log_id.clone(),
                log_index: index,
                prev_root: hex::encode(tree.root()),
                event: (**event).clone(),
            };
            let text = encode(&record).map_err(|e| AuditUnavailable(e.to_string()))?;
            let leaf = leaf_hash(text.as_bytes());
            tree.push(leaf);
            rows.push(StoredRecord {
                index,
                leaf_hash: leaf.to_vec(),
                record: text,
                pruned: false,
            });
        }
        Ok((tree, rows))
    }

    /// Appends to the tree the records another writer stored after it.
    async fn catch_up(&mut self) -> Result<(), AuditUnavailable> {
        let newer = self
            .store
            .leaf_hashes(&self.settings.log_id, self.tree.size())
            .await
            .map_err(|e| AuditUnavailable(e.to_string()))?;
        for (index, leaf) in newer {
            let leaf: [u8; 32] = leaf.as_slice().try_into().map_err(|_| {
                AuditUnavailable(format!(
                    "log index {index}: the stored leaf hash is not 32 bytes"
                ))
            })?;
            if index != self.tree.size() {
                return Err(AuditUnavailable(format!(
                    "log index {} is missing from the store",
                    self.tree.size()
                )));
            }
            self.tree.push(leaf);
        }
        Ok(())
    }

    async fn sign_checkpoint(&mut self) -> Result<Option<Checkpoint>, AuditUnavailable> {
        if self.unsigned == 0 {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size: self.tree.size(),
            root: self.tree.root(),
        };
        let note = self.signer.sign(&checkpoint);
        self.store
            .add_checkpoint(
                &self.settings.log_id,
                checkpoint.size,
                &checkpoint.root,
                &note,
            )
            .await
            .map_err(|e| AuditUnavailable(e.to_string()))?;
        if let Some(path) = &self.settings.checkpoint_file
            && let Err(e) = append_line(path, &note)
        {
            tracing::error!(error = %e, file = %path.display(), "cannot push the audit checkpoint to its file");
        }
        if let Some(pusher) = &self.pusher
            && pusher.try_send(note.clone()).is_err()
        {
            tracing::error!(
                "the checkpoint push queue is full; this checkpoint stays in the store and file only"
            );
        }
        self.unsigned = 0;
        self.first_unsigned = None;
        tracing::info!(size = checkpoint.size, root = %hex::encode(checkpoint.root), "audit checkpoint signed");
        Ok(Some(checkpoint))
    }
}

fn append_line(path: &Path, note: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(note.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_data()
}

/// What a prune did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Records whose content was removed now.
    pub pruned: u64,
    /// Every record below this index is pruned.
    pub below: u64,
    /// Records that started before this time were eligible.
    pub cutoff: String,
    /// The retention floor: now minus `audit.retention_minimum`.
    pub floor: String,
}

/// Removes the content of records that started before `before` and before
/// the retention floor (`now - minimum`), and that a signed checkpoint
/// covers (one is signed first), keeping their leaf hashes so the log
/// stays verifiable. The caller checks the legal hold and records the
/// prune.
pub async fn prune(
    log: &AuditLog,
    minimum: std::time::Duration,
    before: &str,
    now: time::OffsetDateTime,
) -> Result<Pruned, AuditUnavailable> {
    let floor = crate::record::timestamp(now - minimum);
    let cutoff = before.min(floor.as_str()).to_owned();
    log.checkpoint().await?;
    let store = log.store();
    let log_id = log.log_id();
    let store_err = |e: crate::store::StoreError| AuditUnavailable(e.to_string());
    let covered = store
        .checkpoints(log_id)
        .await
        .map_err(store_err)?
        .last()
        .map_or(0, |c| c.size);
    let mut below = 0u64;
    for r in store.records(log_id).await.map_err(store_err)? {
        if r.index >= covered {
            break;
        }
        if !r.pruned {
            let record: crate::record::AuditRecord = serde_json::from_str(&r.record)
                .map_err(|e| AuditUnavailable(format!("record {}: {e}", r.index)))?;
            if record.event.start_time >= cutoff {
                break;
            }
        }
        below = r.index + 1;
    }
    // The removal is announced in the log, and signed, before it happens:
    // verification accepts a record without content only under such an event.
    let mut announced = AuditEvent::new(EventType::AuditPruned, log_id, now);
    announced.prune_below = Some(below);
    announced.prune_cutoff = Some(cutoff.clone());
    announced.retention_minimum_days = Some(minimum.as_secs() / 86_400);
    log.append(announced).await?;
    log.checkpoint().await?;
    let pruned = store
        .prune_content(log_id, below)
        .await
        .map_err(store_err)?;
    Ok(Pruned {
        pruned,
        below,
        cutoff,
        floor,
    })
}
