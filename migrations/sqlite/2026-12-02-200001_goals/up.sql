-- Goals (chỉ tiêu) of a unit for a period. Target and actual are exact decimals stored as
-- scaled integers: ten-thousandths in a BIGINT ("95.5" is 955000). Progress and status are
-- derived when read, never stored.
CREATE TABLE goals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 2100),
    period TEXT NOT NULL CHECK (period IN ('h1', 'h2', 'year')),
    title TEXT NOT NULL,
    metric TEXT,
    unit_of_measure TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    target BIGINT NOT NULL,
    actual BIGINT,
    note TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX goals_unit_year ON goals (unit_id, year, period, id);
