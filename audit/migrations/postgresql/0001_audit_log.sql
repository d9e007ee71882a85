-- The audit log: one row per record, in log order, per log (node).
CREATE TABLE IF NOT EXISTS audit_records (
    log_id     TEXT   NOT NULL,
    log_index  BIGINT NOT NULL,
    leaf_hash  BYTEA  NOT NULL,
    record     TEXT,             -- NULL once pruned (the leaf hash stays)
    PRIMARY KEY (log_id, log_index)
);

-- Signed checkpoints (C2SP tlog-checkpoint notes).
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    log_id     TEXT        NOT NULL,
    tree_size  BIGINT      NOT NULL,
    root_hash  BYTEA       NOT NULL,
    note       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (log_id, tree_size)
);

CREATE TABLE IF NOT EXISTS audit_schema (version INTEGER NOT NULL);
