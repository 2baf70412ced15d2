-- The registry: units (a tree with validity and successors), persons, blocs and clusters with
-- yearly membership, emulation movements and unit registrations, and the search index.

CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('administrative', 'public_service', 'military', 'police',
        'enterprise', 'socio_political', 'socio_professional', 'other')),
    admin_level TEXT CHECK (admin_level IN ('province', 'district', 'commune')),
    parent_id BIGINT REFERENCES units (id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    successor_id BIGINT REFERENCES units (id),
    address TEXT,
    phone TEXT,
    email TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id),
    CHECK (successor_id IS NULL OR successor_id <> id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX units_parent ON units (parent_id, id);
CREATE INDEX units_kind ON units (kind, id);
CREATE INDEX units_name ON units (name, id);
CREATE INDEX units_successor ON units (successor_id);

CREATE TABLE persons (
    id BIGSERIAL PRIMARY KEY,
    full_name TEXT NOT NULL,
    gender TEXT CHECK (gender IN ('male', 'female')),
    birth_year INTEGER CHECK (birth_year BETWEEN 1900 AND 2100),
    position TEXT,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    civil_servant_code TEXT UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX persons_unit ON persons (unit_id, id);
CREATE INDEX persons_name ON persons (full_name, id);

CREATE TABLE blocs (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('bloc', 'cluster')),
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    founding_decision_number TEXT,
    founding_decision_date DATE,
    description TEXT,
    active_from INTEGER NOT NULL CHECK (active_from BETWEEN 1945 AND 2100),
    active_to INTEGER CHECK (active_to BETWEEN 1945 AND 2100),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (active_to IS NULL OR active_to >= active_from)
);
CREATE INDEX blocs_name ON blocs (name, id);

CREATE TABLE bloc_members (
    bloc_id BIGINT NOT NULL REFERENCES blocs (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 2100),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    role TEXT NOT NULL CHECK (role IN ('chair', 'deputy', 'member')),
    PRIMARY KEY (bloc_id, year, unit_id)
);
CREATE INDEX bloc_members_unit ON bloc_members (unit_id, year);
-- At most one chair per bloc-year ...
CREATE UNIQUE INDEX bloc_members_one_chair ON bloc_members (bloc_id, year) WHERE role = 'chair';

-- ... and at least one while the year has members: the chair is inserted first and deleted
-- last, so every intermediate state of a replacement obeys the rule too.
CREATE FUNCTION bloc_members_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'bloc members are replaced, not updated';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.role <> 'chair' AND NOT EXISTS (
            SELECT 1 FROM bloc_members WHERE bloc_id = NEW.bloc_id AND year = NEW.year AND role = 'chair') THEN
            RAISE EXCEPTION 'a bloc-year needs its chair before other members';
        END IF;
        -- A member unit must exist during the year.
        IF NOT EXISTS (
            SELECT 1 FROM units WHERE id = NEW.unit_id
              AND valid_from <= make_date(NEW.year, 12, 31)
              AND (valid_to IS NULL OR valid_to >= make_date(NEW.year, 1, 1))) THEN
            RAISE EXCEPTION 'the unit is not valid in that year';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.role = 'chair' AND EXISTS (
        SELECT 1 FROM bloc_members WHERE bloc_id = OLD.bloc_id AND year = OLD.year AND role <> 'chair') THEN
        RAISE EXCEPTION 'the chair of a bloc-year with members cannot be removed';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER bloc_members_rules BEFORE INSERT OR UPDATE OR DELETE ON bloc_members
    FOR EACH ROW EXECUTE FUNCTION bloc_members_check();

CREATE TABLE movements (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    slogan TEXT,
    launching_unit_id BIGINT REFERENCES units (id),
    decision_number TEXT,
    decision_date DATE,
    scope TEXT NOT NULL CHECK (scope IN ('national', 'province', 'sector', 'district', 'commune')),
    form TEXT NOT NULL CHECK (form IN ('regular', 'thematic')),
    start_date DATE NOT NULL,
    end_date DATE,
    status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'reviewing', 'closed')),
    description TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX movements_start ON movements (start_date, id);

CREATE TABLE movement_registrations (
    id BIGSERIAL PRIMARY KEY,
    movement_id BIGINT NOT NULL REFERENCES movements (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    pledge TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decision_note TEXT,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (movement_id, unit_id)
);
CREATE INDEX movement_registrations_unit ON movement_registrations (unit_id, id);

-- Accent- and case-free words of searchable names, for indexed word-prefix search on both
-- databases (`q=so cong` finds "Sở Công thương").
CREATE TABLE search_terms (
    kind TEXT NOT NULL,
    term TEXT COLLATE "C" NOT NULL,
    owner_id BIGINT NOT NULL,
    PRIMARY KEY (kind, term, owner_id)
);
CREATE INDEX search_terms_owner ON search_terms (kind, owner_id);
