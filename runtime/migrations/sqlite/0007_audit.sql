-- Every mutation through the API: who, in which tenant, what, on what, when,
-- and how it ended (the HTTP status). Append-only.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT    NOT NULL,
    who      TEXT    NOT NULL,
    tenant   TEXT,
    action   TEXT    NOT NULL,
    resource TEXT    NOT NULL,
    status   INTEGER NOT NULL
);
CREATE INDEX audit_by_tenant ON audit (tenant, id);
