-- GET /user?q= as the console sends it while someone types: every prefix
-- of a few names and addresses, and some that match nobody, each with its
-- total (X-Total-Count), 25 a page.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local words = { "caroline", "van leeuwen", "jesse.dekker", "sophie.smit", "@example.org", "xyzzy", "qq" }
local paths = {}
for _, word in ipairs(words) do
  for i = 1, #word do
    local q = word:sub(1, i):gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
    paths[#paths + 1] = "/user?q=" .. q .. "&limit=25&total=true"
  end
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, paths[n % #paths + 1])
end
