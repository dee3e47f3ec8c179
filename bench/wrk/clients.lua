-- wrk load script of the client-views scenarios (bench/run --groups
-- clients): existing profiles only, with a viewer that is another
-- profile (the public fields).
--
--   wrk ... -s clients.lua URL -- N SEED KIND [QUERY] [BATCH]
--
-- N      number of profiles in the data set (ids "u1" .. "uN")
-- SEED   seeds the sequence (thread k uses SEED + k)
-- KIND   plain  GET /profiles/u{i}
--        view   GET /v/u{i}?QUERY (QUERY: "view=mobile&fields=id,name")
--        batch  GET /batch?ids=u{i1},...,u{iBATCH}, BATCH ids (default
--               10) drawn as the single requests draw theirs
-- Every id is drawn uniformly from 1..N; none is unknown, so that every
-- answer is a profile (a batch of 10 is 10 profiles).
--
-- done() prints the same "WRK_JSON {...}" line as profiles.lua.

local n, kind, query, batch
local thread_counter = 0

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_index", thread_counter)
end

function init(args)
    n = tonumber(args[1]) or 100000
    local seed = tonumber(args[2]) or 42
    kind = args[3] or "plain"
    query = args[4] or ""
    batch = tonumber(args[5]) or 10
    math.randomseed(seed + (thread_index or 1))
end

local random = math.random
local concat = table.concat
local head = " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Viewer: u"

function request()
    local viewer = random(n)
    if kind == "batch" then
        local ids = {}
        for k = 1, batch do
            ids[k] = "u" .. random(n)
        end
        return "GET /batch?ids=" .. concat(ids, ",") .. head .. viewer
            .. "\r\n\r\n"
    end
    local id = random(n)
    if viewer == id then
        viewer = viewer % n + 1
    end
    if kind == "view" then
        return "GET /v/u" .. id .. "?" .. query .. head .. viewer
            .. "\r\n\r\n"
    end
    return "GET /profiles/u" .. id .. head .. viewer .. "\r\n\r\n"
end

-- done(): the "WRK_JSON {...}" line bench/lib/wrk.mjs reads, in
-- report.lua beside this script
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
       .. "report.lua")
