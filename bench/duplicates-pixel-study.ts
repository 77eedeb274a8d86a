// The pixel check alone, offline, on the mixed library's cached vectors and thumbnails
// (bench/duplicates-mixed-data.ts): the pairs the descriptor proposes at the default strictness
// (each image's MAX_DUPLICATE_NEIGHBOURS nearest at cosine >= 0.95, and its 8 nearest by thumbnail layout at that
// cosine, as the product asks), each checked by the product's
// pixel match (search/pixel-match.ts, in this thread), then grouped as the product groups them
// (centred groups, search/duplicates.ts). Prints the time of the check, edge and group pair
// precision, recall of copy pairs (every two versions of one picture) overall and per set, and
// the recall of original-and-copy pairs per edit: a quick stand-in for bench/duplicates-mixed.ts
// while changing the pixel match (SCORES_CACHE=file keeps the matches for regrouping in seconds).
//
// What it showed (issue 13), copy pairs / pair precision: complete linkage, three crop places,
// best alignment refined: 0.433 / 0.9911. Centred groups (coherence 0.5): 0.620 / 0.9946
// (0: 0.693 / 0.9515: a grey square lines up with every square and gathers them). Five crop
// places and each side's best alignment refined: 75 % crops with their originals 0.21 -> 0.70.
// Detailed photos confirmed from 0.95 (HF=1): 0.734 / 0.9912. Centres taken in order of the
// group each would keep, not of their pairs (a grey icon pairs with every icon of its shape):
// 0.742 / 0.9906. Pairs also proposed by thumbnail layout (PIXEL_K=8; 0 turns it off): true
// pairs proposed 3,280 -> 3,465 of 3,850 (simple images have more than 64 neighbours above 0.95
// by descriptor), 0.802 / 0.9907. Left: text pages (0.47: a crop or a straightened copy of small
// print does not line up at 64 px), flat icons of one shape in near colours. CAP=n ONLY_CEILING=1
// prints the descriptor's ceiling for more neighbours; ONLY_SET=page checks one set's pairs only.
//
// Run: npx tsx bench/duplicates-pixel-study.ts [THRESHOLD=0.95] [SCORES_CACHE=f] [COHERENCE=q]
//      [LINKAGE=complete] [MISSED=1] [WRONG=1] [FAILED=1] [EDGES=1] [HF=1] [SWEEP=b:k:l,...] [BAND=s]
import { NEAR_DUPLICATE_DIM } from '../src-main/model/descriptor.js';
import { mixedData } from './duplicates-mixed-data.js';
import { pixelMatch, pixelViews, type PixelMatch } from '../src-main/copies/pixel-match.js';
import { aspectOf, confirms, rgbOf } from '../src-main/copies/duplicate-check.js';
import { centredGroups, GROUP_COHERENCE, MAX_DUPLICATE_NEIGHBOURS, type DuplicatePair } from '../src-main/copies/duplicates.js';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../src-shared/contract.js';
import { LAYOUT_NEIGHBOURS } from '../src-main/copies/layout-proposals.js';

