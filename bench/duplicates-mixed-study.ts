// How the duplicate rule was chosen, offline, on the mixed library's vectors
// (bench/duplicates-mixed-data.ts): for each same-picture pair (an original and its edits, or
// two edits) and each different-picture pair the descriptor finds close, a few candidate
// confirmations, then the pair precision / recall each rule would give (edges before grouping).
//
// What it showed (1,220 images, 3,850 same-picture pairs), which chose the shipped rule:
// - the descriptor alone: different Fashion-MNIST originals score up to 0.998, icons 0.998, text
//   pages 0.998, while half of the copies score below 0.99: at 0.985, pair precision 0.065;
// - library-mean-centred descriptors: precision 0.09 at best; each image's k-th neighbour as a
//   local bar: 0.85 at recall 0.1; the copy check's cells (Chamfer): different text pages
//   score 0.94 (median), copies 0.97: no separation either (and a CNN pass per image);
// - pixels of the grid thumbnails, brightness and contrast taken out, turned/mirrored/cropped:
//   16 px grid, precision 0.94 at 0.97 (Fashion-MNIST items that differ in detail; same-shaped
//   icons of other colours); adding colour and a 32 px refinement: 0.984 at 0.97, 0.9915 at
//   0.98 (candidates: descriptor >= 0.95), recall of copy pairs 0.45, original-copy 0.66.
//
// Run: CHAMFER=0 npx tsx bench/duplicates-mixed-study.ts   (CHAMFER=0 skips the slow Chamfer part)
import { COPY_CELL_DIM, COPY_CELLS } from '../src-main/copies/copy-views.js';
import { NEAR_DUPLICATE_DIM } from '../src-main/model/descriptor.js';
import { mixedData } from './duplicates-mixed-data.js';
import { pixelMatch, pixelViews } from '../src-main/copies/pixel-match.js';
import { rgbOf } from '../src-main/copies/duplicate-check.js';

const data = await mixedData();
const n = data.files.length;
const D = NEAR_DUPLICATE_DIM;
const dotAt = (a: Float32Array, ao: number, b: Float32Array, bo: number, len: number) => {
  let s = 0;
  for (let k = 0; k < len; k++) s += a[ao + k] * b[bo + k];
  return s;
};
const cos = (i: number, j: number) => dotAt(data.nd, i * D, data.nd, j * D, D);

// Library-mean-centred descriptors.
const mean = new Float32Array(D);
for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) mean[k] += data.nd[i * D + k] / n;
const centred = new Float32Array(n * D);
for (let i = 0; i < n; i++) {
  let s = 0;
  for (let k = 0; k < D; k++) s += (centred[i * D + k] = data.nd[i * D + k] - mean[k]) ** 2;
  for (let k = 0; k < D; k++) centred[i * D + k] /= Math.sqrt(s);
}

const C = COPY_CELLS * COPY_CELL_DIM;
/** One-sided Chamfer: mean over a's cells of the best cosine with any of b's. */
function chamfer(a: number, b: number): number {
  let sum = 0;
  for (let i = 0; i < COPY_CELLS; i++) {
    let m = -1;
    for (let j = 0; j < COPY_CELLS; j++) m = Math.max(m, dotAt(data.cells, a * C + i * COPY_CELL_DIM, data.cells, b * C + j * COPY_CELL_DIM, COPY_CELL_DIM));
    sum += m;
  }
  return sum / COPY_CELLS;
}

// The product's pixel match (search/pixel-match.ts) on each grid thumbnail.
const views = await Promise.all(data.thumbs.map(async (t) => pixelViews(await rgbOf(t))));
const pixels = (a: number, b: number) => pixelMatch(views[a], views[b]);

// Neighbour similarities: each image's K-th best cosine (how crowded its neighbourhood is).
const K = [8, 16, 32];
const kth = K.map(() => new Float32Array(n));
const all = new Float32Array(n * n);
for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) all[i * n + j] = all[j * n + i] = cos(i, j);
for (let i = 0; i < n; i++) {
  const row = [...all.subarray(i * n, (i + 1) * n)].filter((_, j) => j !== i).sort((a, b) => b - a);
  K.forEach((k, t) => (kth[t][i] = row[Math.min(k, row.length) - 1]));
}

