-- Many nodes on one database. A run is driven by one node at a time under a
-- lease: `fence` grows with every new holder, and every write to the run's
-- log checks it, so a node that lost its lease writes nothing more. A lease
-- lives as long as its node's heartbeat (`cluster_nodes.expires_ms`): one
-- row renewed per node, whatever the number of its runs. A row with node ''
-- belongs to nobody: a run parked until `expires_ms` (an approval's
-- timeout), taken up by whichever node claims it then.
CREATE TABLE run_leases (
    run_id     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    node       TEXT COLLATE "C" NOT NULL,
    fence      BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);

CREATE INDEX run_leases_by_node ON run_leases (node, expires_ms);

-- The nodes (processes) that have run on this database: alive while
-- `expires_ms` (last heartbeat + its lease lifetime) is ahead and not stopped.
CREATE TABLE cluster_nodes (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    started_at   TEXT NOT NULL,
    heartbeat_ms BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    stopped      BIGINT NOT NULL DEFAULT 0
);

-- Operators' events for runs another node drives, waiting for that node.
CREATE TABLE run_controls (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    run_id     TEXT COLLATE "C" NOT NULL,
    event      TEXT NOT NULL,
    -- '' until a node takes it; 'withdrawn' if its sender gave up first.
    taken_by   TEXT COLLATE "C" NOT NULL DEFAULT '',
    answer     TEXT,
    created_ms BIGINT NOT NULL
);

CREATE INDEX run_controls_by_run ON run_controls (run_id);

-- Uploaded plugin components and app packages, by sha256: every node reads them here
-- (and keeps its own compiled copy), so no node needs a shared disk.
CREATE TABLE blobs (
    sha256 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    bytes  BYTEA NOT NULL
);

-- A value sealed with the sealing key when the database was first used: a
-- node whose key cannot open it would not open the secrets either.
CREATE TABLE sealing_check (
    id         BIGINT NOT NULL PRIMARY KEY,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL
);
