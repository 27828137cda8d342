-- The whole schema for PostgreSQL, equal to what runtime/migrations/sqlite/
-- builds step by step; the stores' SQL runs unchanged on both. Keys and
-- names compare byte-wise (COLLATE "C") as in SQLite, so ordering and the
-- `kv` prefix scans do not depend on the server's locale. Times are RFC 3339
-- text, as in SQLite.

-- Durable key/value state of the `kv` atom, private to one tenant and plugin.
CREATE TABLE kv_entries (
    tenant     TEXT COLLATE "C" NOT NULL,
    plugin     TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant, plugin, key)
);

-- Runs and their append-only event log.
CREATE TABLE runs (
    id           TEXT COLLATE "C" PRIMARY KEY,
    tenant       TEXT COLLATE "C" NOT NULL,
    flow_name    TEXT COLLATE "C" NOT NULL,
    flow_json    TEXT NOT NULL,
    input        TEXT NOT NULL,
    status       TEXT COLLATE "C" NOT NULL,
    output       TEXT,
    error        TEXT,
    created_at   TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT NOT NULL,
    flow_version BIGINT,
    parent_run   TEXT COLLATE "C"
);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_parent ON runs (parent_run);

CREATE TABLE run_events (
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id),
    seq    BIGINT NOT NULL,
    event  TEXT   NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Step logs and atom calls. `rowid` keeps the order they were written in,
-- under the name SQLite gives its implicit row number.
CREATE TABLE run_logs (
    rowid   BIGSERIAL,
    run_id  TEXT COLLATE "C" NOT NULL REFERENCES runs (id),
    node    TEXT   NOT NULL,
    attempt BIGINT NOT NULL,
    lines   TEXT   NOT NULL
);
CREATE INDEX run_logs_by_run ON run_logs (run_id, rowid);

-- Flows per tenant: one editable draft, and immutable numbered versions.
CREATE TABLE flow_drafts (
    tenant     TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    flow_json  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE flow_versions (
    tenant       TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    flow_json    TEXT   NOT NULL,
    content_hash TEXT   NOT NULL,
    published_at TEXT   NOT NULL,
    PRIMARY KEY (tenant, name, version)
);

-- Tenants, people and API tokens (sha256 of the token only).
CREATE TABLE tenants (
    name       TEXT COLLATE "C" PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_sha256 TEXT COLLATE "C" PRIMARY KEY,
    subject      TEXT COLLATE "C" NOT NULL,
    -- NULL for a platform-wide token.
    tenant       TEXT COLLATE "C",
    role         TEXT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    id           TEXT COLLATE "C",
    name         TEXT,
    created_by   TEXT
);
CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens (id);

CREATE TABLE users (
    username      TEXT COLLATE "C" PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE members (
    tenant   TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    username TEXT COLLATE "C" NOT NULL REFERENCES users (username),
    role     TEXT NOT NULL,
    -- JSON array of flow names the member may run; NULL: any flow.
    flows    TEXT,
    PRIMARY KEY (tenant, username)
);

-- Every mutation through the API. Append-only.
CREATE TABLE audit (
    id       BIGSERIAL PRIMARY KEY,
    at       TEXT   NOT NULL,
    who      TEXT   NOT NULL,
    tenant   TEXT COLLATE "C",
    action   TEXT   NOT NULL,
    resource TEXT   NOT NULL,
    status   BIGINT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit (tenant, id);

-- Webhook triggers: the unguessable id is the credential.
CREATE TABLE webhooks (
    id         TEXT COLLATE "C" PRIMARY KEY,
    tenant     TEXT COLLATE "C" NOT NULL,
    flow       TEXT COLLATE "C" NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX webhooks_by_flow ON webhooks (tenant, flow);

-- Grants (one JSON document per tenant), sealed secrets, uploaded plugins.
CREATE TABLE tenant_grants (
    tenant     TEXT COLLATE "C" PRIMARY KEY REFERENCES tenants (name),
    grants     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE secrets (
    tenant     TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    name       TEXT COLLATE "C" NOT NULL,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE plugins (
    tenant      TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    name        TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    sha256      TEXT   NOT NULL,
    size_bytes  BIGINT NOT NULL,
    uploaded_at TEXT COLLATE "C" NOT NULL,
    uploaded_by TEXT   NOT NULL,
    yanked_at   TEXT,
    PRIMARY KEY (tenant, name, version)
);

-- Cron triggers: `next_at` is the next tick (RFC 3339, UTC).
CREATE TABLE schedules (
    id         TEXT COLLATE "C" PRIMARY KEY,
    tenant     TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    flow       TEXT COLLATE "C" NOT NULL,
    cron       TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    input      TEXT NOT NULL,
    next_at    TEXT COLLATE "C" NOT NULL,
    last_run   TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_at);
CREATE INDEX schedules_by_flow ON schedules (tenant, flow);
