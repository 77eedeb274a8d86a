// The duplicates view's confirmation: a pair the near-duplicate descriptor proposes counts only
// when the two photos' pixels also line up (search/pixel-match.ts). The descriptor alone put 300
// different Fashion-MNIST product shots into one group; pixels tell them apart. It reads the
// grid thumbnails import already made (256 px WebP, a millisecond or two each), not the
// originals, matches them on worker threads, and keeps each pair's verdict in the feature cache
// file (model/pair-verdicts.ts): asking again, at another strictness or after a restart,
// re-checks nothing. (similar()'s copy check, part by part on CNN cells, was the other
// candidate: different text pages score 0.94 there, copies 0.97, so it does not separate them,
// and it needs a CNN pass per photo: bench/duplicates-mixed-study.ts.)
import sharp from 'sharp';
import { SOURCE_SIDE, type PixelMatch } from './pixel-match.js';
import { matchPairs } from './pixel-pool.js';
import { PAIR_SLICE, pause, readInSlices, type DuplicatePair, type SearchWatch } from './duplicates.js';
import type { PairVerdicts } from './pair-verdicts.js';

/** Names the rule below (confirms() and the pixel match): change it whenever either changes, so verdicts kept on disk by an older rule are not read. */
export const PIXEL_CHECK_ID = 'pixel-match@4';

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
 * whole-frame match at least ROUGH_MATCH_MIN). A caption spoils a few rows and leaves the rest
 * all but equal: captioned copies keep 0.991-1.000, most 0.996 or more. Different shots of one
 * kind of garment, or same-shaped icons, differ in a small place (a logo, a neckline) and keep
 * 0.99-0.993 when that place is left out: at 0.99, the bar before, they were 17 of the tuning
 * mix's 29 wrong pairs and a quarter-turned bag paired with a vest (issue 18). 0.995 on the
 * tuning mix (bench/duplicates-mixed.ts): wrong pairs 29 -> 17, every two versions 0.802 -> 0.798.
 */
export const KEPT_MATCH_MIN = 0.995;
const ROUGH_MATCH_MIN = 0.85;

/**
 * Detailed photos (PixelViews.detail at least DETAILED, both of them) line up at
 * DETAILED_MATCH_MIN or more to count: many small features agreeing is strong evidence, while
 * smooth shots (a shirt on black) of different pictures line up at 0.98. Mixed library
 * (bench/duplicates-pixel-study.ts HF=1): wallpapers' copy pairs 0.74 → 0.81, pair precision
 * 0.9911 → 0.9912; at detail 0.05 instead, 0.83 but precision 0.9876 (smooth shots let in).
 */
export const DETAILED = 0.1;
export const DETAILED_MATCH_MIN = 0.95;

/**
 * Plain photos (PixelViews.detail below PLAIN and contrast at least PLAIN_CONTRAST, both of them:
 * a garment or an icon on a flat background) line up at PLAIN_MATCH_MIN or more to count. Two
 * different 28-pixel Fashion-MNIST shots of one kind line up at 0.98-0.988 (the outline is all
 * there is), their copies at 0.985-1 (but for harsh JPEG). Real Fashion-MNIST shots, each with
 * its 8 nearest by layout (bench/duplicates-plain-shots.ts): different shots confirmed 43 -> 6 of
 * 6,230 pairs, edited copies 89 -> 86 %; the tuning mix's wrong pairs, with KEPT_MATCH_MIN,
 * 29 -> 8. Low-contrast textures (grey paper) are not plain: their copies line up at 0.98-0.985
 * and different sheets far lower (held-out mix: textures with their original 0.48 -> 0.65, as before the plain bar).
 */
export const PLAIN = 0.06;
export const PLAIN_CONTRAST = 20;
export const PLAIN_MATCH_MIN = 0.985;

export function confirms(m: PixelMatch): boolean {
  const plain = m.detail < PLAIN && m.contrast >= PLAIN_CONTRAST;
  const least = m.detail >= DETAILED ? DETAILED_MATCH_MIN : plain ? PLAIN_MATCH_MIN : PIXEL_MATCH_MIN;
  const lineUp = m.brightness >= least || (m.kept >= KEPT_MATCH_MIN && m.brightness >= ROUGH_MATCH_MIN);
  return lineUp && m.colour >= COLOUR_MATCH_MIN;
}

/**
 * A small image of a photo (its thumbnail, or failing that its file), a key to cache it by, and
 * a way to make the image again when it cannot be read (a damaged thumbnail: null when that
 * fails too).
 */
