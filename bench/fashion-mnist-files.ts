// Fashion-MNIST as a folder of photos, the way a user's library looks: the first N images of
// the 70,000 (train then test) as 28×28 PNG files in one folder per class, and every tenth of
// them also as a 1,600 × 1,000 JPEG (upscaled, with grain), so decoding costs what a camera
// photo costs. Written once per N under .bench-out/ and reused.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CLASS_NAMES, FASHION_DIR, readIdxImages, readIdxLabels } from './fashion-mnist-data.js';

export const LARGE_EVERY = 10;

/** Folder-safe class names ("T-shirt/top" → "T-shirt-top"). */
const folderOf = (c: number) => CLASS_NAMES[c].replace(/[^A-Za-z0-9-]+/g, '-');

/** Writes (or finds) the folder of the first `n` images; returns it and how many files it holds. */
export async function fashionMnistFolder(root: string, n: number): Promise<{ dir: string; files: number }> {
  const dir = path.join(root, `fashion-mnist-${n}`);
  const large = Math.ceil(n / LARGE_EVERY);
  const done = path.join(dir, '.complete');
  if (existsSync(done)) return { dir, files: n + large };
  const parts = ['train', 't10k'].map((p) => ({
    images: readIdxImages(path.join(FASHION_DIR, `${p}-images-idx3-ubyte.gz`)),
    labels: readIdxLabels(path.join(FASHION_DIR, `${p}-labels-idx1-ubyte.gz`)),
  }));
  const total = parts.reduce((s, p) => s + p.images.count, 0);
  if (n > total) throw new Error(`Fashion-MNIST has ${total} images, not ${n}`);
  for (let c = 0; c < CLASS_NAMES.length; c++) mkdirSync(path.join(dir, folderOf(c)), { recursive: true });
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const part = i < parts[0].images.count ? parts[0] : parts[1];
    const k = i < parts[0].images.count ? i : i - parts[0].images.count;
    const { rows, cols, pixels } = part.images;
    const raw = Buffer.from(pixels.subarray(k * rows * cols, (k + 1) * rows * cols));
    const base = path.join(dir, folderOf(part.labels[k]), String(i).padStart(5, '0'));
    jobs.push(writeOne(raw, rows, cols, base, i % LARGE_EVERY === 0));
    if (jobs.length >= 8) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  writeFileSync(done, '');
  return { dir, files: n + large };
}

async function writeOne(raw: Buffer, rows: number, cols: number, base: string, alsoLarge: boolean): Promise<void> {
  const grey = { raw: { width: cols, height: rows, channels: 1 as const } };
  await sharp(raw, grey).png().toFile(`${base}.png`);
  if (!alsoLarge) return;
  const big = await sharp(raw, grey).resize(1600, 1000, { fit: 'fill', kernel: 'cubic' }).toColourspace('srgb').raw().toBuffer();
  // Grain, so the JPEG is as dense as a photo's (a smooth upscale compresses to almost nothing).
  for (let j = 0; j < big.length; j++) big[j] = Math.max(0, Math.min(255, big[j] + (Math.imul(j, 2654435761) >>> 28) - 8));
  await sharp(big, { raw: { width: 1600, height: 1000, channels: 3 } }).jpeg({ quality: 90 }).toFile(`${base}-large.jpg`);
}
