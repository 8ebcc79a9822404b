-- The table the example's row-level security applies to (the provider
-- manages policies and switches, not tables).
CREATE TABLE public.orders (id int, tenant_id int);
