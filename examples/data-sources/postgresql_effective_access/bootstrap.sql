-- An estate to read: ledger_app reads the books through ledger_readers.
CREATE ROLE ledger_readers;
CREATE ROLE ledger_app LOGIN IN ROLE ledger_readers;
CREATE DATABASE ledger;
\connect ledger
CREATE SCHEMA books;
CREATE TABLE books.entries (id int, amount numeric);
CREATE TABLE books.audit_log (id int, note text);
GRANT USAGE ON SCHEMA books TO ledger_readers;
GRANT SELECT ON books.entries, books.audit_log TO ledger_readers;
