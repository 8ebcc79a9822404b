DROP DATABASE ledger;
DROP ROLE ledger_app;
DROP ROLE ledger_readers;
