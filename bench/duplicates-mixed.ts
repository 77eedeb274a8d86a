// Duplicates on a mixed library, through the product: real photos (Debian's wallpapers), simple
// images (Fashion-MNIST product shots, generated icons and text pages, patterned kinds) and edited
// copies of some of each (bench/duplicates-mixed-library.ts) are imported into a fresh library and
// `duplicates` is asked at the default strictness and a sweep. Two photos of one group are a
// found pair; it is right when both come from the same picture. Prints pair precision, recall
// of copy pairs (every two versions of one picture), recall of original-and-copy pairs, per set.
//
// Needs: apt-get install -y --no-install-recommends mate-backgrounds ukui-wallpapers gnome-backgrounds lomiri-wallpapers dataset-fashion-mnist
// Run:   npx tsx bench/duplicates-mixed.ts [--photos 40] [--fashion 300] [--generated 60] [--edited-simple 10]
//        held out (pictures the rules were not tuned on, and paper textures):
//        npx tsx bench/duplicates-mixed.ts --held-out --photos 20 --fashion 100 --generated 10 --edited-simple 2 --textures 4
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DUPLICATE_THRESHOLD, type DuplicateGroup } from '../src-shared/contract.js';
import { Engine } from '../src-main/engine/engine.js';
import { DEFAULT_MIXED, mixedLibrary, type MixedFile } from './duplicates-mixed-library.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

interface Tally {
  found: number;
  right: number;
  copyPairs: number;
  originalPairs: number;
}

function tally(groups: DuplicateGroup[], byPath: Map<string, MixedFile>, sets: Map<string, number[]>): { all: Tally; perSet: Map<string, Tally> } {
  const perSet = new Map<string, Tally>();
  const all: Tally = { found: 0, right: 0, copyPairs: 0, originalPairs: 0 };
  const add = (set: string, f: keyof Tally) => {
    const t = perSet.get(set) ?? { found: 0, right: 0, copyPairs: 0, originalPairs: 0 };
    t[f]++;
    all[f]++;
    perSet.set(set, t);
  };
  for (const g of groups) {
    const files = g.images.map((h) => byPath.get(path.basename(h.path))!);
    for (let a = 0; a < files.length; a++) {
      for (let b = a + 1; b < files.length; b++) {
        const same = files[a].source === files[b].source;
        add(files[a].set, 'found');
        if (!same) continue;
        add(files[a].set, 'right');
        if (files[a].edit === 'original' || files[b].edit === 'original') add(files[a].set, 'originalPairs');
      }
    }
  }
  for (const [set] of sets) if (!perSet.has(set)) perSet.set(set, { found: 0, right: 0, copyPairs: 0, originalPairs: 0 });
  return { all, perSet };
}

async function main(): Promise<void> {
  const opts = {
    photos: arg('photos', DEFAULT_MIXED.photos),
    fashion: arg('fashion', DEFAULT_MIXED.fashion),
    generated: arg('generated', DEFAULT_MIXED.generated),
    editedSimple: arg('edited-simple', DEFAULT_MIXED.editedSimple),
    heldOut: process.argv.includes('--held-out'),
    textures: arg('textures', 0),
  };
  const { dir, files } = await mixedLibrary(opts);
  // By file name: the manifest's folder may be spelled another way (a link) than the library's.
  const byPath = new Map(files.map((f) => [path.basename(f.file), f]));
  // True pairs per set: every two versions of one picture, and the original with each copy.
  const versions = new Map<string, MixedFile[]>();
  for (const f of files) versions.set(f.source, [...(versions.get(f.source) ?? []), f]);
  const truth = new Map<string, number[]>(); // set -> [all pairs, original pairs]
  for (const list of versions.values()) {
    const t = truth.get(list[0].set) ?? [0, 0];
    t[0] += (list.length * (list.length - 1)) / 2;
    t[1] += list.length - 1;
    truth.set(list[0].set, t);
  }
  const total = [...truth.values()].reduce((s, t) => [s[0] + t[0], s[1] + t[1]], [0, 0]);
  console.log(`${files.length} photos (${[...truth].map(([s]) => `${s} ${files.filter((f) => f.set === s).length}`).join(', ')}); ${total[0]} copy pairs, ${total[1]} original-copy pairs`);

  const work = path.join(os.tmpdir(), `lookalike-dupmixed-${process.pid}`);
  mkdirSync(work, { recursive: true });
  let engine = await Engine.open(path.join(work, 'library'));
  try {
    let t0 = Date.now();
    await engine.call('importFolders', { paths: [dir] });
    await engine.whenIdle();
    console.log(`import + embedding: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const fmt = (t: Tally, tr: number[]) =>
      `precision ${(t.found ? t.right / t.found : 1).toFixed(4)} (${t.found - t.right} wrong of ${t.found}), copy pairs ${tr[0] ? (t.right / tr[0]).toFixed(3) : '-'}, original-copy ${tr[1] ? (t.originalPairs / tr[1]).toFixed(3) : '-'}`;
    const thresholds = [...new Set([DEFAULT_DUPLICATE_THRESHOLD, 0.94, 0.95, 0.96, 0.97, 0.98, 0.985, 0.99])].sort((a, b) => a - b);
    // The default first: the first call checks every proposed pair's pixels (its time is the cold one).
    for (const t of [DEFAULT_DUPLICATE_THRESHOLD, ...thresholds]) {
      t0 = Date.now();
      const groups = await engine.call('duplicates', { threshold: t });
      const ms = Date.now() - t0;
      const { all, perSet } = tally(groups, byPath, truth);
      const largest = Math.max(0, ...groups.map((g) => g.images.length));
      const below = groups.flatMap((g) => g.images).filter((h) => h.score < t).length;
      console.log(`\nthreshold ${t.toFixed(3)}${t === DEFAULT_DUPLICATE_THRESHOLD ? ' (default)' : ''}: ${groups.length} groups, largest ${largest}, members shown below it ${below}, ${ms} ms`);
      console.log(`  all      ${fmt(all, total)}`);
      for (const [set, tr] of truth) console.log(`  ${set.padEnd(8)} ${fmt(perSet.get(set)!, tr)}`);
    }
    // Verdicts are kept in the library: the first call after a restart checks no pixels again.
    await engine.close();
    engine = await Engine.open(path.join(work, 'library'));
    t0 = Date.now();
    await engine.call('duplicates', {});
    console.log(`\nfirst call after reopening the library: ${Date.now() - t0} ms`);
  } finally {
    await engine.close();
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

await main();
