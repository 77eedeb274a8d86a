// Synthetic photo-sized JPEGs for benchmarks: smooth colour fields plus noise and shapes, so
// that JPEG decoding costs what it costs on real photos (pure gradients decode unrealistically fast).
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export async function makeBenchJpegs(dir: string, count: number, width = 1600, height = 1000): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const have = readdirSync(dir).filter((f) => f.endsWith('.jpg'));
  if (have.length >= count) return have.slice(0, count).sort().map((f) => join(dir, f));
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(dir, `img-${String(i).padStart(4, '0')}.jpg`);
    files.push(file);
    if (existsSync(file)) continue;
    const hue = (i * 47) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
        <stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},60%,30%)"/>
      </linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/>
      <circle cx="${(i * 131) % width}" cy="${(i * 71) % height}" r="${150 + (i % 7) * 30}" fill="hsl(${(hue + 200) % 360},80%,50%)"/>
      <rect x="${(i * 53) % width}" y="${(i * 97) % height}" width="400" height="250" fill="hsl(${(hue + 60) % 360},50%,70%)" transform="rotate(${i % 45})"/>
    </svg>`;
    const noise = await sharp({
      create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    }).raw().toBuffer();
    await sharp(Buffer.from(svg))
      .composite([{ input: noise, raw: { width, height, channels: 3 }, blend: 'soft-light' }])
      .jpeg({ quality: 88 })
      .toFile(file);
  }
  return files;
}
