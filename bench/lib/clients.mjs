// The client-views group of the bench (bench/run --groups clients,
// docs/benchmarks.md "Client views", issue #17): its data, its views,
// the answers every peer must give byte for byte, and the checks.
//
// Data: clientProfile(i, seed) is profiles.mjs profile(i, seed) in the
// shape of bench/schema-clients.json: `location` an object with the
// declared members city and country (the city "" for one profile in
// ten, so that omit_empty has something to drop), and a `team_id`
// naming one of TEAMS teams (team(k)), the embeddable source "teams".
//
// Views (VIEWS): mobile (omit_empty, integers as strings, epoch
// timestamps, renames, a member flattened) asked with fields= of 5
// names; web (envelope, nested output names, the members of location,
// and the team embedded through the view team_card); web-noembed, the
// same without the embed (informative: it runs whether or not the
// module and the CLI can embed, and tells the embed's share).  The
// module gets them as profile_view blocks (viewConf()), the OpenResty
// peer as the JSON of VIEWS (its Lua walks the same steps), and
// render() is the oracle both are checked against.

import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { profile } from './profiles.mjs';
import { moduleClientsConf, httpGet, MODULE_SO, NGINX } from './peers.mjs';

const here = new URL('.', import.meta.url).pathname;

export const CLIENTS_SCHEMA = here + '../schema-clients.json';
export const clientsSchema = JSON.parse(readFileSync(CLIENTS_SCHEMA,
    'utf8'));
export const TEAMS = 1000;
export const BATCH = 10;

const COUNTRY = { Berlin: 'DE', Paris: 'FR', Lisbon: 'PT', 'São Paulo': 'BR',
    Tokyo: 'JP', Oslo: 'NO', Kraków: 'PL', Toronto: 'CA', Nairobi: 'KE',
    Auckland: 'NZ', Reykjavík: 'IS', Austin: 'US' };
const TEAM_WORDS = ['Nord', 'Zürich', 'Łódź', 'Aurora', 'Delta', 'Café',
    'Orbit', 'Maple'];

export function teamOf(i) {
    return 1 + (Math.imul(i, 2654435761) >>> 0) % TEAMS;
}

export function clientProfile(i, seed) {
    const p = profile(i, seed);
    const out = {};
    for (const f of clientsSchema.fields) {
        if (f.name === 'location') {
            out.location = { city: i % 10 === 3 ? '' : p.location,
                country: COUNTRY[p.location] };
        } else if (f.name === 'team_id') {
            out.team_id = 't' + teamOf(i);
        } else if (f.name in p) {
            out[f.name] = p[f.name];
        }
    }
    return out;
}

export function team(k) {
    return { id: 't' + k, name: `${TEAM_WORDS[k % TEAM_WORDS.length]} `
        + `team ${k}`, members: 1 + (Math.imul(k, 7919) >>> 0) % 500 };
}

// the schema without the embeddable source, for a CLI that has none
export function schemaWithoutTeams() {
    const s = JSON.parse(JSON.stringify(clientsSchema));
    delete s.sources;
    return s;
}

/*
 * A view: its steps [SOURCE, OUTPUT] in the order of its field lines
 * (OUTPUT defaults to SOURCE; "a.b" is a member or a nested name), its
 * options, and for web an embed [OUTPUT, KEYFIELD, VIEW].  The mobile
 * view is asked for MOBILE_FIELDS.
 */
export const VIEWS = {
    mobile: { omit_empty: true, integers: 'string', timestamps: 'epoch',
        steps: [['id'], ['display_name', 'name'], ['avatar_url', 'avatar'],
            ['followers'], ['following'], ['created_at'],
            ['location.city', 'city'], ['verified'], ['languages']] },
    web: { envelope: true, steps: [['id'], ['display_name', 'name.display'],
        ['avatar_url', 'avatar.url'], ['location.city'],
        ['location.country'], ['followers', 'stats.followers'],
        ['following', 'stats.following'], ['created_at'], ['verified']],
    embed: ['team', 'team_id', 'team_card'] },
    team_card: { source: 'teams', steps: [['id'], ['name'], ['members']] },
};
VIEWS['web-noembed'] = { ...VIEWS.web, embed: undefined };
export const MOBILE_FIELDS = ['id', 'name', 'followers', 'created_at',
    'city'];

