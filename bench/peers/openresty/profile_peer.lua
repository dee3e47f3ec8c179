-- The OpenResty-style peer: what people write today to serve profiles
-- from LMDB inside nginx.  LuaJIT FFI to Debian's liblmdb, lua-cjson to
-- decode the stored JSON document, filter the fields the viewer may see,
-- encode again.
--
-- The environment is opened once per worker (init_worker_by_lua), with the
-- same flags the module uses (read-only, no lock file); each request
-- renews one reusable read transaction, reads, and resets it.

local ffi = require "ffi"
local cjson = require "cjson"

ffi.cdef [[
typedef struct MDB_env MDB_env;
typedef struct MDB_txn MDB_txn;
typedef unsigned int MDB_dbi;
typedef struct MDB_val { size_t mv_size; void *mv_data; } MDB_val;
int mdb_env_create(MDB_env **env);
int mdb_env_set_mapsize(MDB_env *env, size_t size);
int mdb_env_set_maxdbs(MDB_env *env, MDB_dbi dbs);
int mdb_env_open(MDB_env *env, const char *path, unsigned int flags,
                 unsigned int mode);
int mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags,
                  MDB_txn **txn);
int mdb_dbi_open(MDB_txn *txn, const char *name, unsigned int flags,
                 MDB_dbi *dbi);
int mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
void mdb_txn_reset(MDB_txn *txn);
int mdb_txn_commit(MDB_txn *txn);
int mdb_txn_renew(MDB_txn *txn);
char *mdb_strerror(int err);
]]

local MDB_NOSUBDIR = 0x4000
local MDB_RDONLY = 0x20000
local MDB_NOLOCK = 0x400000
local MDB_NOTFOUND = -30798

local lmdb = ffi.load("liblmdb.so.0")

local _M = {}

local txn, dbi
local key = ffi.new("MDB_val[1]")
local val = ffi.new("MDB_val[1]")
local public = {}      -- names of the public fields, in schema order
local npublic = 0

local function check(rc, what)
    if rc ~= 0 then
        error(what .. "() failed (" .. rc .. ": "
              .. ffi.string(lmdb.mdb_strerror(rc)) .. ")")
    end
end

-- the read-only environment at path with its named databases a and b:
-- their handles and a read transaction, reset, for the requests
local function open_named(path, a, b)
    local env = ffi.new("MDB_env *[1]")
    check(lmdb.mdb_env_create(env), "mdb_env_create")
    check(lmdb.mdb_env_set_maxdbs(env[0], 2), "mdb_env_set_maxdbs")
    check(lmdb.mdb_env_open(env[0], path,
                            MDB_RDONLY + MDB_NOLOCK + MDB_NOSUBDIR, 420),
          "mdb_env_open")
    local t = ffi.new("MDB_txn *[1]")
    check(lmdb.mdb_txn_begin(env[0], nil, MDB_RDONLY, t), "mdb_txn_begin")
    local d = ffi.new("MDB_dbi[1]")
    check(lmdb.mdb_dbi_open(t[0], a, 0, d), "mdb_dbi_open")
    local da = d[0]
    check(lmdb.mdb_dbi_open(t[0], b, 0, d), "mdb_dbi_open")
    local db = d[0]
    -- named databases' handles are the environment's once committed
    check(lmdb.mdb_txn_commit(t[0]), "mdb_txn_commit")
    check(lmdb.mdb_txn_begin(env[0], nil, MDB_RDONLY, t), "mdb_txn_begin")
    lmdb.mdb_txn_reset(t[0])
    return da, db, t[0]
end

function _M.init_worker(path, schema_path)
    local f = assert(io.open(schema_path, "r"))
    local schema = cjson.decode(f:read("*a"))
    f:close()
    for _, field in ipairs(schema.fields) do
        if field.visibility == "public" then
            npublic = npublic + 1
            public[npublic] = field.name
        end
    end

    local env = ffi.new("MDB_env *[1]")
    check(lmdb.mdb_env_create(env), "mdb_env_create")
    check(lmdb.mdb_env_open(env[0], path,
                            MDB_RDONLY + MDB_NOLOCK + MDB_NOSUBDIR, 420),
          "mdb_env_open")
    local t = ffi.new("MDB_txn *[1]")
    check(lmdb.mdb_txn_begin(env[0], nil, MDB_RDONLY, t), "mdb_txn_begin")
    local d = ffi.new("MDB_dbi[1]")
    check(lmdb.mdb_dbi_open(t[0], nil, 0, d), "mdb_dbi_open")
    txn, dbi = t[0], d[0]
    lmdb.mdb_txn_reset(txn)