interface Pair { i: number; j: number; same: boolean; nd: number; cen: number; ch: number; px: number; col: number; w: number }
const pairs: Pair[] = [];
const LOW = 0.93;
for (let i = 0; i < n; i++) {
  for (let j = i + 1; j < n; j++) {
    const same = data.files[i].source === data.files[j].source;
    const c = all[i * n + j];
    if (!same && c < LOW) continue;
    const m = c >= 0.95 || same ? pixels(i, j) : { brightness: -1, colour: -1 };
    pairs.push({ i, j, same, nd: c, cen: dotAt(centred, i * D, centred, j * D, D), ch: NaN, px: m.brightness, col: m.colour, w: 1 });
  }
}
const truePairs = pairs.filter((p) => p.same).length;
console.log(`${n} images, ${truePairs} same-picture pairs, ${pairs.length - truePairs} different pairs with cosine >= ${LOW}`);
const t0 = Date.now();
// Chamfer is slow in plain JS: every same pair, and a sample of close different pairs (weighted).
const close = pairs.filter((p) => !p.same && p.nd >= 0.96);
const every = Math.max(1, Math.ceil(close.length / Number(process.env.CHAMFER_SAMPLE ?? 6000)));
close.forEach((p, k) => {
  if (k % every === 0) p.w = every;
});
if (process.env.CHAMFER !== '0') for (const p of pairs) if (p.same || (p.nd >= 0.96 && p.w > 1) || (every === 1 && p.nd >= 0.96)) p.ch = Math.min(chamfer(p.i, p.j), chamfer(p.j, p.i));
console.log(`chamfer of ${pairs.filter((p) => !Number.isNaN(p.ch)).length} pairs (1 in ${every} close different pairs) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const q = (v: number[], f: number) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(f * (v.length - 1))] : NaN);
const show = (name: string, v0: number[]) => { const v = v0.filter((x) => !Number.isNaN(x)); return  console.log(`${name.padEnd(34)} n=${String(v.length).padStart(6)}  p05 ${q(v, 0.05).toFixed(4)}  p50 ${q(v, 0.5).toFixed(4)}  p95 ${q(v, 0.95).toFixed(4)}  max ${q(v, 1).toFixed(4)}`); };
const setOf = (i: number) => data.files[i].set;
for (const key of ['nd', 'cen', 'ch', 'px'] as const) {
  console.log(`\n-- ${key}`);
  for (const set of ['photo', 'fashion', 'icon', 'page']) {
    show(`same ${set} (orig-edit)`, pairs.filter((p) => p.same && setOf(p.i) === set && (data.files[p.i].edit === 'original' || data.files[p.j].edit === 'original')).map((p) => p[key]));
    show(`diff ${set} (cos>=0.96)`, pairs.filter((p) => !p.same && p.nd >= 0.96 && setOf(p.i) === set && setOf(p.j) === set).map((p) => p[key]));
  }
  show('diff across sets (cos>=0.96)', pairs.filter((p) => !p.same && p.nd >= 0.96 && setOf(p.i) !== setOf(p.j)).map((p) => p[key]));
}

type Rule = (p: Pair) => boolean;
function score(name: string, rule: Rule, sampled = false): void {
  const ok = pairs.filter((p) => (sampled && !p.same && p.nd >= 0.96 && Number.isNaN(p.ch) ? false : rule(p)));
  const right = ok.filter((p) => p.same).length;
  const wrong = ok.filter((p) => !p.same).reduce((a, p) => a + (sampled && p.nd >= 0.96 ? p.w : 1), 0);
  const perSet = ['photo', 'fashion', 'icon', 'page'].map((s) => {
    const t = pairs.filter((p) => p.same && setOf(p.i) === s);
    return `${s} ${(t.filter(rule).length / Math.max(1, t.length)).toFixed(2)}`;
  });
  const orig = pairs.filter((p) => p.same && (data.files[p.i].edit === 'original' || data.files[p.j].edit === 'original'));
  console.log(`${name.padEnd(40)} edges ${String(right + wrong).padStart(6)} precision ${(right / Math.max(1, right + wrong)).toFixed(4)} recall ${(right / truePairs).toFixed(3)} orig-edit ${(orig.filter(rule).length / orig.length).toFixed(3)} | ${perSet.join(' ')}`);
}
const edits = [...new Set(data.files.map((f) => f.edit))].filter((e) => e !== 'original');
function perEdit(name: string, rule: Rule): void {
  const cells = edits.map((e) => {
    const t = pairs.filter((p) => p.same && ((data.files[p.i].edit === 'original' && data.files[p.j].edit === e) || (data.files[p.j].edit === 'original' && data.files[p.i].edit === e)));
    return `${e} ${(t.filter(rule).length / t.length).toFixed(2)}`;
  });
  console.log(`  orig-edit recall per edit, ${name}: ${cells.join(', ')}`);
}
console.log('\nedge rules (pairs, before grouping)');
perEdit('nd >= 0.985', (p) => p.nd >= 0.985);
for (const t of [0.97, 0.98, 0.985, 0.99]) score(`nd >= ${t}`, (p) => p.nd >= t);
for (const t of [0.5, 0.6, 0.7, 0.8]) score(`centred >= ${t}`, (p) => p.cen >= t);
for (const t of [0.85, 0.9, 0.93]) score(`nd >= 0.96 & chamfer >= ${t}`, (p) => p.nd >= 0.96 && p.ch >= t, true);
for (const c of [0.95, 0.96]) for (const t of [0.95, 0.97, 0.98]) score(`nd >= ${c} & pixels >= ${t}`, (p) => p.nd >= c && p.px >= t);
for (const c of [0.95, 0.96]) for (const t of [0.9, 0.93, 0.95, 0.97, 0.98]) for (const k of [0.8]) score(`nd >= ${c} & px >= ${t} & colour >= ${k}`, (p) => p.nd >= c && p.px >= t && p.col >= k);
for (const key of ['col'] as const) {
  for (const set of ['photo', 'fashion', 'icon', 'page']) {
    show(`colour same ${set} (orig-edit)`, pairs.filter((p) => p.same && setOf(p.i) === set && (data.files[p.i].edit === 'original' || data.files[p.j].edit === 'original')).map((p) => p[key]));
    show(`colour diff ${set} (px>=0.9)`, pairs.filter((p) => !p.same && p.nd >= 0.95 && p.px >= 0.9 && setOf(p.i) === set && setOf(p.j) === set).map((p) => p[key]));
  }
}
for (const t of [0.9, 0.95]) perEdit(`nd >= 0.95 & px >= ${t} & col >= 0.8`, (p) => p.nd >= 0.95 && p.px >= t && p.col >= 0.8);
for (const t of [0.93, 0.97]) {
  const bySet = new Map<string, number>();
  for (const p of pairs) if (!p.same && p.nd >= 0.95 && p.px >= t && p.col >= 0.8) bySet.set(`${setOf(p.i)}/${setOf(p.j)}`, (bySet.get(`${setOf(p.i)}/${setOf(p.j)}`) ?? 0) + 1);
  console.log(`  false pairs at px >= ${t} by set: ${[...bySet].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
const worst = pairs.filter((p) => !p.same && p.nd >= 0.95 && p.px >= 0.93 && p.col >= 0.8).sort((a, b) => b.px - a.px).slice(0, 12);
for (const p of worst) console.log(`  false: ${data.files[p.i].source}-${data.files[p.i].edit} ~ ${data.files[p.j].source}-${data.files[p.j].edit} nd ${p.nd.toFixed(4)} px ${p.px.toFixed(4)} col ${p.col.toFixed(3)}`);
if (process.env.KTH) for (const [ti, k] of K.entries()) {
  for (const lam of [0.2, 0.3, 0.5]) {
    score(`nd>=0.96 & 1-cos <= ${lam}(1-kth${k})`, (p) => p.nd >= 0.96 && 1 - p.nd <= lam * (1 - Math.max(kth[ti][p.i], kth[ti][p.j])));
  }
}
