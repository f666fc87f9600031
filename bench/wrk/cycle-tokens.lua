-- wrk script: each request presents the next token of the file named by KEYWARD_BENCH_TOKENS
-- (one per line), so every request is a cache miss in the verifier while the file lasts.
local tokens = {}
for line in io.lines(os.getenv("KEYWARD_BENCH_TOKENS")) do
  tokens[#tokens + 1] = line
end
local i = 0

request = function()
  i = i + 1
  if i > #tokens then
    i = 1
  end
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end
