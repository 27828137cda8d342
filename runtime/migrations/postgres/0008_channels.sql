-- Notification channels per tenant, each configuration sealed whole (a chat
-- robot's URL and a mail password are credentials), like secrets.
CREATE TABLE channels (
    tenant     TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);
