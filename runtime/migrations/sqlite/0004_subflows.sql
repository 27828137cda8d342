-- A subflow's run names the run that started it; such runs are continued
-- by their parent, never on their own after a restart.
ALTER TABLE runs ADD COLUMN parent_run TEXT;
CREATE INDEX runs_by_parent ON runs (parent_run);
