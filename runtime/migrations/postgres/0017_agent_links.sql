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
    PRIMARY KEY (tenant, agent)
);

CREATE TABLE agent_relays (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    node       TEXT COLLATE "C" NOT NULL,
    tasks      TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE INDEX agent_relays_by_node ON agent_relays (node);

CREATE TABLE job_output (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    tenant     TEXT COLLATE "C" NOT NULL,
    job        TEXT COLLATE "C" NOT NULL,
    host       TEXT COLLATE "C" NOT NULL,
    text       TEXT NOT NULL,
    skipped    BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE INDEX job_output_by_job ON job_output (tenant, job);

-- Nodes wake to relayed tasks when they are posted (`scena_changes`, as for caches).
CREATE TRIGGER agent_relays_posted AFTER INSERT ON agent_relays
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
