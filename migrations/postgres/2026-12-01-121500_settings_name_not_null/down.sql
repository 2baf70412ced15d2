-- Nothing to undo: the primary key keeps the column NOT NULL.
SELECT 1;
