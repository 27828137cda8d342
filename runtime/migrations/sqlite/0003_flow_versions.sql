-- Flows per tenant: one editable draft, and immutable numbered versions.
CREATE TABLE flow_drafts (
    tenant     TEXT NOT NULL,
    name       TEXT NOT NULL,
    flow_json  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE flow_versions (
    tenant       TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    flow_json    TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    published_at TEXT    NOT NULL,
    PRIMARY KEY (tenant, name, version)
);

-- The version a run pins (NULL for a run of a flow file).
ALTER TABLE runs ADD COLUMN flow_version INTEGER;
