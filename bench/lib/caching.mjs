// The HTTP-caching group of the bench (bench/run --groups caching,
// docs/benchmarks.md "HTTP caching", issue #19): the module's plain
// profile object to an anonymous request, from a location with every
// caching directive of docs/caching.md and from the same location
// without them; a 304 (If-None-Match with the profile's current ETag);
// and the limit, nginx `return 200` of the public body's size with
// add_header of the same Cache-Control, ETag, Vary and Surrogate-Key
// values.
//
// The ETags are primed before any load (primeEtags(): one request per
// id, every id of the data set) and written one a line, line i the
// ETag of "u{i}", for wrk/caching.lua, which reads them into a table.

import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { publicView, profile } from './profiles.mjs';
import { header, NDK_SO, MODULE_SO } from './peers.mjs';

// the directives of issue #19's public view (docs/caching.md)
export const CACHE_DIRECTIVES = [
    'profile_cache_public max-age=60 s-maxage=300 stale-while-revalidate=30'
        + ' stale-if-error=600;',
    'profile_cache_not_found 10s;',
    'profile_cache_tags Surrogate-Key;',
];
export const CACHE_CONTROL = 'public, max-age=60, s-maxage=300, '
    + 'stale-while-revalidate=30, stale-if-error=600';
export const VARY = 'X-Viewer';

/*
 * The module with the caching directives on ports.cache and the same
 * location without them on ports.plain, in one nginx (one worker): both
 * `location /profiles/ { profile; profile_viewer $http_x_viewer
 * trusted; }` over the snapshot of bench/schema.json.
 */
export function moduleCachingConf(prefix, ports, snapshot) {
    const loc = (extra) => `        location /profiles/ {
            profile;
            profile_viewer $http_x_viewer trusted;
${extra.map((l) => `            ${l}\n`).join('')}        }
`;
    return header(prefix, [NDK_SO, MODULE_SO],
        `    profile_snapshot ${snapshot};\n`) + `
    server {
        listen 127.0.0.1:${ports.cache};
${loc(CACHE_DIRECTIVES)}    }
    server {
        listen 127.0.0.1:${ports.plain};
${loc([])}    }
}
`;
}

/*
 * The limit peer: return 200 with a body of `size` bytes and the
 * headers the module sends on a shareable 200 with the directives, of
 * the same lengths: Cache-Control as configured, a strong ETag of 16
 * hex digits, Vary, and the Surrogate-Key of a profile of the middle
 * of the data set (`p:ID snap:SNAPSHOT`, tags.surrogate).
 */
export function limitCachingConf(prefix, port, size, surrogate) {
    const body = '{"x":"' + 'x'.repeat(size - 8) + '"}';
    return header(prefix, [], '') + `
    server {
        listen 127.0.0.1:${port};
        location /profiles/ {
            add_header Cache-Control "${CACHE_CONTROL}";
            add_header ETag '"0123456789abcdef"';
            add_header Vary ${VARY};
            add_header Surrogate-Key "${surrogate}";
            return 200 '${body}';
        }
    }
}
`;
}

function get(agent, port, path, headers = {}) {
    return new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path, headers,
            agent }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    });
}

const ETAG = /^"[0-9a-f]{16}"$/;

/*
 * Every id's current ETag from the location with the directives
 * (anonymous, one request per id, 8 at a time over keep-alive), written
 * to `file` one a line (line i: "u{i}"'s).  Returns { file, snapshot }:
 * snapshot is the id the Surrogate-Key names (`snap:ID`).  Throws on
 * any answer that is not a 200 with a strong ETag.
 */
export async function primeEtags(port, n, file) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const etags = new Array(n);
    let snap = null;
    let next = 1;
    const worker = async () => {
        while (next <= n) {
            const i = next++;
            const r = await get(agent, port, `/profiles/u${i}`);
            const tag = r.headers.etag;
            if (r.status !== 200 || !ETAG.test(tag ?? '')) {
                throw new Error(`priming the ETags: u${i}: ${r.status} `
                    + `ETag ${tag}`);
            }
            etags[i - 1] = tag;
            if (snap === null) {
                const m = / snap:(\S+)$/.exec(r.headers['surrogate-key']
                    ?? '');
                if (m) snap = m[1];
            }
        }
    };
    try {
        await Promise.all(Array.from({ length: 8 }, worker));
    } finally {
        agent.destroy();
    }
    if (snap === null) throw new Error('priming the ETags: no snap: tag');
    mkdirSync(file.replace(/\/[^/]*$/, ''), { recursive: true });
    writeFileSync(file, etags.join('\n') + '\n');
    return { file, snapshot: snap };
}

/*
 * The module's and the limit's answers, for a few profiles: the body is
 * the public view byte for byte on both locations, with the same ETag;
 * with the directives, Cache-Control, Surrogate-Key (`p:ID snap:ID`)
 * and Vary as configured, without them neither Cache-Control nor
 * Surrogate-Key; If-None-Match with the primed ETag is a 304 with the
 * same headers and no body, with another ETag a 200; an unknown id is
 * a 404 with `public, max-age=10`; the limit answers 200 with its four
 * headers and a body of `size` bytes.  log(msg) reports; returns true
 * when everything matched.
 */
