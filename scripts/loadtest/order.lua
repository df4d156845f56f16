-- POST one order of one unit of the same product, as the load test's customer.
dofile("scripts/loadtest/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"items": [{"product": %s, "quantity": 1}], "shipping_address": {"name": "Load Test", ' ..
  '"line1": "1 Bench St", "city": "Paris", "postal_code": "75001", "country": "FR"}}',
  os.getenv("LOADTEST_PRODUCT"))
