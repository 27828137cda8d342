-- A tenant's runs list, newest first, read from an index instead of sorting
-- every run of the tenant; the page after a cursor starts where it points.
CREATE INDEX runs_by_tenant ON runs (tenant, created_at, id);
