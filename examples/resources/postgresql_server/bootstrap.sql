-- What the second server needs and the provider does not manage here: its
-- database with postgres_fdw installed, and the owner role.
CREATE ROLE reporting_owner;
CREATE DATABASE reporting;
\connect reporting
CREATE EXTENSION postgres_fdw;
