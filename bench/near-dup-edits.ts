// The edited copies a user's library holds of one photo: re-encodes, resizes, small crops,
// rotations, mirror images, greyscale, brightness changes, captions.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export interface Edit {
  name: string;
  apply(original: Buffer, width: number, height: number): Promise<Buffer>;
}

const jpeg = (s: ReturnType<typeof sharp>, quality = 90) => s.jpeg({ quality }).toBuffer();

function caption(width: number, height: number): Buffer {
  const size = Math.round(height / 9);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <text x="50%" y="${Math.round(height * 0.85)}" text-anchor="middle" font-family="sans-serif"
      font-weight="bold" font-size="${size}" fill="white" stroke="black" stroke-width="${Math.max(2, size / 20)}">Summer 2019 &#x2764;</text>
    <text x="${Math.round(width * 0.04)}" y="${Math.round(height * 0.1)}" font-family="serif" font-size="${Math.round(size / 2)}" fill="yellow">IMG_0042 · copy</text>
  </svg>`);
}

export const EDITS: Edit[] = [
  {
    name: 'crop',
    // an off-centre crop keeping 75% of each side
    apply: (b, w, h) => jpeg(sharp(b).extract({ left: Math.round(w * 0.05), top: Math.round(h * 0.2), width: Math.round(w * 0.75), height: Math.round(h * 0.75) })),
  },
  { name: 'resize', apply: (b, w) => jpeg(sharp(b).resize(Math.round(w / 5)), 85) },
  { name: 'jpeg-q8', apply: (b) => jpeg(sharp(b), 8) },
  { name: 'rotate90', apply: (b) => jpeg(sharp(b).rotate(90)) },
  {
    name: 'rotate8',
    // straightened: rotated 8 degrees, then cropped to drop the filled corners
    apply: async (b, w, h) => {
      const rotated = await sharp(b).rotate(8, { background: '#000' }).toBuffer({ resolveWithObject: true });
      const cw = Math.round(w * 0.78);
      const ch = Math.round(h * 0.78);
      return jpeg(sharp(rotated.data).extract({
        left: Math.round((rotated.info.width - cw) / 2), top: Math.round((rotated.info.height - ch) / 2), width: cw, height: ch,
      }));
    },
  },
  { name: 'flip', apply: (b) => jpeg(sharp(b).flop()) },
  { name: 'grey', apply: (b) => jpeg(sharp(b).greyscale()) },
  { name: 'brighter', apply: (b) => jpeg(sharp(b).modulate({ brightness: 1.4 })) },
  { name: 'darker', apply: (b) => jpeg(sharp(b).modulate({ brightness: 0.6 })) },
  { name: 'text', apply: (b, w, h) => jpeg(sharp(b).composite([{ input: caption(w, h) }])) },
];

/** 64-bit difference hash: grey 9x8, one bit per horizontal neighbour comparison. */
export async function dHash(image: Buffer): Promise<bigint> {
  const px = await sharp(image, { failOn: 'none' }).rotate().greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer();
  let hash = 0n;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) hash = (hash << 1n) | (px[y * 9 + x] > px[y * 9 + x + 1] ? 1n : 0n);
  return hash;
}

export function hamming(a: bigint, b: bigint): number {
  let v = a ^ b;
  let n = 0;
  while (v) {
    n += Number(v & 1n);
    v >>= 1n;
  }
  return n;
}

// Debian's wallpapers, the real photos these benches edit.
export const WALLPAPER_ROOTS = ['/usr/share/backgrounds'];
// Light/dark or colour twins of one design and larger renditions of one picture are duplicates
// of each other, not distinct originals (a grey copy cannot tell them apart): keep one of each.
const SKIP = [/-d\.webp$/, /Elephants_\d+x\d+\.jpg$/, /Ubuntu-Mate-(Dark|Radioactive|Warm)-no-logo/, /lomiri-default-background\.png$/];
// (lomiri-default-background.png is warty-final-ubuntu.png again.) Transparent PNGs whose colour
// channels are blank under the alpha (the app, like this bench, drops alpha) have no identity to
// find: skipped when the library copy is near-uniform.
export const BLANK_STDEV = 8;
export const MAX_SIDE = 1600; // the "library" copy; edits start from it

export function listPhotos(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(jpe?g|png|webp)$/i.test(f) && !SKIP.some((r) => r.test(p))) out.push(p);
    }
  };
  for (const r of WALLPAPER_ROOTS) if (existsSync(r)) walk(r);
  return out.sort();
}
