-- Objects the example grants on (the provider manages privileges, not tables).
CREATE ROLE reader;
CREATE ROLE writer;
CREATE ROLE support;
CREATE DATABASE shop;
\connect shop
CREATE SCHEMA app;
CREATE TABLE app.orders (id int PRIMARY KEY, total numeric);
CREATE TABLE app.order_lines (order_id int, line int, sku text);
CREATE TABLE app.customers (id int PRIMARY KEY, email text, notes text);
CREATE FUNCTION app.place_order(integer, text) RETURNS integer LANGUAGE sql AS $$ SELECT $1 $$;
