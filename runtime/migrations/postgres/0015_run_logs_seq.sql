-- Which event a step call's log was written with: a step polled many times
-- writes one log per call under the same node and attempt, and the event
-- stream sends each call's own log beside the event ending it. Empty for
-- logs written before this column.
ALTER TABLE run_logs ADD COLUMN seq BIGINT;
CREATE INDEX run_logs_by_event ON run_logs (run_id, seq);
