-- One row that Ping rewrites while writes are failing, to learn when the
-- database file accepts writes again.
CREATE TABLE write_probe (
	id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	at INTEGER NOT NULL
) STRICT;
