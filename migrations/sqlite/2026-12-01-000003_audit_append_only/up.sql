-- INSERT OR REPLACE (or REPLACE INTO) on an existing id deletes the old row and inserts the
-- new one; that delete fires no trigger (recursive_triggers is off), so the BEFORE DELETE
-- trigger does not catch it. Refusing an insert whose id is taken closes that path.
CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
