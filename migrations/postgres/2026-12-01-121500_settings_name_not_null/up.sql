-- The SQLite twin rebuilds settings so that name is NOT NULL there too; in PostgreSQL a
-- primary-key column is NOT NULL already, so this only says so explicitly.
ALTER TABLE settings ALTER COLUMN name SET NOT NULL;
