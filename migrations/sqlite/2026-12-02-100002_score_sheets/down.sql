DROP TABLE score_sheet_transitions;
DROP TABLE score_totals;
DROP TABLE score_entries;
DROP TABLE score_sheets;
