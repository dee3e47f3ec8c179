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

    local env = ffi.new("MDB_env *[1]")
    check(lmdb.mdb_env_create(env), "mdb_env_create")
    check(lmdb.mdb_env_set_maxdbs(env[0], 2), "mdb_env_set_maxdbs")
    check(lmdb.mdb_env_open(env[0], path,
                            MDB_RDONLY + MDB_NOLOCK + MDB_NOSUBDIR, 420),
          "mdb_env_open")
    local t = ffi.new("MDB_txn *[1]")
    check(lmdb.mdb_txn_begin(env[0], nil, MDB_RDONLY, t), "mdb_txn_begin")
    local d = ffi.new("MDB_dbi[1]")
    check(lmdb.mdb_dbi_open(t[0], "profiles", 0, d), "mdb_dbi_open")
    aprofiles = d[0]
    check(lmdb.mdb_dbi_open(t[0], "relations", 0, d), "mdb_dbi_open")
    arelations = d[0]
    -- named databases' handles are the environment's once committed
    check(lmdb.mdb_txn_commit(t[0]), "mdb_txn_commit")
    check(lmdb.mdb_txn_begin(env[0], nil, MDB_RDONLY, t), "mdb_txn_begin")
    atxn = t[0]
    lmdb.mdb_txn_reset(atxn)
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

return _M
