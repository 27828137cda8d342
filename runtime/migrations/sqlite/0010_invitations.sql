-- Invitations into a tenant: the code (stored as its sha256 only) lets one
-- person join with the role it names, once, before it expires.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    code_sha256 TEXT NOT NULL UNIQUE,
    tenant      TEXT NOT NULL REFERENCES tenants (name),
    role        TEXT NOT NULL,
    -- JSON array of flow names the member may run; NULL: any flow.
    flows       TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_by TEXT,
    accepted_at TEXT,
    revoked_at  TEXT
);
CREATE INDEX invitations_by_tenant ON invitations (tenant, created_at);
