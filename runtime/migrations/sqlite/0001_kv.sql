-- Durable key/value state of the `kv` atom, private to one tenant and plugin.
-- A call commits its writes only if every key it read still holds the value it
-- saw (optimistic concurrency), so concurrent calls never lose an update.
CREATE TABLE kv_entries (
    tenant     TEXT NOT NULL,
    plugin     TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant, plugin, key)
);