// the profile_view blocks; embed: whether to declare the embed (and
// team_card, a view of the embeddable source)
export function viewConf(embed) {
    const names = ['mobile', 'web-noembed', ...(embed ? ['web',
        'team_card'] : [])];
    return names.map((name) => {
        const v = VIEWS[name];
        const lines = [];
        if (v.source) lines.push(`source ${v.source};`);
        if (v.envelope) lines.push('envelope on;');
        if (v.omit_empty) lines.push('omit_empty on;');
        if (v.integers) lines.push(`integers ${v.integers};`);
        if (v.timestamps) lines.push(`timestamps ${v.timestamps};`);
        for (const [src, out] of v.steps) {
            lines.push(`field ${src}${out ? ' ' + out : ''};`);
        }
        if (v.embed) lines.push(`embed ${v.embed.join(' ')};`);
        return `    profile_view ${name} {\n`
            + lines.map((l) => `        ${l}\n`).join('') + '    }\n';
    }).join('');
}

function fieldType(schema, src) {
    const [name, member] = src.split('.');
    const f = schema.find((x) => x.name === name);
    if (!member) return f.type;
    return f.fields.find((x) => x.name === member).type;
}

const empty = (v) => v === null || v === '' || (Array.isArray(v)
    && v.length === 0) || (typeof v === 'object' && v !== null
    && !Array.isArray(v) && Object.keys(v).length === 0);

/*
 * The oracle: what a view writes for record p (a profile, or a team
 * for team_card): opts.fields the fields= names (null: all), opts.team
 * the embedded record (undefined: missing), opts.snapshot the snapshot
 * id of the envelope.  Returns the object; JSON.stringify gives the
 * bytes (no "/" escaped, UTF-8 as is, as the module writes).
 */
export function render(name, p, opts = {}) {
    const v = VIEWS[name];
    const schema = v.source ? clientsSchema.sources[v.source].fields
        : clientsSchema.fields;
    const out = {};
    const sel = opts.fields ? new Set(opts.fields) : null;
    for (const [src, outName = src] of v.steps) {
        const path = outName.split('.');
        if (sel && !sel.has(path[0])) continue;
        let parent = out;
        for (const k of path.slice(0, -1)) {
            if (!(k in parent)) parent[k] = {};
            parent = parent[k];
        }
        const [a, b] = src.split('.');
        let val = b ? p[a]?.[b] : p[a];
        if (val === undefined) continue;
        const type = fieldType(schema, src);
        if (val !== null && type === 'integer' && v.integers === 'string') {
            val = String(val);
        }
        if (val !== null && type === 'timestamp'
            && v.timestamps === 'epoch') {
            val = Date.parse(val) / 1000;
        }
        if (v.omit_empty && empty(val)) continue;
        parent[path.at(-1)] = val;
    }
    if (v.omit_empty) {
        for (const k of Object.keys(out)) if (empty(out[k])) delete out[k];
    }
    if (v.embed) {
        out[v.embed[0]] = opts.team === undefined ? null
            : render(v.embed[2], opts.team);
    }
    return v.envelope ? { data: out, meta: { snapshot: opts.snapshot,
        view: name } } : out;
}

// the plain profile object an anonymous or other viewer gets
export function plain(p) {
    const out = {};
    for (const f of clientsSchema.fields) {
        if (f.visibility === 'public' && f.name in p) out[f.name] = p[f.name];
    }
    return out;
}

// the batch of ids (1-based indexes of existing profiles)
export function batchBody(ids, seed) {
    return JSON.stringify(ids.map((i) => plain(clientProfile(i, seed))));
}

// the body a scenario expects for profile i (for a batch, i's batch:
// the ten profiles from i on, as the checks ask for them)
export function expected(sc, i, seed, snapshot) {
    const p = clientProfile(i, seed);
    switch (sc) {
    case 'plain': return JSON.stringify(plain(p));
    case 'mobile': return JSON.stringify(render('mobile', p,
        { fields: MOBILE_FIELDS }));
    case 'batch': return batchBody(batchIds(i), seed);
    default: return JSON.stringify(render(sc, p, { snapshot,
        team: team(teamOf(i)) }));
    }
}

export function batchIds(i) {
    return Array.from({ length: BATCH }, (_, k) => i + k * 997);
}

// the path of a scenario's request for profile i (wrk/clients.lua
// writes the same)
export function scenarioPath(sc, i) {
    switch (sc) {
    case 'plain': return `/profiles/u${i}`;
    case 'mobile': return `/v/u${i}?view=mobile&fields=`
        + MOBILE_FIELDS.join(',');
    case 'batch': return '/batch?ids=' + batchIds(i).map((k) => `u${k}`)
        .join(',');
    default: return `/v/u${i}?view=${sc}`;
    }
}

