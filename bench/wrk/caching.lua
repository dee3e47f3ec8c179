-- wrk load script of the HTTP-caching scenarios (bench/run --groups
-- caching): anonymous requests (no viewer) for existing profiles.
--
--   wrk ... -s caching.lua URL -- N SEED KIND ETAGS
--
-- N      number of profiles in the data set (ids "u1" .. "uN")
-- SEED   seeds the sequence (thread k uses SEED + k)
-- KIND   plain  GET /profiles/u{i}
--        inm    the same with If-None-Match: the ETag of u{i}
-- ETAGS  the file the bench primed (lib/caching.mjs primeEtags()): line
--        i is the current ETag of u{i}, read into a table id -> ETag
-- Every id is drawn uniformly from 1..N; none is unknown.
--
-- done() prints the same "WRK_JSON {...}" line as profiles.lua.

local n, kind
local etags = {}
local thread_counter = 0

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_index", thread_counter)
end

function init(args)
    n = tonumber(args[1]) or 100000
    local seed = tonumber(args[2]) or 42
    kind = args[3] or "plain"
    if kind == "inm" then
        local f = assert(io.open(args[4], "r"))
        local i = 0
        for line in f:lines() do
            i = i + 1
            etags[i] = line
        end
        f:close()
        assert(i >= n, "caching.lua: fewer ETags than profiles")
    end
    math.randomseed(seed + (thread_index or 1))
end

local random = math.random
local prefix = "GET /profiles/u"
local tail = " HTTP/1.1\r\nHost: 127.0.0.1\r\n"

function request()
    local id = random(n)
    if kind == "inm" then
        return prefix .. id .. tail .. "If-None-Match: " .. etags[id]
            .. "\r\n\r\n"
    end
    return prefix .. id .. tail .. "\r\n"
end

-- done(): the "WRK_JSON {...}" line bench/lib/wrk.mjs reads, in
-- report.lua beside this script
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
       .. "report.lua")
