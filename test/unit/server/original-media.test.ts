// /media/original/<id> (browser mode) and lookalike://media/original/<id> (the desktop app) serve
// a photo's original only while its path holds the bytes that were imported: a photo replaced by
// a link to another file, or edited, is refused with a reason and its bytes are never sent.
import { mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { handleProtocolRequest } from '../../../src-main/app/media-protocol.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { startServer, type RunningServer } from '../../../src-main/server/server.js';
import { importFolder } from '../../fixtures/engine-jobs.js';
import { makeImage } from '../../fixtures/images.js';

let work: string;
let photos: string;
let engine: Engine;
let server: RunningServer;

// Stands in for /etc/shadow: made here, so no real secret is ever read.
const SHADOW = 'root:$6$saltsalt$hashedsecret:19000:0:99999:7:::\n';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-original-'));
  photos = path.join(work, 'photos');
  for (const [i, name] of ['linked.jpg', 'edited.jpg', 'gone.jpg', 'kept.jpg'].entries()) {
    await makeImage(path.join(photos, name), { pattern: 'noise', seed: i + 1 });
  }
  writeFileSync(path.join(work, 'shadow'), SHADOW);
  writeFileSync(path.join(work, 'index.html'), '<!doctype html>');
  engine = await Engine.open(path.join(work, 'library'));
  expect((await importFolder(engine, photos)).state).toBe('done');
  server = await startServer({ engine, staticDir: work });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

const idOf = (name: string) => engine.catalog.imageByPath(path.join(photos, name))!.id;

async function getMedia(tail: string): Promise<{ status: number; text: string; bytes: Buffer }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/media/${tail}?token=${server.token}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, text: bytes.toString('latin1'), bytes };
}

async function viaProtocol(id: number): Promise<number> {
  const readFile = async (url: string) => new Response(readFileSync(fileURLToPath(url)));
  const res = await handleProtocolRequest({ url: `lookalike://media/original/${id}`, method: 'GET' }, work, engine, readFile);
  return res.status;
}

it('serves an unchanged original, twice (the second time from the remembered check)', async () => {
  const kept = readFileSync(path.join(photos, 'kept.jpg'));
  for (let i = 0; i < 2; i++) {
    const r = await getMedia(`original/${idOf('kept.jpg')}`);
    expect(r.status).toBe(200);
    expect(r.bytes.equals(kept)).toBe(true);
  }
  expect(await viaProtocol(idOf('kept.jpg'))).toBe(200);
});

it('refuses a photo replaced by a link to another file, with 409 and a reason, and sends none of its bytes', async () => {
  const id = idOf('linked.jpg');
  expect((await getMedia(`original/${id}`)).status).toBe(200);
  const file = path.join(photos, 'linked.jpg');
  unlinkSync(file);
  symlinkSync(path.join(work, 'shadow'), file);
  const r = await getMedia(`original/${id}`);
  expect(r.status).toBe(409);
  expect(JSON.parse(r.text).error.message).toMatch(/no longer holds the photo imported as image #\d+ \(it was replaced or edited since\)/);
  expect(r.text).not.toMatch(/hashedsecret/);
  expect(await viaProtocol(id)).toBe(409);
});

it('refuses a photo edited in place or replaced by another file of the same name', async () => {
  const id = idOf('edited.jpg');
  expect((await getMedia(`original/${id}`)).status).toBe(200);
  const file = path.join(photos, 'edited.jpg');
  await makeImage(path.join(work, 'other.jpg'), { pattern: 'noise', seed: 99 });
  renameSync(path.join(work, 'other.jpg'), file);
  expect((await getMedia(`original/${id}`)).status).toBe(409);
});

it('answers 404 with a reason for a photo gone from disk, and a 4xx for ids out of range', async () => {
  const id = idOf('gone.jpg');
  unlinkSync(path.join(photos, 'gone.jpg'));
  const gone = await getMedia(`original/${id}`);
  expect(gone.status).toBe(404);
  expect(JSON.parse(gone.text).error.message).toMatch(/is gone: .*gone\.jpg no longer exists/);
  expect(await viaProtocol(id)).toBe(404);
  for (const tail of ['original/99999999999999999999', 'original/9999999999999999', 'thumb/99999999999999999999', 'original/0', 'original/-1']) {
    const r = await getMedia(tail);
    expect(r.status, tail).toBeGreaterThanOrEqual(400);
    expect(r.status, tail).toBeLessThan(500);
  }
});
