// The access-rules data of the bench (docs/benchmarks.md "Access rules"):
// the audience schema (bench/schema-access.json), the relation edges and
// the views each viewer kind gets, from (n, seed, edges) alone.
//
// Edges: profile i (1..n) has E edges (default 10) from it, edge k to
//
//   target(i, k) = 1 + (i + ((i * 7919 + 13 + k * step) mod (n - 1))) mod n
//   step = floor((n - 1) / E)
//
// so the E targets of i are distinct and never i itself; edge k's kind is
// KINDS[k mod 10]: 6 of 10 follows, 3 friend, 1 blocked.  The wrk script
// bench/wrk/access.lua computes the same targets to pick its pairs:
//
//   friend    owner i, viewer target(i, k), k in 6..8 (i's friend edge)
//   follower  viewer i follows owner target(i, k), k in 0..5
//   blocked   owner i blocked viewer target(i, 9)
//   role      owner i, viewer a random other profile, X-Roles: support
//
// The seed does not enter the edges: they depend on n and E only.  A pair
// can get edges from both ends (j's edges reaching i too, about E/n of
// them): relation(a, b) reads both ends' edges, so the checks use the
// exact relation.

import { readFileSync } from 'node:fs';
import { profile } from './profiles.mjs';

const here = new URL('.', import.meta.url).pathname;

export const ACCESS_SCHEMA = here + '../schema-access.json';
export const accessSchema = JSON.parse(readFileSync(ACCESS_SCHEMA, 'utf8'));
export const KINDS = ['follows', 'follows', 'follows', 'follows', 'follows',
    'follows', 'friend', 'friend', 'friend', 'blocked'];
export const SCENARIOS = ['friend', 'follower', 'blocked', 'role'];
export const ROLE = 'support';

// the module's 404 (docs/errors.md "not-found"), byte for byte
export const NOT_FOUND = '{"type":"urn:ngx-http-profile:problem:not-found",'
    + '"title":"Profile not found","status":404,'
    + '"detail":"No profile has this id."}';

const GRANTS = {
    anonymous: ['public'],
    none: ['public', 'authenticated'],
    follower: ['public', 'authenticated', 'follower'],
    friend: ['public', 'authenticated', 'follower', 'friend'],
};

export function target(n, edges, i, k) {
    const step = Math.floor((n - 1) / edges);
    return 1 + ((i + ((i * 7919 + 13 + k * step) % (n - 1))) % n);
}

// the edges from profile i: [[to, kind], ...]
export function edgesOf(n, edges, i) {
    const out = [];
    for (let k = 0; k < edges; k++) {
        out.push([target(n, edges, i, k), KINDS[k % 10]]);
    }
    return out;
}

// the relation of viewer a to owner b (1-based indexes): what the
// module's $profile_relation says for a pair (blocked in either
// direction, as profile_block both)
export function relation(n, edges, a, b) {
    if (a === b) return 'self';
    const ab = edgesOf(n, edges, a).filter(([t]) => t === b)
        .map(([, k]) => k);
    const ba = edgesOf(n, edges, b).filter(([t]) => t === a)
        .map(([, k]) => k);
    if (ab.includes('blocked') || ba.includes('blocked')) return 'blocked';
    if (ab.includes('friend') || ba.includes('friend')
        || (ab.includes('follows') && ba.includes('follows'))) return 'friend';
    if (ab.includes('follows')) return 'follower';
    return 'none';
}

// the response a viewer of kind `rel` with `roles` gets for profile p:
// null for the hidden answer (404)
export function accessView(p, rel, roles = []) {
    if (rel === 'blocked') return null;
    const out = {};
    for (const f of accessSchema.fields) {
        if (!(f.name in p) || f.audience === 'never') continue;
        const shown = rel === 'self'
            || (GRANTS[rel] ?? []).includes(f.audience)
            || (rel !== 'anonymous' && roles.some((r) => f.audience === r
                || (f.roles ?? []).includes(r)));
        if (shown) out[f.name] = p[f.name];
    }
    return out;
}

// the (viewer, owner) pair the wrk script asks for with source index i
export function scenarioPair(n, edges, scenario, i, k) {
    switch (scenario) {
    case 'friend': return { viewer: target(n, edges, i, k), owner: i };
    case 'follower': return { viewer: i, owner: target(n, edges, i, k) };
    case 'blocked': return { viewer: target(n, edges, i, 9), owner: i };
    default: return { viewer: i % n + 1, owner: i, roles: [ROLE] };
    }
}

// the relation kind each scenario's pairs (mostly) have
export const SCENARIO_REL = { friend: 'friend', follower: 'follower',
    blocked: 'blocked', role: 'none', anonymous: 'anonymous' };

// average response body per scenario over the first `sample` profiles
// (the view depends on the owner's record and the viewer's kind)
// (and of the anonymous control of --scale-access)
export function accessSizes(n, seed, sample = 10000) {
    const m = Math.min(n, sample);
    const sizes = {};
    for (const sc of [...SCENARIOS, 'anonymous']) {
        if (sc === 'blocked') {
            sizes[sc] = Buffer.byteLength(NOT_FOUND);
            continue;
        }
        let sum = 0;
        for (let i = 1; i <= m; i++) {
            const v = accessView(profile(i, seed), SCENARIO_REL[sc],
                sc === 'role' ? [ROLE] : []);
            sum += Buffer.byteLength(JSON.stringify(v));
        }
        sizes[sc] = Math.round(sum / m);
    }
    return sizes;
}
