// The pixel check on real plain photos: Fashion-MNIST's 28-pixel product shots (Debian's
// dataset-fashion-mnist), thumbnailed as import does. Different shots of one kind of garment line
// up almost as well as copies do (the outline is all there is), and a bag turned a quarter lines up
// with a vest: the check must not take them for copies (issue 18), while still confirming a shot's
// turned, mirrored and brightened copies.
import { existsSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { confirms } from '../../../src-main/copies/duplicate-check.js';
import { pixelMatch, type PixelViews } from '../../../src-main/copies/pixel-match.js';
import { FASHION_DIR, readIdxImages, readIdxLabels } from '../../fixtures/fashion-mnist.js';
import { closestByLayout, viewsAsImported } from '../../fixtures/pixel-views.js';

const IMAGES = `${FASHION_DIR}/t10k-images-idx3-ubyte.gz`;
const present = existsSync(IMAGES);
if (!present && process.env.CI) throw new Error(`${IMAGES} is missing: apt-get install dataset-fashion-mnist`);

/**
 * Shots per class (the test set's first, in file order) of the plainest kinds (tops, trousers,
 * dresses, shirts, bags), and nearest shots by layout each is checked with.
 */
const CLASSES = [0, 1, 3, 6, 8];
const PER_CLASS = 50;
const NEAREST = 4;
/** The pair: a vest, and a bag that lines up with it when turned a quarter. */
const VEST = 27;
const BAG = 231;

let shot: (i: number, edit?: (s: Sharp) => Sharp) => Promise<PixelViews>;
const ids: number[] = [];

describe.skipIf(!present)('the pixel check on real 28-pixel product shots (apt-get install dataset-fashion-mnist)', () => {
  beforeAll(() => {
    const images = readIdxImages(IMAGES);
    const labels = readIdxLabels(`${FASHION_DIR}/t10k-labels-idx1-ubyte.gz`);
    const taken = new Map<number, number>();
    for (let i = 0; i < labels.length && ids.length < CLASSES.length * PER_CLASS; i++) {
      if (!CLASSES.includes(labels[i])) continue;
      const n = taken.get(labels[i]) ?? 0;
      if (n >= PER_CLASS) continue;
      taken.set(labels[i], n + 1);
      ids.push(i);
    }
    // A shot as a PNG file (edited or not), as the check sees the thumbnail import makes of it.
    shot = async (i, edit = (s) => s) => {
      const raw = sharp(Buffer.from(images.pixels.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } });
      return viewsAsImported(await edit(raw).png().toBuffer());
    };
  });

  it('seldom pairs different shots, even those that line up best', async () => {
    const views = new Map<number, PixelViews>();
    for (const i of ids) views.set(i, await shot(i));
    const matches = closestByLayout(views, NEAREST).map(([a, b]) => pixelMatch(views.get(a)!, views.get(b)!));
    // Premise: some line up as closely as the bar for plain photos asked before (0.98), and the
    // rule before paired 12 of these 784.
    expect(matches.filter((m) => m.brightness >= 0.98).length).toBeGreaterThan(0);
    // Two different dresses line up at 0.988, as well as many true copies do: 28 pixels hold no
    // more evidence. At most 1 pair in 300 of the closest different shots.
    expect(matches.filter(confirms).length).toBeLessThanOrEqual(Math.floor(matches.length / 300));
  });

  it('does not pair a vest with a bag turned a quarter', async () => {
    const m = pixelMatch(await shot(VEST), await shot(BAG));
    // Premise: they line up best with the bag turned, and all but a few rows agree.
    expect(m.turned).toBe(true);
    expect(m.kept).toBeGreaterThan(0.99);
    expect(confirms(m)).toBe(false);
  });

  it('confirms shots turned a quarter, mirrored and brightened', async () => {
    const edits: ((s: Sharp) => Sharp)[] = [(s) => s.rotate(90), (s) => s.flop(), (s) => s.linear(1.3, 10)];
    let confirmed = 0;
    const some = ids.filter((_, k) => k % 4 === 0);
    for (const i of some) {
      const original = await shot(i);
      for (const edit of edits) if (confirms(pixelMatch(original, await shot(i, edit)))) confirmed++;
    }
    expect(confirmed / (some.length * edits.length)).toBeGreaterThanOrEqual(0.85);
  });
});
