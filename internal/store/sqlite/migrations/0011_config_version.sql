-- The configuration version: one counter raised by every write to pools,
-- clients, domains and groups (not memberships), in the writing
-- transaction, by triggers, so that no write path (server, CLI, import)
-- can forget it. Each server polls it (store.ConfigVersion) and drops its
-- cached configuration when it changes. Cascaded deletes fire the
-- triggers too.
CREATE TABLE config_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE TRIGGER pools_config_insert AFTER INSERT ON pools BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pools_config_update AFTER UPDATE ON pools BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pools_config_delete AFTER DELETE ON pools BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER clients_config_insert AFTER INSERT ON clients BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER clients_config_update AFTER UPDATE ON clients BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER clients_config_delete AFTER DELETE ON clients BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER domains_config_insert AFTER INSERT ON domains BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER domains_config_update AFTER UPDATE ON domains BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER domains_config_delete AFTER DELETE ON domains BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER groups_config_insert AFTER INSERT ON groups BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER groups_config_update AFTER UPDATE ON groups BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER groups_config_delete AFTER DELETE ON groups BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
