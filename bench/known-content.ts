// What checking a library photo's bytes against its hash costs the CNN pass (issue 20, item 1):
// the decode the pass does per photo, from the path as before and from a read-hashed-decoded
// buffer as now, interleaved so that load on a shared machine hits both alike.
// Run: npx tsx bench/known-content.ts   (KNOWN_N=100 files of 1.6 MP; KNOWN_REPS=5)
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hashBytes } from '../src-main/common/content-hash.js';
import { decodeForBackbone } from '../src-main/model/preprocess.js';
import { makeBenchJpegs } from './bench-images.js';

const N = Number(process.env.KNOWN_N ?? 100);
const REPS = Number(process.env.KNOWN_REPS ?? 5);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const load = () => execSync('uptime').toString().trim().replace(/.*load average/, 'load average');

async function main() {
  console.log(`start: ${load()}`);
  const files = await makeBenchJpegs('.bench-out/embed-jpegs', N);
  const known = files.map((path) => ({ path, hash: hashBytes(readFileSync(path)) }));
  const perImage = { path: [] as number[], checked: [] as number[], hash: [] as number[] };
  for (let r = 0; r < REPS; r++) {
    let t = performance.now();
    for (const f of files) await decodeForBackbone(f);
    perImage.path.push((performance.now() - t) / N);
    t = performance.now();
    for (const k of known) await decodeForBackbone(k);
    perImage.checked.push((performance.now() - t) / N);
    t = performance.now();
    for (const f of files) hashBytes(readFileSync(f));
    perImage.hash.push((performance.now() - t) / N);
  }
  const [p, c, h] = [median(perImage.path), median(perImage.checked), median(perImage.hash)];
  console.log(`${N} JPEGs of 1.6 MP, median of ${REPS}, one decode at a time:`);
  console.log(`  decode from the path: ${p.toFixed(2)} ms/image`);
  console.log(`  read, hash, decode the buffer: ${c.toFixed(2)} ms/image (${(((c - p) / p) * 100).toFixed(1)} %)`);
  console.log(`  read + SHA-256 alone: ${h.toFixed(2)} ms/image`);
  console.log(`end: ${load()}`);
}

await main();
