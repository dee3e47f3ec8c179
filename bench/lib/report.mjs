// Tables (terminal, CSV, Markdown), the gnuplot PNG, machine facts, and
// the generated sections of docs/benchmarks.md.

import { writeFileSync, readFileSync, existsSync, copyFileSync } from
    'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { BENCH, ROOT, NGINX } from './peers.mjs';

const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x) => (Number.isFinite(x) ? String(Math.round(x)) : '-');

export function machine() {
    const cpu = /model name\s*:\s*(.*)/.exec(
        readFileSync('/proc/cpuinfo', 'utf8'));
    const v = (cmd, args, re) => {
        const r = spawnSync(cmd, args, { encoding: 'utf8' });
        const s = `${r.stdout || ''}${r.stderr || ''}`;
        const mm = re ? re.exec(s) : null;
        return mm ? mm[1] : s.trim().split('\n')[0] || '?';
    };
    return {
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        cpu: cpu ? cpu[1] : '?',
        cores: os.cpus().length,
        mem_gib: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
        nginx: v(NGINX, ['-v'], /nginx\/(\S+)/),
        node: process.version,
        wrk: v('wrk', ['-v'], /wrk (\S+)/),
        commit: v('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    };
}

export function machineLine(m) {
    return `${m.date}, ${m.cpu}, ${m.cores} cores, ${m.mem_gib} GiB, `
        + `Linux ${m.kernel}, nginx ${m.nginx}, node ${m.node}, `
        + `wrk ${m.wrk}, commit ${m.commit}`;
}

export function printTable(headers, rows) {
    const w = headers.map((h, i) => Math.max(h.length,
        ...rows.map((r) => String(r[i]).length)));
    const line = (cells) => cells.map((c, i) => (i === 0
        ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
    const out = [line(headers), w.map((n) => '-'.repeat(n)).join('  '),
        ...rows.map(line)];
    return out.join('\n');
}

export function mdTable(headers, rows) {
    return [`| ${headers.join(' | ')} |`,
        `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
        ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function csv(rows) {
    const keys = Object.keys(rows[0]);
    return [keys.join(','), ...rows.map((r) => keys.map((k) => {
        const x = r[k];
        return typeof x === 'number' ? (Number.isInteger(x) ? x
            : x.toPrecision(6)) : JSON.stringify(x ?? '');
    }).join(','))].join('\n') + '\n';
}

export const MAIN_HEADERS = ['scenario', 'CPU us/req', 'user us/req',
    'x limit',
    'x limit (min-max)', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx %',
    'B/resp', 'PSS anon MiB', 'PSS file MiB', 'other load %'];

export function mainRows(summary) {
    return summary.map((s) => [s.label, f2(s.cpu_us_per_req),
        f2(s.usr_us_per_req), f2(s.ratio),
        Number.isFinite(s.ratio_min) ? `${f2(s.ratio_min)}-${f2(s.ratio_max)}`
            : '-',
        f0(s.rps), f2(s.p50_ms), f2(s.p99_ms), f1(s.non2xx_pct),
        f0(s.bytes_per_req), f1(s.pss_anon_mib), f1(s.pss_file_mib),
        f1(s.foreign_pct)]);
}

// two panels: CPU per request (label: ratio to the limit), p99 latency
export function plot(summary, title, png) {
    const dat = png.replace(/\.png$/, '.dat');
    writeFileSync(dat, summary.map((s) => [JSON.stringify(s.label),
        s.cpu_us_per_req.toFixed(3), s.p99_ms.toFixed(3),
        Number.isFinite(s.ratio) ? JSON.stringify(s.ratio.toFixed(2) + 'x')
            : '""'].join(' ')).join('\n') + '\n');
    execFileSync('gnuplot', ['-e', `datafile='${dat}'; outfile='${png}'; `
        + `plottitle='${title.replace(/'/g, '')}'`, `${BENCH}/plot.gp`],
    { stdio: 'inherit' });
}

// replaces the text between <!-- bench:NAME:begin --> and
// <!-- bench:NAME:end --> in docs/benchmarks.md
export function updateDocs(name, text) {
    const doc = ROOT + '/docs/benchmarks.md';
    if (!existsSync(doc)) return false;
    const s = readFileSync(doc, 'utf8');
    const b = `<!-- bench:${name}:begin -->`;
    const e = `<!-- bench:${name}:end -->`;
    const i = s.indexOf(b);
    const j = s.indexOf(e);
    if (i < 0 || j < i) return false;
    writeFileSync(doc, s.slice(0, i + b.length) + '\n' + text.trim() + '\n'
        + s.slice(j));
    return true;
}

export function copyPlot(png, name) {
    copyFileSync(png, `${ROOT}/docs/${name}`);
}

/*
 * The access-rules summary (docs/benchmarks.md "Access rules"): ratios
 * only, per scenario, each taken in the same round and summarized as
 * median (min-max) over the rounds: module / return 200 of the
 * scenario's body, OpenResty / return 200, OpenResty / module.
 * ratio(rows, a, b) is measure.mjs pairRatio().
 */
export const ACCESS_HEADERS = ['scenario', 'body B', 'module x return 200',
    'goal', '', 'OpenResty x return 200', 'OpenResty / module',
    'module non-2xx %', 'other load % (module)'];

export function accessRows(rows, ratio, scenarios, sizes, goal = 1.3) {
    const fmt = (r) => `${r.median.toFixed(2)} (${r.min.toFixed(2)}-`
        + `${r.max.toFixed(2)})`;
    const med = (xs) => {
        const a = xs.filter(Number.isFinite).sort((x, y) => x - y);
        const h = Math.floor(a.length / 2);
        return a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2;
    };
    const has = (name) => rows.some((r) => r.scenario === name);
    const out = [];
    for (const sc of scenarios) {
        if (!has(`module-${sc}`) || !has(`limit-${sc}`)) continue;
        const m = ratio(rows, `module-${sc}`, `limit-${sc}`);
        const lua = has(`lua-${sc}`);
        const mine = rows.filter((r) => r.scenario === `module-${sc}`);
        out.push([sc, String(sizes[sc]), fmt(m), `<= ${goal}`,
            m.median <= goal ? 'met' : 'MISSED',
            lua ? fmt(ratio(rows, `lua-${sc}`, `limit-${sc}`)) : '-',
            lua ? fmt(ratio(rows, `lua-${sc}`, `module-${sc}`)) : '-',
            med(mine.map((r) => r.non2xx_pct)).toFixed(1),
            med(mine.map((r) => r.foreign_pct)).toFixed(1)]);
    }
    return out;
}
