// Runs wrk pinned to the client core and parses its done() line.

import { spawn } from 'node:child_process';
import { BENCH } from './peers.mjs';

export const CLIENT_CPU = process.env.BENCH_CLIENT_CPU || '1';

export function runWrk({ port, seconds, connections, n, seed, view }) {
    const argv = ['-c', CLIENT_CPU, 'wrk', '-t1', `-c${connections}`,
        `-d${seconds}s`, '--timeout', '5s', '-s', `${BENCH}/wrk/profiles.lua`,
        `http://127.0.0.1:${port}`, '--', String(n), String(seed), view];
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
