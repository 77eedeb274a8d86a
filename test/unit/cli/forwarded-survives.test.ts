// A command sent through `lookalike serve` survives its engine: killed mid-import, the engine is
// restarted and the command follows the job that continues the import to its end; `serve`
// itself killed, the command stops waiting and says what happened and what comes next.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../src-shared/contract.js';
import { HttpLink } from '../../../src-main/link/http-link.js';
import { runLookalike } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';

const bin = path.resolve(import.meta.dirname, '../../../bin/lookalike.js');
let work: string;
const started: ChildProcess[] = [];

function lookalikeChild(library: string, ...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args, '--library', library], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return child;
}

/** Starts `lookalike serve`; resolves with the process and its page address once it answers. */
function startServe(library: string): Promise<{ serve: ChildProcess; url: URL }> {
  const serve = lookalikeChild(library, 'serve', '--port', '0');
  return new Promise((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (d) => {
      out += String(d);
      const m = /running at (\S+)/.exec(out);
      if (m) resolve({ serve, url: new URL(m[1]) });
    });
    serve.on('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
}

/** A process's exit code with everything it wrote. */
function ended(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Resolves once the served engine reports an import at work on its thumbnails with photos to go. */
async function importUnderWay(url: URL): Promise<HttpLink> {
  const link = new HttpLink(url.origin, url.searchParams.get('token')!);
  await link.connectEvents();
  await new Promise<void>((resolve) => {
    const off = link.onEvent((name, payload) => {
      const p = payload as JobProgress;
      if (name === 'jobProgress' && p.kind === 'import' && p.phase === 'thumbnails' && p.total !== null && p.done < p.total - 5) {
        off();
        resolve();
      }
    });
  });
  return link;
}

/** The engine process `serve` started (its only child). */
function engineChild(servePid: number): number {
  const children = readFileSync(`/proc/${servePid}/task/${servePid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  expect(children).toHaveLength(1);
  return children[0];
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-forwarded-'));
  await makeKindImages(path.join(work, 'photos'), 20, ['rings', 'discs']);
}, 60_000);

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('a command forwarded to `lookalike serve`', () => {
  it('follows the import into the restarted engine when the engine is killed, and ends with every photo in', async () => {
    const library = path.join(work, 'engine-killed');
    const { serve, url } = await startServe(library);
    const command = lookalikeChild(library, 'import', path.join(work, 'photos'), '--json');
    const result = ended(command);
    const watcher = await importUnderWay(url);
    await watcher.close();
    process.kill(engineChild(serve.pid!), 'SIGKILL');

    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the engine stopped and was restarted; job \d+ continues this import/);
    expect(JSON.parse(r.stdout)).toMatchObject({ failed: [] });
    const status = await runLookalike(library, 'status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ images: 40, embedded: 40 });
  }, 180_000);

  it('ends with a message and a non-zero exit when serve itself is killed, and the import resumes at the next serve', async () => {
    const library = path.join(work, 'serve-killed');
    const first = await startServe(library);
    const command = lookalikeChild(library, 'import', path.join(work, 'photos'));
    const result = ended(command);
    const watcher = await importUnderWay(first.url);
    await watcher.close();
    first.serve.kill('SIGKILL');

    const r = await result;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the serving engine at ${first.url.origin} stopped before job`);
    expect(r.stderr).toMatch(/the import resumes when `lookalike serve` or the app opens this library again, or run it again/);

    const again = await startServe(library);
    const link = new HttpLink(again.url.origin, again.url.searchParams.get('token')!);
    try {
      await expect
        .poll(async () => link.call('status', {}), { timeout: 120_000, interval: 500 })
        .toMatchObject({ images: 40, embedded: 40 });
    } finally {
      await link.close();
    }
  }, 240_000);
});
