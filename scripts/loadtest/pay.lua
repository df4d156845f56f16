-- The wave of payments: staff marks the next pending order paid (POST /api/v1/orders/{id}/status/),
-- ids one a line in LOADTEST_DIR/pending-ids.txt, thread n of N taking every Nth id. Past the end
-- it starts again: those repeats answer 409 and show as non-2xx (seed more orders).
dofile("scripts/loadtest/report.lua")

local ids = {}
for line in io.lines(os.getenv("LOADTEST_DIR") .. "/pending-ids.txt") do
  ids[#ids + 1] = line
end
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. os.getenv("LOADTEST_STAFF_TOKEN"),
}
local body = '{"status": "paid", "note": "load test"}'

local threads = 0
setup = function(thread)
  thread:set("index", threads)
  thread:set("stride", 2)
  threads = threads + 1
end

request = function()
  local id = ids[index % #ids + 1]
  index = index + stride
  return wrk.format("POST", "/api/v1/orders/" .. id .. "/status/", headers, body)
end
