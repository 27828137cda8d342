-- In a cluster an agent's one connection reaches one node, while a job may
-- start on any: the node holding each agent's connection, the tasks other
-- nodes send it through that node, and what its scripts print on the way
-- back. Only PostgreSQL forms clusters; the tables are here so both
-- backends have one schema.
CREATE TABLE agent_links (
    tenant     TEXT NOT NULL,
    agent      TEXT NOT NULL,
    node       TEXT NOT NULL,
    generation INTEGER NOT NULL,
    -- The hash of the credential the connection opened with: a link counts
    -- only while it is the agent's (not revoked, not enrolled again since).
    credential TEXT NOT NULL,
    -- When the database recorded the connection: a slow write of an older one never replaces a newer.
    linked_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant, agent)
);

CREATE TABLE agent_relays (
    id         TEXT NOT NULL PRIMARY KEY,
    node       TEXT NOT NULL,
    tasks      TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE INDEX agent_relays_by_node ON agent_relays (node);

-- One row per host of a job: the last 16 KiB relayed since the step last
-- looked, and how much did not fit.
CREATE TABLE job_output (
    tenant     TEXT NOT NULL,
    job        TEXT NOT NULL,
    host       TEXT NOT NULL,
    text       TEXT NOT NULL,
    skipped    INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant, job, host)
);

CREATE INDEX job_output_by_age ON job_output (updated_ms);
