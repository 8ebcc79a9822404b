-- The events table and sample rows for the role-per-tenant example.
--
-- Run it once the roles exist (step 2 of README.md), as a superuser:
--   psql -v ON_ERROR_STOP=1 -v schema=rpt_app -v owner=rpt_owner \
--        -v tenants=rpt_tenants -f bootstrap.sql
-- (`terraform output -raw bootstrap_command` prints that line.)

CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"owner";

-- Create the table as its owner, so the owner role owns it.
SET ROLE :"owner";

CREATE TABLE IF NOT EXISTS :"schema".events (
    tenant_id int  NOT NULL,
    id        int  NOT NULL,
    type      text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Every tenant role (a member of the tenants group) may use the table;
-- row-level security decides which rows.
GRANT USAGE ON SCHEMA :"schema" TO :"tenants";
GRANT SELECT, INSERT, UPDATE, DELETE ON :"schema".events TO :"tenants";

RESET ROLE;

-- Sample rows, inserted as the superuser (who bypasses row-level security,
-- so running this again after `terraform apply` still works).
INSERT INTO :"schema".events (tenant_id, id, type) VALUES
    (1, 1, 'created'),
    (1, 2, 'updated'),
    (2, 1, 'created')
ON CONFLICT DO NOTHING;
