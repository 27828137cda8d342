-- Invitations into a tenant (as runtime/migrations/sqlite/0010_invitations.sql).
CREATE TABLE invitations (
    id          TEXT COLLATE "C" PRIMARY KEY,
    code_sha256 TEXT COLLATE "C" NOT NULL UNIQUE,
    tenant      TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    role        TEXT NOT NULL,
    flows       TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_by TEXT,
    accepted_at TEXT,
    revoked_at  TEXT
);
CREATE INDEX invitations_by_tenant ON invitations (tenant, created_at);
