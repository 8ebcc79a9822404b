DROP DATABASE reporting;
DROP ROLE reporting_owner;
