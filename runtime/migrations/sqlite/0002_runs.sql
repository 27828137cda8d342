-- Runs and their append-only event log. A run's state is rebuilt by
-- replaying its events through the engine; `status`, `output` and `error`
-- are a summary kept for listing.
CREATE TABLE runs (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    flow_name  TEXT NOT NULL,
    flow_json  TEXT NOT NULL,
    input      TEXT NOT NULL,
    status     TEXT NOT NULL,
    output     TEXT,
    error      TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX runs_by_status ON runs (status);

CREATE TABLE run_events (
    run_id TEXT    NOT NULL REFERENCES runs (id),
    seq    INTEGER NOT NULL,
    event  TEXT    NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Step logs and atom calls, kept with the run for its history.
CREATE TABLE run_logs (
    run_id  TEXT    NOT NULL REFERENCES runs (id),
    node    TEXT    NOT NULL,
    attempt INTEGER NOT NULL,
    lines   TEXT    NOT NULL
);
