// Bench driver; see docs/benchmarks.md.  Started by bench/run, which
// installs the dependencies and builds the module and the CLI first.
//
//   bench/run [--profiles N] [--seconds S] [--rounds R] [--quick]
//   bench/run --groups clients (the client views, lib/clients.mjs)
//   bench/run --groups caching (HTTP caching: a 304, the caching
//                              headers on a 200, lib/caching.mjs)
//   bench/run --scale [--sizes 10000,1000000,10000000]
//   bench/run --scale-access [--sizes 10000,100000,1000000] [--edges E]
//   bench/run --cli [--sizes 100000,1000000]
//   bench/run --callgrind [--requests N]

import { mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { execFileSync } from 'node:child_process';
import { BENCH, httpGet, limitConf, moduleConf, luaConf, nodeProxyConf,
    startNginx, startNode, killAll, MODULE_SO, moduleAccessConf, luaAccessConf,
    moduleClientsConf, luaClientsConf } from './peers.mjs';
import { rounds, summarize, pairRatio, median } from './measure.mjs';
import { OUT, ndjson, luaMdb, nodeMdb, snapshot, buildSnapshot, dataDir,
    timeMdbCopy, timeFirstTouch, accessSnapshot, luaAccessMdb,
    clientsSnapshot, luaClientsMdb } from './data.mjs';
import { SCENARIOS, SCENARIO_REL, ROLE, NOT_FOUND, ACCESS_SCHEMA,
    accessSizes, accessView, relation, scenarioPair } from './relations.mjs';
import { averageSizes, profile, publicView } from './profiles.mjs';
import { machine, machineLine, printTable, mdTable, csv, plot, updateDocs,
    copyPlot, MAIN_HEADERS, mainRows, ACCESS_HEADERS, accessRows }
    from './report.mjs';
import { callgrind } from './callgrind.mjs';
import { VIEWS, BATCH, viewConf, clientsSizes, checkClients,
    CLIENT_SCENARIOS, clientName, clientsEmbed } from './clients.mjs';
import { moduleCachingConf, limitCachingConf, primeEtags, checkCaching,
    surrogateOf, CACHING_SCENARIOS, CACHING_TARGETS, CACHE_DIRECTIVES }
    from './caching.mjs';

function usage(code) {
    process.stderr.write(`usage: bench/run [options]
  (default)           peers side by side: limit, module, OpenResty, Node
  --scale             the module at several snapshot sizes
  --scale-access      the friend scenario (and an anonymous control) at
                      several sizes (default 10000,100000,1000000;
                      --edges a profile): flatness of the access rules
  --cli               profile-snapshot build throughput and peak memory
  --callgrind         instructions per request of the handler (valgrind)
options:
  --profiles N        profiles in the data set (default 100000)
  --seed S            generator and load seed (default 42)
  --seconds S         seconds per scenario per round (default 6)
  --rounds R          rounds, interleaved (default 5; --cli: builds a size)
  --quick             2 s per scenario, 1 round, short warm-up
  --connections C     wrk connections (default 16)
  --warmup S          seconds of unmeasured load per scenario first (3)
  --peers LIST        subset of limit,module,lua,node (default all)
  --groups LIST       scenario groups: views (public, self), access
                      (friend, follower, blocked, role), clients (the
                      mobile view with fields=, the web view with an
                      embedded team, a batch of 10 ids), caching (a
                      304 and the caching headers on a public 200)
                      (default views,access; also for --callgrind)
  --edges E           relation edges a profile for the access scenarios
                      (default 10; at least 10, so that there are blocks)
  --sizes LIST        sizes for --scale / --scale-access / --cli
  --requests N        requests for --callgrind (default 20000)
  --no-docs           do not rewrite docs/benchmarks.md and its plot
`);
    process.exit(code);
}

function parseArgs(argv) {
    const o = { mode: 'main', n: 100000, seed: 42, seconds: 6, rounds: 5,
        warmup: 3, connections: 16, peers: ['limit', 'module', 'lua', 'node'],
        sizes: null, requests: 20000, docs: true, quick: false,
        groups: ['views', 'access'], edges: 10 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => {
            if (i + 1 >= argv.length) usage(2);
            return argv[++i];
        };
        switch (a) {
        case '--scale': o.mode = 'scale'; break;
        case '--scale-access': o.mode = 'scale-access'; break;
        case '--groups': o.groups = val().split(','); break;
        case '--edges': o.edges = Number(val()); break;
        case '--cli': o.mode = 'cli'; break;
        case '--callgrind': o.mode = 'callgrind'; break;
        case '--profiles': o.n = Number(val()); break;
        case '--seed': o.seed = Number(val()); break;
        case '--seconds': o.seconds = Number(val()); break;
        case '--rounds': o.rounds = Number(val()); break;
        case '--connections': o.connections = Number(val()); break;
        case '--warmup': o.warmup = Number(val()); break;
        case '--peers': o.peers = val().split(','); break;
        case '--sizes': o.sizes = val().split(',').map(Number); break;
        case '--requests': o.requests = Number(val()); break;
        case '--no-docs': o.docs = false; break;
        case '--quick': o.quick = true; break;
        case '-h': case '--help': usage(0); break;
        default:
            process.stderr.write(`bench: unknown option ${a}\n`);
            usage(2);
        }
    }
    if (o.quick) {
        o.seconds = 2;
        o.rounds = 1;
        o.warmup = 1;
        o.docs = false;
    }
    if (!(o.n > 0 && o.seconds > 0 && o.rounds > 0)) usage(2);
    if (!(o.edges >= 10) || o.groups.some((g) => !['views', 'access',
        'clients', 'caching'].includes(g))) usage(2);
    return o;
}

function log(msg) {
    process.stderr.write(`bench: ${msg}\n`);
}

function get(port, path, viewer, roles) {
    const headers = {};
    if (viewer !== null) headers['X-Viewer'] = viewer;
    if (roles) headers['X-Roles'] = roles;
    return httpGet(port, path, headers);
}

// lua-cjson turns [] into {}: compare with that one known difference
function normalize(x) {
    if (Array.isArray(x)) return x.map(normalize);
    if (x !== null && typeof x === 'object') {
        const keys = Object.keys(x).sort();
        if (keys.length === 0) return [];
        const o = {};
        for (const k of keys) o[k] = normalize(x[k]);
        return o;
    }
    return x;
}

// the same answers from every peer: self view, public view, 404
async function check(name, port, n, seed, exact) {
    const problems = [];
    const ids = [1, 2, 3, Math.floor(n / 2), n];
    for (const i of ids) {
        const p = profile(i, seed);
        for (const [viewer, want] of [[p.id, p], ['u' + (i % n + 1),
            publicView(p)]]) {
            const got = await get(port, '/profiles/' + p.id, viewer);
            let body = null;
            try {
                body = JSON.parse(got.body);
            } catch { /* reported below */ }
            const same = exact ? isDeepStrictEqual(body, want)
                : isDeepStrictEqual(normalize(body), normalize(want));
            if (got.status !== 200 || !same) {
                problems.push(`${p.id} viewer ${viewer}: ${got.status} `
                    + got.body.slice(0, 200));
            }
        }
    }
    const miss = await get(port, `/profiles/u${n + 7}`, 'u1');
    if (miss.status !== 404) problems.push(`unknown id: ${miss.status}`);
    if (problems.length) {
        log(`CHECK FAILED for ${name}:\n  ${problems.join('\n  ')}`);
    } else {
        log(`check ${name}: self, public and 404 answers as expected`);
    }
    return problems.length === 0;
}

/*
 * The access-rules peers answer as docs/access-rules.md says for each
 * scenario's pairs (the exact relation of each pair, read from both
 * ends' edges), for an anonymous viewer, the owner, a stranger with and
 * without the role, and an unknown id; a hidden answer is the module's
 * 404 byte for byte (the OpenResty peer sends the same body).
 */
async function checkAccess(name, port, o, exact) {
    const { n, seed, edges } = o;
    const problems = [];
    const cases = [];
    for (const i of [1, 2, 3, Math.floor(n / 2), n]) {
        for (const sc of SCENARIOS) {
            for (const k of sc === 'friend' ? [6, 8] : sc === 'follower'
                ? [0, 5] : [9]) {
                const p = scenarioPair(n, edges, sc, i, k);
                cases.push([p.viewer, p.owner, p.roles ?? [], sc]);
            }
        }
        cases.push([null, i, [], 'anonymous']);
        cases.push([null, i, [ROLE], 'anonymous with a role']);
        cases.push([i, i, [], 'self']);
        cases.push([i % n + 1, i, [], 'stranger']);
        cases.push([i % n + 1, i, ['admin'], 'admin']);
    }
    for (const [viewer, owner, roles, what] of cases) {
        const rel = viewer === null ? 'anonymous'
            : relation(n, edges, viewer, owner);
        const want = accessView(profile(owner, seed), rel, roles);
        const got = await get(port, `/profiles/u${owner}`,
            viewer === null ? null : `u${viewer}`, roles.join(','));
        let ok;
        if (want === null) {
            ok = got.status === 404 && got.body === NOT_FOUND;
        } else {
            let body = null;
            try {
                body = JSON.parse(got.body);
            } catch { /* reported below */ }
            ok = got.status === 200 && (exact ? isDeepStrictEqual(body, want)
                : isDeepStrictEqual(normalize(body), normalize(want)));
        }
        if (!ok) {
            problems.push(`${what}: u${owner} viewer ${viewer} (${rel}`
                + `${roles.length ? ', roles ' + roles : ''}): ${got.status} `
                + got.body.slice(0, 200));
        }
    }
    const miss = await get(port, `/profiles/u${n + 7}`, 'u1');
    if (miss.status !== 404 || miss.body !== NOT_FOUND) {
        problems.push(`unknown id: ${miss.status} ${miss.body.slice(0, 200)}`);
    }
    if (problems.length) {
        log(`CHECK FAILED for ${name}:\n  ${problems.join('\n  ')}`);
    } else {
        log(`check ${name}: ${cases.length} friend, follower, blocked, `
            + 'role, anonymous, self and stranger answers and a 404 as '
            + 'expected');
    }
    return problems.length === 0;
}

// how many of each scenario's pairs have its relation (a pair can get
// edges from both ends, which the load does not avoid)
function pairShares(n, edges, seed, sample = 2000) {
    const out = {};
    let x = seed >>> 0 || 1;
    const rnd = () => {
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        return x / 4294967296;
    };
    for (const sc of SCENARIOS) {
        let same = 0;
        for (let s = 0; s < sample; s++) {
            const i = 1 + Math.floor(rnd() * n);
            const k = sc === 'friend' ? 6 + Math.floor(rnd() * 3)
                : Math.floor(rnd() * 6);
            const p = scenarioPair(n, edges, sc, i, k);
            if (relation(n, edges, p.viewer, p.owner) === SCENARIO_REL[sc]) {
                same++;
            }
        }
        out[sc] = same / sample;
    }
    return out;
}

const PORT = { limitPublic: 18081, limitSelf: 18082, limitRegex: 18088,
    module: 18083, moduleRegex: 18089,
    lua: 18084, luaRaw: 18085, node: 18086, nodeApp: 18087,
    limitAccess: { friend: 18091, follower: 18092, blocked: 18093,
        role: 18094 },
    moduleAccess: 18095, luaAccess: 18096, limitAnonymous: 18097,
    limitClients: { mobile: 18071, web: 18072, 'web-noembed': 18073 },
    moduleClients: 18074, luaClients: 18075,
    caching: { limit: 18061, cache: 18062, plain: 18063 } };


async function startPeers(o, data, sizes) {
    const run = `${OUT}/run`;
    const peers = {};
    const scenarios = [];
    const views = o.groups.includes('views');
    const access = o.groups.includes('access');
    const clients = o.groups.includes('clients');
    const add = (name, port, view, peer, baseline, extra = {}) => {
        if (o.groups.includes(extra.group ?? (extra.access ? 'access'
            : 'views'))) {
            scenarios.push({ name, port, view, baseline,
                pids: () => peer.pids(), workers: () => peer.workers(),
                ...extra });
        }
    };
    const acc = (sc) => ({ access: { edges: o.edges, scenario: sc } });
    const csc = clients ? CLIENT_SCENARIOS.filter(([sc]) => sc !== 'web'
        || data.embed.ok) : [];
    const cl = (sc, extra) => ({ group: 'clients', clients: extra,
        label: sc });
    if (o.peers.includes('limit') && (views || access || clients)) {
        const aports = access ? PORT.limitAccess : {};
        const cports = Object.fromEntries(csc.filter(([, , l]) => l)
            .map(([sc]) => [sc, PORT.limitClients[sc]]));
        // the views' servers for the views and access groups, as before
        const vports = views || access ? { public: PORT.limitPublic,
            self: PORT.limitSelf, regex: PORT.limitRegex } : {};
        const p = await startNginx('limit', `${run}/limit`,
            limitConf(`${run}/limit`, { ...vports, access: aports,
                clients: cports }, sizes),
            [...Object.values(vports), ...Object.values(aports),
                ...Object.values(cports)]);
        peers.limit = p;
        for (const sc of SCENARIOS) {
            add(`limit-${sc}`, PORT.limitAccess[sc], sc, p, null,
                { label: `return 200 (${sc} size)`, ...acc(sc) });
        }
        add('limit-public', PORT.limitPublic, 'public', p, null,
            { label: 'return 200 (public size)' });
        add('limit-self', PORT.limitSelf, 'self', p, null,
            { label: 'return 200 (self size)' });
        add('limit-regex-public', PORT.limitRegex, 'public', p,
            'limit-public', { label: 'return 200 + regex location' });
        for (const [sc, w] of csc.filter(([, , l]) => l)) {
            add(`limit-${sc}`, PORT.limitClients[sc], sc, p, null,
                { ...cl(sc, w), label: `return 200 (${sc} size)` });
        }
    }
    if (o.peers.includes('module') && clients) {
        if (!existsSync(MODULE_SO)) throw new Error(`${MODULE_SO} missing`);
        const c = await startNginx('module-clients', `${run}/module-clients`,
            moduleClientsConf(`${run}/module-clients`, PORT.moduleClients,
                data.clients.file, viewConf(data.embed.ok)),
            [PORT.moduleClients]);
        peers.moduleClients = c;
        c.ok = await checkClients('module (client views)',
            PORT.moduleClients, o, csc.map(([sc]) => sc),
            data.clients.snapshot, log);
        for (const [sc, w, l] of csc) {
            add(clientName('module', sc), PORT.moduleClients, sc, c,
                l ? `limit-${sc}` : null, { ...cl(sc, w),
                    label: clientName('module', sc) });
        }
    }
    if (o.peers.includes('module') && o.peers.includes('limit')
        && o.groups.includes('caching')) {
        const ports = PORT.caching;
        const c = await startNginx('module-caching', `${run}/module-caching`,
            moduleCachingConf(`${run}/module-caching`, ports, data.snapshot),
            [ports.cache, ports.plain]);
        peers.moduleCaching = c;
        log(`caching: priming the ETags of ${o.n} profiles`);
        const primed = await primeEtags(ports.cache, o.n,
            `${run}/caching-etags.txt`);
        const l = await startNginx('limit-caching', `${run}/limit-caching`,
            limitCachingConf(`${run}/limit-caching`, ports.limit,
                sizes.public, surrogateOf(o.n, primed.snapshot)),
            [ports.limit]);
        peers.limitCaching = l;
        c.ok = await checkCaching('module and limit (caching)', ports, o,
            primed, sizes.public, log);
        for (const [name, kind, port, baseline, label] of
            CACHING_SCENARIOS) {
            add(name, ports[port], 'public', port === 'limit' ? l : c,
                baseline, { group: 'caching', label,
                    caching: { kind, etags: primed.file } });
        }
    }
    if (o.peers.includes('lua') && clients) {
        const views = `${run}/lua-clients-views.json`;
        mkdirSync(run, { recursive: true });
        writeFileSync(views, JSON.stringify(VIEWS));
        const c = await startNginx('lua-clients', `${run}/lua-clients`,
            luaClientsConf(`${run}/lua-clients`, PORT.luaClients,
                data.luaClientsMdb, views, data.clients.snapshot),
            [PORT.luaClients]);
        peers.luaClients = c;
        // web too: the Lua's embed is checked even when it is not run
        c.ok = await checkClients('lua (client views)', PORT.luaClients, o,
            CLIENT_SCENARIOS.map(([sc]) => sc), data.clients.snapshot, log);
        for (const [sc, w, l] of csc) {
            add(clientName('lua', sc), PORT.luaClients, sc, c,
                l ? `limit-${sc}` : null, { ...cl(sc, w),
                    label: clientName('openresty', sc) });
        }
    }
    if (o.peers.includes('module') && (views || access)) {
        if (!existsSync(MODULE_SO)) throw new Error(`${MODULE_SO} missing`);
        const p = await startNginx('module', `${run}/module`,
            moduleConf(`${run}/module`, PORT.module, data.snapshot,
                PORT.moduleRegex), [PORT.module, PORT.moduleRegex]);
        peers.module = p;
        p.ok = await check('module', PORT.module, o.n, o.seed, true)
            && await check('module (regex location)', PORT.moduleRegex, o.n,
                o.seed, true);
        add('module-public', PORT.module, 'public', p, 'limit-public');
        add('module-self', PORT.module, 'self', p, 'limit-self');
        add('module-regex-public', PORT.moduleRegex, 'public', p,
            'limit-public', { label: 'module-public, regex location' });
        if (access) {
            const a = await startNginx('module-access',
                `${run}/module-access`, moduleAccessConf(
                    `${run}/module-access`, PORT.moduleAccess,
                    data.accessSnapshot), [PORT.moduleAccess]);
            peers.moduleAccess = a;
            a.ok = await checkAccess('module (access rules)',
                PORT.moduleAccess, o, true);
            for (const sc of SCENARIOS) {
                add(`module-${sc}`, PORT.moduleAccess, sc, a, `limit-${sc}`,
                    acc(sc));
            }
        }
    }
    if (o.peers.includes('lua') && (views || access)) {
        const p = await startNginx('lua', `${run}/lua`,
            luaConf(`${run}/lua`, { main: PORT.lua, raw: PORT.luaRaw },
                data.luaMdb), [PORT.lua, PORT.luaRaw]);
        peers.lua = p;
        p.ok = await check('lua', PORT.lua, o.n, o.seed, false);
        add('lua-public', PORT.lua, 'public', p, 'limit-public',
            { label: 'openresty-public' });
        add('lua-self', PORT.lua, 'self', p, 'limit-self',
            { label: 'openresty-self' });
        add('lua-self-raw', PORT.luaRaw, 'self', p, 'limit-self',
            { label: 'openresty-self-raw' });
        if (access) {
            const a = await startNginx('lua-access', `${run}/lua-access`,
                luaAccessConf(`${run}/lua-access`, PORT.luaAccess,
                    data.luaAccessMdb, ACCESS_SCHEMA), [PORT.luaAccess]);
            peers.luaAccess = a;
            a.ok = await checkAccess('lua (access rules)', PORT.luaAccess, o,
                false);
            for (const sc of SCENARIOS) {
                add(`lua-${sc}`, PORT.luaAccess, sc, a, `limit-${sc}`,
                    { label: `openresty-${sc}`, ...acc(sc) });
            }
        }
    }
    if (o.peers.includes('node') && views) {
        const app = await startNode('node-app', [`${BENCH}/peers/node/`
            + 'server.mjs', String(PORT.nodeApp), data.nodeMdb,
        `${BENCH}/schema.json`], PORT.nodeApp, `${run}/node-app.log`);
        mkdirSync(`${run}/node`, { recursive: true });
        const p = await startNginx('node', `${run}/node`,
            nodeProxyConf(`${run}/node`, PORT.node, PORT.nodeApp),
            [PORT.node]);
        const both = { pids: () => [...p.pids(), ...app.pids()],
            workers: () => [...p.workers(), ...app.pids()] };
        peers.node = p;
        peers.nodeApp = app;
        p.ok = await check('node', PORT.node, o.n, o.seed, true);
        add('node-public', PORT.node, 'public', both, 'limit-public');
        add('node-self', PORT.node, 'self', both, 'limit-self');
    }
    return { peers, scenarios };
}

async function stopPeers(peers) {
    for (const p of Object.values(peers)) await p.stop();
}

const TARGETS = [
    ['limit-regex-public', 'limit-public', '<=', 1.25,
        'return 200 behind a regex location (informative)'],
    ['module-public', 'limit-public', '<=', 1.25,
        'module public view vs return 200'],
    ['module-self', 'limit-self', '<=', 1.25,
        'module self view vs return 200'],
    ['module-regex-public', 'limit-public', '<=', 1.25,
        'module public view in a regex location vs return 200 (informative)'],
    ['lua-public', 'module-public', '>=', 2,
        'OpenResty public / module public'],
    ['lua-self', 'module-self', '>=', 2, 'OpenResty self / module self'],
    ['lua-self-raw', 'module-self', '>=', 2,
        'OpenResty self (raw bytes, no cjson) / module self (informative)'],
    ['node-public', 'module-public', '>=', 6,
        'Node app tier public / module public'],
    ['node-self', 'module-self', '>=', 6, 'Node app tier self / module self'],
    ...SCENARIOS.map((sc) => [`module-${sc}`, `limit-${sc}`, '<=', 1.3,
        `module ${sc} viewer vs return 200 (${sc} size)`]),
    ...SCENARIOS.map((sc) => [`lua-${sc}`, `module-${sc}`, null, null,
        `OpenResty ${sc} / module ${sc} (reported, no goal)`]),
];

// the client-views group's (docs/benchmarks.md "Client views"); a sixth
// element 'rps' takes the ratio of requests/s instead of CPU per request
const CLIENT_TARGETS = [
    ['module-mobile', 'limit-mobile', '<=', 1.35,
        'module mobile view, fields= of 5 names, vs return 200 (mobile size)'],
    ['module-web', 'limit-web', '<=', 1.35,
        'module web view with an embedded team vs return 200 (web size)'],
    ['module-web-noembed', 'limit-web-noembed', '<=', 1.35,
        'module web view without the embed vs return 200 (informative)'],
    ['module-clients-plain', `module-batch${BATCH}`, '<=', 4,
        `module single plain profile req/s / batch of ${BATCH} req/s`,
        'rps'],
    [`module-batch${BATCH}`, 'module-clients-plain', null, null,
        `module batch of ${BATCH} / single plain profile, CPU per request `
        + '(reported, no goal)'],
    ['lua-mobile', 'module-mobile', null, null,
        'OpenResty mobile / module mobile (reported, no goal)'],
    ['lua-web', 'module-web', null, null,
        'OpenResty web / module web (reported, no goal)'],
    ['lua-web-noembed', 'module-web-noembed', null, null,
        'OpenResty web without the embed / module (reported, no goal)'],
    [`lua-batch${BATCH}`, `module-batch${BATCH}`, null, null,
        `OpenResty batch of ${BATCH} / module batch (reported, no goal)`],
    ['lua-clients-plain', `lua-batch${BATCH}`, null, null,
        `OpenResty single plain profile req/s / batch of ${BATCH} req/s `
        + '(reported, no goal)', 'rps'],
];

function targetRows(rows, targets = TARGETS) {
    const out = [];
    for (const [a, b, op, goal, what, key] of targets) {
        if (!rows.some((r) => r.scenario === a)
            || !rows.some((r) => r.scenario === b)) continue;
        const r = pairRatio(rows, a, b, key === 'rps' ? 'rps'
            : 'cpu_us_per_req');
        const met = op === '<=' ? r.median <= goal : r.median >= goal;
        out.push([what, op ? `${op} ${goal}` : '-', r.median.toFixed(2),
            `${r.min.toFixed(2)}-${r.max.toFixed(2)}`,
            op ? (met ? 'met' : 'MISSED') : '']);
    }
    return out;
}

async function mainMode(o) {
    const sizes = averageSizes(o.n, o.seed);
    const access = o.groups.includes('access');
    const plainGroups = o.groups.includes('views') || access;
    if (plainGroups || o.groups.includes('caching')) {
        log(`average response body: public ${sizes.public} B, self `
            + `${sizes.self} B`);
    }
    let shares = null;
    if (access) {
        sizes.access = accessSizes(o.n, o.seed);
        shares = pairShares(o.n, o.edges, o.seed);
        log(`access scenarios, average body: ${SCENARIOS.map((sc) => `${sc} `
            + `${sizes.access[sc]} B`).join(', ')}; pairs with the `
            + `scenario's relation: ${SCENARIOS.map((sc) => `${sc} `
            + `${(100 * shares[sc]).toFixed(2)}%`).join(', ')}`);
    }
    const data = {};
    if (access && o.peers.includes('module')) {
        data.accessSnapshot = (await accessSnapshot(o.n, o.seed, o.edges))
            .file;
    }
    if (access && o.peers.includes('lua')) {
        data.luaAccessMdb = await luaAccessMdb(o.n, o.seed, o.edges);
    }
    const caching = o.groups.includes('caching');
    if (o.peers.includes('module') && (plainGroups || caching)) {
        data.snapshot = (await snapshot(o.n, o.seed)).file;
    }
    if (o.peers.includes('lua') && plainGroups) {
        data.luaMdb = await luaMdb(o.n, o.seed);
    }
    if (o.peers.includes('node') && o.groups.includes('views')) {
        data.nodeMdb = await nodeMdb(o.n, o.seed);
    }
    const clients = o.groups.includes('clients');
    if (clients) {
        data.clients = await clientsSnapshot(o.n, o.seed);
        data.embed = clientsEmbed(`${OUT}/run`, data.clients,
            PORT.moduleClients);
        if (!data.embed.ok) {
            log('client views: scenario "web" (the web view with an '
                + 'embedded team) SKIPPED: ' + data.embed.reason);
        }
        if (o.peers.includes('lua')) {
            data.luaClientsMdb = await luaClientsMdb(o.n, o.seed);
        }
        sizes.clients = clientsSizes(o.n, o.seed, data.clients.snapshot);
        log(`client views, average body: ${Object.entries(sizes.clients)
            .map(([k, v]) => `${k} ${v} B`).join(', ')}`);
    }

    const m = machine();
    const { peers, scenarios } = await startPeers(o, data, sizes);
    let res;
    try {
        res = await rounds(scenarios, { ...o,
            rowsFile: `${OUT}/results-rows.json` });
    } finally {
        await stopPeers(peers);
    }
    const summary = summarize(scenarios, res.rows, res.mem);
    const table = printTable(MAIN_HEADERS, mainRows(summary));
    const tHead = ['target', 'goal', 'measured (median)', 'rounds min-max',
        ''];
    const tRows = targetRows(res.rows);
    const failedChecks = Object.entries(peers)
        .filter(([, p]) => p.ok === false).map(([k]) => k);
    const cfg = `${o.n} profiles (seed ${o.seed}), ${o.rounds} round(s) x `
        + `${o.seconds} s per scenario, wrk -t1 -c${o.connections}, `
        + 'server on CPU 0, wrk on CPU 1'
        + (plainGroups ? `; average body public ${sizes.public} B, self `
            + `${sizes.self} B` : '')
        + (access ? `; access rules: ${o.n * o.edges} edges (${o.edges} a `
            + `profile), average body ${SCENARIOS.map((sc) => `${sc} `
            + `${sizes.access[sc]} B`).join(', ')}; pairs with their `
            + `scenario's relation ${SCENARIOS.map((sc) => `${sc} `
            + `${(100 * shares[sc]).toFixed(2)}%`).join(', ')}` : '')
        + (caching && !plainGroups ? `; average body public `
            + `${sizes.public} B` : '')
        + (caching ? '; caching: anonymous requests for existing ids, '
            + `one location with ${CACHE_DIRECTIVES.map((d) => `\`${d}\``)
                .join(' ')} and the same without them` : '')
        + (clients ? `; client views: average body ${Object.entries(
            sizes.clients).map(([k, v]) => `${k} ${v} B`).join(', ')}, `
            + `existing ids only${data.embed.ok ? ''
                : `; web (the embed) skipped: ${data.embed.reason}`}` : '');
    const cRows = clients ? targetRows(res.rows, CLIENT_TARGETS) : [];
    const kRows = caching ? targetRows(res.rows, CACHING_TARGETS) : [];
    process.stdout.write(`\n${machineLine(m)}\n${cfg}\n\n${table}\n`
        + (tRows.length ? `\n${printTable(tHead, tRows)}\n` : '')
        + (cRows.length ? `\n${printTable(tHead, cRows)}\n` : '')
        + (kRows.length ? `\n${printTable(tHead, kRows)}\n` : '')
        + (failedChecks.length ? `\nCORRECTNESS CHECK FAILED: `
            + `${failedChecks.join(', ')}\n` : ''));

    mkdirSync(OUT, { recursive: true });
    writeFileSync(`${OUT}/results.csv`, csv(res.rows));
    writeFileSync(`${OUT}/results.json`, JSON.stringify({ machine: m,
        options: o, sizes, summary, rows: res.rows, mem: res.mem }, null, 1));
    const md = `Measured ${m.date} on ${machineLine(m).slice(m.date.length
        + 2)}.\n${cfg}. Medians over the rounds; "x limit" is the CPU per `
        + 'request divided by `return 200` with a body of the same view\'s '
        + `average size, in the same round.\n\n`
        + `${mdTable(MAIN_HEADERS, mainRows(summary))}\n\n`
        + `${mdTable(tHead, tRows)}\n`
        + (failedChecks.length ? `\n**Correctness check failed:** `
            + `${failedChecks.join(', ')}\n` : '');
    writeFileSync(`${OUT}/results.md`, md);
    plot(summary, `Server CPU per request and p99, ${o.n} profiles, `
        + m.date.slice(0, 10), `${OUT}/benchmarks.png`);
    log(`wrote ${OUT}/results.{csv,md,json} and ${OUT}/benchmarks.png`);
    let accessMd = null;
    if (access) {
        const aRows = accessRows(res.rows, pairRatio, SCENARIOS,
            sizes.access);
        accessMd = `Measured ${m.date}, ${o.rounds} round(s) x ${o.seconds} `
            + `s, ${o.n} profiles, ${o.n * o.edges} edges; each ratio `
            + 'taken in the same round, median (min-max) over the rounds.'
            + `\n\n${mdTable(ACCESS_HEADERS, aRows)}\n`;
        process.stdout.write(`\n${printTable(ACCESS_HEADERS, aRows)}\n`);
        writeFileSync(`${OUT}/access.md`, accessMd);
    }
    if (clients) {
        const mine = new Set(scenarios.filter((x) => x.group === 'clients')
            .map((x) => x.name));
        const cmd = `bench/run --groups clients --rounds ${o.rounds}`
            + (o.seconds !== 6 ? ` --seconds ${o.seconds}` : '')
            + (o.n !== 100000 ? ` --profiles ${o.n}` : '');
        const clientsMd = `Measured ${m.date} on ${machineLine(m).slice(
            m.date.length + 2)} (\`${cmd}\`).\n${cfg}. Medians over the `
            + 'rounds; every ratio is taken between runs of the same round.'
            + `\n\n${mdTable(MAIN_HEADERS, mainRows(summary.filter((x) =>
                mine.has(x.scenario))))}\n\n${mdTable(tHead, cRows)}\n`
            + (failedChecks.length ? `\n**Correctness check failed:** `
                + `${failedChecks.join(', ')}\n` : '');
        writeFileSync(`${OUT}/clients.md`, clientsMd);
        log(`wrote ${OUT}/clients.md`);
        if (o.docs && ['limit', 'module', 'lua'].every((x) =>
            o.peers.includes(x)) && updateDocs('clients', clientsMd)) {
            log('updated docs/benchmarks.md (client views)');
        }
    }
    if (caching) {
        const mine = new Set(scenarios.filter((x) => x.group === 'caching')
            .map((x) => x.name));
        const cmd = `bench/run --groups caching --rounds ${o.rounds}`
            + (o.seconds !== 6 ? ` --seconds ${o.seconds}` : '')
            + (o.n !== 100000 ? ` --profiles ${o.n}` : '');
        const cachingMd = `Measured ${m.date} on ${machineLine(m).slice(
            m.date.length + 2)} (\`${cmd}\`).\n${cfg}. Medians over the `
            + 'rounds; every ratio is taken between runs of the same round.'
            + `\n\n${mdTable(MAIN_HEADERS, mainRows(summary.filter((x) =>
                mine.has(x.scenario))))}\n\n${mdTable(tHead, kRows)}\n`
            + (failedChecks.length ? `\n**Correctness check failed:** `
                + `${failedChecks.join(', ')}\n` : '');
        writeFileSync(`${OUT}/caching.md`, cachingMd);
        log(`wrote ${OUT}/caching.md`);
        if (o.docs && updateDocs('caching', cachingMd)) {
            log('updated docs/benchmarks.md (HTTP caching)');
        }
    }
    if (o.docs && o.peers.length === 4 && o.groups.length === 2
        && !clients && !caching) {
        copyPlot(`${OUT}/benchmarks.png`, 'benchmarks.png');
        if (updateDocs('results', md)) log('updated docs/benchmarks.md');
        if (updateDocs('access', accessMd)) log('updated docs/benchmarks.md');
    }
}

