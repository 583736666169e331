-- tests/bench/mix.lua — a wrk script for the catalog benchmark
-- (tests/bench/movies.sh): every request is one of BENCH_PATHS (a file, one
-- path a line) as one of BENCH_TOKENS (a file, one bearer token a line),
-- both picked at random, so users, pages, cursors, sorts, filters and
-- search terms rotate. Counts the X-Cache answers (hit/miss) of the
-- response cache and prints them when the run ends.
local tokens, paths = {}, {}
local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	table.insert(threads, thread)
end

function init(args)
	for l in io.lines(os.getenv("BENCH_TOKENS")) do
		if #l > 0 then tokens[#tokens + 1] = l end
	end
	for l in io.lines(os.getenv("BENCH_PATHS")) do
		if #l > 0 then paths[#paths + 1] = l end
	end
	hits, misses = 0, 0
	math.randomseed(id * 7919 + os.time())
end

function request()
	local t = tokens[math.random(#tokens)]
	local p = paths[math.random(#paths)]
	return wrk.format("GET", p, { ["Authorization"] = "Bearer " .. t })
end

function response(status, headers, body)
	local c = headers["X-Cache"]
	if c == "hit" then
		hits = hits + 1
	elseif c == "miss" then
		misses = misses + 1
	end
end

function done(summary, latency, requests)
	local h, m = 0, 0
	for _, t in ipairs(threads) do
		h = h + t:get("hits")
		m = m + t:get("misses")
	end
	io.write(string.format("x-cache: %d hits %d misses\n", h, m))
end
