ALTER TABLE user_blocs DROP CONSTRAINT user_blocs_bloc_id_fkey;
