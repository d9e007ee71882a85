//! Verifying a log: the algorithm `docs/audit.md` writes down for auditors.
//! It trusts only the checkpoint public key; it names the first log index
//! at which the records stop being what the log committed to.

use super::checkpoint::{Checkpoint, CheckpointVerifier};
use super::merkle::{CompactTree, leaf_hash};
use super::record::{AuditRecord, EventType, LEGAL_MIN_RETENTION_DAYS, encode};
use super::store::{StoredCheckpoint, StoredRecord};

/// The log verified; what it covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Records checked.
    pub records: u64,
    /// Checkpoints checked.
    pub checkpoints: usize,
    /// The largest checkpoint, if any.
    pub latest: Option<Checkpoint>,
    /// Records after the latest checkpoint (protected by the record chain,
    /// not yet by a signature).
    pub unsigned_tail: u64,
    /// Records whose content retention removed (their leaf hashes remain).
    pub pruned: u64,
}

/// Why verification failed: the first bad index (when one can be named).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A record is not what the log committed to.
    #[error("log index {index}: {why}")]
    Record {
        /// The first bad index.
        index: u64,
        /// What is wrong.
        why: String,
    },
    /// A checkpoint does not verify.
    #[error("checkpoint of size {size}: {why}")]
    Checkpoint {
        /// Its size.
        size: u64,
        /// What is wrong.
        why: String,
    },
}

impl VerifyError {
    /// The first bad log index, if the failure names one.
    pub fn index(&self) -> Option<u64> {
        match self {
            VerifyError::Record { index, .. } => Some(*index),
            VerifyError::Checkpoint { .. } => None,
        }
    }
}

/// Verifies `records` (in index order) of log `origin` against
/// `checkpoints`, whose signatures must verify with `verifier`.
///
/// A fast pass hashes the records in parallel and checks every checkpoint
/// root (and the `prev_root` chain of the records after the latest one);
/// only when that fails does the record-by-record pass below run, to name
/// the first bad index. Both passes accept exactly the same logs: whatever
/// the detailed pass checks on a covered record is committed to by the
/// checkpoint's root.
pub fn verify(
    log_id: &str,
    origin: &str,
    records: &[StoredRecord],
    checkpoints: &[StoredCheckpoint],
    verifier: &CheckpointVerifier,
) -> Result<Verified, VerifyError> {
    match fast(log_id, origin, records, checkpoints, verifier) {
        Ok(v) => Ok(v),
        Err(fast_error) => match detailed(log_id, origin, records, checkpoints, verifier) {
            Err(e) => Err(e),
            // Cannot happen (the detailed pass checks more); keep the finding.
            Ok(_) => Err(fast_error),
        },
    }
}

/// Every record below the returned index may be without content: a prune
/// event later in the log names it. A prune event counts when the
/// retention it states is at least the legal minimum and its cutoff is at
/// least that long before the event itself. Events written before prune
/// events existed (`admin_action` "pruned the content of N records below
/// index B (started before C)") count the same way at the legal minimum.
fn prunable_below(records: &[StoredRecord]) -> u64 {
    let mut below = 0u64;
    for stored in records.iter().filter(|r| !r.pruned) {
        let text = &stored.record;
        if !text.contains("audit_pruned") && !text.contains("pruned the content of") {
            continue;
        }
        let Ok(record) = serde_json::from_str::<AuditRecord>(text) else {
            continue;
        };
        let e = &record.event;
        let stated = match e.event_type {
            EventType::AuditPruned => e
                .prune_below
                .zip(e.prune_cutoff.clone())
                .zip(e.retention_minimum_days),
            EventType::AdminAction => legacy_prune(e.reason.as_deref().unwrap_or_default())
                .map(|(b, c)| ((b, c), LEGAL_MIN_RETENTION_DAYS)),
            _ => None,
        };
        let Some(((prune_below, cutoff), days)) = stated else {
            continue;
        };
        let days = i64::try_from(days).unwrap_or(i64::MAX);
        let old_enough = days >= LEGAL_MIN_RETENTION_DAYS as i64
            && match (parse_time(&cutoff), parse_time(&e.start_time)) {
                (Some(cut), Some(at)) => cut <= at - time::Duration::days(days),
                _ => false,
            };
        if old_enough {
            below = below.max(prune_below.min(record.log_index));
        }
    }
    below
}

/// `(below, cutoff)` of the reason a pre-`audit_pruned` prune recorded.
fn legacy_prune(reason: &str) -> Option<(u64, String)> {
    let rest = reason.strip_prefix("pruned the content of ")?;
    let (_, rest) = rest.split_once(" records below index ")?;
    let (below, rest) = rest.split_once(" (started before ")?;
    Some((below.parse().ok()?, rest.strip_suffix(')')?.to_owned()))
}

