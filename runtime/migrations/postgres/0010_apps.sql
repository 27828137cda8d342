-- The marketplace. App names are unique on a server (an installed app's flows
-- are named `app/flow`); a listing belongs to the tenant that first published
-- it, or to a publisher of another server whose package was installed from an
-- OCI registry (so `publisher` names no tenant here).
CREATE TABLE app_listings (
    name        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    publisher   TEXT COLLATE "C" NOT NULL,
    visibility  TEXT NOT NULL,
    shared_with TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Published versions, immutable; the signed package is a file named by its sha256.
CREATE TABLE app_versions (
    name           TEXT COLLATE "C" NOT NULL,
    version        TEXT COLLATE "C" NOT NULL,
    publisher      TEXT COLLATE "C" NOT NULL,
    manifest       TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    published_at   TEXT NOT NULL,
    published_by   TEXT NOT NULL,
    yanked_at      TEXT,
    PRIMARY KEY (name, version)
);

-- What each tenant installed, the capabilities it consented to, and the grant
-- document they make for the app's plugins (its scope's grants).
CREATE TABLE app_installs (
    tenant       TEXT COLLATE "C" NOT NULL REFERENCES tenants (name),
    app          TEXT COLLATE "C" NOT NULL,
    version      TEXT COLLATE "C" NOT NULL,
    publisher    TEXT COLLATE "C" NOT NULL,
    capabilities TEXT NOT NULL,
    grants       TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    installed_by TEXT NOT NULL,
    PRIMARY KEY (tenant, app)
);

-- Secrets supplied to an installed app, sealed; `tenant` is the app's scope, `TENANT/APP`.
CREATE TABLE app_secrets (
    tenant     TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

-- Each publishing tenant's ed25519 signing key, sealed.
CREATE TABLE signing_keys (
    tenant     TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

-- Publishers of other servers, by the public key an installer pinned when
-- installing their package from an OCI registry.
CREATE TABLE foreign_publishers (
    publisher  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    public_key TEXT NOT NULL,
    pinned_at  TEXT NOT NULL,
    pinned_by  TEXT NOT NULL
);
