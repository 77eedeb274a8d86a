import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { splitDescriptor, TAIL_INPUT_SHAPE, type DescriptorName } from '../../../src-main/model/descriptor.js';
import { loadFineTunableBackbone } from '../../../src-main/learn/backbone-trunk.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { cosine, highFrequencyPattern, smoothGradient } from './images.js';

async function describeAll(descriptor: DescriptorName, images: Buffer[]) {
  const ex = await FeatureExtractor.create({ workers: 0, descriptor });
  const out = await ex.extract(images);
  const id = ex.featureId;
  await ex.close();
  return { id, vectors: out.map((v) => v as Float32Array) };
}

/** An asymmetric scene: a gradient with a bright block in one corner and stripes in another. */
async function scene(): Promise<Buffer> {
  const [base, stripes] = await Promise.all([smoothGradient(2), highFrequencyPattern(3)]);
  const patch = await sharp(stripes).resize(60, 60).toBuffer();
  const block = await sharp({ create: { width: 40, height: 50, channels: 3, background: '#fff' } }).png().toBuffer();
  return sharp(base).composite([{ input: patch, left: 90, top: 5 }, { input: block, left: 10, top: 100 }]).png().toBuffer();
}

describe('near-duplicate descriptor', () => {
  it('is unit length, keyed apart from pooled features, and finds a re-encoded copy among other images', async () => {
    const img = await scene();
    const copy = await sharp(img).resize(120).jpeg({ quality: 30 }).toBuffer();
    const others = await Promise.all([smoothGradient(2), highFrequencyPattern(3), smoothGradient(6)]);
    const { id, vectors: [a, b, ...rest] } = await describeAll('near-duplicate', [img, copy, ...others]);
    expect(a.length).toBe(1152);
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    for (const o of rest) expect(cosine(b, a)).toBeGreaterThan(cosine(b, o));
    expect(id).toBe('nsfwjs-mobilenet_v2@4.4.0/flatten_1#near-duplicate-v1');
  });

  it('matches a photo turned 90 degrees through the rotated query descriptor', async () => {
    const img = await scene();
    const turnedCw = await sharp(img).rotate(90).png().toBuffer();
    const [{ vectors: [original, plainQuery] }, { vectors: [turnBack] }, { vectors: [wrongWay] }] = await Promise.all([
      describeAll('near-duplicate', [img, turnedCw]),
      describeAll('near-duplicate-rot90', [turnedCw]), // turns it counter-clockwise: back upright
      describeAll('near-duplicate-rot270', [turnedCw]),
    ]);
    expect(cosine(turnBack, original)).toBeGreaterThan(0.98);
    expect(cosine(turnBack, original)).toBeGreaterThan(cosine(plainQuery, original));
    expect(cosine(turnBack, original)).toBeGreaterThan(cosine(wrongWay, original));
  });

  it("'pooled+near-duplicate' is both descriptors from one pass", async () => {
    const images = [await scene(), await smoothGradient(4)];
    const [{ vectors: both }, { vectors: pooled }, { vectors: dup }] = await Promise.all([
      describeAll('pooled+near-duplicate', images),
      describeAll('pooled', images),
      describeAll('near-duplicate', images),
    ]);
    images.forEach((_, i) => {
      const parts = splitDescriptor(both[i], 1280);
      expect(parts.pooled.length).toBe(1280);
      expect(parts.tailInput).toBeUndefined();
      expect(cosine(parts.pooled, pooled[i])).toBeGreaterThan(0.99999);
      expect(cosine(parts.nearDuplicate, dup[i])).toBeGreaterThan(0.99999);
    });
  });

  it("'+tail-input' adds the fine-tunable blocks' input: the pretrained tail turns it into the pooled features", async () => {
    const images = [await scene(), await smoothGradient(4)];
    const { vectors } = await describeAll('pooled+near-duplicate+tail-input', images);
    const backbone = await loadFineTunableBackbone();
    const tail = backbone.newTail();
    try {
      const parts = vectors.map((v) => splitDescriptor(v, 1280));
      const viaTail = tail.features(parts.map((p) => p.tailInput!), TAIL_INPUT_SHAPE);
      parts.forEach((p, i) => {
        expect(p.tailInput!.length).toBe(7 * 7 * 160);
        expect(cosine(viaTail[i], p.pooled)).toBeGreaterThan(0.99999);
      });
    } finally {
      tail.dispose();
      backbone.dispose();
    }
  });
});