fn parse_time(t: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

/// The fields the fast pass reads, borrowed from the stored text.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    log_index: u64,
    #[serde(borrow)]
    log_id: &'a str,
    #[serde(borrow)]
    prev_root: &'a str,
}

fn fast(
    log_id: &str,
    origin: &str,
    records: &[StoredRecord],
    checkpoints: &[StoredCheckpoint],
    verifier: &CheckpointVerifier,
) -> Result<Verified, VerifyError> {
    let opened = open_checkpoints(origin, checkpoints, verifier)?;
    let covered = opened.last().map_or(0, |c| c.size);
    let prunable = prunable_below(records);
    let quick = |position: usize, stored: &StoredRecord| -> Result<[u8; 32], VerifyError> {
        let bad = |why: &str| VerifyError::Record {
            index: position as u64,
            why: why.to_owned(),
        };
        if stored.pruned {
            // Only its leaf hash remains; the checkpoint roots vouch for it.
            if stored.index != position as u64
                || position as u64 >= covered
                || position as u64 >= prunable
            {
                return Err(bad(
                    "pruned out of place, beyond the latest checkpoint or without a prune event",
                ));
            }
            return <[u8; 32]>::try_from(stored.leaf_hash.as_slice())
                .map_err(|_| bad("bad leaf hash"));
        }
        let env: Envelope<'_> =
            serde_json::from_str(&stored.record).map_err(|_| bad("not a valid record"))?;
        if stored.index != position as u64
            || env.log_index != position as u64
            || env.log_id != log_id
        {
            return Err(bad("out of place"));
        }
        let leaf = leaf_hash(stored.record.as_bytes());
        if stored.leaf_hash != leaf {
            return Err(bad("leaf hash differs"));
        }
        Ok(leaf)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = records.len().div_ceil(threads).max(1);
    let leaves: Vec<Result<[u8; 32], VerifyError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, r)| quick(c * chunk + i, r))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![Err(VerifyError::Record {
                        index: 0,
                        why: "verification thread failed".into(),
                    })]
                })
            })
            .collect()
    });
    let mut tree = CompactTree::new();
    let mut pending = opened.iter().filter(|c| c.size > 0).peekable();
    for (position, leaf) in leaves.into_iter().enumerate() {
        let leaf = leaf?;
        if position as u64 >= covered {
            let env: Envelope<'_> = records
                .get(position)
                .and_then(|r| serde_json::from_str(&r.record).ok())
                .ok_or_else(|| VerifyError::Record {
                    index: position as u64,
                    why: "not a valid record".into(),
                })?;
            if env.prev_root != hex::encode(tree.root()) {
                return Err(VerifyError::Record {
                    index: position as u64,
                    why: "chain broken".into(),
                });
            }
        }
        tree.push(leaf);
        while let Some(c) = pending.next_if(|c| c.size == tree.size()) {
            if c.root != tree.root() {
                return Err(VerifyError::Checkpoint {
                    size: c.size,
                    why: "root differs".into(),
                });
            }
        }
    }
    if pending.next().is_some() {
        return Err(VerifyError::Record {
            index: tree.size(),
            why: "missing".into(),
        });
    }
    Ok(Verified {
        records: tree.size(),
        checkpoints: opened.len(),
        unsigned_tail: tree.size() - covered,
        latest: opened.last().cloned(),
        pruned: records.iter().filter(|r| r.pruned).count() as u64,
    })
}

/// Opens and checks every checkpoint; sorted by size.
fn open_checkpoints(
    origin: &str,
    checkpoints: &[StoredCheckpoint],
    verifier: &CheckpointVerifier,
) -> Result<Vec<Checkpoint>, VerifyError> {
    let mut opened: Vec<Checkpoint> = Vec::with_capacity(checkpoints.len());
    for stored in checkpoints {
        let c = verifier
            .open(&stored.note)
            .map_err(|e| VerifyError::Checkpoint {
                size: stored.size,
                why: e.to_string(),
            })?;
        if c.origin != origin {
            return Err(VerifyError::Checkpoint {
                size: stored.size,
                why: format!("names log {:?}, not {origin:?}", c.origin),
            });
        }
        if c.size != stored.size {
            return Err(VerifyError::Checkpoint {
                size: stored.size,
                why: format!(
                    "is stored as size {} but its signed size is {}",
                    stored.size, c.size
                ),
            });
        }
        if c.size == 0 && c.root != super::merkle::empty_root() {
            return Err(VerifyError::Checkpoint {
                size: 0,
                why: "an empty log has a different root".into(),
            });
        }
        opened.push(c);
    }
    opened.sort_by_key(|c| c.size);
    Ok(opened)
}

