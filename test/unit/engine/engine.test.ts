// The engine in-process, on a real library: real SQLite, real thumbnails, the real CNN and
// index. One library is imported once and shared by the queries below.
import { mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages, type Kind } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;
let byKind: Map<Kind, string[]>;
/** The first import's progress phases, in order, as the UI and the CLI see them. */
const phases: string[] = [];

const kindOf = (p: string) => path.basename(path.dirname(p));

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-engine-'));
  byKind = await makeKindImages(path.join(work, 'photos'), 4, ['rings', 'discs', 'checkers']);
  writeFileSync(path.join(work, 'photos', 'broken.jpg'), 'this is not a jpeg');
  engine = await Engine.open(path.join(work, 'library'));
  const off = engine.onEvent((name, payload) => {
    const phase = name === 'jobProgress' ? (payload as JobProgress).phase : null;
    if (phase && phases.at(-1) !== phase) phases.push(phase);
  });
  const job = await importFolder(engine, path.join(work, 'photos'));
  off();
  expect(job.state).toBe('done');
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('engine', () => {
  it('reports status with version, library, backend and counts', async () => {
    const s = await engine.call('status', {});
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(s.library).toBe(path.join(work, 'library'));
    expect(s.backend?.name).toBe('wasm');
    expect(s.images).toBe(12);
    expect(s.embedded).toBe(12);
  });

  it('says it is loading the CNN between the thumbnails and the indexing, not a full bar', () => {
    const at = (p: string) => phases.indexOf(p);
    expect(at('loading the CNN'), phases.join(' → ')).toBeGreaterThan(at('thumbnails'));
    expect(at('indexing'), phases.join(' → ')).toBeGreaterThan(at('loading the CNN'));
  });

  it('imports every photo, reports the broken one and keeps going', async () => {
    const jobs = await engine.call('listJobs', {});
    const result = jobs.find((j) => j.kind === 'import')?.result;
    expect(result).toMatchObject({ kind: 'import', added: 12 });
    const failed = result?.kind === 'import' ? result.failed : [];
    expect(failed.map((f) => path.basename(f.path))).toEqual(['broken.jpg']);
    const page = await engine.call('listImages', { limit: 50 });
    expect(page.total).toBe(12);
  });

  it('finds look-alikes of a library photo: its own kind first, itself excluded, scores descending', async () => {
    const page = await engine.call('listImages', { limit: 50 });
    for (const kind of ['rings', 'discs', 'checkers'] as const) {
      const query = page.items.find((i) => kindOf(i.path) === kind)!;
      const r = await engine.call('similar', { id: query.id, k: 5 });
      expect(r.hits.map((h) => h.id)).not.toContain(query.id);
      expect(kindOf(r.hits[0].path), `top hit for ${kind}`).toBe(kind);
      const scores = r.hits.map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it('queries with a photo from outside the library without adding it', async () => {
    const outside = await makeKindImages(path.join(work, 'outside'), 1, ['discs']);
    const file = outside.get('discs')![0];
    const r = await engine.call('similar', { path: file, k: 3 });
    expect(r.query.id).toBeNull();
    expect(kindOf(r.hits[0].path)).toBe('discs');
    const s = await engine.call('status', {});
    expect(s.images).toBe(12);
  });

  it('ranks the original of an edited (grey, smaller, re-encoded) copy first', async () => {
    const original = byKind.get('discs')![2];
    const copy = path.join(work, 'outside', 'discs-grey-small.jpg');
    mkdirSync(path.dirname(copy), { recursive: true });
    await sharp(original).greyscale().resize(200).jpeg({ quality: 60 }).toFile(copy);
    const r = await engine.call('similar', { path: copy, k: 3 });
    expect(r.hits[0].path).toBe(original);
    const scores = r.hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('applies the score range', async () => {
    const id = (await engine.call('listImages', { limit: 1 })).items[0].id;
    const all = await engine.call('similar', { id, k: 20 });
    const cut = all.hits[2].score;
    const r = await engine.call('similar', { id, k: 20, minScore: cut });
    expect(r.hits.length).toBeGreaterThanOrEqual(3);
    expect(r.hits.every((h) => h.score >= cut)).toBe(true);
  });

  it('gives a clear answer for unknown images and unreadable query files', async () => {
    await expect(engine.call('similar', { id: 999_999 })).rejects.toThrow(/no image #999999/);
    await expect(engine.call('similar', { path: path.join(work, 'photos', 'broken.jpg') })).rejects.toThrow(/cannot read/);
  });

  it('refuses a query photo cut short, in the words an import failure uses, rather than search its grey half', async () => {
    const whole = await sharp(byKind.get('rings')![0]).jpeg({ quality: 95 }).toBuffer();
    const half = whole.subarray(0, Math.floor(whole.length / 2));
    const cut = path.join(work, 'cut.jpg');
    writeFileSync(cut, half);
    // Both reach the decoder as bytes; the CLI and the window put the user's name for the file in front.
    for (const query of [{ path: cut }, { upload: { name: 'cut.jpg', dataBase64: half.toString('base64') } }]) {
      await expect(engine.call('similar', query)).rejects.toThrow(/^the dropped file is truncated \(the file ends early\)$/);
    }
    // The whole file is a query like any other.
    writeFileSync(cut, whole);
    expect((await engine.call('similar', { path: cut })).hits.length).toBeGreaterThan(0);
  });

  it('groups a re-encoded, resized copy with its original, and forgets it once deleted', async () => {
    const original = byKind.get('discs')![1];
    const copy = path.join(work, 'photos', 'copies', 'discs-copy.jpg');
    mkdirSync(path.dirname(copy), { recursive: true });
    await sharp(original).resize(256).jpeg({ quality: 70 }).toFile(copy);
    await importFolder(engine, path.join(work, 'photos'));
    const groups = await engine.call('duplicates', {});
    // (Generated photos of one kind can be near-identical to each other too; real photos are
    // measured in bench/duplicate-threshold.ts.)
    const withCopy = groups.filter((g) => g.images.some((h) => h.path === copy));
    expect(withCopy.map((g) => g.images.map((h) => h.path).sort())).toEqual([[original, copy].sort()]);
    // Each member says what one needs to choose which copy to keep: resolution and file size.
    const member = withCopy[0].images.find((h) => h.path === copy)!;
    expect([member.width, member.height]).toEqual([256, 256]);
    expect(member.bytes).toBe(statSync(copy).size);
    unlinkSync(copy);
    await importFolder(engine, path.join(work, 'photos'));
    const after = await engine.call('duplicates', {});
    expect(after.flatMap((g) => g.images.map((h) => h.path))).not.toContain(copy);
  });

  it('numbers labels in the order they were made, whatever their names', async () => {
    const id = (await engine.call('listImages', { limit: 1 })).items[0].id;
    await engine.call('setLabel', { label: 'zz-first', ids: [id] });
    await engine.call('setLabel', { label: 'aa-second', ids: [id] });
    const labels = await engine.call('labels', {});
    const first = labels.find((l) => l.name === 'zz-first')!;
    const second = labels.find((l) => l.name === 'aa-second')!;
    expect(second.id).toBeGreaterThan(first.id);
    await engine.call('removeLabel', { label: 'zz-first', ids: [id] });
    await engine.call('removeLabel', { label: 'aa-second', ids: [id] });
  });

  it('never returns an image removed from disk after a re-scan', async () => {
    const gone = byKind.get('checkers')![0];
    unlinkSync(gone);
    const job = await importFolder(engine, path.join(work, 'photos'));
    expect(job.result).toMatchObject({ kind: 'import', removed: 1, added: 0 });
    const page = await engine.call('listImages', { limit: 50 });
    expect(page.items.map((i) => i.path)).not.toContain(gone);
    for (const img of page.items) {
      const r = await engine.call('similar', { id: img.id, k: 20 });
      expect(r.hits.map((h) => h.path)).not.toContain(gone);
    }
    expect((await engine.call('status', {})).embedded).toBe(11);
  });
});
