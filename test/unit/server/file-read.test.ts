// Calls that name a file on the engine's machine, tried as an attacker would: through the
// browser-mode HTTP API and in-process (the CLI's route). No answer may carry the bytes of a
// file that is not a labels file, and a FIFO or a device fails at once, leaving the engine
// answering its other calls.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { startServer, type RunningServer } from '../../../src-main/server/server.js';
import { runLookalike } from '../../fixtures/cli.js';
import { rejection } from '../../fixtures/rejection.js';

let work: string;
let engine: Engine;
let server: RunningServer;
let passwd: string;
let environ: string;
let fifo: string;

// Looks like /etc/passwd and /proc/self/environ; made here, so no real secret is ever read.
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:$6$saltsalt$hashedsecret:19000:0:99999:7:::\n';
const ENVIRON = 'API_KEY=sk-very-secret\0HOME=/root\0PATH=/usr/bin\0';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-file-read-'));
  passwd = path.join(work, 'passwd');
  environ = path.join(work, 'environ');
  fifo = path.join(work, 'labels.csv');
  writeFileSync(passwd, PASSWD);
  writeFileSync(environ, ENVIRON);
  execFileSync('mkfifo', [fifo]);
  writeFileSync(path.join(work, 'index.html'), '<!doctype html>');
  engine = await Engine.open(path.join(work, 'library'));
  server = await startServer({ engine, staticDir: work });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

async function post(method: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const leaks = (text: string) => /root:x|hashedsecret|alice|sk-very-secret|API_KEY/.test(text);

describe('files named in a request', () => {
  it('browser mode refuses server-side paths for importLabels and similar, without reading them', async () => {
    for (const [method, body] of [
      ['importLabels', { path: passwd }],
      ['similar', { path: passwd }],
      ['importLabels', { path: fifo }],
    ] as const) {
      const r = await post(method, body);
      expect(r.status).toBe(400);
      expect(r.text).toMatch(/not accepted in browser mode/);
      expect(leaks(r.text)).toBe(false);
    }
  });

  it('refuses text that is not a labels file, naming the problem and not its lines', async () => {
    for (const text of [PASSWD, ENVIRON, '{"root": "x"}', '[1, 2]']) {
      const r = await post('importLabels', { text });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text).error.message).toMatch(/^not a labels file: /);
      expect(leaks(r.text)).toBe(false);
    }
  });

  it('in-process (the CLI), a file that is not a labels file is refused without echoing it', async () => {
    for (const file of [passwd, environ]) {
      const err = await rejection(engine.call('importLabels', { path: file }));
      expect(err.message).toMatch(/not a labels file/);
      expect(leaks(err.message)).toBe(false);
    }
    // A /proc file says it has 0 bytes: it is read to its end all the same, and refused.
    const proc = await rejection(engine.call('importLabels', { path: '/proc/self/environ' }));
    expect(proc.message).toMatch(/not a labels file: it holds NUL bytes/);
    expect(proc.message).not.toMatch(/PATH=/);
    // A real labels file still reports its unmatched rows (it is the user's own list).
    const labels = path.join(work, 'mine.csv');
    writeFileSync(labels, '/photos/cat.jpg,cat\n');
    const r = await engine.call('importLabels', { path: labels });
    expect(r.unmatched).toEqual([{ line: 1, key: '/photos/cat.jpg' }]);
  });

  // Nobody writes to the FIFO, so reading it would wait forever: a call that answers at all
  // did not read it (a hang is this test's timeout); speed belongs to the benchmarks.
  it('a FIFO or a device fails with a clear message instead of being read, and the engine answers later calls', async () => {
    await expect(engine.call('importLabels', { path: fifo })).rejects.toThrow(/named pipe \(FIFO\); only a regular file can be read as the labels file/);
    await expect(engine.call('similar', { path: fifo })).rejects.toThrow(/named pipe \(FIFO\); only a regular file can be read as the image/);
    await expect(engine.call('similar', { path: '/dev/zero' })).rejects.toThrow(/is a device/);
    await expect(engine.call('importLabels', { path: work })).rejects.toThrow(/is a folder/);
    await expect(engine.call('importFolders', { paths: [passwd] })).rejects.toThrow(/not a folder: .* is a file/);
    expect((await engine.call('status', {})).images).toBe(0);
    expect((await post('status', {})).status).toBe(200);
  });

  it('the CLI refuses a FIFO for similar and import-labels without reading it, saying what it is', async () => {
    const library = path.join(work, 'cli-library');
    for (const args of [['similar', fifo], ['import-labels', fifo]]) {
      const r = await runLookalike(library, ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/named pipe \(FIFO\); only a regular file can be read/);
    }
  }, 90_000);
});