end

local function not_found()
    ngx.status = 404
    ngx.header["Content-Type"] = "application/json"
    ngx.print('{"error":"not found"}')
end

-- raw: the self view is the stored document as is (no decode, no encode);
-- the "lua-raw" scenario measures that shortcut separately.
function _M.handle(raw)
    local id = ngx.var[1]
    local viewer = ngx.var.http_x_viewer

    check(lmdb.mdb_txn_renew(txn), "mdb_txn_renew")
    key[0].mv_size = #id
    key[0].mv_data = ffi.cast("void *", id)
    local rc = lmdb.mdb_get(txn, dbi, key, val)
    if rc == MDB_NOTFOUND then
        lmdb.mdb_txn_reset(txn)
        return not_found()
    end
    check(rc, "mdb_get")
    local doc = ffi.string(val[0].mv_data, val[0].mv_size)
    lmdb.mdb_txn_reset(txn)

    local body
    if viewer == id then
        if raw then
            body = doc
        else
            body = cjson.encode(cjson.decode(doc))
        end
    else
        local p = cjson.decode(doc)
        local out = {}
        for i = 1, npublic do
            local k = public[i]
            out[k] = p[k]
        end
        body = cjson.encode(out)
    end

    ngx.header["Content-Type"] = "application/json"
    ngx.print(body)
end

-- The access-rules peer (docs/access-rules.md, the same rules as the
-- module's for the bench's schema-access.json): one LMDB file with two
-- databases, "profiles" (id -> the JSON document) and "relations"
-- ("viewer|owner" -> the decimal digits of the bits, from the viewer's
-- side: 1 the viewer follows the owner, 2 the owner follows the viewer,
-- 4 a friend edge either way, 8 the owner blocked the viewer, 16 the
-- viewer blocked the owner; bench/lib/build-data.mjs mdbaccess).  The
-- viewer kind decides the audiences (anonymous: public; any other viewer
-- also authenticated; follower, friend: also theirs; self: every field),
-- each role of X-Roles adds the fields whose audience is the role or
-- whose "roles" name it; blocked either way is the module's 404.

local bit = require "bit"
local band = bit.band

local atxn, aprofiles, arelations
local rkey = ffi.new("MDB_val[1]")
local rval = ffi.new("MDB_val[1]")
local kind_fields = {}   -- viewer kind -> names of the fields it sees
local role_fields = {}   -- role -> names of the fields it adds
local NOT_FOUND = '{"type":"urn:ngx-http-profile:problem:not-found",'
    .. '"title":"Profile not found","status":404,'
    .. '"detail":"No profile has this id."}'
local GRANTS = {
    anonymous = { public = true },
    none = { public = true, authenticated = true },
    follower = { public = true, authenticated = true, follower = true },
    friend = { public = true, authenticated = true, follower = true,
               friend = true },
}

