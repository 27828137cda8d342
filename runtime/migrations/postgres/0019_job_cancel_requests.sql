-- When a job's cancel was asked for: recorded before it is sent, so an agent
-- that comes back still holding the job (its connection died with the
-- cancel in it) is told again, instead of running a held script at its instant.
ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
