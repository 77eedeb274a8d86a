// Decodes one photo just enough to learn its size and make its grid thumbnail.
// sharp shrinks JPEG/WebP/HEIF while decoding (a 12 MP JPEG is decoded at 1/8 scale for a
// 256 px thumbnail), so a thumbnail costs a fraction of a full decode.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { TRUNCATED } from '../../src-shared/contract.js';
import { endsEarly, saysEndsEarly } from '../common/image-ends.js';
import { exifDateTaken } from './exif-date.js';
import { privateFile, privateFolder } from '../common/private-files.js';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 256;

/**
 * Refuse images above this many pixels. Real photos stay far below (a 100 MP camera, a
 * 200 MP stitched panorama); above it is a decompression bomb or a file we cannot afford
 * to decode.
 */
export const DEFAULT_MAX_PIXELS = 250_000_000;

/** sharp format names we import. (svg would be rendered, and may reference other files.) */
const IMPORTED_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export interface DecodedImage {
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  format: string;
  takenAt: string | null;
}

/** A file that is not a usable image; its message is meant for the user. */
export class ImageReadError extends Error {
  override readonly name = 'ImageReadError';
}

export function thumbnailPathFor(thumbsDir: string, contentHash: string): string {
  return path.join(thumbsDir, contentHash.slice(0, 2), `${contentHash}.webp`);
}

/** libvips stacks one line per retry; the last line is the one that says what went wrong. */
function lastLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? 'unknown error';
}

function describeDecodeError(err: unknown): string {
  const message = lastLine(err);
  if (saysEndsEarly(message)) return TRUNCATED;
  if (/unsupported codec|compression format has not been built in|hevc/i.test(message)) {
    return 'HEIC photos (HEVC) cannot be decoded by this build of the image library: convert them to JPEG';
  }
  if (/exceeds pixel limit/i.test(message)) return 'the image has too many pixels to decode safely (decompression bomb?)';
  if (/empty/i.test(message)) return 'the file is empty (0 bytes)';
  return `could not decode the image: ${message}`;
}

/**
 * Reads the header, refuses what we should not decode, then writes the thumbnail to
 * `thumbPath` atomically (a temp file renamed into place, so a killed import never leaves a
 * half-written thumbnail under its final name). The original is only read.
 */
export async function decodeAndThumbnail(
  input: Buffer | string,
  thumbPath: string,
  maxPixels: number = DEFAULT_MAX_PIXELS,
): Promise<DecodedImage> {
  let meta: Metadata;
  try {
    // Header only: no pixels are decoded, so no pixel limit is needed to read the dimensions.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    // A header sharp cannot parse: whatever libvips said (its message may even be lost to a
    // concurrent failure), the file is not an image we can read.
    const reason = lastLine(err);
    const detail = /unknown error/i.test(reason) ? '' : ` (${reason})`;
    throw new ImageReadError(`not an image, or not a format Lookalike can read (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF)${detail}`);
  }
  const format = meta.format ?? 'unknown';
  if (!IMPORTED_FORMATS.has(format)) {
    throw new ImageReadError(`${format} files are not imported (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF are)`);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new ImageReadError('the image declares no size');
  if (width * height > maxPixels) {
    throw new ImageReadError(
      `the image declares ${width}×${height} pixels (${Math.round((width * height) / 1e6)} MP), over the ` +
        `${Math.round(maxPixels / 1e6)} MP limit: refused as a possible decompression bomb`,
    );
  }

  let webp: Buffer;
  try {
    webp = await thumbnailWebp(input, maxPixels);
  } catch (err) {
    // libvips keeps one error buffer for all threads: with several decodes failing at once a
    // message can be lost ("Unknown error"), so check the commonest cause ourselves.
    if (await endsEarly(input, format)) throw new ImageReadError(TRUNCATED);
    throw new ImageReadError(describeDecodeError(err));
  }
  await writeAtomically(thumbPath, webp);
  const turned = (meta.orientation ?? 1) >= 5;
  return {
    width: meta.autoOrient?.width ?? (turned ? height : width),
    height: meta.autoOrient?.height ?? (turned ? width : height),
    format,
    takenAt: exifDateTaken(meta.exif),
  };
}

/**
 * The grid thumbnail's bytes as import writes them: WebP, upright, at most THUMBNAIL_SIZE a side,
 * never enlarged. failOn 'truncated': the benign warnings many real cameras produce (odd markers,
 * corrupt metadata) are tolerated, an incomplete file is refused rather than shown half grey.
 */
export function thumbnailWebp(input: Buffer | string, maxPixels: number = DEFAULT_MAX_PIXELS): Promise<Buffer> {
  return sharp(input, { failOn: 'truncated', limitInputPixels: maxPixels })
    .autoOrient()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();
}

/** Temp files live in one folder beside the hash folders, so leftovers are cheap to find. */
function tempDirFor(target: string): string {
  return path.join(path.dirname(path.dirname(target)), '.tmp');
}

/** Writes via a temp file and a rename, so the final name only ever holds a whole file. */
async function writeAtomically(target: string, bytes: Buffer): Promise<void> {
  const tmpDir = tempDirFor(target);
  const tmp = path.join(tmpDir, `${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.mkdir(tmpDir, privateFolder);
    await fs.mkdir(path.dirname(target), privateFolder);
    await fs.writeFile(tmp, bytes, privateFile);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new Error(`could not write the thumbnail: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Deletes temp files a killed import left behind. Only old ones: a temp file younger than
 * `olderThanMs` may belong to a write still in progress.
 */
export async function removeStaleThumbnailTemps(thumbsDir: string, olderThanMs = 10 * 60_000): Promise<number> {
  const tmpDir = path.join(thumbsDir, '.tmp');
  let names: string[];
  try {
    names = await fs.readdir(tmpDir);
  } catch {
    return 0;
  }
  let removed = 0;
  const cutoff = Date.now() - olderThanMs;
  for (const name of names) {
    const file = path.join(tmpDir, name);
    try {
      if ((await fs.stat(file)).mtimeMs < cutoff) {
        await fs.rm(file, { force: true });
        removed += 1;
      }
    } catch {
      // already gone
    }
  }
  return removed;
}
