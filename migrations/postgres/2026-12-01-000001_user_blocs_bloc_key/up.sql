-- user_blocs came before the blocs table, so its bloc_id had no foreign key. With one, the
-- database refuses to delete a bloc that users are scoped to, and the refusal names them.
-- Rows pointing at no bloc scope their user to nothing: they go.
DELETE FROM user_blocs WHERE bloc_id NOT IN (SELECT id FROM blocs);
ALTER TABLE user_blocs
    ADD CONSTRAINT user_blocs_bloc_id_fkey FOREIGN KEY (bloc_id) REFERENCES blocs (id);
