// Maps on disk: one file per model under <library>/maps/, valid while the set of embedded
// images (ids and their content) and the seed are what they were when it was computed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { privateFile, privateFolder } from '../common/private-files.js';

const FORMAT = 'lookalike-map/1';

export interface StoredMap {
  format: typeof FORMAT;
  model: number | null;
  seed: number;
  /** Digest of the embedded image set (ids + content hashes), see `imageSetDigest`. */
  digest: string;
  ids: number[];
  /** x0, y0, x1, y1, ... in [0, 1]. */
  xy: number[];
  sampled: number;
  seconds: number;
}

export function imageSetDigest(images: readonly { id: number; contentHash: string }[]): string {
  const h = createHash('sha256');
  for (const i of [...images].sort((a, b) => a.id - b.id)) h.update(`${i.id}:${i.contentHash}\n`);
  return h.digest('hex').slice(0, 32);
}

export class MapStore {
  constructor(private readonly dir: string) {}

  file(model: number | null): string {
    return path.join(this.dir, `${model === null ? 'pretrained' : `model-${model}`}.json`);
  }

  /** The stored map when it matches this image set and seed, else null. */
  read(model: number | null, seed: number, digest: string): StoredMap | null {
    const stored = this.readAnySet(model, seed);
    return stored?.digest === digest ? stored : null;
  }

  /** The stored map for this model and seed, whatever image set it was computed on. */
  readAnySet(model: number | null, seed: number): StoredMap | null {
    try {
      const stored = JSON.parse(readFileSync(this.file(model), 'utf8')) as StoredMap;
      const ok = stored.format === FORMAT && stored.model === model && stored.seed === seed;
      return ok && stored.xy.length === stored.ids.length * 2 ? stored : null;
    } catch {
      return null; // missing or unreadable: compute it again
    }
  }

  write(map: Omit<StoredMap, 'format'>): StoredMap {
    const stored: StoredMap = { format: FORMAT, ...map, xy: map.xy.map((v) => Math.round(v * 1e5) / 1e5) };
    mkdirSync(this.dir, privateFolder);
    const file = this.file(map.model);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(stored), privateFile);
    renameSync(tmp, file);
    return stored;
  }
}
