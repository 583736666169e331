-- tests/bench/webhooks.lua — a wrk script for tests/bench/webhooks.sh: every
-- request is a Radarr MovieAdded webhook for a folder no other request
-- names (thread id and a counter), sent as Radarr sends it (HTTP basic auth
-- with the secret in BENCH_SECRET); so each accepted body is a new receipt
-- and a new path hint, written in one transaction. Counts the answers by
-- status and prints them when the run ends.
local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	table.insert(threads, thread)
end

function init(args)
	n, accepted, refused = 0, 0, 0
	auth = "Basic " .. os.getenv("BENCH_BASIC")
	run = os.getenv("BENCH_RUN") or "r"
end

function request()
	n = n + 1
	local body = string.format('{"eventType":"MovieAdded","movie":{"id":%d,"title":"Bench %s %d %d",' ..
		'"folderPath":"/data/movies/Bench %s-%d-%d (2001)","tmdbId":%d}}',
		n, run, id, n, run, id, n, 100000 + n)
	return wrk.format("POST", "/api/v1/webhooks/radarr",
		{ ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
	if status == 202 then
		accepted = accepted + 1
	else
		refused = refused + 1
		if refused <= 3 then io.stderr:write(string.format("refused: %d %s\n", status, body)) end
	end
end

function done(summary, latency, requests)
	local a, r = 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("accepted")
		r = r + t:get("refused")
	end
	io.write(string.format("webhooks: %d accepted %d refused\n", a, r))
end
