// Simple shapes on 28x28 shots, as Fashion-MNIST keeps them (issue 18, item 4): a shot turned a
// quarter must not pair with a different shape whose outline it happens to cover (a pullover on
// its side lines up with a box once the rows that differ most are left out), while its own turned
// copy still pairs. Turned matches of images with little detail need more evidence.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { confirms, rgbOf } from '../../../src-main/copies/duplicate-check.js';
import { pixelMatch, pixelViews, type PixelViews } from '../../../src-main/copies/pixel-match.js';

/** Brightness 0-255 of a 28x28 shot's pixel (x, y), light on black. */
type Shape = (x: number, y: number) => number;

const tshirt: Shape = (x, y) => {
  const body = x >= 8 && x <= 19 && y >= 4 && y <= 25;
  const sleeve = y >= 4 && y <= 10 + (x < 8 ? x - 8 : x > 19 ? 19 - x : 0) && x >= 2 && x <= 25;
  const neck = y <= 5 && x >= 11 && x <= 16;
  return (body || sleeve) && !neck ? 200 : 0;
};
const pullover: Shape = (x, y) => ((x >= 7 && x <= 20 && y >= 3 && y <= 24) || (y >= 4 && y <= 22 && ((x >= 2 && x <= 6) || (x >= 21 && x <= 25))) ? 160 : 0);
const box: Shape = (x, y) => (x >= 5 && x <= 22 && y >= 6 && y <= 21 ? 200 : 0);
const bag: Shape = (x, y) => {
  const r = Math.hypot(x - 13.5, y - 10);
  return x >= 3 && x <= 24 && y >= 10 && y <= 24 ? 180 : y <= 10 && r >= 5 && r <= 7 ? 150 : 0;
};
const trousers: Shape = (x, y) => (y >= 2 && y <= 25 && ((x >= 8 && x <= 13) || (x >= 15 && x <= 20) || (y <= 8 && x >= 8 && x <= 20)) ? 190 : 0);

/** The shot as a user keeps it (enlarged to 112 px, JPEG), turned a quarter clockwise or not, as the match sees it. */
async function shot(shape: Shape, turned = false, quality = 92): Promise<PixelViews> {
  const px = new Uint8Array(28 * 28);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) px[y * 28 + x] = turned ? shape(y, 27 - x) : shape(x, y);
  const jpeg = await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112).jpeg({ quality }).toBuffer();
  return pixelViews(await rgbOf(jpeg));
}

describe('quarter-turned simple shapes', () => {
  it('premise: leaving out the rows that differ most, a pullover on its side lines up with a box', async () => {
    const m = pixelMatch(await shot(pullover, true), await shot(box));
    expect(m.kept).toBeGreaterThan(0.99);
    expect(m.detail).toBeLessThan(0.1);
  });

  it('are not paired with a different shape', async () => {
    const shapes = { tshirt, pullover, box, bag, trousers };
    for (const [turnedName, turned] of Object.entries(shapes)) {
      const views = await shot(turned, true);
      for (const [otherName, other] of Object.entries(shapes)) {
        if (other === turned) continue;
        expect(confirms(pixelMatch(views, await shot(other))), `${turnedName} turned, ${otherName}`).toBe(false);
      }
    }
  });

  it('still pair with their own turned copies, re-encoded', async () => {
    for (const [name, shape] of Object.entries({ tshirt, pullover, box, bag, trousers })) {
      expect(confirms(pixelMatch(await shot(shape, true, 75), await shot(shape))), name).toBe(true);
    }
  });
});
