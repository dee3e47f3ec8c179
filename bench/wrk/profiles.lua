-- wrk load script: GET /profiles/{id} with a viewer header.
--
--   wrk ... -s profiles.lua URL -- N SEED VIEW
--
-- N     number of profiles in the data set (ids "u1" .. "uN")
-- SEED  seeds the sequence (thread k uses SEED + k): the same run asks
--       for the same ids with the same viewers
-- VIEW  "public": the viewer is another profile (public fields only)
--       "self":   the viewer is the profile itself (every field)
-- 10% of the requests ask for an id that is not in the data set (404).
--
-- done() prints one line "WRK_JSON {...}" with the counts and the latency
-- distribution, read by the bench driver.

local n, view
local thread_counter = 0

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_index", thread_counter)
end

function init(args)
    n = tonumber(args[1]) or 100000
    local seed = tonumber(args[2]) or 42
    view = args[3] or "public"
    math.randomseed(seed + (thread_index or 1))
end

local random = math.random
local prefix = "GET /profiles/u"
local middle = " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Viewer: u"

function request()
    local i = random(n)
    local id = i
    if random(10) == 1 then
        id = n + i
    end
    local viewer = id
    if view ~= "self" then
        viewer = random(n)
        if viewer == id then
            viewer = viewer % n + 1
        end
    end
    return prefix .. id .. middle .. viewer .. "\r\n\r\n"
end

-- done(): the "WRK_JSON {...}" line bench/lib/wrk.mjs reads, in
-- report.lua beside this script
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
       .. "report.lua")
