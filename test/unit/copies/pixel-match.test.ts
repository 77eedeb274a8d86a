// The duplicates view's pixel match on images drawn by code: an edited copy (mirrored, turned,
// brightened, greyed, cropped a little, straightened, captioned) lines up with its original; a
// different picture (also straightened or captioned) and a same-shaped picture in another colour
// do not.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/common/random.js';
import { layoutOf, pixelMatch, pixelViews, SOURCE_SIDE } from '../../../src-main/copies/pixel-match.js';
import { confirms } from '../../../src-main/copies/duplicate-check.js';
import { viewsAsImported } from '../../fixtures/pixel-views.js';
import { paperTexture } from '../../fixtures/simple-images.js';
import { matchPairs, type PixelImage } from '../../../src-main/copies/pixel-pool.js';
import type { PixelMatch } from '../../../src-main/copies/pixel-match.js';

type Rgb = (x: number, y: number) => [number, number, number];

/** A SOURCE_SIDE square RGB image of `f` over the window (x0, y0, side) of the unit square. */
function draw(f: Rgb, x0 = 0, y0 = 0, side = 1): Uint8Array {
  const n = SOURCE_SIDE;
  const out = new Uint8Array(n * n * 3);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const c = f(x0 + ((i + 0.5) / n) * side, y0 + ((j + 0.5) / n) * side);
      for (let k = 0; k < 3; k++) out[3 * (j * n + i) + k] = Math.max(0, Math.min(255, Math.round(c[k])));
    }
  }
  return out;
}

/** A photo-like scene: a few soft colour blobs. */
function scene(seed: number): Rgb {
  const r = seededRandom(seed);
  const blobs = Array.from({ length: 6 }, () => ({ x: r(), y: r(), s: 0.08 + r() * 0.2, c: [r() * 255, r() * 255, r() * 255] }));
  return (x, y) => {
    const c = [60, 60, 60];
    for (const b of blobs) {
      const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
      for (let k = 0; k < 3; k++) c[k] = c[k] * (1 - w) + b.c[k] * w;
    }
    return c as [number, number, number];
  };
}

const square = (colour: [number, number, number]): Rgb => (x, y) => (x > 0.3 && x < 0.7 && y > 0.3 && y < 0.7 ? colour : [250, 250, 250]);
const match = (a: Uint8Array, b: Uint8Array) => pixelMatch(pixelViews(a), pixelViews(b));

describe('pixelMatch', () => {
  const original = scene(1);
  const edits: [string, Rgb, number?, number?, number?][] = [
    ['mirrored', (x, y) => original(1 - x, y)],
    ['turned a quarter', (x, y) => original(y, 1 - x)],
    ['brightened', (x, y) => original(x, y).map((v) => v * 1.3 + 10) as [number, number, number]],
    ['greyed', (x, y) => {
      const [r, g, b] = original(x, y);
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      return [l, l, l];
    }],
    ['cropped a little off-centre', original, 0.08, 0.02, 0.88],
    // As bench/near-dup-edits.ts crops: 75 % of each side, near the bottom left.
    ['cropped to three quarters off-centre', original, 0.05, 0.2, 0.75],
    // Straightened: turned 8 degrees about the centre, then cut to the middle 78 % (no filled corners).
    ['straightened', (x, y) => {
      const [u, v, a] = [(x - 0.5) * 0.78, (y - 0.5) * 0.78, (8 * Math.PI) / 180];
      return original(0.5 + Math.cos(a) * u - Math.sin(a) * v, 0.5 + Math.sin(a) * u + Math.cos(a) * v);
    }],
    // Captioned (as bench/near-dup-edits.ts captions): a line of white letters edged black across the
    // lower part, and a small yellow stamp top left.
    ['captioned', (x, y) => {
      const inBand = y > 0.8 && y < 0.88 && x > 0.12 && x < 0.88;
      const inStamp = y > 0.05 && y < 0.08 && x > 0.04 && x < 0.3;
      if (inBand) return Math.floor(x * 40) % 3 === 0 ? [0, 0, 0] : [255, 255, 255];
      if (inStamp) return Math.floor(x * 60) % 2 ? [255, 255, 0] : original(x, y);
      return original(x, y);
    }],
  ];

  it.each(edits)('confirms a copy %s', (_, f, x0, y0, side) => {
    const m = match(draw(original), draw(f, x0, y0, side));
    expect(confirms(m)).toBe(true);
  });

  it('rejects a different picture', () => {
    for (const seed of [2, 3, 4]) expect(confirms(match(draw(original), draw(scene(seed))))).toBe(false);
  });

  it('rejects a different picture turned, cropped or captioned like a copy', () => {
    const other = scene(5);
    const straightened: Rgb = (x, y) => other(0.5 + (x - 0.5) * 0.78 * Math.cos(0.14) - (y - 0.5) * 0.78 * Math.sin(0.14), 0.5 + (x - 0.5) * 0.78 * Math.sin(0.14) + (y - 0.5) * 0.78 * Math.cos(0.14));
    const captioned: Rgb = (x, y) => (y > 0.8 && y < 0.88 && x > 0.12 && x < 0.88 ? (Math.floor(x * 40) % 3 === 0 ? [0, 0, 0] : [255, 255, 255]) : other(x, y));
    for (const f of [straightened, captioned]) expect(confirms(match(draw(original), draw(f)))).toBe(false);
  });

  it('rejects the same shape in another colour, but not its grey copy', () => {
    const red = draw(square([220, 30, 30]));
    const m = match(red, draw(square([30, 160, 40])));
    expect(m.brightness).toBeGreaterThan(0.9); // premise: brightness alone would not tell
    expect(confirms(m)).toBe(false);
    expect(confirms(match(red, draw(square([95, 95, 95]))))).toBe(true);
  });
});

