// Turns a photo (path or bytes) into the backbone's input: 224x224 sRGB, 3 channels, uint8.
// The division by 255 happens on the tensor side, so the pixels cross thread boundaries as
// 150 KB of bytes rather than 600 KB of floats.
import { readFile } from 'node:fs/promises';
import { fsPath, hasRawBytes } from '../common/byte-paths.js';
import sharp, { type OutputInfo } from 'sharp';
import { TRUNCATED } from '../../src-shared/contract.js';
import { endsEarly, saysEndsEarly } from '../common/image-ends.js';
import { BACKBONE_INPUT_SIZE } from './backbone.js';
import { decodeKnownFile, isKnownFile, type KnownFile } from '../common/known-content.js';

export const PIXELS_PER_IMAGE = BACKBONE_INPUT_SIZE * BACKBONE_INPUT_SIZE * 3;

/** A path, bytes, or a library photo whose bytes must still hash as recorded (common/known-content.ts). */
export type ImageInput = string | Buffer | KnownFile;

/**
 * Decodes, applies the EXIF orientation, centre-crops to a square ("cover") and resizes to
 * `size`x`size`, in sRGB with 3 channels (greyscale, CMYK and alpha images included).
 * The benign warnings many cameras' files raise are tolerated, but a file that ends early is
 * refused (`failOn: 'truncated'`, as at import) rather than decoded half grey: it rejects with
 * TRUNCATED. Files that are not images at all reject too.
 */
export async function decodeForBackbone(input: ImageInput, size = BACKBONE_INPUT_SIZE): Promise<Uint8Array> {
  if (isKnownFile(input)) return decodeKnownFile(input, (source) => decodeForBackbone(source, size));
  // sharp opens files by string name only: a name that is not UTF-8 is read here.
  const source = typeof input === 'string' && hasRawBytes(input) ? await readFile(fsPath(input)) : input;
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(source, { failOn: 'truncated' })
      .rotate()
      .resize(size, size, { fit: 'cover' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (await cutShort(source, err)) throw new Error(TRUNCATED);
    throw err;
  }
  const { data, info } = decoded;
  if (info.channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.channels === 1) return greyToRgb(data);
  throw new Error(`unexpected ${info.channels} channels after conversion to sRGB`);
}

/**
 * Whether a decode failed because the file ends early: its header reads (a file whose header
 * does not is damaged or no image at all), and the decoder says so or the end marker is missing
 * (libvips may lose its words: see image-ends).
 */
async function cutShort(source: string | Buffer, err: unknown): Promise<boolean> {
  const format = await sharp(source)
    .metadata()
    .then((m) => m.format)
    .catch(() => null);
  if (format === null) return false;
  return saysEndsEarly(err instanceof Error ? err.message : String(err)) || endsEarly(source, format);
}

function greyToRgb(grey: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
  return rgb;
}
