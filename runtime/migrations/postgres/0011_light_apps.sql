-- Flows offered as light apps: a simple page for end users (a form, a run
-- button, the result, their own runs), and who started each run through one.
CREATE TABLE light_apps (
    tenant      TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    flow        TEXT COLLATE "C" NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    enabled_at  TEXT NOT NULL,
    enabled_by  TEXT NOT NULL,
    PRIMARY KEY (tenant, flow)
);

CREATE TABLE light_app_runs (
    run_id     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    tenant     TEXT COLLATE "C" NOT NULL,
    flow       TEXT COLLATE "C" NOT NULL,
    started_by TEXT COLLATE "C" NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX light_app_runs_by_starter ON light_app_runs (tenant, flow, started_by, created_at);
