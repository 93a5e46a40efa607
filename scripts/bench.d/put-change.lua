-- PUT /user/{id} as put.lua, but every request changes the user (firstName
-- alternates), so that each one is a real change with its audit event.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local path = os.getenv("BENCH_PATH") or "/user/1"
local bodies = { '{ "firstName": "Caroline" }', '{ "firstName": "Carolina" }' }
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, path, nil, bodies[n % 2 + 1])
end
