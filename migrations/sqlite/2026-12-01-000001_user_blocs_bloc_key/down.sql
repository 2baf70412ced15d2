CREATE TABLE user_blocs_old (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bloc_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, bloc_id)
);
INSERT INTO user_blocs_old (user_id, bloc_id) SELECT user_id, bloc_id FROM user_blocs;
DROP TABLE user_blocs;
ALTER TABLE user_blocs_old RENAME TO user_blocs;
