import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeForBackbone, PIXELS_PER_IMAGE } from '../../../src-main/model/preprocess.js';

/** A w x h image, left half red and right half blue. */
function halves(w: number, h: number): ReturnType<typeof sharp> {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
  return sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
}

const px = (p: Uint8Array, x: number, y: number) => Array.from(p.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3));

describe('decodeForBackbone', () => {
  it('gives 224x224 RGB for greyscale, CMYK and alpha images', async () => {
    const grey = await halves(64, 64).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const g = await decodeForBackbone(grey);
    expect(g.length).toBe(PIXELS_PER_IMAGE);
    expect(px(g, 10, 10)[0]).toBe(px(g, 10, 10)[1]);

    const cmyk = await halves(64, 64).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const c = await decodeForBackbone(cmyk);
    expect(c.length).toBe(PIXELS_PER_IMAGE);
    const [r, , b] = px(c, 20, 112);
    expect(r).toBeGreaterThan(200); // red side still red after CMYK -> sRGB
    expect(b).toBeLessThan(80);

    const rgba = await halves(64, 64).ensureAlpha(0.5).png().toBuffer();
    expect((await decodeForBackbone(rgba)).length).toBe(PIXELS_PER_IMAGE);
  });

  it('applies the EXIF orientation before centre-cropping', async () => {
    // wide, left red / right blue; orientation 6 means "display rotated 90 degrees clockwise"
    const plain = await halves(300, 200).jpeg().toBuffer();
    const rotated = await halves(300, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const p = await decodeForBackbone(plain);
    const q = await decodeForBackbone(rotated);
    expect(px(p, 20, 112)[0]).toBeGreaterThan(200); // left is red
    expect(px(p, 200, 112)[2]).toBeGreaterThan(200); // right is blue
    expect(px(q, 112, 20)[0]).toBeGreaterThan(200); // after rotation, top is red
    expect(px(q, 112, 200)[2]).toBeGreaterThan(200); // and bottom is blue
  });

  it('refuses a JPEG or PNG cut short, from bytes or from a file, rather than decode it half grey', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cut-'));
    try {
      for (const whole of [await halves(300, 200).jpeg().toBuffer(), await halves(300, 200).png().toBuffer()]) {
        expect((await decodeForBackbone(whole)).length).toBe(PIXELS_PER_IMAGE);
        const half = whole.subarray(0, Math.floor(whole.length / 2));
        await expect(decodeForBackbone(half)).rejects.toThrow(/^truncated \(the file ends early\)$/);
        const file = path.join(dir, 'half');
        writeFileSync(file, half);
        await expect(decodeForBackbone(file)).rejects.toThrow(/^truncated \(the file ends early\)$/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bytes that are not an image, and a JPEG damaged from its header on, not as cut short', async () => {
    await expect(decodeForBackbone(Buffer.from('hello'))).rejects.toThrow();
    const start = (await halves(64, 64).jpeg().toBuffer()).subarray(0, 2);
    await expect(decodeForBackbone(Buffer.concat([start, Buffer.alloc(4000, 0x5a)]))).rejects.toThrow(/corrupt header/);
  });
});
