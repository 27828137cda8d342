-- The host inventory (CMDB): hosts per tenant, and their labels one row each
-- so a label selector narrows a listing in SQL.
CREATE TABLE hosts (
    tenant     TEXT NOT NULL,
    id         TEXT NOT NULL,
    hostname   TEXT NOT NULL,
    ip         TEXT NOT NULL,
    labels     TEXT NOT NULL,
    agent      TEXT,
    last_seen  TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE host_labels (
    tenant TEXT NOT NULL,
    host   TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (tenant, key, value, host)
);
CREATE INDEX host_labels_by_host ON host_labels (tenant, host);