export type PixelSource = (id: number) => { key: string; input: string; remake?: () => Promise<string | null> } | null;

/** What confirm() found: the pairs whose pixels line up, and how many it could not check. */
export interface Confirmed {
  pairs: DuplicatePair[];
  /** Each pair's verdict, in order: undefined where it could not be judged (no image, or one unreadable). */
  verdicts: (boolean | undefined)[];
  /** Pairs left unjudged because an image could not be read, even made again: no verdict kept. */
  unreadable: number;
}

/** Pairs whose kept verdicts are read at once: 12,000 read in ~60 ms here, so ~25 ms a slice. */
const VERDICT_SLICE = 5000;

export class DuplicateCheck {
  /** `verdicts` keeps each pair's verdict (by the two photos' keys) across calls and processes. */
  constructor(private readonly verdicts: PairVerdicts) {}

  /**
   * The pairs whose pixels line up (order kept); `source` says where each photo's image is.
   * Pairs never checked are matched on worker threads (search/pixel-pool.ts) and their verdicts
   * saved as they come, so a call stopped midway keeps most of its work. An image that cannot be
   * read is made again; a pair with one that still cannot is not a pair now, but gets no verdict
   * (a damaged thumbnail once stored "not a pair" for good: issue 18).
   */
  async confirm(pairs: readonly DuplicatePair[], source: PixelSource, watch: SearchWatch = {}): Promise<Confirmed> {
    const images = new Map<number, ReturnType<PixelSource>>();
    const imageOf = (id: number) => {
      if (!images.has(id)) images.set(id, source(id));
      return images.get(id)!;
    };
    // Every step over all the pairs goes a slice at a time with a pause between: at 77,000 photos
    // (~1.9 M pairs) each held the engine's thread for a second or more.
    const inSlices = <T, R>(items: readonly T[], size: number, step: (slice: T[], from: number) => readonly R[]) => {
      let from = 0;
      return readInSlices(items, size, (slice) => step(slice, (from += slice.length) - slice.length), () => pause(watch));
    };
    const checkable = await inSlices(pairs, PAIR_SLICE, (slice, from) =>
      slice.flatMap((p, k) => {
        const [ia, ib] = [imageOf(p.a), imageOf(p.b)];
        return ia && ib ? [{ pair: p, at: from + k, a: ia, b: ib }] : [];
      }),
    );
    // Each verdict's checksum is verified as it is read back.
    const ok = await inSlices(checkable, VERDICT_SLICE, (slice) => this.verdicts.get(slice.map((c) => [c.a.key, c.b.key] as const)));
    const unknown = checkable.flatMap((c, k) => (ok[k] === undefined ? [k] : []));
    const sources = new Map<string, NonNullable<ReturnType<PixelSource>>>();
    for (const image of images.values()) if (image) sources.set(image.key, image);
    const unreadable = new Set<string>();
    const read = async (input: string) => ({ rgb: await rgbOf(input), aspect: await aspectOf(input) });
    let skipped = 0;
    watch.progress?.('comparing pixels', 0, unknown.length);
    await matchPairs(
      await inSlices(unknown, PAIR_SLICE, (slice) => slice.map((k) => [checkable[k].a.key, checkable[k].b.key] as const)),
      async (key) => {
        const { input, remake } = sources.get(key)!;
        try {
          return { key, ...(await read(input)) };
        } catch {
          const again = remake ? await remake() : null;
          if (again) {
            try {
              return { key, ...(await read(again)) };
            } catch {
              // made again, still unreadable: as below
            }
          }
          unreadable.add(key);
          return null;
        }
      },
      (done) => {
        const fresh = done.flatMap(({ index, match }) => {
          const k = unknown[index];
          ok[k] = match !== null && confirms(match);
          const { a, b } = checkable[k];
          if (unreadable.has(a.key) || unreadable.has(b.key)) {
            skipped++;
            ok[k] = undefined;
            return [];
          }
          return [[a.key, b.key, ok[k]] as const];
        });
        this.verdicts.put(fresh);
      },
      { signal: watch.signal, onProgress: (done, total) => watch.progress?.('comparing pixels', done, total), pause: () => pause(watch) },
    );
    const verdicts: (boolean | undefined)[] = new Array(pairs.length).fill(undefined);
    checkable.forEach((c, k) => (verdicts[c.at] = ok[k]));
    return { pairs: checkable.flatMap((c, k) => (ok[k] ? [c.pair] : [])), verdicts, unreadable: skipped };
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
