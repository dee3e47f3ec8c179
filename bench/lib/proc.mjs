// /proc accounting: CPU time, page faults and memory of server processes.

import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'])
    .toString().trim()) || 100;

// fields of /proc/PID/stat after "(comm)": index 0 is field 3 (state)
function statFields(pid) {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

export function ppidOf(pid) {
    return Number(statFields(pid)[1]);
}

// direct children of pid (nginx workers of a master)
export function childrenOf(pid) {
    const out = [];
    for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
            if (ppidOf(d) === pid) out.push(Number(d));
        } catch { /* exited meanwhile */ }
    }
    return out;
}

// utime + stime (ticks) and minor/major faults of the processes, summed;
// /proc/PID/stat covers every thread of the process
export function cpuSample(pids) {
    let ticks = 0, utime = 0, minflt = 0, majflt = 0;
    for (const pid of pids) {
        const f = statFields(pid);
        minflt += Number(f[7]);
        majflt += Number(f[9]);
        utime += Number(f[11]);
        ticks += Number(f[11]) + Number(f[12]);
    }
    return { ticks, utime, minflt, majflt };
}

// PSS split into anonymous / file-backed / shmem, and file pages mapped
// with 2 MB entries (FilePmdMapped), in KiB, summed
export function memSample(pids) {
    const m = { pss: 0, pss_anon: 0, pss_file: 0, pss_shmem: 0, rss: 0,
        anon: 0, file_pmd: 0 };
    const keys = { Pss: 'pss', Pss_Anon: 'pss_anon', Pss_File: 'pss_file',
        Pss_Shmem: 'pss_shmem', Rss: 'rss', Anonymous: 'anon',
        FilePmdMapped: 'file_pmd' };
    for (const pid of pids) {
        const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
        for (const line of s.split('\n')) {
            const mm = /^(\w+):\s+(\d+) kB/.exec(line);
            if (mm && keys[mm[1]]) m[keys[mm[1]]] += Number(mm[2]);
        }
    }
    return m;
}

// VmRSS / RssAnon / RssFile of one process, KiB (null once it is gone)
export function statusSample(pid) {
    let s;
    try {
        s = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
        return null;
    }
    const get = (k) => {
        const mm = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s);
        return mm ? Number(mm[1]) : 0;
    };
    return { rss: get('VmRSS'), anon: get('RssAnon'), file: get('RssFile'),
        hwm: get('VmHWM') };
}

// busy and total ticks of one CPU from /proc/stat (busy: all but idle and
// iowait), to tell how much of the server core something else used
export function cpuBusy(cpu) {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')
        .find((l) => l.startsWith(`cpu${cpu} `));
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - v[3] - v[4], total };
}
