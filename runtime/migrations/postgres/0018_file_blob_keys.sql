-- Tenants' file content gets keys of its own in `blobs` ('file:' and the
-- sha256), so content no file names any more can be collected without
-- touching a plugin component or app package with the same bytes. The
-- content of every file, and of every job that placed one, is copied under
-- its new key; the old rows stay (something else may share them).
INSERT INTO blobs (sha256, bytes)
SELECT 'file:' || b.sha256, b.bytes FROM blobs b
WHERE b.sha256 IN (SELECT f.sha256 COLLATE "C" FROM files f)
   OR EXISTS (SELECT 1 FROM jobs j WHERE j.spec LIKE '%"sha256":"' || b.sha256 || '"%')
ON CONFLICT (sha256) DO NOTHING;

-- What a collection asks for every kept content: is a job still placing it?
CREATE INDEX job_hosts_by_state ON job_hosts (state);
