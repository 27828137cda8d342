-- A run names its flow's text by sha256 instead of carrying a copy (as
-- runtime/migrations/sqlite/0011_run_storage.sql); runs stored before keep
-- their own copy in `flow_json`.
CREATE TABLE flow_texts (
    hash      TEXT COLLATE "C" PRIMARY KEY,
    flow_json TEXT NOT NULL
);

ALTER TABLE runs ADD COLUMN flow_hash TEXT COLLATE "C" REFERENCES flow_texts (hash);
