// One engine per library: while `lookalike serve` runs, other commands send their calls to it
// (so it sees every change, and nothing is loaded twice); a second `serve` gives the address
// again; when it stops, commands run in their own process again.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src-main/library/catalog.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { runLookalike } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';

const bin = path.resolve(import.meta.dirname, '../../../bin/lookalike.js');
let work: string;
let library: string;
let serve: ChildProcess | null = null;
let url = '';

const lookalike = (...args: string[]) => runLookalike(library, ...args);

function startServe(): Promise<string> {
  serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--library', library], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    serve!.stdout!.on('data', (d) => {
      out += String(d);
      const m = /running at (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    serve!.on('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-one-engine-'));
  library = path.join(work, 'library');
  await makeKindImages(path.join(work, 'photos'), 2, ['rings', 'discs']);
  url = await startServe();
}, 120_000);

afterAll(() => {
  serve?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('one engine per library', () => {
  it('sends a command’s calls to the running engine, which sees the change at once', async () => {
    const imported = await lookalike('import', path.join(work, 'photos'), '--labels-from-folders', '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ added: 4 });
    // Answered by the serving engine: it has its backend loaded (a command's own engine would not).
    const status = JSON.parse((await lookalike('status', '--json')).stdout);
    expect(status).toMatchObject({ images: 4, embedded: 4, backend: { name: 'wasm' } });
    expect((await lookalike('label', 'favourite', '#1')).code).toBe(0);
    const res = await fetch(new URL('/api/listImages', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${new URL(url).searchParams.get('token')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'favourite' }),
    });
    expect(((await res.json()) as { result: { total: number } }).result.total).toBe(1);
  }, 120_000);

  it('similar on a library photo leaves it out of its own look-alikes through the serving engine too', async () => {
    const own = path.join(work, 'photos', 'rings', 'rings-1.jpg');
    const r = await lookalike('similar', own, '-k', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [answer] = JSON.parse(r.stdout) as { query: string; hits: { path: string }[] }[];
    expect(answer.query).toBe(own);
    expect(answer.hits).toHaveLength(3);
    expect(answer.hits.map((h) => h.path)).not.toContain(own);
  }, 60_000);

  it('a second serve gives the running one’s address instead of starting another engine', async () => {
    const again = await lookalike('serve');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running at ${url}`);
  }, 60_000);

  it('once serve stops, commands open the library themselves again', async () => {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve!.kill('SIGTERM');
    await exited;
    serve = null;
    expect(existsSync(path.join(library, 'engine.lock'))).toBe(false);
    const status = JSON.parse((await lookalike('status', '--json')).stdout);
    expect(status).toMatchObject({ images: 4, embedded: 4, backend: null });
  }, 60_000);

  it('closes the jobs a killed command left running as interrupted', async () => {
    const catalog = Catalog.open(library);
    const job = catalog.createJob('import', { paths: [path.join(work, 'photos')] });
    catalog.updateJob(job.id, { state: 'running' });
    catalog.close();
    const engine = await Engine.open(library);
    try {
      const jobs = await engine.call('listJobs', {});
      expect(jobs.find((j) => j.jobId === job.id)).toBeUndefined(); // not running in this engine
      const after = Catalog.open(library);
      try {
        expect(after.unfinishedJobs().map((j) => j.id)).not.toContain(job.id);
      } finally {
        after.close();
      }
    } finally {
      await engine.close();
    }
  });
});
