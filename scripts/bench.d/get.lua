-- GET /user/{id} as an authenticated superuser.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH") or "/user/1"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
