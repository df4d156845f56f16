-- One payment, statement for statement as `orders.services.order_set_status(to_status=paid)`
-- sends it for a one-line order, in the steady state of a sale (the day's and month's rollup
-- rows exist, so every rollup upsert is one UPDATE; the actor's permissions were read by the
-- API's permission check). orders/tests/test_dblimit_replay.py fails when the service and this
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
       orders_order.confirmation_sent_at
  FROM orders_order WHERE orders_order.id = :order LIMIT 21 FOR UPDATE OF orders_order \gset
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
INSERT INTO orders_salesrecord (order_id, order_item_id, product_id, category_id, channel_id, customer_id, quantity, revenue,
                                cost, sold_at, discount, reverses_order)
  VALUES (:order, :item_id, :product_id, :category_id, :channel_id, :customer_id, :quantity, :line_total,
          :unit_cost * :quantity, now(), :item_discount, false) RETURNING orders_salesrecord.id;
UPDATE orders_dailysales SET quantity = (orders_dailysales.quantity + :quantity), revenue = (orders_dailysales.revenue + :line_total),
       cost = (orders_dailysales.cost + :unit_cost * :quantity), discount = (orders_dailysales.discount + :item_discount)
  WHERE (orders_dailysales.category_id = :category_id AND orders_dailysales.channel_id = :channel_id AND orders_dailysales.day = :day::text::date
         AND orders_dailysales.shard = :shard);
UPDATE orders_productsales SET quantity = (orders_productsales.quantity + :quantity), revenue = (orders_productsales.revenue + :line_total),
       cost = (orders_productsales.cost + :unit_cost * :quantity), discount = (orders_productsales.discount + :item_discount)
  WHERE (orders_productsales.category_id = :category_id AND orders_productsales.channel_id = :channel_id
         AND orders_productsales.day = :day::text::date AND orders_productsales.product_id = :product_id AND NOT orders_productsales.whole_month
         AND orders_productsales.shard = :shard);
UPDATE orders_productsales SET quantity = (orders_productsales.quantity + :quantity), revenue = (orders_productsales.revenue + :line_total),
       cost = (orders_productsales.cost + :unit_cost * :quantity), discount = (orders_productsales.discount + :item_discount)
  WHERE (orders_productsales.category_id = :category_id AND orders_productsales.channel_id = :channel_id
         AND orders_productsales.day = :month::text::date AND orders_productsales.product_id = :product_id AND orders_productsales.whole_month
         AND orders_productsales.shard = :shard);
UPDATE orders_dailyorders SET orders_sold = (orders_dailyorders.orders_sold + 1), orders_reversed = (orders_dailyorders.orders_reversed + 0)
  WHERE (orders_dailyorders.channel_id = :channel_id AND orders_dailyorders.day = :day::text::date
         AND orders_dailyorders.shard = :shard);
UPDATE orders_dailycustomers SET orders_sold = (orders_dailycustomers.orders_sold + 1), revenue = (orders_dailycustomers.revenue + :line_total)
  WHERE (orders_dailycustomers.channel_id = :channel_id AND orders_dailycustomers.customer_id = :customer_id
         AND orders_dailycustomers.day = :day::text::date);
UPDATE orders_customersales SET orders_sold = (orders_customersales.orders_sold + 1), revenue = (orders_customersales.revenue + :line_total),
       first_day = LEAST(COALESCE(orders_customersales.first_day, :day::text::date), :day::text::date),
       last_day = GREATEST(COALESCE(orders_customersales.last_day, :day::text::date), :day::text::date)
  WHERE (orders_customersales.channel_id = :channel_id AND orders_customersales.customer_id = :customer_id);
INSERT INTO audit_auditentry (actor_id, action, entity_type, entity_id, entity_repr, changes, ip, created_at)
  VALUES (:ceo, 'status_change', 'orders.order', :order::text, 'SO-2026-' || lpad(:order::text, 6, '0'), '{"status": ["pending", "paid"]}'::jsonb, NULL, now())
  RETURNING audit_auditentry.id;
COMMIT;
