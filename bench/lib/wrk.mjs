// Runs wrk pinned to the client core and parses its done() line.

import { spawn } from 'node:child_process';
import { BENCH } from './peers.mjs';

export const CLIENT_CPU = process.env.BENCH_CLIENT_CPU || '1';

// access: { edges, scenario } runs wrk/access.lua (the access-rules
// scenarios), clients: { kind, query } wrk/clients.lua (the client
// views), caching: { kind, etags } wrk/caching.lua (the HTTP-caching
// scenarios), instead of wrk/profiles.lua
export function runWrk({ port, seconds, connections, n, seed, view,
    access, clients, caching }) {
    const script = access ? `${BENCH}/wrk/access.lua` : clients
        ? `${BENCH}/wrk/clients.lua` : caching ? `${BENCH}/wrk/caching.lua`
            : `${BENCH}/wrk/profiles.lua`;
    const args = access ? [String(n), String(seed), String(access.edges),
        access.scenario] : clients ? [String(n), String(seed), clients.kind,
        clients.query ?? ''] : caching ? [String(n), String(seed),
        caching.kind, caching.etags] : [String(n), String(seed), view];
    const argv = ['-c', CLIENT_CPU, 'wrk', '-t1', `-c${connections}`,
        `-d${seconds}s`, '--timeout', '5s', '-s', script,
        `http://127.0.0.1:${port}`, '--', ...args];
    return new Promise((resolve, reject) => {
        const child = spawn('taskset', argv, { stdio: ['ignore', 'pipe',
            'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { err += d; });
        child.on('error', reject);
        child.on('exit', (code) => {
            const m = /^WRK_JSON (.*)$/m.exec(out);
            if (code !== 0 || m === null) {
                reject(new Error(`wrk failed (${code}): ${err}${out}`));
                return;
            }
            resolve(JSON.parse(m[1]));
        });
    });
}
