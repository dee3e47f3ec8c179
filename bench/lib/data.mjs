// Data sets under bench/out/data/n{N}-s{SEED}/, built once and reused
// while their inputs (N, seed, schema, the CLI binary) are unchanged.

import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync,
    rmSync } from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { BENCH, ROOT } from './peers.mjs';
import { statusSample } from './proc.mjs';
import { ACCESS_SCHEMA } from './relations.mjs';
import { CLIENTS_SCHEMA, schemaWithoutTeams } from './clients.mjs';

export const OUT = BENCH + '/out';
export const CLI = ROOT + '/tools/profile-snapshot/profile-snapshot';
const SCHEMA = BENCH + '/schema.json';

export function dataDir(n, seed) {
    const d = `${OUT}/data/n${n}-s${seed}`;
    mkdirSync(d, { recursive: true });
    return d;
}

function log(msg) {
    process.stderr.write(`bench: ${msg}\n`);
}

function run(cmd, argv) {
    return new Promise((resolve, reject) => {
        const c = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
        c.on('error', reject);
        c.on('exit', (code) => (code === 0 ? resolve()
            : reject(new Error(`${cmd} ${argv.join(' ')}: exit ${code}`))));
    });
}

function fingerprint(parts) {
    return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function fresh(stampFile, fp) {
    return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === fp;
}

async function cached(file, fp, build) {
    const stamp = file + '.stamp';
    if (existsSync(file) && fresh(stamp, fp)) return file;
    rmSync(stamp, { force: true });
    await build();
    writeFileSync(stamp, fp);
    return file;
}

const GEN = BENCH + '/lib/build-data.mjs';
const genFp = () => readFileSync(BENCH + '/lib/profiles.mjs', 'utf8')
    + readFileSync(SCHEMA, 'utf8');

export function ndjson(n, seed) {
    const f = dataDir(n, seed) + '/profiles.ndjson';
    return cached(f, fingerprint([genFp(), 'ndjson']), async () => {
        log(`generating ${n} profiles (seed ${seed}) -> ${f}`);
        await run('node', [GEN, 'ndjson', String(n), String(seed), f]);
    });
}

export function luaMdb(n, seed) {
    const f = dataDir(n, seed) + '/lua.mdb';
    return cached(f, fingerprint([genFp(), 'mdbload']), async () => {
        log(`building the OpenResty peer's LMDB (mdb_load) -> ${f}`);
        await run('node', [GEN, 'mdbload', String(n), String(seed), f]);
    });
}

export function nodeMdb(n, seed) {
    const f = dataDir(n, seed) + '/node.mdb';
    return cached(f, fingerprint([genFp(), 'lmdbjs']), async () => {
        log(`building the Node peer's LMDB (lmdb-js) -> ${f}`);
        await run('node', [GEN, 'lmdbjs', String(n), String(seed), f]);
    });
}

export function cliFingerprint() {
    if (!existsSync(CLI)) {
        throw new Error(`${CLI} is missing: run "make build" first`);
    }
    // the binary's bytes, not its mtime: relinking the same sources
    // (a fresh clone, make after touch) keeps the cached snapshots
    return createHash('sha256').update(readFileSync(CLI)).digest('hex');
}

// Runs `profile-snapshot build` under /usr/bin/time, sampling the CLI's
// RSS split (anonymous / file-backed) every 20 ms.  Returns seconds,
// records/s, peak RSS (getrusage via time) and the sampled peaks.
// The numbers of the last line /usr/bin/time -o wrote to file; removes it.
function takeTimes(file) {
    const times = readFileSync(file, 'utf8').trim().split('\n').pop()
        .split(' ').map(Number);
    rmSync(file, { force: true });
    return times;
}

/*
 * The same-run baseline of --cli: LMDB's own compacting copy (mdb_copy
 * -c, Debian's lmdb-utils) of the snapshot just built, i.e. what writing
 * those pages costs LMDB alone.  Returns { elapsed, user, sys } in s.
 */
export function timeMdbCopy(snapshot) {
    const copy = snapshot + '.copy';
    const timeFile = snapshot + '.copytime';
    rmSync(copy, { force: true });
    execFileSync('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile,
        'mdb_copy', '-n', '-c', snapshot, copy], { stdio: 'ignore' });
    const [elapsed, user, sys] = takeTimes(timeFile);
    rmSync(copy, { force: true });
    return { elapsed, user, sys };
}

