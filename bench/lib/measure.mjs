// Interleaved rounds: every scenario once per round, the order rotated
// each round; server CPU is read from /proc around each wrk run.

import { writeFileSync } from 'node:fs';
import { runWrk } from './wrk.mjs';
import { cpuSample, memSample, cpuBusy, CLK_TCK } from './proc.mjs';
import { SERVER_CPU } from './peers.mjs';

function log(msg) {
    process.stderr.write(`bench: ${msg}\n`);
}

export async function measureOnce(sc, opts, seconds) {
    const pids = sc.pids();
    const core0 = cpuBusy(SERVER_CPU);
    const before = cpuSample(pids);
    const w = await runWrk({ port: sc.port, seconds,
        connections: opts.connections, n: sc.n ?? opts.n, seed: opts.seed,
        view: sc.view, access: sc.access, clients: sc.clients,
        caching: sc.caching });
    const after = cpuSample(pids);
    const core1 = cpuBusy(SERVER_CPU);
    const reqs = w.requests;
    const cpuS = (after.ticks - before.ticks) / CLK_TCK;
    return {
        scenario: sc.name,
        requests: reqs,
        seconds: w.duration_us / 1e6,
        rps: reqs / (w.duration_us / 1e6),
        cpu_s: cpuS,
        cpu_us_per_req: reqs > 0 ? (cpuS * 1e6) / reqs : NaN,
        usr_us_per_req: ((after.utime - before.utime) * 1e6) / CLK_TCK / reqs,
        // share of the server core used by anything but the server
        foreign_pct: (100 * ((core1.busy - core0.busy)
            - (after.ticks - before.ticks))) / (core1.total - core0.total),
        minflt_per_req: (after.minflt - before.minflt) / reqs,
        majflt_per_req: (after.majflt - before.majflt) / reqs,
        p50_ms: w.lat_p50_us / 1000,
        p99_ms: w.lat_p99_us / 1000,
        non2xx_pct: (100 * w.non2xx) / reqs,
        socket_errors: w.errors_connect + w.errors_read + w.errors_write
            + w.errors_timeout,
        bytes_per_req: w.bytes / reqs,
    };
}

// scenarios: [{ name, port, view, pids(), workers(), baseline, access }]
// access: { edges, scenario } for the access-rules load (wrk/access.lua),
// clients: { kind, query } for the client views' (wrk/clients.lua),
// caching: { kind, etags } for the HTTP-caching ones (wrk/caching.lua)
// baseline: name of the scenario this one is compared with in each round
export async function rounds(scenarios, opts) {
    if (opts.warmup > 0) {
        for (const sc of scenarios) {
            log(`warm-up ${sc.name} (${opts.warmup} s)`);
            await measureOnce(sc, opts, opts.warmup);
        }
    }
    const rows = [];
    for (let r = 1; r <= opts.rounds; r++) {
        const k = (r - 1) % scenarios.length;
        const order = [...scenarios.slice(k), ...scenarios.slice(0, k)];
        const got = {};
        for (const sc of order) {
            const m = await measureOnce(sc, opts, opts.seconds);
            m.round = r;
            got[sc.name] = m;
            log(`round ${r} ${sc.name.padEnd(20)} `
                + `${m.cpu_us_per_req.toFixed(2).padStart(8)} us/req `
                + `${Math.round(m.rps).toString().padStart(7)} req/s `
                + `p99 ${m.p99_ms.toFixed(2)} ms, user `
                + `${m.usr_us_per_req.toFixed(2)} us/req, other load on `
                + `the server core ${m.foreign_pct.toFixed(1)}%`);
        }
        for (const sc of scenarios) {
            const m = got[sc.name];
            const b = sc.baseline ? got[sc.baseline] : null;
            m.ratio = b ? m.cpu_us_per_req / b.cpu_us_per_req : NaN;
            rows.push(m);
        }
    }
    if (opts.rowsFile) writeFileSync(opts.rowsFile, JSON.stringify(rows));
    // memory after the rounds, workers only (plus node for the app tier)
    const mem = {};
    for (const sc of scenarios) mem[sc.name] = memSample(sc.workers());
    return { rows, mem };
}

export function median(xs) {
    const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
    if (a.length === 0) return NaN;
    const h = Math.floor(a.length / 2);
    return a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2;
}

export function summarize(scenarios, rows, mem) {
    const out = [];
    for (const sc of scenarios) {
        const rs = rows.filter((r) => r.scenario === sc.name);
        const pick = (k) => median(rs.map((r) => r[k]));
        const ratios = rs.map((r) => r.ratio).filter(Number.isFinite);
        out.push({
            scenario: sc.name,
            label: sc.label ?? sc.name,
            rounds: rs.length,
            cpu_us_per_req: pick('cpu_us_per_req'),
            ratio: pick('ratio'),
            ratio_min: ratios.length ? Math.min(...ratios) : NaN,
            ratio_max: ratios.length ? Math.max(...ratios) : NaN,
            rps: pick('rps'),
            p50_ms: pick('p50_ms'),
            p99_ms: pick('p99_ms'),
            non2xx_pct: pick('non2xx_pct'),
            minflt_per_req: pick('minflt_per_req'),
            majflt_per_req: pick('majflt_per_req'),
            usr_us_per_req: pick('usr_us_per_req'),
            foreign_pct: pick('foreign_pct'),
            bytes_per_req: pick('bytes_per_req'),
            socket_errors: rs.reduce((a, r) => a + r.socket_errors, 0),
            pss_anon_mib: mem[sc.name].pss_anon / 1024,
            pss_file_mib: mem[sc.name].pss_file / 1024,
            anon_mib: mem[sc.name].anon / 1024,
            file_pmd_mib: (mem[sc.name].file_pmd ?? 0) / 1024,
        });
    }
    return out;
}

// per-round ratio a/b of CPU per request (or of another measure, key),
// median over rounds
export function pairRatio(rows, a, b, key = 'cpu_us_per_req') {
    const rounds = [...new Set(rows.map((r) => r.round))];
    const xs = [];
    for (const r of rounds) {
        const ra = rows.find((x) => x.round === r && x.scenario === a);
        const rb = rows.find((x) => x.round === r && x.scenario === b);
        if (ra && rb) xs.push(ra[key] / rb[key]);
    }
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}
