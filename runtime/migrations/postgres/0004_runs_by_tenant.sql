-- As runtime/migrations/sqlite/0012_runs_by_tenant.sql: a tenant's runs
-- list, newest first, read from an index instead of sorting.
CREATE INDEX runs_by_tenant ON runs (tenant, created_at, id);