function _M.init_worker_access(path, schema_path)
    local f = assert(io.open(schema_path, "r"))
    local schema = cjson.decode(f:read("*a"))
    f:close()
    for kind, grants in pairs(GRANTS) do
        local names = {}
        for _, field in ipairs(schema.fields) do
            if grants[field.audience or "public"] then
                names[#names + 1] = field.name
            end
        end
        kind_fields[kind] = names
    end
    for _, role in ipairs(schema.roles or {}) do
        local names = {}
        for _, field in ipairs(schema.fields) do
            local named = field.audience == role
            for _, r in ipairs(field.roles or {}) do
                if r == role then named = true end
            end
            if named then names[#names + 1] = field.name end
        end
        role_fields[role] = names
    end

    aprofiles, arelations, atxn = open_named(path, "profiles", "relations")
end

local function hidden()
    ngx.status = 404
    ngx.header["Content-Type"] = "application/problem+json"
    ngx.print(NOT_FOUND)
end

function _M.handle_access()
    local id = ngx.var[1]
    local viewer = ngx.var.http_x_viewer

    check(lmdb.mdb_txn_renew(atxn), "mdb_txn_renew")
    key[0].mv_size = #id
    key[0].mv_data = ffi.cast("void *", id)
    local rc = lmdb.mdb_get(atxn, aprofiles, key, val)
    if rc == MDB_NOTFOUND then
        lmdb.mdb_txn_reset(atxn)
        return hidden()
    end
    check(rc, "mdb_get")
    local doc = ffi.string(val[0].mv_data, val[0].mv_size)

    local kind
    if viewer == nil or viewer == "" then
        kind = "anonymous"
    elseif viewer == id then
        kind = "self"
    else
        local pair = viewer .. "|" .. id
        rkey[0].mv_size = #pair
        rkey[0].mv_data = ffi.cast("void *", pair)
        rc = lmdb.mdb_get(atxn, arelations, rkey, rval)
        if rc == MDB_NOTFOUND then
            kind = "none"
        else
            check(rc, "mdb_get")
            local bits = tonumber(ffi.string(rval[0].mv_data,
                                             rval[0].mv_size))
            if band(bits, 24) ~= 0 then
                kind = "blocked"
            elseif band(bits, 4) ~= 0 or band(bits, 3) == 3 then
                kind = "friend"
            elseif band(bits, 1) ~= 0 then
                kind = "follower"
            else
                kind = "none"
            end
        end
    end
    lmdb.mdb_txn_reset(atxn)
    if kind == "blocked" then
        return hidden()
    end

    local body
    if kind == "self" then
        body = cjson.encode(cjson.decode(doc))
    else
        local p = cjson.decode(doc)
        local out = {}
        local names = kind_fields[kind]
        for i = 1, #names do
            local k = names[i]
            out[k] = p[k]
        end
        local roles = ngx.var.http_x_roles
        if roles and kind ~= "anonymous" then
            for r in roles:gmatch("[^, \t]+") do
                local extra = role_fields[r]
                if extra then
                    for i = 1, #extra do
                        local k = extra[i]
                        out[k] = p[k]
                    end
                end
            end
        end
        body = cjson.encode(out)
    end

    ngx.header["Content-Type"] = "application/json"
    ngx.print(body)
end

-- The client-views peer (bench/run --groups clients, docs/benchmarks.md
-- "Client views"): the same shapes as the module's views, made in Lua.
-- One LMDB file with two databases, "profiles" (id -> the client
-- profile's JSON document) and "teams" (id -> the team's); the views are
-- bench/lib/clients.mjs VIEWS (read from a JSON file at init), each a
-- list of steps {SOURCE, OUTPUT} walked per request: renames, output
-- objects ("avatar.url") and members of object fields ("location.city")
-- taken from the decoded document, integers written as strings and
-- RFC 3339 timestamps turned into epoch seconds by Lua, empty values
-- left out, the envelope written around; fields= parsed here; the embed
-- is a second mdb_get in the same read transaction; a batch is a loop
-- of lookups.  Output keys come in the view's order, so the JSON is
-- written by hand around cjson's encoding of each scalar value (cjson
-- writes "/" as "\/", which is undone; objects use their declared
-- members' order): the bytes are the module's.

local ctxn, cprofiles, cteams
local ctypes = {}        -- field name -> type; "field.member" -> type
local cmembers = {}      -- object field -> its declared members, in order
local cplain = {}        -- public fields in schema order
local cviews = {}        -- name -> compiled view
local csnapshot
local tkey = ffi.new("MDB_val[1]")
local tval = ffi.new("MDB_val[1]")
local null = cjson.null
local concat = table.concat
local format = string.format
local floor = math.floor

local function enc_string(s)
    return (cjson.encode(s):gsub("\\/", "/"))
end

local function enc(v, ftype, members)
    if v == null then
        return "null"
    end
    local t = type(v)
    if t == "string" then
        return enc_string(v)
    elseif t == "boolean" then
        return v and "true" or "false"
    elseif t == "number" then
        if ftype == "integer" then
            return format("%d", v)
        end
        return cjson.encode(v)
    elseif ftype == "array" then
        local parts = {}
        for i = 1, #v do
            parts[i] = enc(v[i])
        end
        return "[" .. concat(parts, ",") .. "]"
    elseif members then
        local parts = {}
        for _, m in ipairs(members) do
            local x = v[m]
            if x ~= nil then
                parts[#parts + 1] = enc_string(m) .. ":" .. enc(x)
            end
        end
        return "{" .. concat(parts, ",") .. "}"
    end
    return (cjson.encode(v):gsub("\\/", "/"))
end

-- days since 1970-01-01 of a civil date (proleptic Gregorian)
local function days(y, m, d)
    if m <= 2 then
        y = y - 1
    end
    local era = floor(y / 400)
    local yoe = y - era * 400
    local doy = floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + floor(yoe / 4) - floor(yoe / 100)
           + doy - 719468
end

-- "2019-03-04T05:06:07Z" (and ".mmm") -> epoch seconds, as JSON text
local function epoch(ts)
    local y, mo, d, h, mi, s, frac =
        ts:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)Z$")
    local secs = days(tonumber(y), tonumber(mo), tonumber(d)) * 86400
                 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
    frac = frac:gsub("0+$", "")
    if frac ~= "" then
        return format("%d.%s", secs, frac)
    end
    return format("%d", secs)
end

local function empty(v)
    return v == null or v == "" or (type(v) == "table" and next(v) == nil)
end

-- a view from clients.mjs VIEWS into items in output order: a value
-- {out, src, member, type}, an object {out, group = {values}}, or the
-- embed {out, embed = KEYFIELD, view = NAME}; types of an embedded
-- source's view from its own fields
local function compile(name, v, schema)
    local fields = schema.fields
    if v.source then
        fields = schema.sources[v.source].fields
    end
    local types, members = {}, {}
    for _, f in ipairs(fields) do
        types[f.name] = f.type
        if f.fields then
            local ms = {}
            for _, m in ipairs(f.fields) do
                types[f.name .. "." .. m.name] = m.type
                ms[#ms + 1] = m.name
            end
            members[f.name] = ms
        end
    end
    local view = { name = name, items = {}, outputs = {},
                   omit_empty = v.omit_empty, envelope = v.envelope,
                   integers = v.integers, timestamps = v.timestamps,
                   members = members }
    local groups = {}
    for _, step in ipairs(v.steps) do
        local src, out = step[1], step[2] or step[1]
        local field, member = src:match("^([^.]+)%.?(.*)$")
        local value = { src = field, member = member ~= "" and member
                        or nil, type = types[src] }
        local top, leaf = out:match("^([^.]+)%.?(.*)$")
        if leaf == "" then
            value.out = top
            value.key = enc_string(top) .. ":"
            view.items[#view.items + 1] = value
        else
            value.key = enc_string(leaf) .. ":"
            local g = groups[top]
            if g == nil then
                g = { out = top, key = enc_string(top) .. ":", group = {} }
                groups[top] = g
                view.items[#view.items + 1] = g
            end
            g.group[#g.group + 1] = value
        end
        view.outputs[top] = true
    end
    if v.embed then
        view.items[#view.items + 1] = { out = v.embed[1],
                                        key = enc_string(v.embed[1]) .. ":",
                                        embed = v.embed[2],
                                        view = v.embed[3] }
        view.outputs[v.embed[1]] = true
    end
    return view
end

function _M.init_worker_clients(path, schema_path, views_path, snapshot)
    local f = assert(io.open(schema_path, "r"))
    local schema = cjson.decode(f:read("*a"))
    f:close()
    for _, field in ipairs(schema.fields) do
        ctypes[field.name] = field.type
        if field.fields then
            local ms = {}
            for _, m in ipairs(field.fields) do
                ms[#ms + 1] = m.name
            end
            cmembers[field.name] = ms
        end
        if field.visibility == "public" then
            cplain[#cplain + 1] = { name = field.name,
                                    key = enc_string(field.name) .. ":" }
        end
    end
    f = assert(io.open(views_path, "r"))
    local views = cjson.decode(f:read("*a"))
    f:close()
    for name, v in pairs(views) do
        cviews[name] = compile(name, v, schema)
    end
    csnapshot = enc_string(snapshot)

    cprofiles, cteams, ctxn = open_named(path, "profiles", "teams")
end

-- the document of id in database dbi of the current transaction, or nil
local function lookup(dbi, id)
    tkey[0].mv_size = #id
    tkey[0].mv_data = ffi.cast("void *", id)
    local rc = lmdb.mdb_get(ctxn, dbi, tkey, tval)
    if rc == MDB_NOTFOUND then
        return nil
    end
    check(rc, "mdb_get")
    return ffi.string(tval[0].mv_data, tval[0].mv_size)
end

local function value(view, st, p)
    local v = p[st.src]
    if st.member then
        if type(v) ~= "table" then
            return nil
        end
        v = v[st.member]
    end
    if v == nil or (view.omit_empty and empty(v)) then
        return nil
    end
    if v ~= null then
        if st.type == "integer" and view.integers == "string" then
            return format('"%d"', v)
        end
        if st.type == "timestamp" and view.timestamps == "epoch" then
            return epoch(v)
        end
    end
    return enc(v, st.type, view.members[st.src])
end

local render

local function render_items(view, p, sel)
    local parts = {}
    for _, item in ipairs(view.items) do
        if sel == nil or sel[item.out] then
            local s
            if item.group then
                local sub = {}
                for _, st in ipairs(item.group) do
                    local x = value(view, st, p)
                    if x then
                        sub[#sub + 1] = st.key .. x
                    end
                end
                if #sub > 0 or not view.omit_empty then
                    s = "{" .. concat(sub, ",") .. "}"
                end
            elseif item.embed then
                local key = p[item.embed]
                local doc = type(key) == "string" and lookup(cteams, key)
                s = doc and render(cviews[item.view], cjson.decode(doc))
                    or "null"
            else
                s = value(view, item, p)
            end
            if s then
                parts[#parts + 1] = item.key .. s
            end
        end
    end
    return "{" .. concat(parts, ",") .. "}"
end

render = function(view, p, sel)
    local body = render_items(view, p, sel)
    if view.envelope then
        return '{"data":' .. body .. ',"meta":{"snapshot":' .. csnapshot
               .. ',"view":"' .. view.name .. '"}}'
    end
    return body
end

local function plain(p)
    local parts = {}
    for _, f in ipairs(cplain) do
        local v = p[f.name]
        if v ~= nil then
            parts[#parts + 1] = f.key .. enc(v, ctypes[f.name],
                                             cmembers[f.name])
        end
    end
    return "{" .. concat(parts, ",") .. "}"
end

local function problem(status, body)
    ngx.status = status
    ngx.header["Content-Type"] = "application/problem+json"
    ngx.print(body)
end

-- fields= of a view: nil for the whole view, a set of its top-level
-- output names, or false and the problem (an unknown name, or more than
-- 32 names: profile_fields_max's default)
local function fields_of(view)
    local arg = ngx.var.arg_fields
    if arg == nil or arg == "" then
        return nil
    end
    arg = ngx.unescape_uri(arg)
    local sel, count = {}, 0
    for name in arg:gmatch("[^,]+") do
        if name == "*" then
            return nil
        end
        if not view.outputs[name] then
            return false, '{"type":"urn:ngx-http-profile:problem:'
                          .. 'unknown-field","field":' .. enc_string(name)
                          .. '}'
        end
        if not sel[name] then
            count = count + 1
            sel[name] = true
        end
    end
    if count > 32 then
        return false, '{"type":"urn:ngx-http-profile:problem:'
                      .. 'too-many-fields"}'
    end
    if count == 0 then
        return nil
    end
    return sel
end

-- what: "plain" (/profiles/ID), "view" (/v/ID?view=NAME&fields=...),
-- "batch" (/batch?ids=...)
function _M.handle_clients(what)
    local body
    if what == "batch" then
        local ids = ngx.unescape_uri(ngx.var.arg_ids or "")
        local parts = {}
        check(lmdb.mdb_txn_renew(ctxn), "mdb_txn_renew")
        for id in ids:gmatch("[^,]+") do
            if #parts == 10 then
                lmdb.mdb_txn_reset(ctxn)
                return problem(400, '{"type":"urn:ngx-http-profile:'
                               .. 'problem:too-many-ids"}')
            end
            local doc = lookup(cprofiles, id)
            parts[#parts + 1] = doc and plain(cjson.decode(doc)) or "null"
        end
        lmdb.mdb_txn_reset(ctxn)
        body = "[" .. concat(parts, ",") .. "]"
    else
        local view, sel
        if what == "view" then
            local name = ngx.var.arg_view
            view = cviews[(name == nil or name == "") and "mobile" or name]
            if view == nil or view.name == "team_card" then
                return problem(406, '{"type":"urn:ngx-http-profile:'
                               .. 'problem:not-acceptable"}')
            end
            local bad
            sel, bad = fields_of(view)
            if sel == false then
                return problem(400, bad)
            end
        end
        check(lmdb.mdb_txn_renew(ctxn), "mdb_txn_renew")
        local doc = lookup(cprofiles, ngx.var[1])
        if doc == nil then
            lmdb.mdb_txn_reset(ctxn)
            return hidden()
        end
        local p = cjson.decode(doc)
        if view then
            body = render(view, p, sel)
        else
            body = plain(p)
        end
        lmdb.mdb_txn_reset(ctxn)
    end
    ngx.header["Content-Type"] = "application/json"
    ngx.print(body)
end

return _M
