-- One payment, statement for statement as `orders.services.order_set_status(to_status=paid)`
-- sends it for a one-line order, in the steady state of a sale (the day's and month's rollup
-- rows exist in every shard, so every rollup upsert updates; the actor's permissions were read
-- by the API's permission check). orders/tests/test_dblimit_replay.py fails when the service and this
-- file drift apart. Each transaction pays a random one of the orders the order replay placed.
-- Variables (pgbench -D): :order0, :orders (first id and how many), :ceo (the actor),
-- :day and :month (today and the first of the month in the app's time zone, as YYYYMMDD).
\set order :order0 + random(0, :orders - 1)
-- the rollup shard the order adds to: order id % orders.ledger.rollups.ROLLUP_SHARDS
\set shard :order % 8
BEGIN;
SELECT orders_order.id, orders_order.number, orders_order.customer_id, orders_order.placed_by_id, orders_order.channel_id,
       orders_order.status, orders_order.subtotal, orders_order.discount, orders_order.tax, orders_order.shipping,
       orders_order.total, orders_order.discount_code_id, orders_order.currency, orders_order.shipping_address,
       orders_order.billing_address, orders_order.note, orders_order.created_at, orders_order.updated_at,
       orders_order.confirmation_sent_at,
       catalog_saleschannel.id, catalog_saleschannel.code, catalog_saleschannel.name, catalog_saleschannel.is_active,
       orders_discountcode.id, orders_discountcode.code, orders_discountcode.description, orders_discountcode.kind,
       orders_discountcode.value, orders_discountcode.min_subtotal, orders_discountcode.starts_at,
       orders_discountcode.ends_at, orders_discountcode.max_uses, orders_discountcode.max_uses_per_customer,
       orders_discountcode.is_active, orders_discountcode.created_at, orders_discountcode.created_by_id
  FROM orders_order
  INNER JOIN catalog_saleschannel ON orders_order.channel_id = catalog_saleschannel.id
  LEFT OUTER JOIN orders_discountcode ON orders_order.discount_code_id = orders_discountcode.id
 WHERE orders_order.id = :order LIMIT 21 FOR UPDATE OF orders_order \gset
UPDATE orders_order SET status = 'paid', updated_at = now() WHERE orders_order.id = :order;
INSERT INTO orders_orderstatuschange (order_id, from_status, to_status, by_id, note, created_at)
  VALUES (:order, 'pending', 'paid', :ceo, '', now()) RETURNING orders_orderstatuschange.id;
SELECT orders_orderitem.id AS item_id, orders_orderitem.order_id, orders_orderitem.product_id, orders_orderitem.sku,
       orders_orderitem.name, orders_orderitem.quantity, orders_orderitem.unit_price, orders_orderitem.unit_cost,
       orders_orderitem.line_total, orders_orderitem.discount AS item_discount, catalog_product.id, catalog_product.sku,
       catalog_product.name, catalog_product.description, catalog_product.price, catalog_product.cost_price,
       catalog_product.status, catalog_product.category_id, catalog_product.image_url, catalog_product.created_by_id,
       catalog_product.created_at, catalog_product.updated_at
  FROM orders_orderitem INNER JOIN catalog_product ON (orders_orderitem.product_id = catalog_product.id)
  WHERE orders_orderitem.order_id = :order ORDER BY orders_orderitem.id ASC \gset
SELECT 1 AS a FROM orders_salesrecord WHERE (orders_salesrecord.order_id IN (:order) AND orders_salesrecord.quantity > 0) LIMIT 1;
-- the replayed orders carry no discount code
INSERT INTO orders_salesrecord (order_id, order_item_id, product_id, category_id, channel_id, customer_id, discount_code_id,
                                quantity, revenue, cost, sold_at, discount, reverses_order)
  VALUES (:order, :item_id, :product_id, :category_id, :channel_id, :customer_id, NULL, :quantity, :line_total,
          :unit_cost * :quantity, now(), :item_discount, false) RETURNING orders_salesrecord.id;
INSERT INTO orders_dailysales (day, channel_id, category_id, shard, quantity, revenue, cost, discount, lines)
  VALUES (:day::text::date, :channel_id, :category_id, :shard, :quantity, :line_total, :unit_cost * :quantity, :item_discount, 1)
  ON CONFLICT (day, channel_id, (COALESCE(category_id, 0)), shard) DO UPDATE SET
       quantity = orders_dailysales.quantity + excluded.quantity, revenue = orders_dailysales.revenue + excluded.revenue,
       cost = orders_dailysales.cost + excluded.cost, discount = orders_dailysales.discount + excluded.discount,
       lines = orders_dailysales.lines + excluded.lines;
INSERT INTO orders_productsales (whole_month, day, product_id, category_id, channel_id, shard, quantity, revenue, cost, discount, lines)
  VALUES (false, :day::text::date, :product_id, :category_id, :channel_id, :shard, :quantity, :line_total, :unit_cost * :quantity, :item_discount, 1),
         (true, :month::text::date, :product_id, :category_id, :channel_id, :shard, :quantity, :line_total, :unit_cost * :quantity, :item_discount, 1)
  ON CONFLICT (whole_month, day, product_id, (COALESCE(category_id, 0)), channel_id, shard) DO UPDATE SET
       quantity = orders_productsales.quantity + excluded.quantity, revenue = orders_productsales.revenue + excluded.revenue,
       cost = orders_productsales.cost + excluded.cost, discount = orders_productsales.discount + excluded.discount,
       lines = orders_productsales.lines + excluded.lines;
INSERT INTO orders_dailyorders (day, channel_id, shard, orders_sold, orders_reversed)
  VALUES (:day::text::date, :channel_id, :shard, 1, 0)
  ON CONFLICT (day, channel_id, shard) DO UPDATE SET
       orders_sold = orders_dailyorders.orders_sold + excluded.orders_sold,
       orders_reversed = orders_dailyorders.orders_reversed + excluded.orders_reversed;
INSERT INTO orders_dailycustomers (day, channel_id, customer_id, orders_sold, revenue)
  VALUES (:day::text::date, :channel_id, :customer_id, 1, :line_total)
  ON CONFLICT (day, channel_id, customer_id) DO UPDATE SET
       orders_sold = orders_dailycustomers.orders_sold + excluded.orders_sold,
       revenue = orders_dailycustomers.revenue + excluded.revenue;
INSERT INTO orders_customersales (channel_id, customer_id, orders_sold, revenue, first_day, last_day)
  VALUES (:channel_id, :customer_id, 1, :line_total, :day::text::date, :day::text::date)
  ON CONFLICT (channel_id, customer_id) DO UPDATE SET
       orders_sold = orders_customersales.orders_sold + excluded.orders_sold,
       revenue = orders_customersales.revenue + excluded.revenue,
       first_day = CASE WHEN excluded.first_day IS NULL OR orders_customersales.first_day <= excluded.first_day
                        THEN orders_customersales.first_day ELSE excluded.first_day END,
       last_day = CASE WHEN excluded.last_day IS NULL OR orders_customersales.last_day >= excluded.last_day
                       THEN orders_customersales.last_day ELSE excluded.last_day END;
INSERT INTO audit_auditentry (actor_id, action, entity_type, entity_id, entity_repr, changes, ip, created_at)
  VALUES (:ceo, 'status_change', 'orders.order', :order::text, 'SO-2026-' || lpad(:order::text, 6, '0'), '{"status": ["pending", "paid"]}'::jsonb, NULL, now())
  RETURNING audit_auditentry.id;
COMMIT;
