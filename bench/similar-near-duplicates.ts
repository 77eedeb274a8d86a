// Near-duplicates found through `similar`, as a user would: real photos (Debian's wallpapers)
// are imported; each edited copy (crop, resize, heavy JPEG, rotation, flip, grey, brightness,
// caption) is dropped in as an outside query; recall@1 counts the copies whose top hit is
// their original. Compare with bench/near-duplicates.ts, which ranks descriptors directly.
// Then the harm side (bench/ordinary-queries.ts): queries that are copies of nothing, and how
// often the copy rules change their top hit (skip with --no-ordinary).
//
// Needs: apt-get install -y --no-install-recommends mate-backgrounds ukui-wallpapers gnome-backgrounds lomiri-wallpapers
// Needs also Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
// Run:   npx tsx bench/similar-near-duplicates.ts [--originals N] [--no-ordinary]
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

import { Engine } from '../src-main/engine/engine.js';
import { EDITS, listPhotos, MAX_SIDE } from './near-dup-edits.js';
import { measureOrdinaryQueries } from './ordinary-queries.js';

const loadAverage = () => execSync('uptime').toString().trim().replace(/.*load average/, 'load average');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  const originals = listPhotos().slice(0, arg('originals', 62));
  if (originals.length < 2) throw new Error('no wallpapers found: see the apt-get line at the top of this file');
  const work = path.join(os.tmpdir(), `lookalike-simbench-${process.pid}`);
  const library = path.join(work, 'photos');
  const queries = path.join(work, 'queries');
  mkdirSync(library, { recursive: true });
  mkdirSync(queries, { recursive: true });
  const edited: { file: string; original: string; edit: string }[] = [];
  for (const [i, file] of originals.entries()) {
    const { data, info } = await sharp(file)
      .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 92 })
      .toBuffer({ resolveWithObject: true });
    const original = path.join(library, `p${String(i).padStart(3, '0')}.jpg`);
    writeFileSync(original, data);
    for (const edit of EDITS) {
      const q = path.join(queries, `p${String(i).padStart(3, '0')}-${edit.name}.jpg`);
      writeFileSync(q, await edit.apply(data, info.width, info.height));
      edited.push({ file: q, original, edit: edit.name });
    }
  }
  console.log(`start: ${loadAverage()}`);
  const engine = await Engine.open(path.join(work, 'library'));
  try {
    await engine.call('importFolders', { paths: [library] });
    await engine.whenIdle();
    const byEdit = new Map<string, { hit: number; n: number }>();
    const t0 = Date.now();
    for (const q of edited) {
      const r = await engine.call('similar', { path: q.file, k: 5 });
      const e = byEdit.get(q.edit) ?? { hit: 0, n: 0 };
      e.n++;
      if (r.hits[0]?.path === q.original) e.hit++;
      byEdit.set(q.edit, e);
    }
    const ms = (Date.now() - t0) / edited.length;
    const all = [...byEdit.values()].reduce((a, e) => ({ hit: a.hit + e.hit, n: a.n + e.n }), { hit: 0, n: 0 });
    console.log(`${originals.length} originals, ${edited.length} edited queries through similar (${ms.toFixed(0)} ms/query incl. decoding)`);
    console.log(`recall@1 overall ${(all.hit / all.n).toFixed(3)}`);
    for (const [edit, e] of byEdit) console.log(`  ${edit.padEnd(10)} ${(e.hit / e.n).toFixed(3)}`);
    console.log(`after the copies: ${loadAverage()}`);
  } finally {
    await engine.close();
  }
  try {
    if (!process.argv.includes('--no-ordinary')) {
      const { lines } = await measureOrdinaryQueries(path.join(work, 'ordinary'));
      for (const l of lines) console.log(l);
      console.log(`end: ${loadAverage()}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
