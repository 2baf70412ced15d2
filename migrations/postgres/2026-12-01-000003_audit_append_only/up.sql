-- PostgreSQL has no REPLACE: INSERT ... ON CONFLICT DO UPDATE takes the UPDATE path, which
-- the BEFORE UPDATE trigger of the foundation already refuses. This version exists so that
-- both databases carry the same migrations; it records the rule on the table.
COMMENT ON TABLE audit_events IS 'append-only: UPDATE, DELETE, TRUNCATE and upserts are refused by triggers';
