// The duplicates view and simple, low-texture images: different icons and text pages (whose
// near-duplicate descriptors alone score above the default strictness) are never grouped, while
// edited copies (re-encoded, resized, cropped a little) of a photo and of an icon are grouped with
// their original, every member of a group meets the strictness with the group's first photo, and
// the pixel check's verdicts outlive the process.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { sceneJpeg } from '../../fixtures/scenes.js';
import { iconSvg, pageSvg } from '../../fixtures/simple-images.js';

let work: string;
let engine: Engine;
/** Each file's picture: copies share their original's. */
const source = new Map<string, string>();
const simple: string[] = [];

const put = (name: string, picture: string, bytes: Buffer) => {
  const file = path.join(work, 'photos', name);
  writeFileSync(file, bytes);
  source.set(file, picture);
  return file;
};

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-dup-simple-'));
  mkdirSync(path.join(work, 'photos'));
  for (let s = 0; s < 6; s++) simple.push(put(`icon-${s}.jpg`, `icon-${s}`, await sharp(Buffer.from(iconSvg(s))).jpeg({ quality: 92 }).toBuffer()));
  for (let s = 0; s < 4; s++) simple.push(put(`page-${s}.jpg`, `page-${s}`, await sharp(Buffer.from(pageSvg(s))).jpeg({ quality: 92 }).toBuffer()));
  // An icon's copy: enlarged and re-encoded.
  put('icon-0-copy.jpg', 'icon-0', await sharp(Buffer.from(iconSvg(0))).resize(400).jpeg({ quality: 70 }).toBuffer());
  // A photo and its copies: re-encoded, resized, cropped a little.
  const photo = await sceneJpeg(2, 1);
  const { width, height } = await sharp(photo).metadata();
  put('scene.jpg', 'scene', photo);
  put('scene-q50.jpg', 'scene', await sharp(photo).jpeg({ quality: 50 }).toBuffer());
  put('scene-small.jpg', 'scene', await sharp(photo).resize(Math.round(width! / 2)).jpeg({ quality: 85 }).toBuffer());
  const crop = { left: Math.round(width! * 0.04), top: Math.round(height! * 0.04), width: Math.round(width! * 0.92), height: Math.round(height! * 0.92) };
  put('scene-crop.jpg', 'scene', await sharp(photo).extract(crop).jpeg({ quality: 90 }).toBuffer());
  engine = await Engine.open(path.join(work, 'library'));
  await engine.call('importFolders', { paths: [path.join(work, 'photos')] });
  await engine.whenIdle();
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('duplicates of simple images', () => {
  it('premise: the descriptor alone scores some different simple images above the default', async () => {
    const ex = await FeatureExtractor.create({ workers: 0, descriptor: 'near-duplicate' });
    const v = (await ex.extract(simple)).map((x) => {
      if (x instanceof Error) throw x;
      return x;
    });
    await ex.close();
    let best = -1;
    for (let a = 0; a < v.length; a++) for (let b = a + 1; b < v.length; b++) best = Math.max(best, v[a].reduce((s, x, k) => s + x * v[b][k], 0));
    expect(best).toBeGreaterThanOrEqual(DEFAULT_DUPLICATE_THRESHOLD);
  }, 60_000);

  it('groups copies with their original and never different pictures', async () => {
    const groups = await engine.call('duplicates', {});
    for (const g of groups) expect(new Set(g.images.map((h) => source.get(h.path))).size).toBe(1);
    const pictures = groups.map((g) => g.images.map((h) => path.basename(h.path)).sort());
    expect(pictures).toContainEqual(['scene-crop.jpg', 'scene-q50.jpg', 'scene-small.jpg', 'scene.jpg']);
    expect(pictures).toContainEqual(['icon-0-copy.jpg', 'icon-0.jpg']);
  }, 60_000);

  it('keeps the pixel check\'s verdicts for the next process (it does not look at the photos again)', async () => {
    const before = await engine.call('duplicates', {});
    await engine.close();
    // Blank every thumbnail the check reads: checked again, no pair would line up.
    const thumbs = path.join(work, 'library', 'thumbs');
    const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).webp().toBuffer();
    for (const file of readdirSync(thumbs, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) writeFileSync(path.join(file.parentPath, file.name), blank);
    }
    engine = await Engine.open(path.join(work, 'library'));
    expect(before.length).toBeGreaterThan(0);
    expect(await engine.call('duplicates', {})).toEqual(before);
  }, 60_000);

  it('shows every member at or above the strictness asked', async () => {
    for (const threshold of [DEFAULT_DUPLICATE_THRESHOLD, 0.9]) {
      const groups = await engine.call('duplicates', { threshold });
      expect(groups.length).toBeGreaterThan(0);
      for (const g of groups) for (const h of g.images) expect(h.score).toBeGreaterThanOrEqual(threshold);
    }
  }, 60_000);

  it('shows a photo whose very bytes are at several paths as a group of its own, first', async () => {
    // Import merges byte-identical files into one photo, so no pair of photos can show them.
    const photos = path.join(work, 'photos');
    mkdirSync(path.join(photos, 'again'));
    const copies = [path.join(photos, 'again', 'scene.jpg'), path.join(photos, 'again', 'scene (copy).jpg')];
    for (const c of copies) copyFileSync(path.join(photos, 'scene.jpg'), c);
    await engine.call('importFolders', { paths: [photos] });
    await engine.whenIdle();
    const groups = await engine.call('duplicates', {});
    const [first] = groups;
    expect(first.kind).toBe('same-file');
    expect(first.images.map((h) => h.path)).toEqual([path.join(photos, 'scene.jpg'), ...copies].sort());
    expect(new Set(first.images.map((h) => h.id)).size).toBe(1);
    for (const h of first.images) expect(h).toMatchObject({ score: 1, bytes: first.images[0].bytes });
    expect(groups.filter((g) => g.kind === 'same-file')).toHaveLength(1);
    // The photo's edited copies still make their group (with the photo shown by one of its paths).
    const near = groups.filter((g) => g.kind === undefined && g.images.some((h) => h.id === first.images[0].id));
    expect(near.map((g) => g.images.map((h) => path.basename(h.path)).filter((n) => n.startsWith('scene-')).sort())).toEqual([
      ['scene-crop.jpg', 'scene-q50.jpg', 'scene-small.jpg'],
    ]);
  }, 60_000);
});
