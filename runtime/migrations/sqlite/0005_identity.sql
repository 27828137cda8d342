-- Tenants, and API tokens (stored as sha256 of the token; the token itself
-- is shown once, when it is made).
CREATE TABLE tenants (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    -- NULL for a platform-wide token.
    tenant       TEXT,
    role         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT
);
