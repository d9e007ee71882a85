-- Monthly active users (src/mau): one row per node, UTC month, tenant and
-- subject pseudonym (keyed HMAC of issuer + subject: no direct identifier).
CREATE TABLE IF NOT EXISTS mau_subjects (
    node_id    TEXT NOT NULL,
    month      TEXT NOT NULL,   -- YYYY-MM, UTC
    tenant     TEXT NOT NULL,
    pseudonym  TEXT NOT NULL,
    first_seen TEXT NOT NULL,   -- RFC 3339, UTC
    PRIMARY KEY (node_id, month, tenant, pseudonym)
);

-- Each node's HyperLogLog sketch of a month (16384 one-byte registers,
-- precision 14), which a fleet merges without sharing pseudonyms.
CREATE TABLE IF NOT EXISTS mau_sketches (
    node_id    TEXT NOT NULL,
    month      TEXT NOT NULL,
    registers  BYTEA NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (node_id, month)
);
