// How similar()'s copy rules were chosen, offline: the images of bench/similar-near-duplicates.ts
// (edited copies of Debian's wallpapers, queried against the originals) and ordinary queries,
// copies of nothing (each wallpaper, generated kind and Fashion-MNIST image against all the
// others). For each rule: recall@1 of the copies, and how often an ordinary query's top hit
// differs from the plain embedding's (worse/better by label for kinds and Fashion-MNIST).
// Vectors and cells come from bench/similar-copy-study-data.ts (cached in .bench-out/).
//
// Run: npx tsx bench/similar-copy-study.ts [--two-copies]   (first run extracts for ~5 min, then ~2 min)
import { COPY_CELL_DIM, COPY_CELLS } from '../src-main/copies/copy-views.js';
import { CELLS_PER_IMAGE, studyCells, studyData, type StudyImage } from './similar-copy-study-data.js';
import { dot, unit } from './vectors.js';

interface Item extends StudyImage {
  k: number;
}
type Rule = (q: Item, lib: Item[]) => Item;

const data = (await studyData()).map((d, k) => ({ ...d, pooled: unit(d.pooled), k }));
const cells = studyCells();
const walls = data.filter((d) => d.set === 'wallpaper');
const copies = data.filter((d) => d.set === 'edit' && Number(d.group) < 62);
const ordinary: [string, Item[], Item[]][] = [
  ['wallpaper', walls, []],
  ['kind', data.filter((d) => d.set === 'kind'), walls],
  ['fashion', data.filter((d) => d.set === 'fashion'), walls],
];

const byPooled = (q: Item, lib: Item[]) => [...lib].sort((a, b) => dot(q.pooled, b.pooled) - dot(q.pooled, a.pooled));
const ndTurns = (q: Item, l: Item) => Math.max(dot(q.nd, l.nd), dot(q.nd90, l.nd), dot(q.nd270, l.nd));
const plain: Rule = (q, lib) => byPooled(q, lib)[0];

/** The rule shipped before: pool of 50 by the embedding, descriptor cosine >= 0.985 raises the score. */
const threshold: Rule = (q, lib) => {
  const raised = byPooled(q, lib).slice(0, 50).map((l) => {
    const c = dot(q.nd, l.nd);
    return { l, s: c >= 0.985 ? Math.max(dot(q.pooled, l.pooled), c) : dot(q.pooled, l.pooled) };
  });
  return raised.sort((a, b) => b.s - a.s)[0].l;
};

/** The experiment: the pool's best descriptor match first when >= 0.95 and leading by 0.003. */
const descriptorLead: Rule = (q, lib) => {
  const pool = byPooled(q, lib).slice(0, 50).map((l) => ({ l, s: dot(q.nd, l.nd) })).sort((a, b) => b.s - a.s);
  return pool[0].s >= 0.95 && pool[0].s - pool[1].s >= 0.003 ? pool[0].l : threshold(q, lib);
};

const chamferCache = new Map<string, number>();
/** As CopyViews.copyScores: mean over the query's cells of the best cosine, best of three turns. */
function chamfer(q: Item, l: Item, turns: number): number {
  const key = `${q.k}/${l.k}/${turns}`;
  const hit = chamferCache.get(key);
  if (hit !== undefined) return hit;
  const one = COPY_CELLS * COPY_CELL_DIM;
  let best = -1;
  for (let t = 0; t < turns; t++) {
    const qo = q.k * CELLS_PER_IMAGE + t * one;
    const lo = l.k * CELLS_PER_IMAGE;
    let sum = 0;
    for (let i = 0; i < COPY_CELLS; i++) {
      let m = -1;
      for (let j = 0; j < COPY_CELLS; j++) {
        let s = 0;
        for (let c = 0; c < COPY_CELL_DIM; c++) s += cells[qo + i * COPY_CELL_DIM + c] * cells[lo + j * COPY_CELL_DIM + c];
        if (s > m) m = s;
      }
      sum += m;
    }
    best = Math.max(best, sum / COPY_CELLS);
  }
  chamferCache.set(key, best);
  return best;
}

