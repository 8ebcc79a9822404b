DROP TABLE public.items;
