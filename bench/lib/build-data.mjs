// Data builders: the same seeded profiles in three shapes.
//
//   node lib/build-data.mjs ndjson  N SEED OUT      input of profile-snapshot
//   node lib/build-data.mjs mdbload N SEED OUT.mdb  OpenResty peer (liblmdb 0.9)
//   node lib/build-data.mjs lmdbjs  N SEED OUT.mdb  Node peer (lmdb-js 3.x)
//   node lib/build-data.mjs edges   N SEED OUT E    relations source, E edges
//                                                  a profile (lib/relations.mjs)
//   node lib/build-data.mjs mdbaccess N SEED OUT.mdb E  OpenResty access peer:
//                                                  databases "profiles" and
//                                                  "relations" (mdb_load -s)
//   node lib/build-data.mjs clients N SEED OUT      the client-views profiles
//                                                  (lib/clients.mjs)
//   node lib/build-data.mjs teams   N SEED OUT      their teams source
//   node lib/build-data.mjs mdbclients N SEED OUT.mdb  OpenResty clients
//                                                  peer: "profiles", "teams"
//
// The two LMDB files hold JSON documents (the full profile) keyed by id.
// lmdb-js 3.x and Debian's liblmdb 0.9 do not read each other's files, so
// each peer gets its own copy, built with its own library.

import { openSync, writeSync, closeSync, rmSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { profile } from './profiles.mjs';
import { edgesOf } from './relations.mjs';
import { clientProfile, team, TEAMS } from './clients.mjs';

const CHUNK = 4 << 20;

function writer(fd) {
    let parts = [];
    let size = 0;
    return {
        push(s) {
            parts.push(s);
            size += s.length;
            if (size >= CHUNK) this.flush();
        },
        flush() {
            if (parts.length === 0) return;
            const b = Buffer.from(parts.join(''), 'utf8');
            let off = 0;
            while (off < b.length) off += writeSync(fd, b, off);
            parts = [];
            size = 0;
        },
    };
}

function progress(what, i, n) {
    if (process.stderr.isTTY && i % 100000 === 0) {
        process.stderr.write(`\r${what}: ${i}/${n}`);
        if (i === n) process.stderr.write('\n');
    }
}

function lines(n, seed, out, make) {
    const fd = openSync(out, 'w');
    const w = writer(fd);
    for (let i = 1; i <= n; i++) {
        w.push(JSON.stringify(make(i, seed)) + '\n');
        progress('ndjson', i, n);
    }
    w.flush();
    closeSync(fd);
}

function ndjson(n, seed, out) {
    lines(n, seed, out, profile);
}

function clients(n, seed, out) {
    lines(n, seed, out, clientProfile);
}

function teams(n, seed, out) {
    lines(TEAMS, seed, out, team);
}

// the OpenResty clients peer: the client profiles and the teams, each a
// JSON document keyed by id, in two databases
async function mdbclients(n, seed, out) {
    for (const f of [out, out + '-lock']) rmSync(f, { force: true });
    const mapsize = Math.ceil((n * 2600 + TEAMS * 200 + (64 << 20))
        / 4096) * 4096;
    await mdbLoad(out, mapsize, function* entries() {
        for (let i = 1; i <= n; i++) {
            const p = clientProfile(i, seed);
            yield [p.id, JSON.stringify(p)];
        }
    }, 'profiles');
    await mdbLoad(out, mapsize, function* entries() {
        for (let k = 1; k <= TEAMS; k++) {
            const t = team(k);
            yield [t.id, JSON.stringify(t)];
        }
    }, 'teams');
}

// mdb_dump "print" format, read by mdb_load: a header, then key and value
// lines each starting with a space; a backslash is written doubled.
// entries() yields [key, value] strings; sub names a database (-s).
async function mdbLoad(out, mapsize, entries, sub) {
    const child = spawn('mdb_load', ['-n', ...(sub ? ['-s', sub] : []), out],
        { stdio: ['pipe', 'inherit', 'inherit'] });
    const done = new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve()
            : reject(new Error(`mdb_load exited with ${code}`))));
    });
    const write = (s) => new Promise((resolve) => {
        if (child.stdin.write(s)) resolve();
        else child.stdin.once('drain', resolve);
    });
    await write(`VERSION=3\nformat=print\ntype=btree\nmapsize=${mapsize}\n`
        + 'HEADER=END\n');
    let batch = [];
    for (const [k, v] of entries()) {
        batch.push(' ' + k + '\n ' + v.replace(/\\/g, '\\\\') + '\n');
        if (batch.length === 5000) {
            await write(batch.join(''));
            batch = [];
        }
    }
    await write(batch.join('') + 'DATA=END\n');
    child.stdin.end();
    await done;
    rmSync(out + '-lock', { force: true });
}

