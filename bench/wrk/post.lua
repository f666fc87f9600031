-- wrk script: every request a POST of the body in KEYWARD_BENCH_BODY, with the Content-Type of
-- KEYWARD_BENCH_CONTENT_TYPE (introspection endpoints: Keycloak's form, Keyward's JSON). Headers given
-- with wrk -H (credentials) are sent as well.
wrk.method = "POST"
wrk.body = os.getenv("KEYWARD_BENCH_BODY")
wrk.headers["Content-Type"] = os.getenv("KEYWARD_BENCH_CONTENT_TYPE")
