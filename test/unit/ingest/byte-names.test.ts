// Valid JPEGs whose file names are not UTF-8 (paths are bytes on Linux): a Latin-1 "café.jpg"
// (byte \xe9) and a name with a stray \xff, in a folder whose own name is Latin-1. They are
// imported, embedded, answer "similar", are served to the page, exported, and the mapping
// between bytes and the stored string is exact both ways.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { fileUrlOf, fsPath, nameFromBytes } from '../../../src-main/common/byte-paths.js';
import { startServer } from '../../../src-main/server/server.js';
import { importFolder } from '../../fixtures/engine-jobs.js';
import { makeImage } from '../../fixtures/images.js';

let work: string;
let photos: string;
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const asBytes = (p: string) => {
  const f = fsPath(p);
  return Buffer.isBuffer(f) ? f : Buffer.from(f, 'utf8');
};

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-bytes-'));
  photos = path.join(work, 'photos');
  const latinDir = bytes(photos, '/', 'f', [0xf6], 'o'); // "föo" in Latin-1
  mkdirSync(latinDir, { recursive: true });
  const made = path.join(work, 'made.jpg');
  for (const [name, seed] of [[bytes('caf', [0xe9], '.jpg'), 1], [bytes('x', [0xff], 'y.jpg'), 2], [bytes('plain.jpg'), 3]] as const) {
    await makeImage(made, { pattern: 'gradient', color: { r: 60 * seed, g: 200 - 50 * seed, b: 90 }, width: 96, height: 80 });
    writeFileSync(Buffer.concat([latinDir, Buffer.from('/'), name]), readFileSync(made));
  }
  rmSync(made);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('file names that are not UTF-8', () => {
  it('maps bytes to the stored string and back exactly', () => {
    for (const b of [bytes('caf', [0xe9], '.jpg'), bytes([0xff, 0xfe]), bytes('ok-ü.jpg'), bytes([0xee, 0xbe, 0x80]), bytes([0xe2, 0x82])]) {
      const s = nameFromBytes(b);
      expect(asBytes(s)).toEqual(b);
    }
    expect(nameFromBytes(bytes('ok-ü.jpg'))).toBe('ok-ü.jpg');
  });

  it("gives the app's protocol handler a file URL with the exact bytes", () => {
    expect(fileUrlOf(nameFromBytes(bytes('/photos/caf', [0xe9], ' 1.jpg')))).toBe('file:///photos/caf%E9%201.jpg');
    expect(fileUrlOf('/photos/café 1.jpg')).toBe('file:///photos/caf%C3%A9%201.jpg');
  });

  it('imports, embeds, serves and exports them', async () => {
    const engine = await Engine.open(path.join(work, 'library'));
    const server = await startServer({ engine, staticDir: work });
    try {
      const job = await importFolder(engine, photos);
      expect((job.result as { failed: unknown[] }).failed).toEqual([]);
      expect(await engine.call('status', {})).toMatchObject({ images: 3, embedded: 3 } satisfies Partial<Status>);
      const page = await engine.call('listImages', {});
      const latin = page.items.find((i) => asBytes(i.path).includes(bytes('caf', [0xe9])))!;
      expect(latin).toBeDefined();
      expect(existsSync(fsPath(latin.path))).toBe(true);
      const r = await engine.call('similar', { id: latin.id, k: 2 });
      expect(r.hits).toHaveLength(2);

      const res = await fetch(`http://127.0.0.1:${server.port}/media/original/${latin.id}?token=${server.token}`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(readFileSync(fsPath(latin.path)));

      await engine.call('setLabel', { label: 'odd', ids: page.items.map((i) => i.id) });
      const out = path.join(work, 'folders');
      await engine.call('exportData', { kind: 'imagefolder', out, copy: true });
      const exported = readdirSync(path.join(out, 'odd'), { encoding: 'buffer' }).map((b) => b.toString('latin1')).sort();
      expect(exported).toEqual(['caf\xe9.jpg', 'plain.jpg', 'x\xffy.jpg']);
    } finally {
      await server.close();
      await engine.close();
    }
  }, 120_000);
});
