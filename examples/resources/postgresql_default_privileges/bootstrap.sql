-- Roles and the schema the example refers to.
CREATE ROLE reader;
CREATE ROLE writer;
CREATE ROLE migrator;
CREATE DATABASE shop;
\connect shop
CREATE SCHEMA app AUTHORIZATION migrator;
