-- A write refused with 403 leaves a row too: outcome 'denied'.
-- SQLite cannot change a CHECK in place: the table is rebuilt with the new list, its rows
-- copied with their ids (the AUTOINCREMENT sequence follows the rename), and its indexes and
-- append-only triggers made again. DROP TABLE fires no DELETE trigger.
CREATE TABLE audit_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    actor_id INTEGER,
    actor_username TEXT,
    actor_role TEXT,
    request_id TEXT,
    client_ip TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    before_json TEXT,
    after_json TEXT
);
INSERT INTO audit_events_new
    SELECT id, occurred_at, actor_id, actor_username, actor_role, request_id, client_ip,
           action, outcome, resource_type, resource_id, before_json, after_json
    FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
