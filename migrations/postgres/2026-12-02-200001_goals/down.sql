DROP TABLE goals;