/** The copy check (engine/copy-check.ts) with its knobs, falling back to the plain ranking. */
const copyCheck = (byDescriptor: number, byEmbedding: number, lead: number, turns: 1 | 3): Rule => (q, lib) => {
  const nd = turns === 3 ? ndTurns : (a: Item, b: Item) => dot(a.nd, b.nd);
  const cands = [...new Set([
    ...[...lib].sort((a, b) => nd(q, b) - nd(q, a)).slice(0, byDescriptor),
    ...byPooled(q, lib).slice(0, byEmbedding),
  ])].map((l) => ({ l, s: chamfer(q, l, turns) })).sort((a, b) => b.s - a.s);
  const ok = cands[0].s >= 0.8 && cands[0].s - (cands[1]?.s ?? -Infinity) >= lead;
  return ok ? cands[0].l : plain(q, lib);
};

function report(name: string, rule: Rule): void {
  const perEdit = new Map<string, number[]>();
  for (const q of copies) {
    const list = perEdit.get(q.edit!) ?? [];
    list.push(rule(q, walls.slice(0, 62)).group === q.group ? 1 : 0);
    perEdit.set(q.edit!, list);
  }
  const all = [...perEdit.values()].flat();
  const harm = ordinary.map(([set, queries, extra]) => {
    const lib0 = [...queries, ...extra];
    let changed = 0;
    let worse = 0;
    let better = 0;
    queries.forEach((q, i) => {
      const lib = lib0.filter((_, j) => j !== i);
      const a = plain(q, lib);
      const b = rule(q, lib);
      if (a === b) return;
      changed++;
      if (set !== 'wallpaper' && a.group === q.group && b.group !== q.group) worse++;
      if (set !== 'wallpaper' && a.group !== q.group && b.group === q.group) better++;
    });
    return `${set} ${changed}/${queries.length}${set === 'wallpaper' ? '' : ` (${worse}w ${better}b)`}`;
  });
  const edits = [...perEdit].map(([e, v]) => `${e} ${mean(v).toFixed(2)}`).join(', ');
  console.log(`${name.padEnd(34)} ${mean(all).toFixed(3)} | changed: ${harm.join(', ')} | ${edits}`);
}

if (process.argv.includes('--two-copies')) {
  // A library holding each photo twice (the original and its resized copy): the check sees two
  // equally good candidates, so no clear leader. Recall@1 counts either copy as right.
  const resized = data.filter((d) => d.set === 'edit' && d.edit === 'resize' && Number(d.group) < 62);
  const lib = [...walls.slice(0, 62), ...resized];
  const queries = copies.filter((q) => q.edit !== 'resize');
  for (const [name, rule] of [['plain embedding', plain], ['threshold 0.985 (shipped before)', threshold], ['copy check 3+1, lead 0.025', copyCheck(3, 1, 0.025, 3)]] as const) {
    const right = queries.filter((q) => rule(q, lib).group === q.group).length;
    console.log(`two copies in the library: ${name.padEnd(34)} recall@1 ${(right / queries.length).toFixed(3)}`);
  }
  process.exit(0);
}

console.log('rule                               recall@1 | ordinary queries whose top hit changed vs plain (w/b: worse/better by label) | per edit');
report('plain embedding', plain);
report('threshold 0.985 (shipped before)', threshold);
report('descriptor lead 0.003 (experiment)', descriptorLead);
for (const [d, e] of [[3, 1], [5, 3]] as const) {
  for (const lead of [0.02, 0.025, 0.03]) report(`copy check ${d}+${e} cands, lead ${lead}`, copyCheck(d, e, lead, 3));
}
report('copy check 3+1, lead 0.025, upright only', copyCheck(3, 1, 0.025, 1));

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
