-- The configuration version: one counter raised by every row written to
-- pools, clients, domains or groups (not memberships; and every
-- truncation), in the writing
-- transaction, by triggers, so that no write path (server, CLI, import)
-- can forget it. Each server polls it (store.ConfigVersion) and drops its
-- cached configuration when it changes. Cascaded deletes fire the
-- triggers too; a statement that changes no row does not.
CREATE TABLE config_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE config_version SET version = version + 1 WHERE id = 1;
	RETURN NULL;
END;
$$;

CREATE TRIGGER pools_config_version AFTER INSERT OR UPDATE OR DELETE ON pools
	FOR EACH ROW EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER pools_config_truncate AFTER TRUNCATE ON pools
	FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER clients_config_version AFTER INSERT OR UPDATE OR DELETE ON clients
	FOR EACH ROW EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER clients_config_truncate AFTER TRUNCATE ON clients
	FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER domains_config_version AFTER INSERT OR UPDATE OR DELETE ON domains
	FOR EACH ROW EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER domains_config_truncate AFTER TRUNCATE ON domains
	FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER groups_config_version AFTER INSERT OR UPDATE OR DELETE ON groups
	FOR EACH ROW EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER groups_config_truncate AFTER TRUNCATE ON groups
	FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
