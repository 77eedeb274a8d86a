// The "duplicates" threshold, measured through the product: real photos (Debian's wallpapers)
// and their edited copies are imported into a fresh library, and `duplicates` is asked at a
// range of thresholds. A found pair is right when both photos come from the same original.
//
// Needs: apt-get install -y --no-install-recommends mate-backgrounds ukui-wallpapers gnome-backgrounds lomiri-wallpapers
// Run:   npx tsx bench/duplicate-threshold.ts [--originals N]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

import { Engine } from '../src-main/engine/engine.js';
import { EDITS, listPhotos, MAX_SIDE } from './near-dup-edits.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  const originals = listPhotos().slice(0, arg('originals', 40));
  if (originals.length < 2) throw new Error('no wallpapers found: see the apt-get line at the top of this file');
  const work = path.join(os.tmpdir(), `lookalike-dupbench-${process.pid}`);
  const photos = path.join(work, 'photos');
  mkdirSync(photos, { recursive: true });
  const source = new Map<string, number>();
  for (const [i, file] of originals.entries()) {
    const { data, info } = await sharp(file)
      .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 92 })
      .toBuffer({ resolveWithObject: true });
    const base = path.join(photos, `p${String(i).padStart(3, '0')}`);
    writeFileSync(`${base}-original.jpg`, data);
    source.set(`${base}-original.jpg`, i);
    for (const edit of EDITS) {
      writeFileSync(`${base}-${edit.name}.jpg`, await edit.apply(data, info.width, info.height));
      source.set(`${base}-${edit.name}.jpg`, i);
    }
  }
  const perSource = EDITS.length + 1;
  const truePairs = originals.length * ((perSource * (perSource - 1)) / 2);
  console.log(`${originals.length} originals × ${perSource} versions = ${source.size} photos; ${truePairs} true pairs`);

  const engine = await Engine.open(path.join(work, 'library'));
  try {
    const t0 = Date.now();
    await engine.call('importFolders', { paths: [photos] });
    await engine.whenIdle();
    console.log(`import + embedding: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.log('threshold  groups  found pairs  precision  recall  (pairs among all versions of one original)');
    for (const t of [0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.993, 0.996]) {
      const groups = await engine.call('duplicates', { threshold: t });
      let found = 0;
      let right = 0;
      for (const g of groups) {
        const src = g.images.map((h) => source.get(h.path));
        for (let a = 0; a < src.length; a++) {
          for (let b = a + 1; b < src.length; b++) {
            found++;
            if (src[a] === src[b]) right++;
          }
        }
      }
      const precision = found ? right / found : 1;
      console.log(
        `${t.toFixed(3).padStart(9)}  ${String(groups.length).padStart(6)}  ${String(found).padStart(11)}  ${precision.toFixed(3).padStart(9)}  ${(right / truePairs).toFixed(3).padStart(6)}`,
      );
    }
  } finally {
    await engine.close();
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

await main();
