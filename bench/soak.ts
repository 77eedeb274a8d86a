// Soak of `lookalike serve`: 1,000 "similar" calls and 200 uploads while an import runs, then eight concurrent 40 MB bodies; errors and RSS.
// Then the kills phase (soak-kills.ts): forwarded CLI commands while serve and its engine are killed, for SOAK_SECONDS (default 600).
//
//   npm run bench -- soak [--similar 1000] [--uploads 200] [--photos 300] [--concurrency 4] [--kills-only]
//
// Starts the real `lookalike serve` (bin/lookalike.js, needs the built UI: `npx vite build`)
// on 127.0.0.1 with a fresh library in a temporary folder, imports a seed folder, then runs
// the calls against it while a second, larger folder is imported. RSS is read from /proc for
// the serve process and its engine child (Linux). Every loop is bounded; it stops by itself
// and deletes its folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeKindImages } from '../test/fixtures/kinds.js';
import { soakKills } from './soak-kills.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SIMILAR = arg('similar', 1000);
const UPLOADS = arg('uploads', 200);
const PHOTOS = arg('photos', 300);
const CONCURRENCY = arg('concurrency', 4);
const KILLS_ONLY = process.argv.includes('--kills-only');
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const DEADLINE = Date.now() + 30 * 60_000 + SOAK_SECONDS * 1000;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function rss(serve: ChildProcess): { serve: number; engine: number } {
  const engine = childPids(serve.pid!).reduce((sum, p) => sum + rssMb(p), 0);
  return { serve: rssMb(serve.pid!), engine };
}
const fmt = (r: { serve: number; engine: number }) => `serve ${r.serve.toFixed(0)} MB, engine ${r.engine.toFixed(0)} MB`;

async function startServe(library: string): Promise<{ proc: ChildProcess; base: string; token: string }> {
  const proc = spawn(process.execPath, [path.join(repo, 'bin/lookalike.js'), 'serve', '--port', '0'], {
    env: { ...process.env, LOOKALIKE_LIBRARY: library },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL`)));
  });
  const u = new URL(url);
  return { proc, base: `${u.protocol}//${u.host}`, token: u.searchParams.get('token')! };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-soak-'));
  const seedDir = path.join(work, 'seed');
  const bigDir = path.join(work, 'more');
  console.log(`generating ${24 + (KILLS_ONLY ? 0 : PHOTOS)} photos...`);
  await makeKindImages(seedDir, 4);
  if (!KILLS_ONLY) await makeKindImages(bigDir, Math.ceil(PHOTOS / 6), undefined, 1000);
  const uploadBytes = readFileSync(path.join(seedDir, readdirSync(seedDir)[0], readdirSync(path.join(seedDir, readdirSync(seedDir)[0]))[0]));

  const library = path.join(work, 'library');
  const { proc, base, token } = await startServe(library);
  const errors = new Map<string, number>();
  const fail = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
  const call = async (method: string, body: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
  const waitIdle = async () => {
    while (Date.now() < DEADLINE) {
      const jobs = (await call('listJobs', {})).json as { result: { state: string }[] };
      if (!jobs.result.some((j) => j.state === 'running' || j.state === 'queued')) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  try {
    await call('importFolders', { paths: [seedDir] });
    await waitIdle();
    if (!KILLS_ONLY) await callsPhase();
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
  try {
    await soakKills({ repo, library, folder: seedDir, seconds: SOAK_SECONDS, startServe, childPids });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  async function callsPhase(): Promise<void> {
    const ids = ((await call('listImages', { limit: 100 })).json as { result: { items: { id: number }[] } }).result.items.map((i) => i.id);
    const before = rss(proc);
    console.log(`RSS before: ${fmt(before)} (${ids.length} photos indexed)`);

    const started = Date.now();
    const imported = call('importFolders', { paths: [bigDir] });
    const latencies: number[] = [];
    const run = async (n: number, one: (i: number) => Promise<void>) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < n && Date.now() < DEADLINE) await one(next++);
      }));
    };
    const similar = run(SIMILAR, async (i) => {
      const t = Date.now();
      const r = await call('similar', { id: ids[i % ids.length], k: 20 }).catch(() => ({ status: 0, json: null }));
      latencies.push(Date.now() - t);
      if (r.status !== 200) fail(`similar ${r.status}`);
    });
    const upload = { name: 'query.png', dataBase64: uploadBytes.toString('base64') };
    const uploads = run(UPLOADS, async () => {
      const r = await call('similar', { upload, k: 20 }).catch(() => ({ status: 0, json: null }));
      if (r.status !== 200) fail(`upload ${r.status}`);
    });
    await Promise.all([similar, uploads, imported]);
    const during = rss(proc);
    await waitIdle();
    const status = ((await call('status', {})).json as { result: { images: number; embedded: number } }).result;
    latencies.sort((a, b) => a - b);
    console.log(`${SIMILAR} similar + ${UPLOADS} uploads during the import: ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
      `similar latency median ${latencies[latencies.length >> 1]} ms, p95 ${latencies[Math.floor(latencies.length * 0.95)]} ms`);
    console.log(`library after: ${status.images} photos, ${status.embedded} embedded`);
    console.log(`RSS at the end of the calls: ${fmt(during)}; after the import: ${fmt(rss(proc))}`);

    // Eight 40 MB bodies at once: the server's budget takes two, answers the rest 503.
    const big = JSON.stringify({ upload: { name: 'big.jpg', dataBase64: 'A'.repeat(40 * 1024 * 1024 - 100) } });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => call('similar', big).then((r) => r.status, () => 0)));
    const counts = statuses.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>());
    console.log(`8 concurrent 40 MB bodies: ${[...counts].map(([s, n]) => `${n}× ${s}`).join(', ')}; RSS after: ${fmt(rss(proc))}`);
    await new Promise((r) => setTimeout(r, 5000));
    console.log(`RSS 5 s later: ${fmt(rss(proc))}`);
    const ok = (await call('status', {})).status;
    console.log(`errors during the soak: ${errors.size === 0 ? 0 : [...errors].map(([k, n]) => `${n}× ${k}`).join(', ')}; status afterwards: ${ok}`);
  }
}

await main();
