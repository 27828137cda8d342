-- A draft's revision counts its saves, so an editor saving over a draft that
-- someone else changed since it was read is told so (`If-Match`) instead of
-- silently overwriting it.
ALTER TABLE flow_drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
