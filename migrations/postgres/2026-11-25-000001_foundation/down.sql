DROP TABLE settings;
DROP TABLE login_throttle;
DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE refresh_tokens;
DROP TABLE user_blocs;
DROP TABLE users;
