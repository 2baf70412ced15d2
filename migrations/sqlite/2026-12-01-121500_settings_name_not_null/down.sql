CREATE TABLE settings_rebuilt (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings_rebuilt (name, value) SELECT name, value FROM settings;
DROP TABLE settings;
ALTER TABLE settings_rebuilt RENAME TO settings;
