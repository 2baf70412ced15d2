DROP TABLE search_terms;
DROP TABLE movement_registrations;
DROP TABLE movements;
DROP TABLE bloc_members;
DROP FUNCTION bloc_members_check();
DROP TABLE blocs;
DROP TABLE persons;
DROP TABLE units;
