-- What the module expects to exist: the migration role, both databases and
-- their schemas with a table each (run as a superuser, e.g. with psql -f).
CREATE ROLE migrator;
CREATE DATABASE lausanne;
CREATE DATABASE zurich;
\connect lausanne
CREATE SCHEMA data AUTHORIZATION migrator;
CREATE TABLE data.sites (id int PRIMARY KEY, name text);
ALTER TABLE data.sites OWNER TO migrator;
\connect zurich
CREATE SCHEMA data AUTHORIZATION migrator;
CREATE TABLE data.sites (id int PRIMARY KEY, name text);
ALTER TABLE data.sites OWNER TO migrator;
