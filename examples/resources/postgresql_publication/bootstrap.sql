-- The tables the example publishes (the provider manages publications, not
-- tables).
CREATE TABLE public.orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);
CREATE TABLE public.order_lines (order_id bigint, line int, PRIMARY KEY (order_id, line));
