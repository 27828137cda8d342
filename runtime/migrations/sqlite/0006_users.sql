-- People: users with argon2 password hashes, and their role in each tenant
-- (optionally limited to running named flows).
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE members (
    tenant   TEXT NOT NULL REFERENCES tenants (name),
    username TEXT NOT NULL REFERENCES users (username),
    role     TEXT NOT NULL,
    -- JSON array of flow names the member may run; NULL: any flow.
    flows    TEXT,
    PRIMARY KEY (tenant, username)
);
