DROP TABLE public.order_lines;
DROP TABLE public.orders;
