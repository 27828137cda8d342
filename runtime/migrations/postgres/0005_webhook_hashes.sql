-- Webhook ids are credentials: kept as their sha256 (hex), like tokens and
-- invitation codes; the ids stored in plain text so far are hashed here.
ALTER TABLE webhooks RENAME COLUMN id TO id_sha256;
UPDATE webhooks SET id_sha256 = encode(sha256(convert_to(id_sha256, 'UTF8')), 'hex') WHERE id_sha256 LIKE 'hook\_%';