const data = await mixedData();
const n = data.files.length;
const D = NEAR_DUPLICATE_DIM;
const cos = (i: number, j: number) => {
  let s = 0;
  for (let k = 0; k < D; k++) s += data.nd[i * D + k] * data.nd[j * D + k];
  return s;
};
const t = Number(process.env.THRESHOLD ?? DEFAULT_DUPLICATE_THRESHOLD);
const proposed = new Map<string, DuplicatePair>();
for (let i = 0; i < n; i++) {
  const near: [number, number][] = [];
  for (let j = 0; j < n; j++) if (j !== i) near.push([j, cos(i, j)]);
  near.sort((x, y) => y[1] - x[1]);
  for (const [j, c] of near.slice(0, Number(process.env.CAP ?? MAX_DUPLICATE_NEIGHBOURS))) {
    if (c < t) break;
    const [a, b] = i < j ? [i, j] : [j, i];
    if (process.env.ONLY_SET && data.files[a].set !== process.env.ONLY_SET && data.files[b].set !== process.env.ONLY_SET) continue;
    proposed.set(`${a},${b}`, { a, b, score: c });
  }
}
if (process.env.ONLY_CEILING) {
  const sp = [...proposed.values()].filter((p) => data.files[p.a].source === data.files[p.b].source).length;
  console.log(`cap ${process.env.CAP}: ${proposed.size} proposed, ${sp} same-picture`);
  process.exit(0);
}
let t0 = Date.now();
const rgb = await Promise.all(data.thumbs.map(async (th) => [await rgbOf(th), await aspectOf(th)] as const));
const tDecode = Date.now() - t0;
t0 = Date.now();
const views = rgb.map(([v, aspect]) => pixelViews(v, aspect));
const tViews = Date.now() - t0;
t0 = Date.now();
const scores = new Map<string, PixelMatch>();
const layoutK = Number(process.env.PIXEL_K ?? LAYOUT_NEIGHBOURS);
if (layoutK > 0) {
  // As the product (engine/layout-proposals.ts), exactly: each photo's nearest by whole-frame layout (16x16, turned 8 ways) whose descriptor meets the threshold.
  const k = layoutK;
  const t1 = Date.now();
  let added = 0;
  for (let i = 0; i < n; i++) {
    const near: [number, number][] = [];
    const a = views[i].turns[0].lum;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let best = -1;
      for (const t of views[j].turns) {
        let s = 0;
        for (let q = 0; q < a.length; q++) s += a[q] * t.lum[q];
        if (s > best) best = s;
      }
      near.push([j, best]);
    }
    near.sort((x, y) => y[1] - x[1]);
    for (const [j] of near.slice(0, k)) {
      const [x, y] = i < j ? [i, j] : [j, i];
      const c = cos(x, y);
      if (c < t || proposed.has(`${x},${y}`)) continue;
      proposed.set(`${x},${y}`, { a: x, b: y, score: c });
      added++;
    }
  }
  console.log(`pixel proposals: ${added} added in ${Date.now() - t1} ms`);
}
const cacheFile = process.env.SCORES_CACHE;
if (cacheFile && (await import('node:fs')).existsSync(cacheFile)) {
  for (const [k, v] of JSON.parse((await import('node:fs')).readFileSync(cacheFile, 'utf8')) as [string, PixelMatch][]) scores.set(k, v);
}
let fresh = 0;
for (const [k, p] of proposed) if (!scores.has(k)) { scores.set(k, pixelMatch(views[p.a], views[p.b])); fresh++; }
if (cacheFile && fresh) (await import('node:fs')).writeFileSync(cacheFile, JSON.stringify([...scores]));
const tMatch = Date.now() - t0;
console.log(`${n} images, ${proposed.size} proposed pairs; decode ${tDecode} ms, views ${tViews} ms, match ${tMatch} ms`);

const f = data.files;
const same = (p: DuplicatePair) => f[p.a].source === f[p.b].source;
const versions = new Map<string, number>();
for (const x of f) versions.set(x.source, (versions.get(x.source) ?? 0) + 1);
const copyPairs = [...versions.values()].reduce((s, v) => s + (v * (v - 1)) / 2, 0);
const origPairs = [...versions.values()].reduce((s, v) => s + v - 1, 0);
const edits = [...new Set(f.map((x) => x.edit))].filter((e) => e !== 'original');
const isOrig = (p: DuplicatePair) => f[p.a].edit === 'original' || f[p.b].edit === 'original';
const editOf = (p: DuplicatePair) => (f[p.a].edit === 'original' ? f[p.b].edit : f[p.a].edit);

