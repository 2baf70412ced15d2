-- Score sheets (bảng chấm điểm): a unit's self-assessment, the chair's cross assessment or the
-- board's, per covenant and period; their entries (one per criterion), their totals kept on
-- every write, and the history of their workflow. Points are hundredths, as in criteria.

CREATE TABLE score_sheets (
    id BIGSERIAL PRIMARY KEY,
    covenant_id BIGINT NOT NULL REFERENCES covenants (id),
    bloc_id BIGINT NOT NULL REFERENCES blocs (id),
    year INTEGER NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    period TEXT NOT NULL CHECK (period IN ('h1', 'h2', 'year')),
    kind TEXT NOT NULL CHECK (kind IN ('self', 'cross', 'board')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'published')),
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (covenant_id, unit_id, period, kind)
);
CREATE INDEX score_sheets_unit ON score_sheets (unit_id, id);
CREATE INDEX score_sheets_bloc ON score_sheets (bloc_id, year, id);

CREATE TABLE score_entries (
    sheet_id BIGINT NOT NULL REFERENCES score_sheets (id),
    criterion_id BIGINT NOT NULL REFERENCES criteria (id),
    points BIGINT NOT NULL CHECK (points >= 0),
    bonus BIGINT NOT NULL CHECK (bonus >= 0),
    evidence TEXT,
    link TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sheet_id, criterion_id)
);
CREATE INDEX score_entries_criterion ON score_entries (criterion_id);

-- One row per sheet, written in the same transaction as every entry change and transition,
-- so that a ranking is one indexed read.
CREATE TABLE score_totals (
    sheet_id BIGINT NOT NULL PRIMARY KEY REFERENCES score_sheets (id),
    bloc_id BIGINT NOT NULL REFERENCES blocs (id),
    year INTEGER NOT NULL,
    period TEXT NOT NULL CHECK (period IN ('h1', 'h2', 'year')),
    kind TEXT NOT NULL CHECK (kind IN ('self', 'cross', 'board')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'published')),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    points BIGINT NOT NULL,
    bonus BIGINT NOT NULL,
    grand_total BIGINT NOT NULL,
    entry_count INTEGER NOT NULL
);
CREATE INDEX score_totals_ranking ON score_totals (bloc_id, year, period, kind, state);

CREATE TABLE score_sheet_transitions (
    id BIGSERIAL PRIMARY KEY,
    sheet_id BIGINT NOT NULL REFERENCES score_sheets (id),
    action TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'publish', 'return')),
    from_state TEXT NOT NULL CHECK (from_state IN ('draft', 'submitted', 'approved', 'published')),
    to_state TEXT NOT NULL CHECK (to_state IN ('draft', 'submitted', 'approved', 'published')),
    reason TEXT,
    actor_id BIGINT REFERENCES users (id),
    actor_username TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX score_sheet_transitions_sheet ON score_sheet_transitions (sheet_id, id);
