DROP DATABASE shop;
DROP ROLE reader;
DROP ROLE writer;
DROP ROLE migrator;