function report(name: string, ok: (p: DuplicatePair) => boolean): void {
  const edges = [...proposed.values()].filter(ok);
  const right = edges.filter(same);
  const groups = process.env.LINKAGE === 'complete' ? completeLinkage(edges) : centredGroups(edges, Number(process.env.COHERENCE ?? GROUP_COHERENCE));
  const inGroups: DuplicatePair[] = [];
  for (const g of groups) for (let x = 0; x < g.length; x++) for (let y = x + 1; y < g.length; y++) inGroups.push({ a: g[x], b: g[y], score: 0 });
  const gRight = inGroups.filter(same);
  if (process.env.WRONG_GROUPS) for (const g of groups) if (new Set(g.map((i) => f[i].source)).size > 1) console.log(`  mixed group: ${g.map((i) => `${f[i].source}-${f[i].edit}`).join(' ')}`);
  const perEdit = edits.map((e) => `${e} ${(gRight.filter((p) => isOrig(p) && editOf(p) === e).length / (origPairs / edits.length)).toFixed(2)}`);
  console.log(`${name}: edges ${edges.length} precision ${(right.length / Math.max(1, edges.length)).toFixed(4)} recall ${(right.length / copyPairs).toFixed(3)} | groups: precision ${(gRight.length / Math.max(1, inGroups.length)).toFixed(4)} (${inGroups.length - gRight.length} wrong of ${inGroups.length}) copy pairs ${(gRight.length / copyPairs).toFixed(3)} orig-copy ${(gRight.filter(isOrig).length / origPairs).toFixed(3)}`);
  console.log(`  orig-copy per edit: ${perEdit.join(', ')}`);
  const setPairs = new Map<string, number>();
  for (const [src, v] of versions) { const set = f.find((x) => x.source === src)!.set; setPairs.set(set, (setPairs.get(set) ?? 0) + (v * (v - 1)) / 2); }
  console.log(`  copy pairs per set: ${[...setPairs].filter(([, v]) => v > 0).map(([set, v]) => `${set} ${(gRight.filter((p) => f[p.a].set === set).length / v).toFixed(2)}`).join(', ')}`);
  const wrongBySet = new Map<string, number>();
  for (const p of inGroups.filter((q) => !same(q))) wrongBySet.set(`${f[p.a].set}/${f[p.b].set}`, (wrongBySet.get(`${f[p.a].set}/${f[p.b].set}`) ?? 0) + 1);
  console.log(`  wrong pairs by set: ${[...wrongBySet].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
const truthProposed = [...proposed.values()].filter(same).length;
console.log(`pairs matched now: ${fresh}`);
console.log(`same-picture pairs proposed: ${truthProposed} of ${copyPairs} (the descriptor's ceiling)`);
report('product rule', (p) => confirms(scores.get(`${p.a},${p.b}`)!));
if (process.env.BAND) {
  const band = Number(process.env.BAND);
  report(`band share >= ${band}`, (p) => {
    const m = scores.get(`${p.a},${p.b}`)!;
    const lineUp = m.brightness >= 0.98 || (m.kept >= 0.99 && m.brightness >= 0.85 && 1 - (1 - m.kept) / (1 - m.brightness) >= band);
    return lineUp && m.colour >= 0.8;
  });
}
for (const rule of (process.env.SWEEP ?? '').split(',').filter(Boolean)) {
  // b:k:l = brightness >= b, or kept >= k with brightness >= l
  const [b, k, l] = rule.split(':').map(Number);
  report(`brightness >= ${b} or kept >= ${k} & brightness >= ${l}`, (p) => {
    const m = scores.get(`${p.a},${p.b}`)!;
    return m.colour >= 0.8 && (m.brightness >= b || (m.kept >= k && m.brightness >= l));
  });
}
if (process.env.MISSED) {
  const miss = [...proposed.values()].filter((p) => same(p) && !confirms(scores.get(`${p.a},${p.b}`)!));
  const byKind = new Map<string, number[]>();
  for (const p of miss) {
    const k = [f[p.a].edit, f[p.b].edit].sort().join('~');
    byKind.set(k, [...(byKind.get(k) ?? []), scores.get(`${p.a},${p.b}`)!.brightness]);
  }
  for (const [k, v] of [...byKind].sort((x, y) => y[1].length - x[1].length)) console.log(`  missed ${k}: ${v.length}, median ${v.sort((x, y) => x - y)[v.length >> 1].toFixed(3)}`);
}
if (process.env.WRONG) {
  for (const p of [...proposed.values()].filter((q) => !same(q) && confirms(scores.get(`${q.a},${q.b}`)!))) {
    const m = scores.get(`${p.a},${p.b}`)!;
    console.log(`  wrong ${f[p.a].source}-${f[p.a].edit} ~ ${f[p.b].source}-${f[p.b].edit}: desc ${p.score.toFixed(3)} b ${m.brightness.toFixed(3)} k ${m.kept.toFixed(3)} d ${m.detail.toFixed(3)} c ${m.colour.toFixed(3)}`);
  }
}
if (process.env.EDGES) {
  const line: string[] = [];
  for (const e of edits) {
    let total = 0, prop = 0, conf = 0;
    for (let i = 0; i < n; i++) {
      if (f[i].edit !== 'original') continue;
      const j = f.findIndex((x) => x.source === f[i].source && x.edit === e);
      if (j < 0) continue;
      total++;
      const [a, b] = i < j ? [i, j] : [j, i];
      const p = proposed.get(`${a},${b}`);
      if (p) { prop++; if (confirms(scores.get(`${a},${b}`)!)) conf++; }
    }
    line.push(`${e} ${(prop / total).toFixed(2)}/${(conf / total).toFixed(2)}`);
  }
  console.log(`orig-copy edges proposed/confirmed: ${line.join(', ')}`);
}
if (process.env.EDGES) {
  for (const e of edits) {
    const miss: string[] = [];
    for (let i = 0; i < n; i++) {
      if (f[i].edit !== 'original') continue;
      const j = f.findIndex((x) => x.source === f[i].source && x.edit === e);
      if (j < 0) continue;
      const [a, b] = i < j ? [i, j] : [j, i];
      if (!proposed.get(`${a},${b}`)) miss.push(`${f[i].set}:${cos(i, j).toFixed(3)}`);
    }
    if (miss.length) console.log(`  not proposed ${e}: ${miss.join(' ')}`);
  }
}
if (process.env.FAILED) {
  const rows: string[] = [];
  for (const p of proposed.values()) {
    if (!same(p) || !isOrig(p)) continue;
    const m = scores.get(`${p.a},${p.b}`)!;
    if (confirms(m)) continue;
    rows.push(`${editOf(p).padEnd(9)} ${f[p.a].set.padEnd(8)} b ${m.brightness.toFixed(3)} k ${m.kept.toFixed(3)} d ${m.detail.toFixed(3)} c ${m.colour.toFixed(3)} desc ${p.score.toFixed(3)}`);
  }
  console.log(rows.sort().join('\n'));
}

if (process.env.HF) {
  const hp = (v: Float32Array, m = 32) => {
    let e = 0;
    for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) {
      let [t, k] = [0, 0];
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const [u, w] = [x + dx, y + dy];
        if (u >= 0 && u < m && w >= 0 && w < m) [t, k] = [t + v[w * m + u], k + 1];
      }
      e += (v[y * m + x] - t / k) ** 2;
    }
    return e;
  };
  const hf = views.map((v) => hp(v.fineTurns[0]));
  const q = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return [0.05, 0.25, 0.5, 0.75, 0.95].map((p) => s[Math.floor(p * (s.length - 1))].toFixed(3)).join(' '); };
  for (const set of ['photo', 'fashion', 'icon', 'page', 'kind']) console.log(`hf ${set}: ${q(hf.filter((_, i) => f[i].set === set))}`);
  for (const H of (process.env.HF_SWEEP ?? '0.05,0.1').split(',').map(Number)) {
    for (const B of [0.95, 0.96, 0.97]) {
      report(`hf >= ${H} -> b >= ${B}`, (p) => {
        const m = scores.get(`${p.a},${p.b}`)!;
        if (confirms(m)) return true;
        return Math.min(hf[p.a], hf[p.b]) >= H && m.brightness >= B && m.colour >= 0.8;
      });
    }
  }
}

/**
 * Groups in which every two images are a pair (complete linkage), best pairs first: what the
 * app used before centredGroups, kept here so LINKAGE=complete can compare them.
 */
function completeLinkage(pairs: readonly DuplicatePair[]): number[][] {
  const linked = new Set(pairs.map((p) => `${Math.min(p.a, p.b)},${Math.max(p.a, p.b)}`));
  const isPair = (x: number, y: number) => linked.has(x < y ? `${x},${y}` : `${y},${x}`);
  const groupOf = new Map<number, number[]>();
  const sorted = [...pairs].sort((x, y) => y.score - x.score || Math.min(x.a, x.b) - Math.min(y.a, y.b) || Math.max(x.a, x.b) - Math.max(y.a, y.b));
  for (const { a, b } of sorted) {
    const ga = groupOf.get(a) ?? [a];
    const gb = groupOf.get(b) ?? [b];
    if (ga === gb || !ga.every((x) => gb.every((y) => isPair(x, y)))) continue;
    const merged = [...ga, ...gb];
    for (const id of merged) groupOf.set(id, merged);
  }
  return [...new Set(groupOf.values())]
    .map((g) => [...g].sort((x, y) => x - y))
    .sort((x, y) => y.length - x.length || x[0] - y[0]);
}
