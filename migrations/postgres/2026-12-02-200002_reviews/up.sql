-- Review meetings of a bloc (hội nghị ký kết giao ước, sơ kết 6 tháng, tổng kết năm) and the
-- lists their minutes hold, each in its order (`seq`). A review's lists are replaced whole
-- with the review, and go with it.
CREATE TABLE reviews (
    id BIGSERIAL PRIMARY KEY,
    bloc_id BIGINT NOT NULL REFERENCES blocs (id),
    kind TEXT NOT NULL CHECK (kind IN ('covenant_signing', 'midyear', 'annual')),
    year INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 2100),
    period TEXT NOT NULL CHECK (period IN ('h1', 'h2', 'year')),
    title TEXT,
    held_on DATE NOT NULL,
    place TEXT,
    host_unit_id BIGINT REFERENCES units (id),
    chair_person_id BIGINT REFERENCES persons (id),
    chair_name TEXT,
    summary TEXT,
    achievements TEXT,
    shortcomings TEXT,
    direction TEXT,
    other_attendees TEXT,
    source TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'confirmed')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_bloc ON reviews (bloc_id, id);
CREATE INDEX reviews_host ON reviews (host_unit_id);

CREATE TABLE review_attendees (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    person_id BIGINT REFERENCES persons (id),
    name TEXT,
    position TEXT,
    unit_id BIGINT REFERENCES units (id),
    unit_name TEXT,
    note TEXT,
    PRIMARY KEY (review_id, seq)
);
CREATE INDEX review_attendees_unit ON review_attendees (unit_id);

CREATE TABLE review_focus_tasks (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    movement_id BIGINT REFERENCES movements (id),
    PRIMARY KEY (review_id, seq)
);

CREATE TABLE review_task_owners (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    task_seq INTEGER NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (review_id, task_seq, unit_id)
);
CREATE INDEX review_task_owners_unit ON review_task_owners (unit_id);

CREATE TABLE review_resolutions (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('next_chair', 'next_deputy', 'other')),
    unit_id BIGINT REFERENCES units (id),
    year INTEGER CHECK (year BETWEEN 1945 AND 2100),
    text TEXT,
    PRIMARY KEY (review_id, seq)
);

CREATE TABLE review_awards (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    person_id BIGINT REFERENCES persons (id),
    recipient_name TEXT,
    award_name TEXT NOT NULL,
    decision_number TEXT,
    presented_by TEXT,
    PRIMARY KEY (review_id, seq)
);
