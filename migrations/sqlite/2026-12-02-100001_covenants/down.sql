DROP TABLE classification_bands;
DROP TABLE criteria;
DROP TABLE criterion_groups;
DROP TABLE covenant_signatories;
DROP TABLE covenants;