function* profileEntries(n, seed) {
    for (let i = 1; i <= n; i++) {
        const p = profile(i, seed);
        yield [p.id, JSON.stringify(p)];
        progress('mdb_load', i, n);
    }
}

async function mdbload(n, seed, out) {
    for (const f of [out, out + '-lock']) rmSync(f, { force: true });
    const mapsize = Math.ceil((n * 2600 + (64 << 20)) / 4096) * 4096;
    await mdbLoad(out, mapsize, () => profileEntries(n, seed));
}

function edges(n, seed, out, e) {
    const fd = openSync(out, 'w');
    const w = writer(fd);
    for (let i = 1; i <= n; i++) {
        for (const [to, kind] of edgesOf(n, e, i)) {
            w.push(`{"from":"u${i}","to":"u${to}","kind":"${kind}"}\n`);
        }
        progress('edges', i, n);
    }
    w.flush();
    closeSync(fd);
}

/*
 * The OpenResty access peer's relations, keyed "viewer|owner" (both
 * directions of each pair), the value the decimal digits of the bits,
 * from the viewer's side: 1 the viewer follows the owner, 2 the owner
 * follows the viewer, 4 a friend edge either way, 8 the owner blocked
 * the viewer, 16 the viewer blocked the owner.
 */
const BITS = { follows: [1, 2], friend: [4, 4], blocked: [16, 8] };

function relationBits(n, e) {
    const m = new Map();
    const add = (k, b) => m.set(k, (m.get(k) ?? 0) | b);
    for (let i = 1; i <= n; i++) {
        for (const [to, kind] of edgesOf(n, e, i)) {
            const [fromSide, toSide] = BITS[kind];
            add(`u${i}|u${to}`, fromSide);
            add(`u${to}|u${i}`, toSide);
        }
    }
    return m;
}

async function mdbaccess(n, seed, out, e) {
    for (const f of [out, out + '-lock']) rmSync(f, { force: true });
    const rel = relationBits(n, e);
    const mapsize = Math.ceil((n * 2600 + rel.size * 64 + (64 << 20))
        / 4096) * 4096;
    await mdbLoad(out, mapsize, () => profileEntries(n, seed), 'profiles');
    await mdbLoad(out, mapsize, function* entries() {
        for (const [k, b] of rel) yield [k, String(b)];
    }, 'relations');
}

async function lmdbjs(n, seed, out) {
    const { open } = await import('lmdb');
    for (const f of [out, out + '-lock']) rmSync(f, { force: true });
    const db = open({ path: out, encoding: 'binary', compression: false,
        noSync: true });
    const per = 10000;
    for (let lo = 1; lo <= n; lo += per) {
        const hi = Math.min(n, lo + per - 1);
        db.transactionSync(() => {
            for (let i = lo; i <= hi; i++) {
                const p = profile(i, seed);
                db.put(p.id, Buffer.from(JSON.stringify(p), 'utf8'));
            }
        });
        progress('lmdb-js', hi, n);
    }
    await db.flushed;
    await db.close();
    if (!existsSync(out)) throw new Error(`lmdb-js wrote no ${out}`);
}

const [mode, n, seed, out, e] = process.argv.slice(2);
const builders = { ndjson, mdbload, lmdbjs, edges, mdbaccess, clients, teams,
    mdbclients };
if (!builders[mode] || !out) {
    console.error('usage: build-data.mjs ndjson|mdbload|lmdbjs|edges|mdbaccess'
        + '|clients|teams|mdbclients N SEED OUT [E]');
    process.exit(2);
}
await builders[mode](Number(n), Number(seed), out, Number(e ?? 10));
