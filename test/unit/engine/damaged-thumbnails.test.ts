// Damaged thumbnails never make verdicts: with every thumbnail cut to 100 bytes and the originals
// unreadable, `duplicates` finds no group and keeps no "not a pair" verdict; once the originals
// are back, the thumbnails are made again and the copies are grouped (issue 18, item 7).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine.js';
import { FEATURE_DB_FILE } from '../../../src-main/model/feature-store.js';
import { sceneJpeg } from '../../fixtures/scenes.js';

let work: string;
let engine: Engine;
const originals = new Map<string, Buffer>();

const library = () => path.join(work, 'library');
const keptVerdicts = () => {
  const db = new Database(path.join(library(), 'features', FEATURE_DB_FILE), { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM pair_checks').pluck().get() as number;
  } finally {
    db.close();
  }
};
const damageThumbnails = () => {
  for (const f of readdirSync(path.join(library(), 'thumbs'), { recursive: true, withFileTypes: true })) {
    if (f.isFile()) truncateSync(path.join(f.parentPath, f.name), 100);
  }
};

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-damaged-thumbs-'));
  const photos = path.join(work, 'photos');
  mkdirSync(photos);
  const photo = await sceneJpeg(2, 1);
  const files: [string, Buffer][] = [
    ['scene.jpg', photo],
    ['scene-q50.jpg', await sharp(photo).jpeg({ quality: 50 }).toBuffer()],
    ['scene-small.jpg', await sharp(photo).resize(200).jpeg({ quality: 85 }).toBuffer()],
    ['other-1.jpg', await sceneJpeg(3, 2)],
    ['other-2.jpg', await sceneJpeg(1, 3)],
  ];
  for (const [name, bytes] of files) {
    writeFileSync(path.join(photos, name), bytes);
    originals.set(path.join(photos, name), bytes);
  }
  engine = await Engine.open(library());
  await engine.call('importFolders', { paths: [photos] });
  await engine.whenIdle();
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('duplicates with damaged thumbnails', () => {
  it('keeps no verdict from an unreadable thumbnail, and groups the copies once it is made again', async () => {
    damageThumbnails();
    // The originals unreadable too (other bytes now): the thumbnails cannot be made again.
    for (const file of originals.keys()) writeFileSync(file, 'not a photo any more');
    expect(await engine.call('duplicates', {})).toEqual([]);
    expect(keptVerdicts()).toBe(0);

    for (const [file, bytes] of originals) writeFileSync(file, bytes);
    const groups = await engine.call('duplicates', {});
    expect(groups.map((g) => g.images.map((h) => path.basename(h.path)).sort())).toEqual([['scene-q50.jpg', 'scene-small.jpg', 'scene.jpg']]);
    expect(keptVerdicts()).toBeGreaterThan(0);
    // The thumbnails were made again from the originals: readable pictures once more.
    const thumbs = readdirSync(path.join(library(), 'thumbs'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const f of thumbs) expect(readFileSync(path.join(f.parentPath, f.name)).length).toBeGreaterThan(100);
  }, 120_000);
});
