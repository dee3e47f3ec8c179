-- wrk load script of the access-rules scenarios: GET /profiles/{owner}
-- with X-Viewer (and X-Roles) for viewer/owner pairs of one relation.
--
--   wrk ... -s access.lua URL -- N SEED EDGES SCENARIO
--
-- N         number of profiles (ids "u1" .. "uN")
-- SEED      seeds the sequence (thread k uses SEED + k)
-- EDGES     edges a profile in the relations source (10 by default)
-- SCENARIO  friend    the viewer is one of the owner's friend edges
--           follower  the viewer has a follows edge to the owner
--           blocked   the owner blocked the viewer (404)
--           role      a random other viewer with X-Roles: support
--           anonymous no viewer (no relation lookup): the control of
--                     bench/run --scale-access
-- 10% of the requests ask for an id that is not in the data set (404),
-- as in profiles.lua.  The pairs come from the same formula as the edges
-- (bench/lib/relations.mjs target()).
--
-- done() prints the same "WRK_JSON {...}" line as profiles.lua.

local n, edges, step, scenario
local thread_counter = 0

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_index", thread_counter)
end

function init(args)
    n = tonumber(args[1]) or 100000
    local seed = tonumber(args[2]) or 42
    edges = tonumber(args[3]) or 10
    scenario = args[4] or "friend"
    step = math.floor((n - 1) / edges)
    math.randomseed(seed + (thread_index or 1))
end

local random = math.random
local fmod = math.fmod
local prefix = "GET /profiles/u"
local middle = " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Viewer: u"

-- bench/lib/relations.mjs target(): edge k of profile i goes to
local function target(i, k)
    return 1 + fmod(i + fmod(i * 7919 + 13 + k * step, n - 1), n)
end

function request()
    local i = random(n)
    local viewer, owner
    local tail = "\r\n\r\n"
    if scenario == "friend" then
        owner, viewer = i, target(i, random(6, 8))
    elseif scenario == "follower" then
        viewer, owner = i, target(i, random(0, 5))
    elseif scenario == "blocked" then
        owner, viewer = i, target(i, 9)
    elseif scenario == "anonymous" then
        owner = i
        if random(10) == 1 then
            owner = n + owner
        end
        return prefix .. string.format("%d", owner)
            .. " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    else
        owner, viewer = i, i % n + 1
        tail = "\r\nX-Roles: support\r\n\r\n"
    end
    if random(10) == 1 then
        owner = n + owner
    end
    return prefix .. string.format("%d", owner) .. middle
        .. string.format("%d", viewer) .. tail
end

-- done(): the "WRK_JSON {...}" line bench/lib/wrk.mjs reads, in
-- report.lua beside this script
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
       .. "report.lua")
