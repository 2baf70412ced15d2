-- settings.name was declared `TEXT PRIMARY KEY` without NOT NULL, and SQLite (unlike
-- PostgreSQL) lets such a primary-key column hold NULL. SQLite cannot add NOT NULL to a
-- column in place, so the table is rebuilt; no other table refers to it.
CREATE TABLE settings_rebuilt (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings_rebuilt (name, value) SELECT name, value FROM settings WHERE name IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_rebuilt RENAME TO settings;
