import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exifDateTaken } from '../../../src-main/ingest/exif-date.js';
import { decodeAndThumbnail, ImageReadError, removeStaleThumbnailTemps, THUMBNAIL_SIZE, thumbnailPathFor } from '../../../src-main/ingest/thumbnail.js';
import { makeImage } from '../../fixtures/images.js';
import { removeDir, tempDir } from './helpers.js';

describe('decodeAndThumbnail', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('thumb')));
  afterEach(() => removeDir(dir));

  it('makes a WebP of at most 256 px on the long side, stored by hash, and never enlarges', async () => {
    const big = await makeImage(path.join(dir, 'big.jpg'), { width: 1200, height: 800, pattern: 'gradient' });
    const small = await makeImage(path.join(dir, 'small.png'), { width: 40, height: 30 });
    const bigThumb = thumbnailPathFor(path.join(dir, 'thumbs'), 'abcdef');
    expect(bigThumb).toBe(path.join(dir, 'thumbs', 'ab', 'abcdef.webp'));
    const facts = await decodeAndThumbnail(fs.readFileSync(big), bigThumb);
    expect(facts).toEqual({ width: 1200, height: 800, format: 'jpeg', takenAt: null });
    expect(await sharp(bigThumb).metadata()).toMatchObject({ format: 'webp', width: THUMBNAIL_SIZE, height: 171 });
    const smallThumb = thumbnailPathFor(path.join(dir, 'thumbs'), '012345');
    await decodeAndThumbnail(small, smallThumb); // from a path, as for very large files
    expect(await sharp(smallThumb).metadata()).toMatchObject({ width: 40, height: 30 });
    expect(fs.readdirSync(path.join(dir, 'thumbs', '.tmp'))).toEqual([]);
  });

  it('refuses an image over the pixel cap before decoding it', async () => {
    const file = await makeImage(path.join(dir, 'wide.png'), { width: 2000, height: 1000 });
    await expect(decodeAndThumbnail(file, path.join(dir, 't.webp'), 1_000_000)).rejects.toThrow(ImageReadError);
    await expect(decodeAndThumbnail(file, path.join(dir, 't.webp'), 1_000_000)).rejects.toThrow(/2000×1000.*decompression bomb/);
    expect(fs.existsSync(path.join(dir, 't.webp'))).toBe(false);
  });

  it('removes only stale temp files left by a killed import', async () => {
    const tmp = path.join(dir, 'thumbs', '.tmp');
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'old'), 'x');
    fs.writeFileSync(path.join(tmp, 'fresh'), 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(tmp, 'old'), hourAgo, hourAgo);
    expect(await removeStaleThumbnailTemps(path.join(dir, 'thumbs'))).toBe(1);
    expect(fs.readdirSync(tmp)).toEqual(['fresh']);
  });
});

describe('exifDateTaken', () => {
  it('reads DateTimeOriginal and ignores garbage', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .withExif({ IFD0: { DateTime: '2001:01:01 00:00:00' }, IFD2: { DateTimeOriginal: '1999:12:31 23:59:58' } })
      .jpeg()
      .toBuffer();
    expect(exifDateTaken((await sharp(jpeg).metadata()).exif)).toBe('1999-12-31T23:59:58');
    const onlyIfd0 = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .withExif({ IFD0: { DateTime: '2001:02:03 04:05:06' } })
      .jpeg()
      .toBuffer();
    expect(exifDateTaken((await sharp(onlyIfd0).metadata()).exif)).toBe('2001-02-03T04:05:06');
    expect(exifDateTaken(undefined)).toBeNull();
    expect(exifDateTaken(Buffer.from('Exif\0\0MM\0\x2a\0\0\xff\xff\xff\xff', 'latin1'))).toBeNull();
    expect(exifDateTaken(Buffer.alloc(64, 0x49))).toBeNull();
  });
});
