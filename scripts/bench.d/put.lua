-- PUT /user/{id} with the seed's first body, as an authenticated superuser.
wrk.method = "PUT"
wrk.path = os.getenv("BENCH_PATH") or "/user/1"
wrk.body = '{ "firstName": "Caroline" }'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
