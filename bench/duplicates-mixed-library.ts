// The mixed library of bench/duplicates-mixed.ts: real photos (Debian's wallpapers), simple
// images (Fashion-MNIST product shots, generated flat icons, scan-like text pages, the patterned
// kinds of test/fixtures/kinds.ts) and edited copies of some of each (bench/near-dup-edits.ts).
// Every file has a `source`: two files are copies of each other exactly when their sources match.
// Written once per set of options into .bench-out/, so reruns skip the encoding.
//
// Needs: apt-get install -y --no-install-recommends mate-backgrounds ukui-wallpapers gnome-backgrounds lomiri-wallpapers dataset-fashion-mnist
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { kindSvg, KINDS } from '../test/fixtures/kinds.js';
import { iconSvg, pageSvg, paperTexture } from '../test/fixtures/simple-images.js';
import { BLANK_STDEV, EDITS, listPhotos, MAX_SIDE } from './near-dup-edits.js';

export type MixedSet = 'photo' | 'fashion' | 'icon' | 'page' | 'kind' | 'texture';

export interface MixedFile {
  file: string;
  set: MixedSet;
  /** Same source = the same picture (an original and its edited copies). */
  source: string;
  /** The edit's name, or 'original'. */
  edit: string;
}

export interface MixedOptions {
  /** Wallpapers taken (each with all its edits). */
  photos: number;
  /** Fashion-MNIST test images, spread evenly over the 10 classes. */
  fashion: number;
  /** Generated icons and text pages, each. */
  generated: number;
  /** Simple images (of each of fashion, icon, page) that also get edited copies. */
  editedSimple: number;
  /**
   * A held-out mix, none of whose pictures the rules were tuned on: wallpapers after the first
   * 40, Fashion-MNIST shots after the first 100 of each class, icons and pages of other seeds,
   * and no patterned kinds.
   */
  heldOut?: boolean;
  /** Generated grey paper textures (each different), each with its edited copies. */
  textures?: number;
}

export const DEFAULT_MIXED: MixedOptions = { photos: 40, fashion: 300, generated: 60, editedSimple: 10 };
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Writes the library (if not there yet) and returns its files with their sources. */
export async function mixedLibrary(opts: MixedOptions = DEFAULT_MIXED): Promise<{ dir: string; files: MixedFile[] }> {
  const extra = `${opts.heldOut ? '-heldout' : ''}${opts.textures ? `-t${opts.textures}` : ''}`;
  const dir = path.resolve('.bench-out', `dup-mixed-${opts.photos}-${opts.fashion}-${opts.generated}-${opts.editedSimple}${extra}`);
  const manifest = path.join(dir, 'manifest.json');
  if (existsSync(manifest)) return { dir: path.join(dir, 'photos'), files: JSON.parse(readFileSync(manifest, 'utf8')) as MixedFile[] };
  const photos = path.join(dir, 'photos');
  mkdirSync(photos, { recursive: true });
  const files: MixedFile[] = [];
  const put = async (set: MixedSet, source: string, buf: Buffer, withEdits: boolean) => {
    const meta = await sharp(buf).metadata();
    const write = (edit: string, data: Buffer) => {
      const file = path.join(photos, `${source}-${edit}.jpg`);
      writeFileSync(file, data);
      files.push({ file, set, source, edit });
    };
    write('original', buf);
    if (withEdits) for (const e of EDITS) write(e.name, await e.apply(buf, meta.width!, meta.height!));
  };

  let taken = 0;
  const [photosFrom, fashionFrom, seedFrom] = opts.heldOut ? [TUNING_PHOTOS, TUNING_FASHION_PER_CLASS, 1000] : [0, 0, 0];
  let usable = 0;
  for (const p of listPhotos()) {
    if (taken >= opts.photos) break;
    const data = await sharp(p).resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 92 }).toBuffer();
    if ((await sharp(data).greyscale().stats()).channels[0].stdev < BLANK_STDEV) continue;
    if (usable++ < photosFrom) continue;
    await put('photo', `photo${String(taken++).padStart(3, '0')}`, data, true);
  }
  if (taken < opts.photos) throw new Error(`only ${taken} wallpapers found: see the apt-get line at the top of this file`);

  for (const [i, px] of fashionImages(opts.fashion, fashionFrom).entries()) {
    // A 28x28 product shot as a user would keep it: enlarged, saved as JPEG.
    const buf = await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112).jpeg({ quality: 92 }).toBuffer();
    await put('fashion', `fashion${String(i).padStart(3, '0')}`, buf, i < opts.editedSimple);
  }
  for (let i = 0; i < opts.generated; i++) {
    await put('icon', `icon${String(i).padStart(3, '0')}`, await sharp(Buffer.from(iconSvg(seedFrom + i))).jpeg({ quality: 92 }).toBuffer(), i < opts.editedSimple);
    await put('page', `page${String(i).padStart(3, '0')}`, await sharp(Buffer.from(pageSvg(seedFrom + i))).jpeg({ quality: 92 }).toBuffer(), i < opts.editedSimple);
  }
  for (let i = 0; i < (opts.textures ?? 0); i++) await put('texture', `texture${String(i).padStart(3, '0')}`, await paperTexture(seedFrom + i), true);
  for (const kind of opts.heldOut ? [] : KINDS) {
    for (let s = 1; s <= 10; s++) await put('kind', `kind-${kind}${s}`, await sharp(Buffer.from(kindSvg(kind, s))).jpeg({ quality: 90 }).toBuffer(), false);
  }
  writeFileSync(manifest, JSON.stringify(files));
  return { dir: photos, files };
}

/** What the rules were tuned on (the default mix): a held-out mix starts after these. */
const TUNING_PHOTOS = 40;
const TUNING_FASHION_PER_CLASS = 100;

/** `n` Fashion-MNIST test images (28x28 grey), the first of each class in turn after `from` of each. */
function fashionImages(n: number, from = 0): Uint8Array[] {
  const images = gunzipSync(readFileSync(`${FASHION_DIR}/t10k-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION_DIR}/t10k-labels-idx1-ubyte.gz`));
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < 10000; i++) byClass[labels[8 + i]].push(i);
  const out: Uint8Array[] = [];
  for (let k = from; out.length < n; k++) {
    for (let c = 0; c < 10 && out.length < n; c++) out.push(images.subarray(16 + byClass[c][k] * 784, 16 + (byClass[c][k] + 1) * 784));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const { dir, files } = await mixedLibrary();
  const bySet = new Map<string, number>();
  for (const f of files) bySet.set(f.set, (bySet.get(f.set) ?? 0) + 1);
  console.log(`${files.length} files in ${dir} (${[...bySet].map(([s, n]) => `${s} ${n}`).join(', ')}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