/*
 * The machine's price of new page-cache pages, measured in the same
 * round: dd writes as many bytes as the snapshot has into a new file next
 * to it, and its system time (s) is what the kernel (and, in a VM that
 * hands freed memory back to its host, the host) charges for pages
 * touched the first time.  The build pays that for its own output too.
 * Returns { elapsed, user, sys, bytes } in s.
 */
export function timeFirstTouch(snapshot, bytes) {
    const file = snapshot + '.touch';
    const timeFile = snapshot + '.touchtime';
    const mib = Math.max(1, Math.round(bytes / 2 ** 20));
    rmSync(file, { force: true });
    execFileSync('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile,
        'dd', 'if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`],
    { stdio: 'ignore' });
    const [elapsed, user, sys] = takeTimes(timeFile);
    rmSync(file, { force: true });
    return { elapsed, user, sys, bytes: mib * 2 ** 20 };
}

// opts.schema: another schema; opts.relations: a relations source;
// opts.sources: more sources, { NAME: FILE }
export async function buildSnapshot(input, out, records, opts = {}) {
    rmSync(out, { force: true });
    const timeFile = out + '.time';
    const argv = ['-f', '%e %U %S %M', '-o', timeFile, CLI, 'build',
        '--schema', opts.schema ?? SCHEMA, '--source', `profiles=${input}`,
        ...(opts.relations ? ['--source', `relations=${opts.relations}`]
            : []), ...Object.entries(opts.sources ?? {}).flatMap(([k, f]) =>
            ['--source', `${k}=${f}`]), '--out', out];
    const child = spawn('/usr/bin/time', argv,
        { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const peak = { rss: 0, anon: 0, file: 0 };
    let cliPid = null;
    const timer = setInterval(() => {
        if (cliPid === null) {
            try {
                const kids = execFileSync('ps', ['-o', 'pid=', '--ppid',
                    String(child.pid)]).toString().trim().split(/\s+/);
                if (kids[0]) cliPid = Number(kids[0]);
            } catch { /* not yet */ }
        }
        if (cliPid === null) return;
        const s = statusSample(cliPid);
        if (s === null) return;
        peak.rss = Math.max(peak.rss, s.rss);
        peak.anon = Math.max(peak.anon, s.anon);
        peak.file = Math.max(peak.file, s.file);
    }, 20);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    if (code !== 0) {
        throw new Error(`profile-snapshot build failed (${code}):\n`
            + output.slice(-4000));
    }
    const [elapsed, user, sys, maxrss] = takeTimes(timeFile);
    return { records, elapsed, user, sys, maxrss_kib: maxrss,
        peak_rss_kib: peak.rss, peak_anon_kib: peak.anon,
        peak_file_kib: peak.file, rate: records / elapsed,
        bytes: statSync(out).size, input_bytes: statSync(input).size
            + (opts.relations ? statSync(opts.relations).size : 0),
        output: output.trim() };
}

export async function snapshot(n, seed, opts = {}) {
    const d = dataDir(n, seed);
    const f = d + '/snapshot.mdb';
    const fp = fingerprint([genFp(), cliFingerprint()]);
    let stats = null;
    await cached(f, fp, async () => {
        const input = await ndjson(n, seed);
        log(`building the snapshot with profile-snapshot -> ${f}`);
        stats = await buildSnapshot(input, f, n);
        log(`snapshot: ${n} records in ${stats.elapsed.toFixed(1)} s `
            + `(${Math.round(stats.rate)} records/s)`);
        if (opts.dropInput) {
            rmSync(input, { force: true });
            rmSync(input + '.stamp', { force: true });
        }
    });
    return { file: f, stats };
}

/*
 * The access-rules data (lib/relations.mjs): E edges a profile as the
 * relations source, the snapshot of schema-access.json with them, and
 * the OpenResty access peer's LMDB (profiles and relations databases).
 */
const accessFp = () => genFp() + readFileSync(BENCH + '/lib/relations.mjs',
    'utf8') + readFileSync(ACCESS_SCHEMA, 'utf8');

export function edgesFile(n, seed, e) {
    const f = dataDir(n, seed) + `/relations-e${e}.ndjson`;
    return cached(f, fingerprint([accessFp(), 'edges', String(e)]),
        async () => {
            log(`generating ${n * e} edges (${e} a profile) -> ${f}`);
            await run('node', [GEN, 'edges', String(n), String(seed), f,
                String(e)]);
        });
}

export async function accessSnapshot(n, seed, e, opts = {}) {
    const f = dataDir(n, seed) + `/access-e${e}.mdb`;
    const fp = fingerprint([accessFp(), cliFingerprint(), String(e)]);
    let stats = null;
    await cached(f, fp, async () => {
        const input = await ndjson(n, seed);
        const rel = await edgesFile(n, seed, e);
        log(`building the access snapshot (${n} profiles, ${n * e} edges) `
            + `-> ${f}`);
        stats = await buildSnapshot(input, f, n, { schema: ACCESS_SCHEMA,
            relations: rel });
        log(`access snapshot: ${n} records, ${n * e} edges in `
            + `${stats.elapsed.toFixed(1)} s, max RSS `
            + `${Math.round(stats.maxrss_kib / 1024)} MiB`);
        if (opts.dropInput) {
            for (const x of [input, rel]) {
                rmSync(x, { force: true });
                rmSync(x + '.stamp', { force: true });
            }
        }
    });
    return { file: f, stats };
}

export function luaAccessMdb(n, seed, e) {
    const f = dataDir(n, seed) + `/lua-access-e${e}.mdb`;
    return cached(f, fingerprint([accessFp(), 'mdbaccess', String(e)]),
        async () => {
            log(`building the OpenResty access peer's LMDB (mdb_load) -> ${f}`);
            await run('node', [GEN, 'mdbaccess', String(n), String(seed), f,
                String(e)]);
        });
}

/*
 * The client-views data (lib/clients.mjs): the client profiles, their
 * teams, the snapshot of schema-clients.json with the teams as an
 * embeddable source, and the OpenResty clients peer's LMDB.  A CLI
 * without embeddable sources refuses the schema (exit 3, e.g.
 * "sources.teams.embed: unknown key"): the snapshot is then built from a
 * copy of the schema without "sources", and the result says why
 * ({ file, embed: false, reason }); the reason is kept beside the
 * cached snapshot.
 */
const clientsFp = () => genFp() + readFileSync(BENCH + '/lib/clients.mjs',
    'utf8') + readFileSync(CLIENTS_SCHEMA, 'utf8');

export function clientsNdjson(n, seed, what) {
    const f = dataDir(n, seed) + `/clients-${what}.ndjson`;
    return cached(f, fingerprint([clientsFp(), what]), async () => {
        log(`generating the client-views ${what} -> ${f}`);
        await run('node', [GEN, what === 'profiles' ? 'clients' : 'teams',
            String(n), String(seed), f]);
    });
}

export async function clientsSnapshot(n, seed) {
    const d = dataDir(n, seed);
    const f = d + '/clients.mdb';
    const info = f + '.json';
    const fp = fingerprint([clientsFp(), cliFingerprint()]);
    await cached(f, fp, async () => {
        const input = await clientsNdjson(n, seed, 'profiles');
        const teams = await clientsNdjson(n, seed, 'teams');
        log(`building the client-views snapshot -> ${f}`);
        let r = { embed: true, reason: null };
        try {
            await buildSnapshot(input, f, n, { schema: CLIENTS_SCHEMA,
                sources: { teams } });
        } catch (e) {
            const m = /profile-snapshot: (.*(?:embed|sources).*)$/m
                .exec(String(e.message));
            if (!m) throw e;
            r = { embed: false, reason: `profile-snapshot build refuses `
                + `the embeddable source: ${m[1]}` };
            const schema = d + '/schema-clients-noembed.json';
            writeFileSync(schema, JSON.stringify(schemaWithoutTeams(),
                null, 1));
            await buildSnapshot(input, f, n, { schema });
        }
        const id = /^snapshot_id: (\S+)$/m.exec(execFileSync(CLI,
            ['inspect', f]).toString());
        r.snapshot = id ? id[1] : null;
        writeFileSync(info, JSON.stringify(r));
    });
    return { file: f, ...JSON.parse(readFileSync(info, 'utf8')) };
}

export function luaClientsMdb(n, seed) {
    const f = dataDir(n, seed) + '/lua-clients.mdb';
    return cached(f, fingerprint([clientsFp(), 'mdbclients']), async () => {
        log(`building the OpenResty clients peer's LMDB (mdb_load) -> ${f}`);
        await run('node', [GEN, 'mdbclients', String(n), String(seed), f]);
    });
}
