// Catalog reads the engine repeats on every embedding job and dropped-photo query: walking every
// listed image (eachImage), counting, and one page for the grid, on a library of N images.
//   npx tsx bench/catalog.ts [--n 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog } from '../src-main/library/catalog.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '100000' } } });
const n = Number(values.n);
const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-catalog-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (reps: number, work: () => void) => {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    work();
    ms.push(performance.now() - t);
  }
  return median(ms);
};
try {
  const catalog = Catalog.open(dir);
  const rootId = catalog.ingest.upsertRoot('/photos');
  for (let s = 0; s < n; s += 10_000) {
    catalog.ingest.apply(
      Array.from({ length: Math.min(10_000, n - s) }, (_, i) => ({
        kind: 'live' as const, path: `/photos/${s + i}.jpg`, rootId, size: 1, mtimeMs: 1,
        image: { contentHash: `hash${s + i}`, size: 1, width: 40, height: 30, format: 'jpeg', takenAt: null },
      })),
    );
  }
  const ids = [...catalog.eachImage()].map((i) => i.id);
  catalog.setLabels(ids.filter((_, k) => k % 10 === 0), 'tenth');
  console.log(`${n} images (load ${os.loadavg()[0].toFixed(1)}); medians of 5 runs`);
  console.log(`  eachImage, all:        ${time(5, () => void [...catalog.eachImage()]).toFixed(0)} ms`);
  console.log(`  listedImageRefs, all:  ${time(5, () => void catalog.listedImageRefs()).toFixed(0)} ms`);
  console.log(`  countImages:           ${time(5, () => catalog.countImages()).toFixed(1)} ms`);
  console.log(`  listImages, last page: ${time(5, () => catalog.listImages({ offset: n - 200, limit: 200 })).toFixed(1)} ms`);
  catalog.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
