-- One order placement, statement for statement as `orders.services.order_place` sends it for a
-- customer ordering one unit of one product, in the steady state of a sale (the category tree is
-- and the channels are this process's copies, the actor's permissions were read by the API's
-- permission check).
-- orders/tests/test_dblimit_replay.py fails when the service and this file drift apart: keep
-- the statements, their tables and column lists, and their order, the same as the service's.
-- Every transaction is a random one of the 100 seeded customers; every one orders the same
-- product, so all queue on its stock row, as in a flash sale. Variables (pgbench -D):
-- :customer0 (the first of 100 consecutive customer ids), :product, :channel.
\set customer :customer0 + random(0, 99)
BEGIN;
SELECT accounts_user.id AS pk FROM accounts_user WHERE accounts_user.id = :customer LIMIT 21 FOR UPDATE OF accounts_user;
SELECT COUNT(*) AS __count FROM orders_order WHERE (orders_order.customer_id = :customer AND orders_order.status = 'pending');
SELECT catalog_product.id, catalog_product.sku, catalog_product.name, catalog_product.description, catalog_product.price,
       catalog_product.cost_price, catalog_product.status, catalog_product.category_id, catalog_product.image_url,
       catalog_product.created_by_id, catalog_product.created_at, catalog_product.updated_at
  FROM catalog_product WHERE catalog_product.id IN (:product);
INSERT INTO orders_order (number, customer_id, placed_by_id, channel_id, status, subtotal, discount, tax, shipping, total,
                          discount_code_id, currency, shipping_address, billing_address, note, created_at, updated_at,
                          confirmation_sent_at)
  VALUES (NULL, :customer, NULL, :channel, 'pending', 10.00, 0.00, 2.00, 5.00, 17.00, NULL, 'EUR',
          '{"name": "Load Test", "line1": "1 Bench St", "city": "Paris", "postal_code": "75001", "country": "FR"}'::jsonb,
          NULL, '', now(), now(), NULL)
  RETURNING orders_order.id AS order_id \gset
UPDATE orders_order SET number = 'SO-2026-' || lpad(:order_id::text, 6, '0') WHERE orders_order.id = :order_id;
INSERT INTO orders_orderitem (order_id, product_id, sku, name, quantity, unit_price, unit_cost, line_total, discount)
  VALUES (:order_id, :product, 'DBL-HOT', 'Flash sale product', 1, 10.00, 6.00, 10.00, 0.00) RETURNING orders_orderitem.id;
INSERT INTO orders_orderstatuschange (order_id, from_status, to_status, by_id, note, created_at)
  VALUES (:order_id, '', 'pending', :customer, '', now()) RETURNING orders_orderstatuschange.id;
INSERT INTO audit_auditentry (actor_id, action, entity_type, entity_id, entity_repr, changes, ip, created_at)
  VALUES (:customer, 'create', 'orders.order', :order_id::text, 'SO-2026-' || lpad(:order_id::text, 6, '0'),
          ('{"customer": [null, ' || :customer || '], "channel": [null, "web"], "status": [null, "pending"], "items": [null, [{"sku": "DBL-HOT", "quantity": 1}]], "discount": [null, "0.00"], "total": [null, "17.00"]}')::jsonb,
          NULL, now()) RETURNING audit_auditentry.id;
SELECT inventory_locationstock.id AS row_id, inventory_locationstock.stock_id, inventory_locationstock.location_id,
       inventory_locationstock.quantity AS row_quantity, inventory_locationstock.low_stock_threshold,
       inventory_locationstock.updated_at,
       EXISTS(SELECT 1 AS a FROM inventory_location_channels U0
               WHERE (U0.location_id = (inventory_locationstock.location_id) AND U0.saleschannel_id = :channel) LIMIT 1) AS lists,
       EXISTS(SELECT 1 AS a FROM inventory_location_channels U0
               WHERE U0.location_id = (inventory_locationstock.location_id) LIMIT 1) AS lists_any,
       inventory_stock.id, inventory_stock.product_id, inventory_stock.quantity AS stock_quantity,
       inventory_stock.low_stock_threshold, inventory_stock.updated_at,
       inventory_location.id, inventory_location.code, inventory_location.name, inventory_location.kind,
       inventory_location.is_active, inventory_location.priority, inventory_location.created_at
  FROM inventory_locationstock INNER JOIN inventory_stock ON (inventory_locationstock.stock_id = inventory_stock.id)
  INNER JOIN inventory_location ON (inventory_locationstock.location_id = inventory_location.id)
  WHERE inventory_stock.product_id IN (:product)
  ORDER BY inventory_stock.product_id ASC, inventory_locationstock.location_id ASC
  FOR UPDATE OF inventory_locationstock, inventory_stock \gset
UPDATE inventory_locationstock SET quantity = :row_quantity - 1, updated_at = now() WHERE inventory_locationstock.id = :row_id;
INSERT INTO inventory_stockmovement (product_id, location_id, delta, quantity_before, quantity_after, reason, order_id, actor_id, note, created_at)
  VALUES (:product, :location_id, -1, :row_quantity, :row_quantity - 1, 'sale', :order_id, :customer, '', now())
  RETURNING inventory_stockmovement.id;
COMMIT;