describe('layoutOf', () => {
  it('is the match\'s own upright whole-frame view', () => {
    const rgb = draw(scene(3));
    expect(Array.from(layoutOf(rgb))).toEqual(Array.from(pixelViews(rgb).turns[0].lum));
  });
});

describe('matchPairs (worker threads)', () => {
  it('matches as this thread does, in the order asked; a missing image gives null; progress reaches the total', async () => {
    const images = new Map<string, PixelImage>();
    for (let seed = 1; seed <= 6; seed++) images.set(`s${seed}`, { key: `s${seed}`, rgb: draw(scene(seed)), aspect: 1 });
    images.set('s1-crop', { key: 's1-crop', rgb: draw(scene(1), 0.05, 0.2, 0.75), aspect: 1 });
    const keys = [...images.keys()];
    const pairs: [string, string][] = [];
    for (const a of keys) for (const b of keys) if (a < b) pairs.push([a, b]);
    pairs.push(['s1', 'gone']);
    const got: (PixelMatch | null)[] = new Array(pairs.length);
    let progress = [0, 0];
    await matchPairs(pairs, async (key) => images.get(key) ?? null, (done) => done.forEach(({ index, match }) => (got[index] = match)), {
      workers: 2,
      onProgress: (d, t) => (progress = [d, t]),
    });
    expect(progress).toEqual([pairs.length, pairs.length]);
    pairs.forEach(([a, b], k) => {
      if (b === 'gone') expect(got[k]).toBeNull();
      else expect(got[k]).toEqual(pixelMatch(pixelViews(images.get(a)!.rgb), pixelViews(images.get(b)!.rgb)));
    });
    // Premise: the batch holds a confirmed pair and rejected ones.
    expect(pairs.filter((_, k) => got[k] && confirms(got[k]!)).map((p) => p.join('~'))).toEqual(['s1~s1-crop']);
  }, 60_000);
});

describe('pixelMatch on a grey paper texture (little contrast, little detail)', () => {
  it('confirms its darkened and cropped copies, not another sheet', async () => {
    const paper = await paperTexture(1);
    const original = await viewsAsImported(paper);
    const darker = await viewsAsImported(await sharp(paper).modulate({ brightness: 0.6 }).jpeg({ quality: 90 }).toBuffer());
    const cropped = await viewsAsImported(await sharp(paper).extract({ left: 60, top: 180, width: 900, height: 675 }).jpeg({ quality: 90 }).toBuffer());
    const m = pixelMatch(original, darker);
    // Premise: a plain photo's bar (a garment on black) would refuse it: the paper has little contrast.
    expect(m.brightness).toBeLessThan(0.985);
    expect(m.contrast).toBeLessThan(20);
    expect(confirms(m)).toBe(true);
    expect(confirms(pixelMatch(original, cropped))).toBe(true);
    expect(confirms(pixelMatch(original, await viewsAsImported(await paperTexture(2))))).toBe(false);
  });
});
