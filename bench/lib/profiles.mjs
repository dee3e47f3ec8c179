// Seeded profile generator shared by every data builder of the bench.
//
// profile(i, seed) depends only on (i, seed): any tool can regenerate any
// record, in any order, and every peer serves exactly the same data.
// Ids are "u1" .. "uN"; the load script asks for "u(N+k)" to get 404s.

import { readFileSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;

export const schema = JSON.parse(readFileSync(here + '../schema.json', 'utf8'));
export const publicFields = schema.fields
    .filter((f) => f.visibility === 'public').map((f) => f.name);
export const allFields = schema.fields.map((f) => f.name);

const WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do '
    + 'eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad '
    + 'minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex '
    + 'ea commodo consequat duis aute irure in reprehenderit voluptate velit '
    + 'esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non '
    + 'proident sunt culpa qui officia deserunt mollit anim id est laborum '
    + 'café naïve Zürich señor Łódź smörgåsbord crème brûlée').split(' ');
const FIRST = ['Ada', 'Linus', 'Grace', 'Ken', 'Barbara', 'Dennis', 'Margaret',
    'Edsger', 'Frances', 'Niklaus', 'Radia', 'Tim', 'Håkon', 'José', 'Zoë'];
const LAST = ['Lovelace', 'Torvalds', 'Hopper', 'Thompson', 'Liskov', 'Ritchie',
    'Hamilton', 'Dijkstra', 'Allen', 'Wirth', 'Perlman', 'Berners-Lee',
    'Lie', 'Müller', 'O\'Brien'];
const CITIES = ['Berlin', 'Paris', 'Lisbon', 'São Paulo', 'Tokyo', 'Oslo',
    'Kraków', 'Toronto', 'Nairobi', 'Auckland', 'Reykjavík', 'Austin'];
const LANGS = ['en', 'fr', 'de', 'pt', 'ja', 'no', 'pl', 'sw', 'is', 'es'];
const PLANS = ['free', 'pro', 'team', 'enterprise'];

// xorshift32 seeded through a splitmix-style hash of (seed, i)
function rng(seed, i) {
    let s = (Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed, 0xc2b2ae35))
        >>> 0;
    s ^= s >>> 16; s = Math.imul(s, 0x7feb352d) >>> 0;
    s ^= s >>> 15; s = Math.imul(s, 0x846ca68b) >>> 0;
    s ^= s >>> 16;
    if (s === 0) s = 0x6d2b79f5;
    return () => {
        s ^= s << 13; s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5; s >>>= 0;
        return s / 4294967296;
    };
}

function pick(r, a) { return a[Math.floor(r() * a.length)]; }
function int(r, lo, hi) { return lo + Math.floor(r() * (hi - lo + 1)); }
function words(r, lo, hi) {
    const n = int(r, lo, hi);
    const out = [];
    for (let k = 0; k < n; k++) out.push(pick(r, WORDS));
    return out.join(' ');
}
function ts(r, from, to) {
    return new Date((from + Math.floor(r() * (to - from))) * 1000)
        .toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function profile(i, seed) {
    const r = rng(seed, i);
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    const user = (first + last).toLowerCase().replace(/[^a-z]/g, '') + i;
    const nlang = int(r, 0, 3);
    const langs = [];
    for (let k = 0; k < nlang; k++) langs.push(pick(r, LANGS));
    return {
        id: 'u' + i,
        username: user,
        display_name: first + ' ' + last,
        bio: words(r, 12, 40),
        avatar_url: 'https://cdn.example.com/avatars/' + user + '/'
            + int(r, 100000, 999999) + '.jpg',
        location: pick(r, CITIES),
        website: 'https://' + user + '.example.org/',
        created_at: ts(r, 1262304000, 1735689600),
        followers: int(r, 0, 2000000),
        following: int(r, 0, 5000),
        verified: r() < 0.1,
        karma: Math.round(r() * 1e6) / 100,
        languages: langs,
        email: user + '@mail.example.com',
        phone: '+1-555-' + int(r, 1000000, 9999999),
        birth_date: int(r, 1950, 2006) + '-' + String(int(r, 1, 12))
            .padStart(2, '0') + '-' + String(int(r, 1, 28)).padStart(2, '0'),
        address: {
            street: int(r, 1, 999) + ' ' + pick(r, WORDS) + ' street',
            city: pick(r, CITIES),
            postal_code: String(int(r, 10000, 99999)),
            country: pick(r, ['DE', 'FR', 'PT', 'BR', 'JP', 'NO', 'PL', 'CA']),
        },
        settings: {
            theme: pick(r, ['light', 'dark', 'system']),
            language: pick(r, LANGS),
            notifications: { email: r() < 0.5, push: r() < 0.5 },
        },
        last_login_at: ts(r, 1704067200, 1735689600),
        plan: pick(r, PLANS),
        two_factor: r() < 0.4,
        private_note: words(r, 8, 30),
    };
}

export function publicView(p) {
    const out = {};
    for (const k of publicFields) if (k in p) out[k] = p[k];
    return out;
}

// average response body sizes (bytes) over the first `sample` profiles
export function averageSizes(n, seed, sample = 10000) {
    const m = Math.min(n, sample);
    let pub = 0, self = 0;
    for (let i = 1; i <= m; i++) {
        const p = profile(i, seed);
        self += Buffer.byteLength(JSON.stringify(p));
        pub += Buffer.byteLength(JSON.stringify(publicView(p)));
    }
    return { public: Math.round(pub / m), self: Math.round(self / m) };
}
