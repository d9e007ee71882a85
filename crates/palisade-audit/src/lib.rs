//! The tamper-evident audit trail: records (`record`), their Merkle tree
//! (`merkle`, RFC 6962), signed checkpoints (`checkpoint`, C2SP), the store
//! (`store`, SQLite or PostgreSQL), the running log with group commit
//! (`log`), verification (`verify`), exports (`export`) and compliance
//! reports (`report`). Audit is a sink: it imports neither
//! serving nor the engine.

pub mod checkpoint;
pub mod clock;
pub mod export;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod record;
pub mod report;
pub mod store;
pub mod verify;
