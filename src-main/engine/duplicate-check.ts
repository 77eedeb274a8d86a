// The duplicates view's confirmation: a pair the near-duplicate descriptor proposes counts only
// when the two photos' pixels also line up (search/pixel-match.ts). The descriptor alone put 300
// different Fashion-MNIST product shots into one group; pixels tell them apart. It reads the
// grid thumbnails import already made (256 px WebP, a millisecond or two each), not the
// originals, and keeps each photo's views and each pair's verdict for the next call, so asking
// again at another strictness re-checks nothing. (similar()'s copy check, part by part on CNN
// cells, was the other candidate: different text pages score 0.94 there, copies 0.97, so it
// does not separate them, and it needs a CNN pass per photo: bench/duplicates-mixed-study.ts.)
import sharp from 'sharp';
import { pixelMatch, pixelViews, SOURCE_SIDE, type PixelViews } from '../search/pixel-match.js';
import type { DuplicatePair } from '../search/duplicates.js';

/**
 * The least brightness match of a confirmed pair. On the mixed library's proposed pairs
 * (bench/duplicates-mixed-study.ts, descriptor >= 0.95, colour >= 0.8): 0.97 keeps pairs at
 * precision 0.984, 0.98 at 0.9915 (recall of copy pairs 0.50 and 0.45); the product's figures
 * are DEFAULT_DUPLICATE_THRESHOLD's.
 */
export const PIXEL_MATCH_MIN = 0.98;
/**
 * The least colour agreement of a confirmed pair (when both photos have colours): edited copies
 * agree at 0.89 or more in 19 of 20 wallpaper pairs; same-shaped icons of other colours at -0.2.
 */
export const COLOUR_MATCH_MIN = 0.8;

/**
 * The least brightness match, leaving out the rows that differ most, of a captioned copy (its
 * whole-frame match at least ROUGH_MATCH_MIN). bench/duplicates-pixel-study.ts: 0.99 finds
 * captioned copies' pairs with their originals 0.24 of the time (0.03 without), precision
 * unchanged; 0.985 finds 0.36 but lets different Fashion-MNIST shots in (precision 0.985).
 */
export const KEPT_MATCH_MIN = 0.99;
const ROUGH_MATCH_MIN = 0.85;

export function confirms(m: { brightness: number; kept: number; colour: number }): boolean {
  const lineUp = m.brightness >= PIXEL_MATCH_MIN || (m.kept >= KEPT_MATCH_MIN && m.brightness >= ROUGH_MATCH_MIN);
  return lineUp && m.colour >= COLOUR_MATCH_MIN;
}

/** A small image of a photo (its thumbnail, or failing that its file), and a key to cache it by. */
export type PixelSource = (id: number) => { key: string; input: string } | null;

export class DuplicateCheck {
  private readonly views = new Map<string, Promise<PixelViews | null>>();
  /** Verdicts by the two photos' keys: asking again at another strictness re-checks no pair. */
  private readonly verdicts = new Map<string, boolean>();

  /** The pairs whose pixels line up (order kept); `source` says where each photo's image is. */
  async confirm(pairs: readonly DuplicatePair[], source: PixelSource): Promise<DuplicatePair[]> {
    const out: DuplicatePair[] = [];
    const images = new Map<number, ReturnType<PixelSource>>();
    const imageOf = (id: number) => {
      if (!images.has(id)) images.set(id, source(id));
      return images.get(id)!;
    };
    for (const p of pairs) {
      const [ia, ib] = [imageOf(p.a), imageOf(p.b)];
      if (!ia || !ib) continue;
      const key = ia.key < ib.key ? `${ia.key}|${ib.key}` : `${ib.key}|${ia.key}`;
      let ok = this.verdicts.get(key);
      if (ok === undefined) {
        const [a, b] = await Promise.all([this.viewsOf(ia), this.viewsOf(ib)]);
        ok = a !== null && b !== null && confirms(pixelMatch(a, b));
        this.verdicts.set(key, ok);
      }
      if (ok) out.push(p);
    }
    return out;
  }

  /** Views of photos no longer listed are dropped by the caller through forget(). */
  forget(keep: ReadonlySet<string>): void {
    for (const key of this.views.keys()) if (!keep.has(key)) this.views.delete(key);
    for (const key of this.verdicts.keys()) if (!key.split('|').every((k) => keep.has(k))) this.verdicts.delete(key);
  }

  private viewsOf(image: { key: string; input: string }): Promise<PixelViews | null> {
    let v = this.views.get(image.key);
    if (!v) {
      v = Promise.all([rgbOf(image.input), aspectOf(image.input)]).then(([rgb, aspect]) => pixelViews(rgb, aspect), () => null);
      this.views.set(image.key, v);
    }
    return v;
  }
}

/** Width / height of an image as shown (EXIF orientation applied): straightened copies are turned in the photo's own proportions. */
export async function aspectOf(input: string | Buffer): Promise<number> {
  const m = await sharp(input, { failOn: 'none' }).metadata();
  const [w, h] = (m.orientation ?? 1) >= 5 ? [m.height, m.width] : [m.width, m.height];
  return w && h ? w / h : 1;
}

/** The image as SOURCE_SIDE x SOURCE_SIDE sRGB values (squashed square, EXIF orientation applied). */
export async function rgbOf(input: string | Buffer): Promise<Uint8Array> {
  const { data, info } = await sharp(input, { failOn: 'none' })
    .autoOrient()
    .resize(SOURCE_SIDE, SOURCE_SIDE, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const rgb = new Uint8Array(data.length * 3);
  for (let i = 0; i < data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
  return rgb;
}
