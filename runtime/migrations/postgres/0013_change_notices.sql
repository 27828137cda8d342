-- In a cluster, every node keeps answers in memory (who a token is, a
-- tenant's grants, published versions, the plugin registry). A change to
-- what they come from is announced on channel `scena_changes` as
-- "SCHEMA TABLE", once per statement, whichever node (or CLI) made it; the
-- nodes LISTEN and forget what it touches. The hot tables (run logs, kv,
-- audit) announce nothing.
CREATE FUNCTION scena_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('scena_changes', TG_TABLE_SCHEMA || ' ' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER members_changed AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER tenant_grants_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_grants
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER secrets_changed AFTER INSERT OR UPDATE OR DELETE ON secrets
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER channels_changed AFTER INSERT OR UPDATE OR DELETE ON channels
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER flow_versions_changed AFTER INSERT OR UPDATE OR DELETE ON flow_versions
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER plugins_changed AFTER INSERT OR UPDATE OR DELETE ON plugins
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER app_installs_changed AFTER INSERT OR UPDATE OR DELETE ON app_installs
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
CREATE TRIGGER app_secrets_changed AFTER INSERT OR UPDATE OR DELETE ON app_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION scena_notify_change();