// average body per scenario over the first `sample` profiles
export function clientsSizes(n, seed, snapshot, sample = 5000) {
    const m = Math.min(n, sample);
    const sizes = {};
    for (const sc of ['plain', 'mobile', 'web', 'web-noembed']) {
        let sum = 0;
        for (let i = 1; i <= m; i++) {
            sum += Buffer.byteLength(expected(sc, i, seed, snapshot));
        }
        sizes[sc] = Math.round(sum / m);
    }
    // ten profiles drawn at random: ten average plain bodies, commas, []
    sizes.batch = BATCH * sizes.plain + BATCH + 1;
    return sizes;
}

function get(port, path, viewer) {
    return httpGet(port, path, { 'X-Viewer': viewer });
}

/*
 * A peer answers each scenario of `scs` exactly as the oracle says, byte
 * for byte, for a few profiles (the first ones, one with an empty city,
 * the middle, the last but the batch's reach); log(msg) reports.
 * Returns true when every answer matched.
 */
export async function checkClients(name, port, o, scs, snapshot, log) {
    const problems = [];
    const n = o.n;
    const last = n - (BATCH - 1) * 997;
    const ids = [1, 2, 3, 13, Math.floor(n / 2)].filter((i) => i <= last);
    let count = 0;
    for (const sc of scs) {
        for (const i of ids) {
            const want = expected(sc, i, o.seed, snapshot);
            const got = await get(port, scenarioPath(sc, i),
                `u${i % n + 1}`);
            count++;
            if (got.status !== 200 || got.body !== want) {
                problems.push(`${sc} u${i}: ${got.status}\n    got  `
                    + `${got.body.slice(0, 300)}\n    want ${want.slice(0,
                        300)}`);
            }
        }
    }
    if (problems.length) {
        log(`CHECK FAILED for ${name}:\n  ${problems.join('\n  ')}`);
    } else {
        log(`check ${name}: ${count} answers (${scs.join(', ')}) as the `
            + 'oracle, byte for byte');
    }
    return problems.length === 0;
}

/*
 * The client-views scenarios (lib/clients.mjs): name, what wrk asks
 * (wrk/clients.lua), and whether it has a return 200 of its own body
 * size.  "web" (the embed) runs only when the CLI and the module both
 * embed (clientsEmbed()).
 */
export const CLIENT_SCENARIOS = [
    ['plain', { kind: 'plain' }, false],
    ['mobile', { kind: 'view', query: 'view=mobile&fields='
        + MOBILE_FIELDS.join(',') }, true],
    ['web', { kind: 'view', query: 'view=web' }, true],
    ['web-noembed', { kind: 'view', query: 'view=web-noembed' }, true],
    ['batch', { kind: 'batch' }, false],
];
export const clientName = (peer, sc) => `${peer}-${sc === 'plain' ? 'clients-plain'
    : sc === 'batch' ? `batch${BATCH}` : sc}`;

/*
 * Whether the web view's embed can run: the clients snapshot has the
 * teams (the CLI took the embeddable source) and nginx -t takes the
 * view line `embed team team_id team_card;` and the view team_card
 * (`source teams;`), checked under run/module-clients-t (port: the
 * one the configuration names; nginx -t binds nothing).  Returns { ok,
 * reason }.
 */
export function clientsEmbed(run, clients, port) {
    if (!clients.embed) return { ok: false, reason: clients.reason };
    if (!existsSync(MODULE_SO)) {
        return { ok: false, reason: `${MODULE_SO} missing` };
    }
    const prefix = `${run}/module-clients-t`;
    mkdirSync(`${prefix}/tmp`, { recursive: true });
    const conf = `${prefix}/nginx.conf`;
    writeFileSync(conf, moduleClientsConf(prefix, port, clients.file,
        viewConf(true)));
    try {
        execFileSync(NGINX, ['-t', '-q', '-p', prefix, '-c', conf],
            { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
        const msg = String(e.stderr ?? e.message).trim().split('\n')
            .find((l) => /emerg|error/.test(l)) ?? String(e.message);
        return { ok: false, reason: `nginx -t refuses the embed: ${msg}` };
    }
    return { ok: true, reason: null };
}
