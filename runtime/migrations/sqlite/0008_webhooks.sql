-- Webhook triggers: the unguessable id is the credential. Rotating revokes
-- the old id and makes a new one.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    flow       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX webhooks_by_flow ON webhooks (tenant, flow);
