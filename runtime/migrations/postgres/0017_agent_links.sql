-- In a cluster an agent's one connection reaches one node, while a job may
-- start on any: the node holding each agent's connection (replaced when the
-- agent connects again, anywhere; removed when it drops), the tasks other
-- nodes send it through that node (one row per message, a list of tasks),
-- and what its scripts print on the way back to the node whose step looks.
CREATE TABLE agent_links (
    tenant     TEXT COLLATE "C" NOT NULL,
    agent      TEXT COLLATE "C" NOT NULL,
    node       TEXT COLLATE "C" NOT NULL,
    generation BIGINT NOT NULL,
    -- The hash of the credential the connection opened with: a link counts
    -- only while it is the agent's (not revoked, not enrolled again since).
    credential TEXT NOT NULL,
    -- When the database recorded the connection: a slow write of an older one never replaces a newer.
    linked_ms  BIGINT NOT NULL,
    PRIMARY KEY (tenant, agent)
);

CREATE TABLE agent_relays (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    node       TEXT COLLATE "C" NOT NULL,
    tasks      TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE INDEX agent_relays_by_node ON agent_relays (node);

-- One row per host of a job: the last 16 KiB relayed since the step last
-- looked, and how much did not fit.
CREATE TABLE job_output (
    tenant     TEXT COLLATE "C" NOT NULL,
    job        TEXT COLLATE "C" NOT NULL,
    host       TEXT COLLATE "C" NOT NULL,
    text       TEXT NOT NULL,
    skipped    BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant, job, host)
);

CREATE INDEX job_output_by_age ON job_output (updated_ms);

-- Nodes wake to relayed tasks when they are posted (`scena_changes`, as for caches).
CREATE TRIGGER agent_relays_posted AFTER INSERT ON agent_relays
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
