-- The child runs a parked parent waits on (its subflow calls' runs), written
-- when it parks: a parked parent is claimable as soon as one of them has
-- ended, even if the notice the child's node sends was lost (that node died
-- right after the child's last write). Gone with the parent's lease row.
-- (Clusters run on PostgreSQL; the table is here to keep the schemas alike.)
CREATE TABLE run_waits (
    parent TEXT NOT NULL REFERENCES run_leases (run_id) ON DELETE CASCADE,
    child  TEXT NOT NULL,
    PRIMARY KEY (parent, child)
);
