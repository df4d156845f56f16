-- The flash sale: every request is the next of the 100 customers (their access tokens, one a
-- line, in LOADTEST_DIR/flash-tokens.txt) ordering one unit of the one hot product.
dofile("scripts/loadtest/report.lua")

local tokens = {}
for line in io.lines(os.getenv("LOADTEST_DIR") .. "/flash-tokens.txt") do
  tokens[#tokens + 1] = line
end
local body = string.format(
  '{"items": [{"product": %s, "quantity": 1}], "shipping_address": {"name": "Flash Sale", ' ..
  '"line1": "1 Bench St", "city": "Paris", "postal_code": "75001", "country": "FR"}}',
  os.getenv("LOADTEST_HOT_PRODUCT"))
local headers = {["Content-Type"] = "application/json"}
local counter = 0

-- Two threads: one starts at the first customer, the other half-way round.
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 50)
  threads = threads + 1
end

request = function()
  counter = counter + 1
  headers["Authorization"] = "Bearer " .. tokens[(offset + counter) % #tokens + 1]
  return wrk.format("POST", "/api/v1/orders/", headers, body)
end
