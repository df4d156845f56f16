-- Managers reading reports: each request is the next of the analytics answers the report pages
-- are made of (the web serves them uncached: ANALYTICS_CACHE_SECONDS=0). wrk's -H gives the token.
dofile("scripts/loadtest/report.lua")

local paths = {
  "summary/",
  "top-products/?by=revenue&limit=10",
  "revenue/?group_by=day",
  "by-category/",
  "by-channel/",
  "category-leaders/?limit=3",
  "discounts/",
  "customers/rfm/",
  "summary/?period=previous_month",
  "lines/?period=last_30_days",
}
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/analytics/" .. paths[counter % #paths + 1])
end
