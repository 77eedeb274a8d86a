// The other side of similar()'s copy rules: queries that are copies of NOTHING in the library.
// A library of Debian's wallpapers, generated images of kinds (test/fixtures/kinds.ts) and
// Fashion-MNIST test images is imported; each image is queried by id (so it is left out of its
// own hits) with the copy check on, as it is for photos from outside the library. Its top hit through `similar` is compared with the plain embedding's (cosine of the
// pooled features, what the identity head ranks by) and with the plain ranking plus the
// descriptor-threshold promotion alone. A changed top hit overrules the embedding; for kinds
// and Fashion-MNIST the label says whether the new top hit is worse (wrong class where the
// embedding's was right) or better. Wallpapers have no labels: their changes are listed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../src-shared/contract.js';
import { Engine } from '../src-main/engine/engine.js';
import { splitDescriptor } from '../src-main/model/descriptor.js';
import { FeatureExtractor } from '../src-main/model/extractor.js';
import { makeKindImages } from '../test/fixtures/kinds.js';
import { listPhotos, MAX_SIDE } from './near-dup-edits.js';
import { dot, unit } from './vectors.js';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_PER_CLASS = 20;
const KIND_PER_KIND = 15;
const POOL = 50; // the look-alikes the threshold rule (shipped before the copy check) re-ranked

interface Item {
  file: string;
  set: 'wallpaper' | 'kind' | 'fashion';
  label: string;
}

async function makeLibrary(dir: string): Promise<Item[]> {
  const items: Item[] = [];
  const walls = path.join(dir, 'wallpapers');
  mkdirSync(walls, { recursive: true });
  for (const [i, src] of listPhotos().entries()) {
    const file = path.join(walls, `w${String(i).padStart(3, '0')}.jpg`);
    await sharp(src).resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 92 }).toFile(file);
    items.push({ file, set: 'wallpaper', label: path.basename(src) });
  }
  for (const [kind, files] of await makeKindImages(path.join(dir, 'kinds'), KIND_PER_KIND)) {
    for (const file of files) items.push({ file, set: 'kind', label: kind });
  }
  const images = gunzipSync(readFileSync(path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(path.join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz')));
  const taken = new Map<number, number>();
  for (let i = 0; i < 10000; i++) {
    const label = labels[8 + i];
    const n = taken.get(label) ?? 0;
    if (n >= FASHION_PER_CLASS) continue;
    taken.set(label, n + 1);
    const folder = path.join(dir, 'fashion', String(label));
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `f${i}.png`);
    const px = images.subarray(16 + i * 784, 16 + (i + 1) * 784);
    writeFileSync(file, await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112).png().toBuffer());
    items.push({ file, set: 'fashion', label: String(label) });
  }
  return items;
}

export interface OrdinaryReport {
  lines: string[];
}

/** Runs the ordinary-query measure in `dir` (created, not removed) and returns printable lines. */
export async function measureOrdinaryQueries(dir: string): Promise<OrdinaryReport> {
  const items = await makeLibrary(path.join(dir, 'photos'));
  // The plain rankings, from the same extractor code the engine uses.
  const ex = await FeatureExtractor.create({ descriptor: 'pooled+near-duplicate' });
  const vectors = (await ex.extract(items.map((i) => i.file))).map((v) => {
    if (v instanceof Error) throw v;
    const { pooled, nearDuplicate } = splitDescriptor(v, 1280);
    return { pooled: unit(pooled), nearDuplicate };
  });
  await ex.close();
  const engine = await Engine.open(path.join(dir, 'library'));
  const lines: string[] = [];
  try {
    await engine.call('importFolders', { paths: [path.join(dir, 'photos')] });
    await engine.whenIdle();
    const page = await engine.call('listImages', { limit: 5000 });
    const idOf = new Map(page.items.map((i) => [i.path, i.id]));
    const itemOfPath = new Map(items.map((it, k) => [it.file, k]));
    const stats = new Map<string, { n: number; changed: number; changedVsThreshold: number; worse: number; better: number; thresholdChanged: number }>();
    const listed: string[] = [];
    const t0 = Date.now();
    for (const [k, it] of items.entries()) {
      const id = idOf.get(it.file);
      if (id === undefined) throw new Error(`${it.file} was not imported`);
      // As an outside query of a photo the library lacks: the copy check runs, the photo itself is left out.
      const r = await (await engine.compute()).queries.similar({ id, k: 5 }, 'all');
      const got = r.hits[0] ? itemOfPath.get(r.hits[0].path) : undefined;
      const plain = rankPlain(vectors, k);
      const threshold = rankWithThreshold(vectors, k, plain);
      const s = stats.get(it.set) ?? { n: 0, changed: 0, changedVsThreshold: 0, worse: 0, better: 0, thresholdChanged: 0 };
      s.n++;
      if (threshold[0] !== plain[0]) s.thresholdChanged++;
      if (got !== threshold[0]) s.changedVsThreshold++;
      if (got !== plain[0]) {
        s.changed++;
        const wasRight = items[plain[0]].label === it.label;
        const isRight = got !== undefined && items[got].label === it.label;
        if (it.set !== 'wallpaper') {
          if (wasRight && !isRight) s.worse++;
          if (!wasRight && isRight) s.better++;
        } else {
          listed.push(`    ${it.label}: ${items[plain[0]].label} -> ${got === undefined ? '(none)' : items[got].label}`);
        }
      }
      stats.set(it.set, s);
    }
    const ms = (Date.now() - t0) / items.length;
    lines.push(`ordinary queries (copies of nothing), by id, library of ${items.length} (${ms.toFixed(0)} ms/query):`);
    lines.push(`  set        n    top hit changed vs plain embedding (worse/better by label) | by the threshold rule alone | vs plain+threshold`);
    for (const [set, s] of stats) {
      const judged = set === 'wallpaper' ? '(no labels)' : `(${s.worse} worse, ${s.better} better)`;
      lines.push(`  ${set.padEnd(10)} ${String(s.n).padStart(3)}  ${String(s.changed).padStart(4)} ${judged.padEnd(24)} | ${String(s.thresholdChanged).padStart(4)} | ${String(s.changedVsThreshold).padStart(4)}`);
    }
    if (listed.length) lines.push('  wallpaper top hits changed (query: plain -> similar):', ...listed);
  } finally {
    await engine.close();
  }
  return { lines };
}

type Vectors = { pooled: Float32Array; nearDuplicate: Float32Array }[];

/** Indices of all other items by cosine of pooled features, best first. */
function rankPlain(v: Vectors, q: number): number[] {
  return v
    .map((x, i) => ({ i, s: i === q ? -Infinity : dot(v[q].pooled, x.pooled) }))
    .filter((x) => x.i !== q)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.i);
}

/** The plain pool re-ranked by the former near-duplicate threshold rule alone. */
function rankWithThreshold(v: Vectors, q: number, plain: number[]): number[] {
  return plain
    .slice(0, POOL)
    .map((i) => {
      const s = dot(v[q].pooled, v[i].pooled);
      const c = dot(v[q].nearDuplicate, v[i].nearDuplicate);
      return { i, s: c >= DEFAULT_DUPLICATE_THRESHOLD ? Math.max(s, c) : s };
    })
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.i);
}

