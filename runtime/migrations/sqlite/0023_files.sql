-- The files a tenant uploaded for `push-file` to place on hosts: a name
-- pointing at content kept in `blobs` by its sha256. Replacing a file points
-- the name at new content; the old content stays for the jobs naming it.
CREATE TABLE files (
    tenant      TEXT NOT NULL,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);
