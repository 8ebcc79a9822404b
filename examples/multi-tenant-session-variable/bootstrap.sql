-- Tables and sample rows for the session-variable multi-tenant example.
--
-- Run it once the roles exist (step 2 of README.md), as a superuser:
--   psql -v ON_ERROR_STOP=1 -v schema=mt_app -v owner=mt_owner \
--        -v app=mt_app_user -f bootstrap.sql
-- (`terraform output -raw bootstrap_command` prints that line.)

CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"owner";

-- Create the tables as their owner, so the owner role owns them.
SET ROLE :"owner";

CREATE TABLE IF NOT EXISTS :"schema".tenants (
    id   uuid PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE IF NOT EXISTS :"schema".items (
    id        uuid PRIMARY KEY,
    title     text NOT NULL,
    tenant_id uuid NOT NULL REFERENCES :"schema".tenants (id)
);

-- The application may use the tables; row-level security decides which rows.
GRANT USAGE ON SCHEMA :"schema" TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON :"schema".tenants, :"schema".items TO :"app";

RESET ROLE;

-- Sample data, inserted as the superuser (who bypasses row-level security,
-- so running this again after `terraform apply` still works).
INSERT INTO :"schema".tenants (id, name) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'Tenant A'),
    ('b0000000-0000-4000-8000-00000000000b', 'Tenant B')
ON CONFLICT (id) DO NOTHING;

INSERT INTO :"schema".items (id, title, tenant_id) VALUES
    ('a0000000-0000-4000-8000-000000000001', 'A: invoice 1', 'a0000000-0000-4000-8000-00000000000a'),
    ('a0000000-0000-4000-8000-000000000002', 'A: invoice 2', 'a0000000-0000-4000-8000-00000000000a'),
    ('b0000000-0000-4000-8000-000000000001', 'B: invoice 1', 'b0000000-0000-4000-8000-00000000000b')
ON CONFLICT (id) DO NOTHING;