export async function checkCaching(name, ports, o, primed, size, log) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const problems = [];
    const n = o.n;
    const etags = readFileSync(primed.file, 'utf8').split('\n');
    const expect = (what, got, want) => {
        if (got !== want) {
            problems.push(`${what}: got ${JSON.stringify(got)}, want `
                + JSON.stringify(want));
        }
    };
    let count = 0;
    try {
        for (const i of [1, 2, 3, Math.floor(n / 2), n]) {
            const id = `u${i}`;
            const body = JSON.stringify(publicView(profile(i, o.seed)));
            const tags = `p:${id} snap:${primed.snapshot}`;
            const c = await get(agent, ports.cache, `/profiles/${id}`);
            const p = await get(agent, ports.plain, `/profiles/${id}`);
            const nm = await get(agent, ports.cache, `/profiles/${id}`,
                { 'If-None-Match': etags[i - 1] });
            const other = await get(agent, ports.cache, `/profiles/${id}`,
                { 'If-None-Match': '"0000000000000000"' });
            count += 4;
            for (const [what, r] of [['with the directives', c],
                ['without them', p], ['another ETag', other]]) {
                expect(`${id} ${what}: status`, r.status, 200);
                expect(`${id} ${what}: body`, r.body, body);
                expect(`${id} ${what}: ETag`, r.headers.etag, etags[i - 1]);
                expect(`${id} ${what}: Vary`, r.headers.vary, VARY);
            }
            for (const [what, r] of [['with the directives', c],
                ['another ETag', other], ['304', nm]]) {
                expect(`${id} ${what}: Cache-Control`,
                    r.headers['cache-control'], CACHE_CONTROL);
                expect(`${id} ${what}: Surrogate-Key`,
                    r.headers['surrogate-key'], tags);
            }
            expect(`${id} without them: Cache-Control`,
                p.headers['cache-control'], undefined);
            expect(`${id} without them: Surrogate-Key`,
                p.headers['surrogate-key'], undefined);
            expect(`${id} 304: status`, nm.status, 304);
            expect(`${id} 304: body`, nm.body, '');
            expect(`${id} 304: ETag`, nm.headers.etag, etags[i - 1]);
            expect(`${id} 304: Vary`, nm.headers.vary, VARY);
        }
        const miss = await get(agent, ports.cache, `/profiles/u${n + 7}`);
        count++;
        expect('unknown id: status', miss.status, 404);
        expect('unknown id: Cache-Control', miss.headers['cache-control'],
            'public, max-age=10');
        const l = await get(agent, ports.limit, '/profiles/u1',
            { 'If-None-Match': '"0123456789abcdef"' });
        count++;
        expect('limit: status', l.status, 200);
        expect('limit: body size', Buffer.byteLength(l.body), size);
        expect('limit: Cache-Control', l.headers['cache-control'],
            CACHE_CONTROL);
        expect('limit: ETag', l.headers.etag, '"0123456789abcdef"');
        expect('limit: Vary', l.headers.vary, VARY);
        expect('limit: Surrogate-Key', l.headers['surrogate-key'],
            surrogateOf(n, primed.snapshot));
    } finally {
        agent.destroy();
    }
    if (problems.length) {
        log(`CHECK FAILED for ${name}:\n  ${problems.join('\n  ')}`);
    } else {
        log(`check ${name}: ${count} answers (200 with and without the `
            + 'directives, 304, another ETag, an anonymous 404, the limit) '
            + 'as expected');
    }
    return problems.length === 0;
}

// the limit's Surrogate-Key: that of the profile in the middle
export function surrogateOf(n, snapshot) {
    return `p:u${Math.floor(n / 2)} snap:${snapshot}`;
}

/*
 * The scenarios: name, what wrk/caching.lua asks (KIND: "plain", GET
 * /profiles/u{i} with no viewer; "inm", the same with If-None-Match:
 * the primed ETag of u{i}), the port's key, the baseline, the label.
 */
export const CACHING_SCENARIOS = [
    ['limit-caching', 'inm', 'limit', null,
        'return 200 + caching headers (public size)'],
    ['module-public-nocache', 'plain', 'plain', null,
        'module public, anonymous, no caching directives'],
    ['module-public-cache', 'plain', 'cache', 'module-public-nocache',
        'module public, anonymous, caching directives'],
    ['module-304', 'inm', 'cache', 'limit-caching',
        'module 304 (If-None-Match matching)'],
];

export const CACHING_TARGETS = [
    ['module-304', 'limit-caching', '<=', 0.9,
        'module 304 (If-None-Match matching) vs return 200 of the public '
        + 'size with the same headers'],
    ['module-public-cache', 'module-public-nocache', '<=', 1.05,
        'module public 200 with the caching directives vs without them'],
    ['module-public-cache', 'limit-caching', null, null,
        'module public 200 with the directives vs return 200 with the '
        + 'same headers (reported, no goal)'],
    ['module-public-nocache', 'limit-caching', null, null,
        'module public 200 without the directives vs return 200 with the '
        + 'caching headers (reported, no goal)'],
];
