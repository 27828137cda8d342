-- What a tenant grants its plugins (one JSON document per tenant), its
-- secrets (sealed: nonce and ciphertext; the key is not in the database),
-- and the plugins it uploaded (the bytes are files named by their sha256).
CREATE TABLE tenant_grants (
    tenant     TEXT PRIMARY KEY REFERENCES tenants (name),
    grants     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE secrets (
    tenant     TEXT NOT NULL REFERENCES tenants (name),
    name       TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE plugins (
    tenant      TEXT NOT NULL REFERENCES tenants (name),
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    yanked_at   TEXT,
    PRIMARY KEY (tenant, name, version)
);

-- Cron triggers: `next_at` is the next tick (RFC 3339, UTC); ticks missed
-- while the server was down collapse into one run.
CREATE TABLE schedules (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL REFERENCES tenants (name),
    flow       TEXT NOT NULL,
    cron       TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    input      TEXT NOT NULL,
    next_at    TEXT NOT NULL,
    last_run   TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_at);
CREATE INDEX schedules_by_flow ON schedules (tenant, flow);

-- API tokens get a name and an id (for listing and revoking) and remember
-- who made them.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN name TEXT;
ALTER TABLE api_tokens ADD COLUMN created_by TEXT;
CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens (id);
