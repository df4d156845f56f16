-- One order placement, statement for statement as `order_place` sends it (one line of one
-- unit; every client orders the same product, so all queue on its stock row, as in the load
-- test). Variables: :product, :customer, :channel (set by dblimit.sh with pgbench -D).
BEGIN;
SELECT id, code, name, is_active FROM catalog_saleschannel WHERE code = 'web' AND is_active ORDER BY code LIMIT 1;
SELECT id, sku, name, description, price, cost_price, status, category_id, image_url, created_by_id, created_at, updated_at
  FROM catalog_product WHERE id IN (:product) ORDER BY name, id;
INSERT INTO orders_order (number, customer_id, placed_by_id, channel_id, status, subtotal, discount, tax, shipping, total, currency, shipping_address, billing_address, note, created_at, updated_at)
  VALUES (NULL, :customer, NULL, :channel, 'pending', 10.00, 0.00, 2.00, 5.00, 17.00, 'EUR',
          '{"name": "Load Test", "line1": "1 Bench St", "line2": "", "city": "Paris", "postal_code": "75001", "country": "FR"}'::jsonb,
          NULL, '', now(), now())
  RETURNING id AS order_id \gset
UPDATE orders_order SET number = 'SO-2026-' || lpad(:order_id::text, 6, '0') WHERE id = :order_id;
INSERT INTO orders_orderitem (order_id, product_id, sku, name, quantity, unit_price, unit_cost, line_total)
  VALUES (:order_id, :product, 'LT-000', 'Load test product 0', 1, 10.00, 6.00, 10.00) RETURNING id;
INSERT INTO orders_orderstatuschange (order_id, from_status, to_status, by_id, note, created_at)
  VALUES (:order_id, '', 'pending', :customer, '', now()) RETURNING id;
INSERT INTO audit_auditentry (actor_id, action, entity_type, entity_id, entity_repr, changes, ip, created_at)
  VALUES (:customer, 'create', 'orders.order', :order_id::text, 'SO-2026-' || lpad(:order_id::text, 6, '0'),
          '{"customer": [null, 2], "channel": [null, "web"], "status": [null, "pending"], "items": [null, [{"sku": "LT-000", "quantity": 1}]], "discount": [null, "0.00"], "total": [null, "17.00"]}'::jsonb,
          '127.0.0.1'::inet, now()) RETURNING id;
SELECT s.id, s.product_id, s.quantity, s.low_stock_threshold, s.updated_at, p.id, p.sku, p.name, p.description, p.price, p.cost_price, p.status, p.category_id, p.image_url, p.created_by_id, p.created_at, p.updated_at
  FROM inventory_stock s JOIN catalog_product p ON s.product_id = p.id
  WHERE s.product_id IN (:product) ORDER BY s.product_id FOR UPDATE OF s;
UPDATE inventory_stock SET quantity = quantity - 1, updated_at = now() WHERE product_id = :product;
INSERT INTO inventory_stockmovement (product_id, delta, quantity_before, quantity_after, reason, order_id, actor_id, note, created_at)
  SELECT :product, -1, quantity + 1, quantity, 'sale', :order_id, :customer, '', now() FROM inventory_stock WHERE product_id = :product
  RETURNING id;
COMMIT;
