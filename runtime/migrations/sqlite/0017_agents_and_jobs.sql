-- Agents: enrolment tokens a tenant makes (kept as sha256, shown once), the
-- agents that enrolled with one (their credential as sha256, revocable),
-- and jobs — scripts on hosts — with one row per host for its outcome.
CREATE TABLE agent_enrolments (
    tenant       TEXT NOT NULL,
    id           TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    labels       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE agents (
    tenant            TEXT NOT NULL,
    id                TEXT NOT NULL,
    credential_sha256 TEXT NOT NULL UNIQUE,
    enrolled_at       TEXT NOT NULL,
    revoked_at        TEXT,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE jobs (
    tenant          TEXT NOT NULL,
    id              TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    spec            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, idempotency_key)
);

CREATE TABLE job_hosts (
    tenant      TEXT NOT NULL,
    job         TEXT NOT NULL,
    host        TEXT NOT NULL,
    state       TEXT NOT NULL,
    exit_code   INTEGER,
    output_tail TEXT NOT NULL,
    ended_at    TEXT,
    PRIMARY KEY (tenant, job, host)
);
