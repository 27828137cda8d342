-- Webhook ids are credentials: kept as their sha256 (hex), like tokens and
-- invitation codes. SQLite has no sha256 in SQL, so ids stored in plain
-- text before this migration are hashed by the server when it opens the
-- database (`TriggerStore::hash_plain_webhook_ids`): a plain id starts with
-- `hook_`, a hash is 64 hex digits.
ALTER TABLE webhooks RENAME COLUMN id TO id_sha256;
