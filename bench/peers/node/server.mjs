// The app-tier peer: a Node.js HTTP server reading lmdb-js, filtering the
// fields the viewer may see and answering with JSON.stringify.  nginx sits
// in front of it (proxy_pass, upstream keepalive), as in production.
//
//   node server.mjs PORT DB.mdb SCHEMA.json

import http from 'node:http';
import { readFileSync } from 'node:fs';
import { open } from 'lmdb';

const [port, path, schemaPath] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const publicFields = schema.fields
    .filter((f) => f.visibility === 'public').map((f) => f.name);

const db = open({ path, readOnly: true, encoding: 'binary',
    compression: false });

const NOT_FOUND = '{"error":"not found"}';

const server = http.createServer((req, res) => {
    const m = /^\/profiles\/([A-Za-z0-9._~-]{1,128})$/.exec(req.url);
    const id = m === null ? null : m[1];
    const doc = id === null ? undefined : db.get(id);
    if (doc === undefined) {
        res.writeHead(404, { 'Content-Type': 'application/json',
            'Content-Length': NOT_FOUND.length });
        res.end(NOT_FOUND);
        return;
    }
    const p = JSON.parse(doc);
    let body;
    if (req.headers['x-viewer'] === id) {
        body = JSON.stringify(p);
    } else {
        const out = {};
        for (const k of publicFields) if (k in p) out[k] = p[k];
        body = JSON.stringify(out);
    }
    res.writeHead(200, { 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body) });
    res.end(body);
});

server.keepAliveTimeout = 600000;
server.listen(Number(port), '127.0.0.1', () => {
    process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
