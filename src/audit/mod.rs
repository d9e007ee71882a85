//! The tamper-evident audit trail. This part holds the Merkle tree the
//! log is built on (RFC 6962 / RFC 9162); the event model, the stores,
//! checkpoints and exports build on it.

pub mod checkpoint;
pub mod merkle;
