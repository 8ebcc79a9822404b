-- The table the example's row-level security applies to (the provider
-- manages policies, not tables).
CREATE TABLE public.items (
    id        uuid PRIMARY KEY,
    title     text NOT NULL,
    tenant_id uuid NOT NULL,
    archived  boolean NOT NULL DEFAULT false
);
