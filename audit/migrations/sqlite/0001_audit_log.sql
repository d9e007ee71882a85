-- The audit log: one row per record, in log order, per log (node).
CREATE TABLE IF NOT EXISTS audit_records (
    log_id     TEXT    NOT NULL,
    log_index  INTEGER NOT NULL,
    leaf_hash  BLOB    NOT NULL,
    record     TEXT,               -- NULL once pruned (the leaf hash stays)
    PRIMARY KEY (log_id, log_index)
) WITHOUT ROWID;

-- Signed checkpoints (C2SP tlog-checkpoint notes).
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    log_id     TEXT    NOT NULL,
    tree_size  INTEGER NOT NULL,
    root_hash  BLOB    NOT NULL,
    note       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (log_id, tree_size)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_schema (version INTEGER NOT NULL);
