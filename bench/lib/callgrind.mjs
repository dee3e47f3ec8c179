// Instructions per request with valgrind --tool=callgrind: nginx in one
// process (master_process off), N keep-alive requests from one client
// connection, then callgrind_annotate --inclusive=yes; the inclusive cost
// of a function divided by N.  Repeatable whatever the machine's noise.

import { writeFileSync, rmSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { OUT, snapshot, accessSnapshot, clientsSnapshot } from './data.mjs';
import { averageSizes } from './profiles.mjs';
import { limitConf, moduleConf, moduleAccessConf, moduleClientsConf,
    startNginx } from './peers.mjs';
import { CLIENT_SCENARIOS, BATCH, clientName, clientsEmbed, clientsSizes,
    viewConf } from './clients.mjs';
import { moduleCachingConf, limitCachingConf, primeEtags, surrogateOf,
    CACHING_SCENARIOS } from './caching.mjs';
import { SCENARIOS, ROLE, accessSizes, scenarioPair } from './relations.mjs';
import { machine, machineLine, printTable, mdTable, updateDocs } from
    './report.mjs';

function log(msg) {
    process.stderr.write(`bench: ${msg}\n`);
}

// the requests' own PRNG (xorshift32, seeded): rnd(k) is 1 .. k
function xorshift(seed) {
    let s = (seed * 2654435761) >>> 0 || 1;
    return (k) => {
        s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
        return 1 + (s % k);
    };
}

// the same mix as wrk/profiles.lua (10% unknown ids), its own PRNG
function requests(count, n, seed, view) {
    const rnd = xorshift(seed);
    const out = [];
    for (let q = 0; q < count; q++) {
        const i = rnd(n);
        const id = rnd(10) === 1 ? n + i : i;
        let viewer = id;
        if (view !== 'self') {
            viewer = rnd(n);
            if (viewer === id) viewer = (viewer % n) + 1;
        }
        out.push(`GET /profiles/u${id} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
            + `X-Viewer: u${viewer}\r\n\r\n`);
    }
    return out;
}

// the access-rules scenarios' pairs, as wrk/access.lua draws them
function accessRequests(count, n, seed, edges, sc) {
    const rnd = xorshift(seed);
    const out = [];
    for (let q = 0; q < count; q++) {
        const i = rnd(n);
        const k = sc === 'friend' ? 5 + rnd(3) : rnd(6) - 1;
        const p = scenarioPair(n, edges, sc, i, k);
        const owner = rnd(10) === 1 ? n + p.owner : p.owner;
        out.push(`GET /profiles/u${owner} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
            + `X-Viewer: u${p.viewer}\r\n`
            + (p.roles ? `X-Roles: ${ROLE}\r\n` : '') + '\r\n');
    }
    return out;
}

// the client-views requests, as wrk/clients.lua draws them: existing ids,
// a viewer that is another profile; w is the scenario's { kind, query }
function clientsRequests(count, n, seed, w) {
    const rnd = xorshift(seed);
    const out = [];
    for (let q = 0; q < count; q++) {
        let viewer = rnd(n);
        let path;
        if (w.kind === 'batch') {
            const ids = [];
            for (let k = 0; k < BATCH; k++) ids.push(`u${rnd(n)}`);
            path = `/batch?ids=${ids.join(',')}`;
        } else {
            const id = rnd(n);
            if (viewer === id) viewer = (viewer % n) + 1;
            path = w.kind === 'view' ? `/v/u${id}?${w.query}`
                : `/profiles/u${id}`;
        }
        out.push(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
            + `X-Viewer: u${viewer}\r\n\r\n`);
    }
    return out;
}

// the HTTP-caching requests, as wrk/caching.lua draws them: existing
// ids, anonymous; kind "inm" sends If-None-Match with the id's ETag
// (etags[i - 1], primed)
function cachingRequests(count, n, seed, kind, etags) {
    const rnd = xorshift(seed);
    const out = [];
    for (let q = 0; q < count; q++) {
        const id = rnd(n);
        out.push(`GET /profiles/u${id} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
            + (kind === 'inm' ? `If-None-Match: ${etags[id - 1]}\r\n` : '')
            + '\r\n');
    }
    return out;
}

// one connection, one request at a time; counts complete responses
function drive(port, reqs) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        let buf = Buffer.alloc(0);
        let next = 0;
        let done = 0;
        const statuses = {};
        const send = () => sock.write(reqs[next++]);
        sock.on('connect', send);
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            for (;;) {
                const h = buf.indexOf('\r\n\r\n');
                if (h < 0) return;
                const head = buf.subarray(0, h).toString('latin1');
                const cl = /content-length:\s*(\d+)/i.exec(head);
                const len = cl ? Number(cl[1]) : 0;
                if (buf.length < h + 4 + len) return;
                const st = head.slice(9, 12);
                statuses[st] = (statuses[st] || 0) + 1;
                buf = buf.subarray(h + 4 + len);
                done++;
                if (done === reqs.length) {
                    sock.end();
                    resolve(statuses);
                    return;
                }
                send();
            }
        });
        sock.on('error', reject);
    });
}

const FUNCS = ['ngx_process_events_and_timers', 'ngx_http_profile_handler',
    'ngx_http_rewrite_handler', 'ngx_http_profile_snapshot_pin',
    'ngx_http_profile_snapshot_record', 'mdb_get',
    'ngx_http_profile_record_parse', 'ngx_http_profile_json_size',
    'ngx_http_profile_json_write', 'ngx_http_profile_error_send',
    'ngx_http_send_header', 'ngx_http_output_filter',
    'ngx_http_complex_value', 'ngx_regex_exec_array', 'ngx_http_regex_exec',
    'ngx_http_profile_handler_relation', 'ngx_http_profile_snapshot_relation',
    'ngx_http_profile_relation_find', 'ngx_http_profile_rules_roles',
    'ngx_http_profile_rules_decide'];

// the client views' own (added to FUNCS for --groups clients)
const CLIENT_FUNCS = ['ngx_http_profile_batch_handler',
    'ngx_http_profile_view_choose', 'ngx_http_profile_handler_item',
    'ngx_http_profile_plan_size', 'ngx_http_profile_plan_render',
    'ngx_http_profile_render'];

// the caching group's (added to FUNCS for --groups caching)
const CACHING_FUNCS = ['ngx_http_profile_cache_headers',
    'ngx_http_profile_cache_etag'];

function annotate(file, count, top) {
    const txt = execFileSync('callgrind_annotate', ['--inclusive=yes',
        '--threshold=100', file], { maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const incl = {};
    const lines = [];
    for (const line of txt.split('\n')) {
        const m = /^\s*([\d,]+)\s+(?:\([\s\d.]+%\)\s+)?(\S+?)(?::(\S+))?\s*(\[.*\])?$/
            .exec(line);
        if (!m) continue;
        const ir = Number(m[1].replace(/,/g, ''));
        const fn = m[3] || m[2];
        if (!(fn in incl)) incl[fn] = ir;
        lines.push([fn, ir]);
    }
    const per = {};
    for (const [fn, ir] of Object.entries(incl)) per[fn] = ir / count;
    writeFileSync(top, lines.slice(0, 80).map(([fn, ir]) =>
        `${(ir / count).toFixed(0).padStart(9)}  ${fn}`).join('\n') + '\n');
    return per;
}

export async function callgrind(o) {
    const count = o.requests;
    const sizes = averageSizes(o.n, o.seed);
    const m = machine();
    const run = `${OUT}/run-callgrind`;
    const cases = [];
    // the views cases with the views and access groups, as before
    if (o.groups.includes('views') || o.groups.includes('access')) {
        const snap = (await snapshot(o.n, o.seed)).file;
        cases.push(
            ['limit-public', 'public', (p) => limitConf(p, { public: 18281,
                self: 18282 }, sizes), 18281],
            ['limit-self', 'self', (p) => limitConf(p, { public: 18281,
                self: 18282 }, sizes), 18282],
            ['module-public', 'public', (p) => moduleConf(p, 18283, snap),
                18283],
            ['module-self', 'self', (p) => moduleConf(p, 18283, snap), 18283],
            // informative: the older regex form (`profile_id $1`)
            ['module-regex-public', 'public', (p) => moduleConf(p, 18283,
                snap, 18284), 18284]);
    }
    const clients = o.groups.includes('clients');
    let embed = null;
    if (clients) {
        // each view next to its return 200; the plain profile and the
        // batch on their own (the batch's goal is against the plain one)
        const c = await clientsSnapshot(o.n, o.seed);
        embed = clientsEmbed(run, c, 18288);
        if (!embed.ok) {
            log('client views: scenario "web" (the web view with an '
                + `embedded team) SKIPPED: ${embed.reason}`);
        }
        const all = { ...sizes, clients: clientsSizes(o.n, o.seed,
            c.snapshot) };
        for (const [sc, w, l] of CLIENT_SCENARIOS) {
            if (sc === 'web' && !embed.ok) continue;
            if (l) {
                cases.push([`limit-${sc}`, sc, (p) => limitConf(p, {
                    clients: { [sc]: 18287 } }, all), 18287, [18287], w]);
            }
            cases.push([clientName('module', sc), sc, (p) =>
                moduleClientsConf(p, 18288, c.file, viewConf(embed.ok)),
            18288, [18288], w]);
        }
    }
    const caching = o.groups.includes('caching');
    let etags = null;
    if (caching) {
        // the ETags primed from the module outside valgrind (the same
        // configuration gives the same ETags), then the group's four
        // cases: return 200 with the headers, the public 200 without and
        // with the directives, the 304
        const snap = (await snapshot(o.n, o.seed)).file;
        const ports = { cache: 18292, plain: 18293 };
        const mconf = (p) => moduleCachingConf(p, ports, snap);
        const prime = await startNginx('module-caching-prime',
            `${run}/module-caching-prime`,
            mconf(`${run}/module-caching-prime`), [ports.cache, ports.plain]);
        let primed;
        try {
            log(`caching: priming the ETags of ${o.n} profiles`);
            primed = await primeEtags(ports.cache, o.n,
                `${run}/caching-etags.txt`);
        } finally {
            await prime.stop();
        }
        etags = readFileSync(primed.file, 'utf8').split('\n');
        for (const [name, kind, port] of CACHING_SCENARIOS) {
            cases.push(port === 'limit' ? [name, 'caching', (p) =>
                limitCachingConf(p, 18291, sizes.public, surrogateOf(o.n,
                    primed.snapshot)), 18291, [18291], null, kind]
                : [name, 'caching', mconf, ports[port],
                    [ports.cache, ports.plain], null, kind]);
        }
    }
    if (o.groups.includes('access')) {
        // the access-rules scenarios, each next to its return 200
        const asnap = (await accessSnapshot(o.n, o.seed, o.edges)).file;
        const all = { ...sizes, access: accessSizes(o.n, o.seed) };
        for (const sc of SCENARIOS) {
            cases.push([`limit-${sc}`, sc, (p) => limitConf(p, {
                public: 18281, self: 18282, access: { [sc]: 18285 } }, all),
            18285, [18281, 18282, 18285]]);
            cases.push([`module-${sc}`, sc, (p) => moduleAccessConf(p, 18286,
                asnap), 18286, [18286]]);
        }
    }
    const results = {};
    for (const [name, view, conf, port, listens, w, kind] of cases) {
        const prefix = `${run}/${name}`;
        const out = `${prefix}/callgrind.out`;
        rmSync(out, { force: true });
        log(`callgrind ${name}: ${count} requests`);
        const ports = listens ?? (name.startsWith('limit') ? [18281, 18282]
            : (port === 18284 ? [18283, 18284] : [port]));
        const ngx = await startNginx(name, prefix, conf(prefix), ports, {
            single: true, timeoutMs: 120000,
            wrap: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${out}`],
        });
        let statuses;
        try {
            statuses = await drive(port, kind ? cachingRequests(count, o.n,
                o.seed, kind, etags) : w ? clientsRequests(count, o.n,
                o.seed, w) : SCENARIOS.includes(view)
                ? accessRequests(count, o.n, o.seed, o.edges, view)
                : requests(count, o.n, o.seed, view));
        } finally {
            await ngx.stop();
        }
        results[name] = { statuses, per: annotate(out, count,
            `${prefix}/top.txt`) };
        log(`${name}: ${JSON.stringify(statuses)}, `
            + `${Math.round(results[name].per.ngx_process_events_and_timers)}`
            + ' instructions per request in the event loop');
    }
    const names = cases.map((c) => c[0]);
    const funcs = [...FUNCS, ...(clients ? CLIENT_FUNCS : []),
        ...(caching ? CACHING_FUNCS : [])];
    const rows = funcs.filter((f) => names.some((n) => results[n].per[f]))
        .map((f) => [f, ...names.map((n) => (results[n].per[f]
            ? Math.round(results[n].per[f]).toString() : '-'))]);
    // derived rows: the handler's own work without the generic send path,
    // and what the module adds to the whole event loop over return 200
    const ir = (n, f) => results[n].per[f] ?? 0;
    // (a batch's content handler is ngx_http_profile_batch_handler)
    const handler = (n) => ir(n, 'ngx_http_profile_handler')
        || ir(n, 'ngx_http_profile_batch_handler');
    rows.push(['= handler without send_header/output_filter',
        ...names.map((n) => (handler(n)
            ? String(Math.round(handler(n) - ir(n, 'ngx_http_send_header')
                - ir(n, 'ngx_http_output_filter'))) : '-'))]);
    const limitOf = (n) => `limit-${cases.find((c) => c[0] === n)[1]}`;
    rows.push(['= event loop minus return 200 of the same view',
        ...names.map((n) => (n.startsWith('module-') && results[limitOf(n)]
            ? String(Math.round(ir(n, 'ngx_process_events_and_timers')
                - ir(limitOf(n), 'ngx_process_events_and_timers'))) : '-'))]);
    if (clients && results['module-clients-plain']
        && results[`module-batch${BATCH}`]) {
        const per = (n) => ir(n, 'ngx_process_events_and_timers');
        rows.push([`= batch of ${BATCH} / plain profile (event loop)`,
            ...names.map((n) => (n === `module-batch${BATCH}`
                ? (per(n) / per('module-clients-plain')).toFixed(2)
                : '-'))]);
    }
    if (caching) {
        const per = (n) => ir(n, 'ngx_process_events_and_timers');
        rows.push(['= the directives: public 200 with minus without (event '
            + 'loop)', ...names.map((n) => (n === 'module-public-cache'
            ? String(Math.round(per(n) - per('module-public-nocache')))
            : '-'))]);
        rows.push(['= / return 200 with the same headers (event loop)',
            ...names.map((n) => (n.startsWith('module-')
                && results['limit-caching']
                ? (per(n) / per('limit-caching')).toFixed(2) : '-'))]);
    }
    const head = ['function (inclusive Ir / request)', ...names];
    const cfg = `${count} requests per case over one keep-alive connection, `
        + `${o.n} profiles`
        + (cases.some((c) => !c[5] && !c[6]) ? ', 10% unknown ids (404)'
            : '')
        + (clients ? `; the client-views cases over the snapshot of `
            + 'schema-clients.json, existing ids only, as wrk/clients.lua '
            + `draws them${embed.ok ? ''
                : ` (web with the embed skipped: ${embed.reason})`}` : '')
        + (caching ? '; the caching cases anonymous, existing ids only, as '
            + 'wrk/caching.lua draws them (the 304 with each id\'s primed '
            + 'ETag; return 200 with add_header of the same Cache-Control, '
            + 'ETag, Vary and Surrogate-Key, sent the same If-None-Match)'
            : '')
        + (o.groups.includes('access') ? `; the access-rules cases over the `
            + `snapshot of schema-access.json with ${o.n * o.edges} edges, `
            + 'their pairs as wrk/access.lua draws them' : '')
        + `; nginx ${m.nginx} in one `
        + 'process (master_process off) under valgrind --tool=callgrind';
    process.stdout.write(`\n${machineLine(m)}\n${cfg}\n\n`
        + `${printTable(head, rows)}\n`);
    writeFileSync(`${OUT}/callgrind.json`, JSON.stringify({ machine: m,
        count, results }, null, 1));
    const md = `Measured ${m.date}, commit ${m.commit}; ${cfg}. `
        + '`ngx_process_events_and_timers` is everything nginx does in user '
        + 'space per request (read, parse, handler, write, keep-alive); the '
        + 'handler row is the content handler alone, including the write of '
        + 'the response through the filter chain. Per-function lists: '
        + '`bench/out/run-callgrind/*/top.txt`.\n\n'
        + `${mdTable(head, rows)}\n`;
    writeFileSync(`${OUT}/callgrind.md`, md);
    // --groups clients alone has a section of its own
    const section = o.groups.length === 1 && clients ? 'callgrind-clients'
        : o.groups.length === 1 && caching ? 'callgrind-caching'
            : 'callgrind';
    if (o.docs && updateDocs(section, md)) {
        log('updated docs/benchmarks.md');
    }
}
