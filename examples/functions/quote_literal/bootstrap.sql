CREATE SCHEMA app;
CREATE TABLE app.orders (id int, tenant text);
