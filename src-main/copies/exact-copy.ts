// Is an outside query exactly a library photo? The same bytes (its SHA-256 is a photo's content
// hash: one lookup) or the same decoded pixels (another encoding of one picture, e.g. a PNG
// saved again). Either way it is named as the copy with score 1, whatever the active model
// ranks: a trained model may put look-alikes as high, and the copy check (copy-check.ts) then
// finds no clear leader, so an exact copy went unnamed (issue 18).
import sharp from 'sharp';
import { hashBytes } from '../common/content-hash.js';
import type { Catalog } from '../library/catalog.js';

export interface ExactCopy {
  id: number;
  /** What is the same: the file's bytes, or only its decoded pixels. */
  same: 'bytes' | 'pixels';
}

/** Look-alikes whose pixels are compared: an exact copy embeds as its original, so it is among the first. */
export const PIXEL_CANDIDATES = 3;

/**
 * The library photo `bytes` is an exact copy of, or null. `lookAlikes` are the embedding's
 * hits, best first; only those of the query's size are decoded, so a query that is a copy of
 * nothing seldom costs a decode more than its own.
 */
export async function findExactCopy(catalog: Catalog, bytes: Buffer, lookAlikes: readonly { id: number }[]): Promise<ExactCopy | null> {
  const same = catalog.imageByContentHash(hashBytes(bytes));
  if (same) return { id: same.id, same: 'bytes' };
  const size = await shownSize(bytes);
  if (!size) return null;
  const candidates = lookAlikes.slice(0, PIXEL_CANDIDATES).flatMap((h) => {
    const image = catalog.getImage(h.id);
    const fits = image && image.paths.length > 0 && image.width === size.width && image.height === size.height;
    return fits ? [{ id: h.id, file: image.paths[0] }] : [];
  });
  if (candidates.length === 0) return null;
  const query = await decoded(bytes);
  if (!query) return null;
  for (const c of candidates) {
    const other = await decoded(c.file);
    if (other && other.width === query.width && other.height === query.height && other.data.equals(query.data)) {
      return { id: c.id, same: 'pixels' };
    }
  }
  return null;
}

/** Width and height as shown (after EXIF orientation), as the catalog records them; null when unreadable. */
async function shownSize(bytes: Buffer): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) return null;
    const turned = (meta.orientation ?? 1) >= 5;
    return turned ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch {
    return null;
  }
}

/** The picture as shown (EXIF-turned), as 8-bit sRGB without alpha; null when it cannot be read. */
async function decoded(input: Buffer | string): Promise<{ width: number; height: number; data: Buffer } | null> {
  try {
    const { data, info } = await sharp(input).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data };
  } catch {
    // A file gone or unreadable is simply not this query's copy.
    return null;
  }
}
