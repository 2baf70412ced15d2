-- Covenants (giao ước thi đua): one per bloc-year, with its signatory units, its criteria in
-- ordered groups and its classification bands. Points are stored in hundredths (0.25 is 25).

CREATE TABLE covenants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bloc_id INTEGER NOT NULL REFERENCES blocs (id),
    year INTEGER NOT NULL,
    signed_on DATE,
    place TEXT,
    content TEXT NOT NULL,
    criteria_version BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (bloc_id, year)
);
CREATE INDEX covenants_year ON covenants (year, id);

CREATE TABLE covenant_signatories (
    covenant_id INTEGER NOT NULL REFERENCES covenants (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (covenant_id, unit_id)
);
CREATE INDEX covenant_signatories_unit ON covenant_signatories (unit_id);

CREATE TABLE criterion_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    covenant_id INTEGER NOT NULL REFERENCES covenants (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX criterion_groups_covenant ON criterion_groups (covenant_id, position);

CREATE TABLE criteria (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    covenant_id INTEGER NOT NULL REFERENCES covenants (id),
    group_id INTEGER NOT NULL REFERENCES criterion_groups (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    content TEXT NOT NULL,
    max_points BIGINT NOT NULL CHECK (max_points >= 0),
    max_bonus_points BIGINT NOT NULL CHECK (max_bonus_points >= 0),
    mandatory BOOLEAN NOT NULL,
    legal_basis TEXT,
    step BIGINT CHECK (step IS NULL OR step > 0),
    UNIQUE (covenant_id, code)
);
CREATE INDEX criteria_group ON criteria (group_id, position);

CREATE TABLE classification_bands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    covenant_id INTEGER NOT NULL REFERENCES covenants (id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    min_points BIGINT NOT NULL,
    max_points BIGINT NOT NULL,
    CHECK (min_points <= max_points)
);
CREATE INDEX classification_bands_covenant ON classification_bands (covenant_id, position);
