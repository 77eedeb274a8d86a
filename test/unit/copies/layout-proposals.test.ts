// Pairs proposed by thumbnail layout: among many simple images whose descriptors all score
// alike, a photo's turned copy is proposed with it, while pairs below the strictness by
// descriptor, and pairs already proposed, are not; layouts are kept for the next call.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYOUT_DIM, LAYOUT_FEATURE_ID, LayoutProposals, type LayoutPhoto } from '../../../src-main/copies/layout-proposals.js';
import { FeatureStore } from '../../../src-main/model/feature-store.js';
import { iconSvg } from '../../fixtures/simple-images.js';

let dir: string;
const photos: LayoutPhoto[] = [];
const descriptors = new Map<number, Float32Array>();
const unit = (v: number[]) => Float32Array.from(v, (x) => x / Math.hypot(...v));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lookalike-layouts-'));
  mkdirSync(join(dir, 'thumbs'));
  // 30 different icons, and a turned copy of icon 0 (id 100): every descriptor close to every other.
  const put = async (id: number, image: Buffer) => {
    const input = join(dir, 'thumbs', `${id}.webp`);
    await sharp(image).resize(256, 256).webp().toFile(input);
    photos.push({ id, hash: `h${id}`, input: () => input });
    descriptors.set(id, unit([1, 0.02 * ((id * 7) % 5), 0.02 * ((id * 3) % 7)]));
  };
  for (let i = 0; i < 30; i++) await put(i, await sharp(Buffer.from(iconSvg(i))).png().toBuffer());
  await put(100, await sharp(Buffer.from(iconSvg(0))).rotate(90).png().toBuffer());
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LayoutProposals', () => {
  it('proposes a turned copy with its original, within the strictness, once', async () => {
    const proposals = new LayoutProposals(FeatureStore.open(join(dir, 'features'), LAYOUT_FEATURE_ID, LAYOUT_DIM));
    const pairs = await proposals.pairs(photos, descriptors, 0.99, []);
    expect(pairs).toContainEqual(expect.objectContaining({ a: 0, b: 100 }));
    // Few pairs: each photo proposes its nearest few, not all 31 x 30 / 2.
    expect(pairs.length).toBeLessThanOrEqual(31 * 8);
    for (const p of pairs) expect(p.score).toBeGreaterThanOrEqual(0.99);
    // Already proposed (by descriptor): not again. A strictness no pair meets: none.
    expect(await proposals.pairs(photos, descriptors, 0.99, [{ a: 0, b: 100, score: 1 }])).not.toContainEqual(expect.objectContaining({ a: 0, b: 100 }));
    const far = new Map([...descriptors].map(([id, v]) => [id, id === 100 ? unit([0, 1, 0]) : v]));
    expect(await proposals.pairs(photos, far, 0.99, [])).not.toContainEqual(expect.objectContaining({ b: 100 }));
    // The library changes: a photo that left proposes nothing, and back again it is found again.
    const without = await proposals.pairs(photos.filter((p) => p.id !== 100), descriptors, 0.99, []);
    expect(without.some((p) => p.a === 100 || p.b === 100)).toBe(false);
    expect(await proposals.pairs(photos, descriptors, 0.99, [])).toContainEqual(expect.objectContaining({ a: 0, b: 100 }));
    proposals.close();
  }, 60_000);

  it('takes a flat photo (one grey: no layout to compare by angle) without failing; it proposes nothing', async () => {
    const input = join(dir, 'thumbs', 'flat.webp');
    await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 128, g: 128, b: 128 } } }).webp().toFile(input);
    const proposals = new LayoutProposals(FeatureStore.open(join(dir, 'features-flat'), LAYOUT_FEATURE_ID, LAYOUT_DIM));
    const flat = new Map([...descriptors, [200, descriptors.get(0)!]]);
    const pairs = await proposals.pairs([...photos, { id: 200, hash: 'flat', input: () => input }], flat, 0.99, []);
    expect(pairs).toContainEqual(expect.objectContaining({ a: 0, b: 100 }));
    expect(pairs.some((p) => p.b === 200)).toBe(false);
    proposals.close();
  }, 60_000);

  it('reads thumbnails a few at a time: a damaged or missing one proposes nothing, each other photo keeps its own layout', async () => {
    const damaged = join(dir, 'thumbs', 'damaged.webp');
    writeFileSync(damaged, Buffer.from('RIFF\0\0\0\0WEBPVP8 not an image'));
    // Damaged and missing thumbnails among the others, so reads ahead of them are in flight when they fail.
    const mixed: LayoutPhoto[] = photos.flatMap((p, k) => (k % 7 === 3 ? [{ id: 300 + k, hash: `bad${k}`, input: () => (k % 2 ? damaged : null) }, p] : [p]));
    const store = FeatureStore.open(join(dir, 'features-mixed'), LAYOUT_FEATURE_ID, LAYOUT_DIM);
    const proposals = new LayoutProposals(store);
    const near = new Map([...descriptors, ...mixed.filter((p) => p.id >= 300).map((p) => [p.id, descriptors.get(0)!] as const)]);
    const pairs = await proposals.pairs(mixed, near, 0.99, []);
    expect(pairs).toContainEqual(expect.objectContaining({ a: 0, b: 100 }));
    expect(pairs.some((p) => p.a >= 300 || p.b >= 300)).toBe(false);
    // Stored under each photo's own hash: the turned copy's layout is its own, not a neighbour's read.
    const [original, turned, icon1] = store.get(['h0', 'h100', 'h1']);
    const close = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(close(original!, original!)).toBeCloseTo(1, 3);
    expect(close(original!, turned!)).toBeLessThan(0.9);
    expect(close(original!, icon1!)).toBeLessThan(0.99);
    expect(store.get(['bad3', 'bad10'])).toEqual([undefined, undefined]);
    proposals.close();
  }, 60_000);

  it('keeps layouts: the next process reads no thumbnail', async () => {
    const again = new LayoutProposals(FeatureStore.open(join(dir, 'features'), LAYOUT_FEATURE_ID, LAYOUT_DIM));
    const pairs = await again.pairs(photos.map((p) => ({ ...p, input: () => null })), descriptors, 0.99, []);
    expect(pairs).toContainEqual(expect.objectContaining({ a: 0, b: 100 }));
    again.close();
  });
});