async function scaleMode(o) {
    const ns = o.sizes ?? [10000, 1000000, 10000000];
    const sizes = averageSizes(Math.max(...ns), o.seed);
    const snaps = {};
    for (const n of ns) {
        snaps[n] = (await snapshot(n, o.seed, { dropInput: n >= 5000000 }))
            .file;
    }
    /*
     * Read each snapshot once, as docs/benchmarks.md tells operators to
     * before a reload: building the 10M one pushes 10 GB of input through
     * the page cache, and a lookup that waits for the disk measures the
     * disk, not the module.
     */
    for (const n of ns) {
        const t0 = Date.now();
        /*
         * Dropped from the page cache first (clean pages: the build
         * fsynced them), so every run reads the file back the same way,
         * as an edge node does with a snapshot shipped to it: read() fills
         * the page cache with large folios, which workers map with 2 MB
         * pages.  What the build left there is in whatever folios its
         * writes got (4 KB pages, often), which made the 10M figures
         * depend on the build's history (docs/benchmarks.md "Scale").
         */
        execFileSync('dd', [`if=${snaps[n]}`, 'iflag=nocache', 'count=0',
            'status=none']);
        execFileSync('dd', [`if=${snaps[n]}`, 'of=/dev/null', 'bs=4M',
            'status=none']);
        log(`page cache: read ${snaps[n]} in `
            + `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const m = machine();
    const run = `${OUT}/run-scale`;
    const limit = await startNginx('limit', `${run}/limit`,
        limitConf(`${run}/limit`, { public: PORT.limitPublic,
            self: PORT.limitSelf }, sizes),
        [PORT.limitPublic, PORT.limitSelf]);
    const peers = { limit };
    const scenarios = [
        { name: 'limit-public', port: PORT.limitPublic, view: 'public',
            pids: limit.pids, workers: limit.workers, n: ns[0] },
        { name: 'limit-self', port: PORT.limitSelf, view: 'self',
            pids: limit.pids, workers: limit.workers, n: ns[0] },
    ];
    let port = 18180;
    try {
        for (const n of ns) {
            port++;
            const p = await startNginx(`module-${n}`, `${run}/module-${n}`,
                moduleConf(`${run}/module-${n}`, port, snaps[n]), [port]);
            peers[n] = p;
            p.ok = await check(`module ${n}`, port, n, o.seed, true);
            for (const view of ['public', 'self']) {
                scenarios.push({ name: `module-${n}-${view}`, port, view, n,
                    pids: p.pids, workers: p.workers,
                    baseline: `limit-${view}` });
            }
        }
    } catch (e) {
        await stopPeers(peers);
        throw e;
    }
    let res;
    try {
        res = await rounds(scenarios, { ...o,
            rowsFile: `${OUT}/scale-rows.json` });
    } finally {
        await stopPeers(peers);
    }
    const summary = summarize(scenarios, res.rows, res.mem);
    const head = ['scenario', 'profiles', 'CPU us/req', 'x limit',
        'x limit (min-max)', 'vs smallest', 'user us/req', 'req/s', 'p99 ms',
        'minflt/req', 'majflt/req', 'other load %',
        'worker anon MiB', 'worker PSS file MiB', 'worker 2 MB-mapped MiB'];
    const base = {};
    const rows = summary.map((s) => {
        const sc = scenarios.find((x) => x.name === s.scenario);
        const view = sc.view;
        let vs = '-';
        if (s.scenario.startsWith('module-')) {
            if (!(view in base)) base[view] = s.ratio;
            vs = (s.ratio / base[view]).toFixed(3);
        }
        return [s.scenario, sc.baseline ? String(sc.n) : '-',
            s.cpu_us_per_req.toFixed(2), Number.isFinite(s.ratio)
                ? s.ratio.toFixed(2) : '-',
            Number.isFinite(s.ratio_min) ? `${s.ratio_min.toFixed(2)}-`
                + `${s.ratio_max.toFixed(2)}` : '-', vs,
            s.usr_us_per_req.toFixed(2),
            String(Math.round(s.rps)), s.p99_ms.toFixed(2),
            s.minflt_per_req.toFixed(3), s.majflt_per_req.toFixed(4),
            s.foreign_pct.toFixed(1), s.anon_mib.toFixed(1),
            s.pss_file_mib.toFixed(1), s.file_pmd_mib.toFixed(1)];
    });
    const cfg = `sizes ${ns.join(', ')}, ${o.rounds} round(s) x ${o.seconds} s,`
        + ` wrk -t1 -c${o.connections}; ids drawn uniformly over each data set`;
    process.stdout.write(`\n${machineLine(m)}\n${cfg}\n\n`
        + `${printTable(head, rows)}\n`);
    writeFileSync(`${OUT}/scale.csv`, csv(res.rows));
    writeFileSync(`${OUT}/scale.json`, JSON.stringify({ machine: m,
        options: o, summary, rows: res.rows, mem: res.mem }, null, 1));
    const md = `Measured ${m.date} (${cfg}).\n"vs smallest": ratio to `
        + `return 200, divided by the same ratio at ${ns[0]} profiles.\n\n`
        + `${mdTable(head, rows)}\n`;
    writeFileSync(`${OUT}/scale.md`, md);
    if (o.docs && updateDocs('scale', md)) log('updated docs/benchmarks.md');
}

/*
 * Flatness of the access rules: the friend scenario over snapshots of
 * several sizes, E edges a profile each (10k, 100k, 1M profiles: 100k,
 * 1M, 10M edges), each against return 200 with the friend view's body
 * in the same round; and, as the control, an anonymous viewer over the
 * same snapshots (no relation lookup) against return 200 of its body.
 */
async function scaleAccessMode(o) {
    const ns = o.sizes ?? [10000, 100000, 1000000];
    const sc = 'friend';
    const sizes = { access: accessSizes(Math.max(...ns), o.seed) };
    const snaps = {};
    const builds = {};
    for (const n of ns) {
        const r = await accessSnapshot(n, o.seed, o.edges,
            { dropInput: n >= 1000000 });
        snaps[n] = r.file;
        builds[n] = r.stats;
    }
    for (const n of ns) {
        // as --scale: from the page cache, read the same way every run
        const t0 = Date.now();
        execFileSync('dd', [`if=${snaps[n]}`, 'iflag=nocache', 'count=0',
            'status=none']);
        execFileSync('dd', [`if=${snaps[n]}`, 'of=/dev/null', 'bs=4M',
            'status=none']);
        log(`page cache: read ${snaps[n]} in `
            + `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const m = machine();
    const run = `${OUT}/run-scale-access`;
    const ctl = 'anonymous';
    const ctlPort = PORT.limitAnonymous;
    const limit = await startNginx('limit', `${run}/limit`,
        limitConf(`${run}/limit`, { public: PORT.limitPublic,
            self: PORT.limitSelf, access: { [sc]: PORT.limitAccess[sc],
                [ctl]: ctlPort } },
        { ...averageSizes(ns[0], o.seed), ...sizes }),
        [PORT.limitPublic, PORT.limitSelf, PORT.limitAccess[sc], ctlPort]);
    const peers = { limit };
    const access = { edges: o.edges, scenario: sc };
    const control = { edges: o.edges, scenario: ctl };
    const scenarios = [{ name: `limit-${sc}`, port: PORT.limitAccess[sc],
        view: sc, access, pids: limit.pids, workers: limit.workers,
        n: ns[0] }, { name: `limit-${ctl}`, port: ctlPort, view: ctl,
        access: control, pids: limit.pids, workers: limit.workers,
        n: ns[0] }];
    let port = 18280;
    try {
        for (const n of ns) {
            port++;
            const p = await startNginx(`module-access-${n}`,
                `${run}/module-${n}`, moduleAccessConf(`${run}/module-${n}`,
                    port, snaps[n]), [port]);
            peers[n] = p;
            p.ok = await checkAccess(`module (access rules) ${n}`, port,
                { ...o, n }, true);
            scenarios.push({ name: `module-${n}-${sc}`, port, view: sc, n,
                access, pids: p.pids, workers: p.workers,
                baseline: `limit-${sc}` });
            scenarios.push({ name: `module-${n}-${ctl}`, port, view: ctl, n,
                access: control, pids: p.pids, workers: p.workers,
                baseline: `limit-${ctl}` });
        }
    } catch (e) {
        await stopPeers(peers);
        throw e;
    }
    let res;
    try {
        res = await rounds(scenarios, { ...o,
            rowsFile: `${OUT}/scale-access-rows.json` });
    } finally {
        await stopPeers(peers);
    }
    const summary = summarize(scenarios, res.rows, res.mem);
    const head = ['scenario', 'profiles', 'edges', 'CPU us/req', 'x limit',
        'x limit (min-max)', 'vs smallest', 'vs smallest (min-max)',
        'user us/req', 'req/s', 'p99 ms', 'minflt/req', 'majflt/req',
        'other load %', 'worker PSS file MiB', 'worker 2 MB-mapped MiB'];
    const rows = summary.map((s) => {
        const x = scenarios.find((y) => y.name === s.scenario);
        let vs = ['-', '-'];
        if (x.baseline) {
            const first = `module-${ns[0]}-${x.access.scenario}`;
            // per round: this size's ratio over the smallest's
            const rr = [...new Set(res.rows.map((r) => r.round))].map((r) => {
                const a = res.rows.find((y) => y.round === r
                    && y.scenario === s.scenario);
                const b = res.rows.find((y) => y.round === r
                    && y.scenario === first);
                return a.ratio / b.ratio;
            });
            vs = [median(rr).toFixed(3), `${Math.min(...rr).toFixed(3)}-`
                + `${Math.max(...rr).toFixed(3)}`];
        }
        return [s.scenario, x.baseline ? String(x.n) : '-',
            x.baseline ? String(x.n * o.edges) : '-',
            s.cpu_us_per_req.toFixed(2), Number.isFinite(s.ratio)
                ? s.ratio.toFixed(2) : '-',
            Number.isFinite(s.ratio_min) ? `${s.ratio_min.toFixed(2)}-`
                + `${s.ratio_max.toFixed(2)}` : '-', ...vs,
            s.usr_us_per_req.toFixed(2), String(Math.round(s.rps)),
            s.p99_ms.toFixed(2), s.minflt_per_req.toFixed(3),
            s.majflt_per_req.toFixed(4), s.foreign_pct.toFixed(1),
            s.pss_file_mib.toFixed(1), s.file_pmd_mib.toFixed(1)];
    });
    const built = ns.filter((n) => builds[n]).map((n) => `${n}: `
        + `${builds[n].elapsed.toFixed(1)} s, max RSS `
        + `${Math.round(builds[n].maxrss_kib / 1024)} MiB`);
    const cfg = `friend viewer and an anonymous one (no relation lookup, `
        + `the control), sizes ${ns.join(', ')} with ${o.edges} edges `
        + `a profile, ${o.rounds} round(s) x ${o.seconds} s, wrk -t1 `
        + `-c${o.connections}; friend body ${sizes.access[sc]} B, anonymous `
        + `${sizes.access[ctl]} B`;
    const failed = Object.entries(peers).filter(([, p]) => p.ok === false)
        .map(([k]) => k);
    process.stdout.write(`\n${machineLine(m)}\n${cfg}\n`
        + (built.length ? `snapshots built now: ${built.join('; ')}\n` : '')
        + `\n${printTable(head, rows)}\n`
        + (failed.length ? `\nCORRECTNESS CHECK FAILED: ${failed.join(', ')}`
            + '\n' : ''));
    writeFileSync(`${OUT}/scale-access.csv`, csv(res.rows));
    writeFileSync(`${OUT}/scale-access.json`, JSON.stringify({ machine: m,
        options: o, builds, summary, rows: res.rows, mem: res.mem }, null,
    1));
    const md = `Measured ${m.date} (${cfg}).\n"vs smallest": the ratio to `
        + `return 200 divided by the same viewer's ratio at ${ns[0]} `
        + 'profiles, per round.\n\n'
        + `${mdTable(head, rows)}\n`
        + (failed.length ? `\n**Correctness check failed:** `
            + `${failed.join(', ')}\n` : '');
    writeFileSync(`${OUT}/scale-access.md`, md);
    log(`wrote ${OUT}/scale-access.{csv,md,json}`);
    if (o.docs && updateDocs('scale-access', md)) {
        log('updated docs/benchmarks.md');
    }
}

async function cliMode(o) {
    const ns = o.sizes ?? [100000, 1000000];
    const m = machine();
    const results = [];
    for (const n of ns) {
        const input = await ndjson(n, o.seed);
        const out = dataDir(n, o.seed) + '/cli-bench.mdb';
        const runs = [];
        for (let i = 0; i < o.rounds; i++) {
            log(`profile-snapshot build, ${n} records, round ${i + 1}`
                + ` of ${o.rounds}`);
            const r = await buildSnapshot(input, out, n);
            r.copy = timeMdbCopy(out);
            r.touch = timeFirstTouch(out, r.bytes);
            rmSync(out, { force: true });
            runs.push(r);
            log(`${n}: ${r.elapsed} s, ${Math.round(r.rate)} records/s, `
                + `max RSS ${r.maxrss_kib} KiB, first touch `
                + `${(r.touch.sys / (r.touch.bytes / 2 ** 30)).toFixed(2)} `
                + 's/GiB');
        }
        const med = (f) => median(runs.map(f));
        const rates = runs.map((r) => r.rate);
        results.push({ records: n, rounds: runs,
            input_bytes: runs[0].input_bytes, bytes: runs[0].bytes,
            elapsed: med((r) => r.elapsed), user: med((r) => r.user),
            sys: med((r) => r.sys), rate: med((r) => r.rate),
            rate_min: Math.min(...rates), rate_max: Math.max(...rates),
            cpu_rate: med((r) => n / (r.user + r.sys)),
            copy_ratio: med((r) => (r.user + r.sys)
                / (r.copy.user + r.copy.sys)),
            user_rate: med((r) => n / r.user),
            touch: med((r) => r.touch.sys / (r.touch.bytes / 2 ** 30)),
            touch_min: Math.min(...runs.map((r) => r.touch.sys
                / (r.touch.bytes / 2 ** 30))),
            touch_max: Math.max(...runs.map((r) => r.touch.sys
                / (r.touch.bytes / 2 ** 30))),
            maxrss_kib: Math.max(...runs.map((r) => r.maxrss_kib)),
            peak_anon_kib: Math.max(...runs.map((r) => r.peak_anon_kib)),
            peak_file_kib: Math.max(...runs.map((r) => r.peak_file_kib)) });
    }
    const head = ['records', 'input MiB', 'snapshot MiB', 'rounds', 'wall s',
        'user s', 'sys s', 'records/s', 'records/s min-max',
        'records per CPU s', 'records per user s', 'CPU x mdb_copy -c',
        'first touch s/GiB (min-max)', 'peak RSS MiB',
        'peak anon MiB', 'peak file MiB'];
    const mib = (k) => (k / 1024).toFixed(1);
    const rows = results.map((r) => [String(r.records),
        (r.input_bytes / 2 ** 20).toFixed(0), (r.bytes / 2 ** 20).toFixed(0),
        String(r.rounds.length), r.elapsed.toFixed(2), r.user.toFixed(2),
        r.sys.toFixed(2), String(Math.round(r.rate)),
        `${Math.round(r.rate_min)}-${Math.round(r.rate_max)}`,
        String(Math.round(r.cpu_rate)), String(Math.round(r.user_rate)),
        r.copy_ratio.toFixed(1), `${r.touch.toFixed(2)} (`
            + `${r.touch_min.toFixed(2)}-${r.touch_max.toFixed(2)})`,
        mib(r.maxrss_kib), mib(r.peak_anon_kib), mib(r.peak_file_kib)]);
    process.stdout.write(`\n${machineLine(m)}\n\n${printTable(head, rows)}\n`);
    writeFileSync(`${OUT}/cli.json`, JSON.stringify({ machine: m, results },
        null, 1));
    const md = `Measured ${m.date}; input NDJSON already in the page cache; `
        + `${o.rounds} round(s) a size, one after the other; wall, user, `
        + 'sys, records/s (records / wall), records per CPU second '
        + '(records / (user + sys)) and "CPU x mdb_copy -c" are medians '
        + 'over the rounds, peaks the largest of any round. Peak RSS '
        + 'from getrusage (`/usr/bin/time`), anon/file peaks sampled from '
        + '/proc/PID/status every 20 ms. "CPU x mdb_copy -c": the '
        + 'build\'s user+sys time divided by that of LMDB\'s own '
        + 'compacting copy of the snapshot it wrote (`mdb_copy -n -c`), '
        + 'timed right after it in the same round. "First touch s/GiB": '
        + 'system time of `dd if=/dev/zero bs=1M` writing as many bytes as '
        + 'the snapshot into a new file, timed after the copy in the same '
        + 'round, per GiB: what the machine charges at that moment for '
        + 'page-cache pages used the first time, which the build pays for '
        + 'its own output too.\n\n'
        + `${mdTable(head, rows)}\n`;
    writeFileSync(`${OUT}/cli.md`, md);
    if (o.docs && updateDocs('cli', md)) log('updated docs/benchmarks.md');
}

const o = parseArgs(process.argv.slice(2));
mkdirSync(OUT, { recursive: true });
const onSignal = () => {
    killAll();
    process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
    if (o.mode === 'main') await mainMode(o);
    else if (o.mode === 'scale') await scaleMode(o);
    else if (o.mode === 'scale-access') await scaleAccessMode(o);
    else if (o.mode === 'cli') await cliMode(o);
    else await callgrind(o);
} catch (e) {
    killAll();
    process.stderr.write(`bench: ${e.stack || e}\n`);
    process.exit(1);
}
