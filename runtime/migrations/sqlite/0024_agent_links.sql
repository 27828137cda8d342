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
    PRIMARY KEY (tenant, agent)
);

CREATE TABLE agent_relays (
    id         TEXT NOT NULL PRIMARY KEY,
    node       TEXT NOT NULL,
    tasks      TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE INDEX agent_relays_by_node ON agent_relays (node);

CREATE TABLE job_output (
    id         TEXT NOT NULL PRIMARY KEY,
    tenant     TEXT NOT NULL,
    job        TEXT NOT NULL,
    host       TEXT NOT NULL,
    text       TEXT NOT NULL,
    skipped    INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE INDEX job_output_by_job ON job_output (tenant, job);