/// Appends record `index`'s leaf and checks every checkpoint of the new size.
fn push_checked<'a>(
    tree: &mut CompactTree,
    pending: &mut std::iter::Peekable<impl Iterator<Item = &'a Checkpoint>>,
    leaf: [u8; 32],
    index: u64,
) -> Result<(), VerifyError> {
    tree.push(leaf);
    while let Some(c) = pending.next_if(|c| c.size == tree.size()) {
        if c.root != tree.root() {
            return Err(VerifyError::Record {
                index,
                why: format!(
                    "the tree of records 0..={index} does not match the signed checkpoint of size {}",
                    c.size
                ),
            });
        }
    }
    Ok(())
}

/// The record-by-record pass: names the first bad index.
fn detailed(
    log_id: &str,
    origin: &str,
    records: &[StoredRecord],
    checkpoints: &[StoredCheckpoint],
    verifier: &CheckpointVerifier,
) -> Result<Verified, VerifyError> {
    // 1. Every checkpoint is signed by the key and names this log.
    let opened = open_checkpoints(origin, checkpoints, verifier)?;
    let mut pending = opened.iter().filter(|c| c.size > 0).peekable();
    let prunable = prunable_below(records);

    // 2. Records, in order: each at its place, canonically encoded, chained
    //    to the tree before it, and agreeing with every checkpoint.
    let mut tree = CompactTree::new();
    for (position, stored) in records.iter().enumerate() {
        let expected = position as u64;
        let bad = |index: u64, why: String| VerifyError::Record { index, why };
        if stored.index != expected {
            return Err(if stored.index > expected {
                bad(
                    expected,
                    format!("missing: the next stored record is index {}", stored.index),
                )
            } else {
                bad(stored.index, "stored twice".into())
            });
        }
        if stored.pruned {
            let covered = opened.last().map_or(0, |c| c.size);
            if expected >= covered {
                return Err(bad(
                    expected,
                    "its content was removed, but no signed checkpoint covers it".into(),
                ));
            }
            if expected >= prunable {
                return Err(bad(
                    expected,
                    "its content was removed, but no prune event covers it (a prune is announced in the log, at least the retention minimum after the records it removes): tampering".into(),
                ));
            }
            let leaf: [u8; 32] = stored
                .leaf_hash
                .as_slice()
                .try_into()
                .map_err(|_| bad(expected, "its stored leaf hash is not 32 bytes".into()))?;
            push_checked(&mut tree, &mut pending, leaf, expected)?;
            continue;
        }
        let record: AuditRecord = serde_json::from_str(&stored.record)
            .map_err(|e| bad(expected, format!("not a valid record: {e}")))?;
        if record.log_index != expected {
            return Err(if expected > 0 && record.log_index == expected - 1 {
                bad(
                    expected - 1,
                    "two records claim this index: one was inserted".into(),
                )
            } else {
                bad(
                    expected,
                    format!(
                        "holds the record of index {}: records were moved, inserted or removed",
                        record.log_index
                    ),
                )
            });
        }
        if record.log_id != log_id {
            return Err(bad(expected, format!("belongs to log {:?}", record.log_id)));
        }
        let canonical = encode(&record).map_err(|e| bad(expected, e.to_string()))?;
        if canonical != stored.record {
            return Err(bad(
                expected,
                "is not in its canonical encoding: it was edited".into(),
            ));
        }
        let leaf = leaf_hash(canonical.as_bytes());
        if stored.leaf_hash != leaf {
            return Err(bad(
                expected,
                "its content does not match its stored leaf hash: it was altered".into(),
            ));
        }
        if record.prev_root != hex::encode(tree.root()) {
            // Records before `expected` matched the chain up to the previous
            // record's own prev_root, so the tree differs only in the last leaf.
            return Err(match expected.checked_sub(1) {
                Some(prev) => bad(
                    prev,
                    format!(
                        "differs from what record {expected} committed to (prev_root): it was altered"
                    ),
                ),
                None => bad(
                    0,
                    "the first record's prev_root is not the empty tree".into(),
                ),
            });
        }
        push_checked(&mut tree, &mut pending, leaf, expected)?;
    }
    if let Some(c) = pending.next() {
        return Err(VerifyError::Record {
            index: tree.size(),
            why: format!(
                "missing: the signed checkpoint covers {} records but only {} are present",
                c.size,
                tree.size()
            ),
        });
    }
    let latest = opened.last().cloned();
    let covered = latest.as_ref().map(|c| c.size).unwrap_or(0);
    Ok(Verified {
        records: tree.size(),
        checkpoints: opened.len(),
        unsigned_tail: tree.size() - covered,
        latest,
        pruned: records.iter().filter(|r| r.pruned).count() as u64,
    })
}
