// Renders resources/icon.svg (drawn for Lookalike) to the PNGs electron-builder packs:
// resources/icon.png (1024 px; macOS and Windows icons are derived from it) and
// resources/icons/<n>x<n>.png (the Linux icon set). Run: npx tsx scripts/icons.ts
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const resources = path.join(root, 'resources');
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;

async function render(svg: Buffer, size: number, file: string): Promise<void> {
  // The SVG's viewBox is 1024 units: rasterised at 1024 px, then downsampled with antialiasing.
  await sharp(svg)
    .resize(size, size, { kernel: 'lanczos3' })
    .png({ compressionLevel: 9, palette: size <= 64 })
    .toFile(file);
}

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(resources, 'icon.svg'));
  fs.mkdirSync(path.join(resources, 'icons'), { recursive: true });
  await render(svg, 1024, path.join(resources, 'icon.png'));
  for (const size of LINUX_SIZES) await render(svg, size, path.join(resources, 'icons', `${size}x${size}.png`));
  const files = ['icon.png', ...LINUX_SIZES.map((s) => `icons/${s}x${s}.png`)];
  for (const f of files) console.log(`${f}\t${fs.statSync(path.join(resources, f)).size} bytes`);
}

await main();
