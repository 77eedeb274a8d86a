// Shared by the ingest tests: temporary folders and reading a thumbnail's colour.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Catalog } from '../../../src-main/library/catalog.js';
import type { Rgb } from '../../fixtures/images.js';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lookalike-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Mean colour and size of an image file (e.g. a thumbnail). */
export async function meanColour(file: string): Promise<Rgb & { width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
  const n = data.length / 3;
  return { r: sum[0] / n, g: sum[1] / n, b: sum[2] / n, width: info.width, height: info.height };
}

export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b));
}

/** Images whose trigger-maintained live path count disagrees with image_paths: must be 0. */
export function livePathCountMismatches(catalog: Catalog): number {
  return catalog.db
    .prepare(
      `SELECT COUNT(*) FROM images i
       WHERE i.live_paths <> (SELECT COUNT(*) FROM image_paths p WHERE p.image_id = i.id AND p.status = 'live')`,
    )
    .pluck()
    .get() as number;
}
