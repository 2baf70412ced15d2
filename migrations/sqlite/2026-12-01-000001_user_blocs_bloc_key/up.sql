-- user_blocs came before the blocs table, so its bloc_id had no foreign key. With one, the
-- database refuses to delete a bloc that users are scoped to, and the refusal names them.
-- SQLite adds a foreign key only by rebuilding the table; rows pointing at no bloc scope
-- their user to nothing and are not copied.
CREATE TABLE user_blocs_new (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bloc_id INTEGER NOT NULL REFERENCES blocs (id),
    PRIMARY KEY (user_id, bloc_id)
);
INSERT INTO user_blocs_new (user_id, bloc_id)
    SELECT user_id, bloc_id FROM user_blocs WHERE bloc_id IN (SELECT id FROM blocs);
DROP TABLE user_blocs;
ALTER TABLE user_blocs_new RENAME TO user_blocs;
