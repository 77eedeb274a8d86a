// Thumbnails are a cache of the originals: one deleted (by hand, by a cleaning tool) is made
// again when it is asked for, and after each scan for every listed photo that lacks one.
import { existsSync } from 'node:fs';
import type { Catalog } from '../library/catalog.js';
import { hashBytes } from '../common/content-hash.js';
import { limiter } from '../common/limiter.js';
import { readRegularFile } from './regular-file.js';
import { decodeAndThumbnail } from './thumbnail.js';

/** Originals larger than this are not read whole to remake a thumbnail (the import streams them). */
const MAX_REPAIR_BYTES = 256 * 1024 * 1024;

/** Thumbnails remade at once: a grid asking for 200 lost thumbnails must not read 200 originals together. */
const limited = limiter(3);
const inFlight = new Map<string, Promise<string | null>>();

/**
 * Makes the thumbnail of `contentHash` from `original` again; null when the original is gone,
 * unreadable, or no longer holds those bytes (a later scan sees the change).
 */
export function regenerateThumbnail(catalog: Catalog, contentHash: string, original: string): Promise<string | null> {
  const thumb = catalog.thumbnailPath(contentHash);
  let job = inFlight.get(thumb);
  if (!job) {
    job = limited(() => remake(thumb, contentHash, original)).finally(() => inFlight.delete(thumb));
    inFlight.set(thumb, job);
  }
  return job;
}

async function remake(thumb: string, contentHash: string, original: string): Promise<string | null> {
  try {
    const bytes = await readRegularFile(original, { maxBytes: MAX_REPAIR_BYTES, what: 'image' });
    if (hashBytes(bytes) !== contentHash) return null;
    await decodeAndThumbnail(bytes, thumb);
    return thumb;
  } catch {
    return null;
  }
}

/** Remakes the missing thumbnails of listed photos; returns how many were made. */
export async function repairThumbnails(catalog: Catalog, signal?: AbortSignal): Promise<number> {
  let made = 0;
  for (const image of catalog.listedImageRefs()) {
    if (signal?.aborted) break;
    if (existsSync(catalog.thumbnailPath(image.contentHash))) continue;
    if (await regenerateThumbnail(catalog, image.contentHash, image.path)) made++;
  }
  return made;
}
