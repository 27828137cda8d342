-- Smaller writes per run.
--
-- A run pinned the whole text of its flow in its own row, so every run wrote
-- the same kilobytes again. The text is now kept once, by its sha256, and a
-- run names it; runs stored before keep their own copy in `flow_json`.
CREATE TABLE flow_texts (
    hash      TEXT PRIMARY KEY,
    flow_json TEXT NOT NULL
);

ALTER TABLE runs ADD COLUMN flow_hash TEXT REFERENCES flow_texts (hash);

-- The event log is read and written by (run_id, seq) only: as a WITHOUT
-- ROWID table, an append changes one b-tree instead of a table and its index.
CREATE TABLE run_events_by_key (
    run_id TEXT    NOT NULL REFERENCES runs (id),
    seq    INTEGER NOT NULL,
    event  TEXT    NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

INSERT INTO run_events_by_key (run_id, seq, event) SELECT run_id, seq, event FROM run_events;
DROP TABLE run_events;
ALTER TABLE run_events_by_key RENAME TO run_events;
