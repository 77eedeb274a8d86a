// The whole product at a workstation's size (issue 19): Fashion-MNIST written out as a photo
// library (bench/fashion-mnist-files.ts: N PNGs in class folders, a tenth also as 1,600 × 1,000
// JPEGs), imported through the engine's API as the app does, then queried through the API.
// Prints images/s per tenth of each import phase (first vs last), each stage's share of the
// time, the engine's RSS (sampled every 250 ms, max), `similar` by id p50/p99 over 200 queries,
// and `status` / `labels` latency. Optional: SCALE_MAP=1, SCALE_DUPLICATES=1, SCALE_HARD_PAIRS=1,
// SCALE_TRAIN=1 (the head on the folders' 10 labels, then `similar` again in the new space).
// Every job's phases are timed. SCALE_DUPLICATES_CAP_S=N cancels the first duplicates search after
// N seconds and prints how far it got and its rate; KEEP_LIBRARY=DIR keeps the library there, and
// SCALE_SKIP_IMPORT=1 then measures the kept library again without importing. SCALE_DUPLICATES_ADD=1
// then imports 10 photos more (an edited copy of a shot of each class) and times the search again
// (=first: before the first search as well, for a search after a restart with photos added).
//
//   SCALE_N=3000 npx tsx bench/scale.ts        (default N: 70000, ~40 min on 2 cores)
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import sharp from 'sharp';
import type { JobProgress } from '../src-shared/contract.js';
import { stageTimes } from '../src-main/common/stage-times.js';
import { Engine } from '../src-main/engine/engine.js';
import { finishJob } from '../test/fixtures/engine-jobs.js';
import { fashionMnistFolder } from './fashion-mnist-files.js';

const N = Number(process.env.SCALE_N ?? 70_000);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(what: string, times: number, call: (i: number) => Promise<unknown>): Promise<void> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await call(i);
    took.push(performance.now() - start);
  }
  took.sort((a, b) => a - b);
  console.log(`${what.padEnd(28)} p50 ${ms(percentile(took, 50)).padStart(9)}  p99 ${ms(percentile(took, 99)).padStart(9)}  (${times} calls)`);
}

/** Images/s in each tenth of a phase, from the times its `done` count crossed each tenth. */
class Tenths {
  private readonly seen: { t: number; done: number }[] = [];
  private total = 0;
  see(done: number, total: number): void {
    this.total = total;
    if (done > (this.seen.at(-1)?.done ?? -1)) this.seen.push({ t: performance.now(), done });
  }
  rates(): number[] {
    const crossing = (k: number) => this.seen.find((p) => p.done >= (k * this.total) / 10);
    const out: number[] = [];
    for (let k = 0; k < 10; k++) {
      const a = crossing(k);
      const b = crossing(k + 1);
      if (a && b && b.t > a.t) out.push((b.done - a.done) / ((b.t - a.t) / 1000));
    }
    return out;
  }
}

/** How long each phase of each job took, from its first to its last progress event. */
class Phases {
  private readonly spans = new Map<string, { first: number; last: number }>();
  see(p: JobProgress): void {
    const key = `${p.kind} #${p.jobId} ${p.phase}`;
    const now = performance.now();
    const s = this.spans.get(key);
    if (s) s.last = now;
    else this.spans.set(key, { first: now, last: now });
  }
  print(): void {
    for (const [key, s] of this.spans) console.log(`  ${key.padEnd(40)} ${((s.last - s.first) / 1000).toFixed(1).padStart(8)} s`);
    this.spans.clear();
  }
}

const loadBefore = os.loadavg();
const { dir, files } = await fashionMnistFolder(path.join(repo, '.bench-out', 'scale'), N);
console.log(`library: ${N} Fashion-MNIST PNGs + ${files - N} 1600×1000 JPEGs = ${files} files; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')}`);
const keep = process.env.KEEP_LIBRARY;
if (keep) mkdirSync(keep, { recursive: true });
const phases = new Phases();
const work = keep ?? mkdtempSync(path.join(os.tmpdir(), 'lookalike-scale-'));
const engine = await Engine.open(path.join(work, 'library'));
let maxRss = 0;
const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 250);
// A line a minute on stderr, so a long run shows where it is.
let latest: JobProgress | null = null;
engine.onEvent((name, payload) => {
  if (name === 'jobProgress') latest = payload as JobProgress;
});
const ticker = setInterval(() => {
  const p = latest as JobProgress | null;
  if (p) console.error(`[${new Date().toISOString().slice(11, 19)}] ${p.kind} #${p.jobId} ${p.phase} ${p.done}/${p.total ?? '?'} rate ${p.rate?.toFixed(1) ?? '-'} rss ${mb(process.memoryUsage().rss)}`);
}, 60_000);
try {
  const tenths = new Map<string, Tenths>();

  const onPhases = engine.onEvent((name, payload) => {
    if (name === 'jobProgress') phases.see(payload as JobProgress);
  });
  const off = engine.onEvent((name, payload) => {
    const p = payload as JobProgress;
    if (name !== 'jobProgress' || !p.phase || p.done == null || !p.total) return;
    if (!tenths.has(p.phase)) tenths.set(p.phase, new Tenths());
    tenths.get(p.phase)!.see(p.done, p.total);
  });
  if (process.env.SCALE_SKIP_IMPORT) {
    const status = await engine.call('status', {});
    console.log(`import skipped (SCALE_SKIP_IMPORT): the kept library holds ${status.images} photos, ${status.embedded} indexed`);
    off();
  } else {
    stageTimes.reset();
    const start = performance.now();
    const job = await finishJob(engine, await engine.call('importFolders', { paths: [dir], labelsFromFolders: true }));
    const seconds = (performance.now() - start) / 1000;
    off();
    if (job.state !== 'done') throw new Error(`the import ended ${job.state}: ${job.message ?? ''}`);
    const status = await engine.call('status', {});
    console.log(`import: ${files} files in ${seconds.toFixed(0)} s (${(files / seconds).toFixed(1)} files/s overall); ${status.images} photos, ${status.embedded} indexed`);
    for (const [phase, t] of tenths) {
      const r = t.rates();
      if (r.length < 2) continue;
      console.log(`  ${phase.padEnd(11)} images/s per tenth: ${r.map((x) => x.toFixed(0)).join(' ')}  (last/first ${(r.at(-1)! / r[0]).toFixed(2)})`);
    }
    const stages = stageTimes.snapshot();
    const busy = [...stages.values()].reduce((a, b) => a + b, 0);
    // Files in flight at once (hash, decode) each add their time; the CNN's is its pass's wall
    // time, on the extractor's inference threads.
    console.log(`stages (busy time, summed over files in flight; the CNN: wall time of its pass; ${os.availableParallelism()} cores):`);
    for (const [stage, t] of [...stages].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${stage.padEnd(28)} ${(t / 1000).toFixed(1).padStart(7)} s  ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${(files / (t / 1000)).toFixed(0).padStart(7)} images per busy second`);
    }
    console.log(`engine RSS during the import: max ${mb(maxRss)}; now ${mb(process.memoryUsage().rss)}`);
    console.log('phases of the import:');
    phases.print();
  }

  const ids = (await engine.call('listImages', { limit: 5000 })).items.map((i) => i.id);
  await engine.call('similar', { id: ids[0], k: 50 }); // the first query may load the heavy half
  await latency('similar by id (k 50)', 200, (i) => engine.call('similar', { id: ids[(i * 7919) % ids.length], k: 50 }));
  await latency('status', 50, () => engine.call('status', {}));
  await latency('labels', 50, () => engine.call('labels', {}));
  if (process.env.SCALE_HARD_PAIRS) await latency('hard pairs (3 calls)', 3, () => engine.call('hardPairs', { limit: 30 }));
  if (process.env.SCALE_DUPLICATES) await duplicates(Number(process.env.SCALE_DUPLICATES_CAP_S ?? 0));
  if (process.env.SCALE_MAP) {
    await latency('map (as a job)', 1, async () => {
      const r = await engine.call('map', {});
      if (!r.ready) await finishJob(engine, { jobId: r.jobId });
    });
    phases.print();
  }
  if (process.env.SCALE_TRAIN) {
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    // The engine must keep answering while it trains: `status` asked every 2 s throughout.
    const answers: number[] = [];
    let slowest = { ms: 0, during: '' };
    let asking = true;
    const asker = (async () => {
      while (asking) {
        const t = performance.now();
        const during = (latest as JobProgress | null)?.phase ?? '';
        await engine.call('status', {});
        answers.push(performance.now() - t);
        if (answers.at(-1)! > slowest.ms) slowest = { ms: answers.at(-1)!, during };
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    // A call asked from this thread is sent only when the thread is free, so it never waits behind
    // a long piece of work; a page's call arrives whenever it does and waits for the whole piece.
    // The thread's own delay is that wait: how late a 10 ms timer fires, throughout the job.
    const held = monitorEventLoopDelay({ resolution: 10 });
    held.enable();
    const trained = await finishJob(engine, await engine.call('train', {}));
    held.disable();
    asking = false;
    await asker;
    answers.sort((a, b) => a - b);
    console.log(`status during training: p50 ${ms(percentile(answers, 50))}, p99 ${ms(percentile(answers, 99))}, max ${ms(slowest.ms)} (asked during "${slowest.during}"; ${answers.length} calls)`);
    console.log(`engine thread held during training (a call from elsewhere waits this long): p99 ${ms(held.percentile(99) / 1e6)}, max ${ms(held.max / 1e6)}`);
    const result = trained.result?.kind === 'train' ? trained.result : null;
    console.log(`train (head, default loss, 10 labels): ${trained.state} in ${((performance.now() - t0) / 1000).toFixed(0)} s; RSS ${mb(before)} → ${mb(process.memoryUsage().rss)}`);
    if (result) console.log(`  ${JSON.stringify(result).slice(0, 600)}`);
    phases.print();
    await latency('similar by id, trained (k 50)', 200, (i) => engine.call('similar', { id: ids[(i * 7919) % ids.length], k: 50 }));
  }
  console.log(`engine RSS at the end: ${mb(process.memoryUsage().rss)} (max sampled ${mb(Math.max(maxRss, process.memoryUsage().rss))}); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  onPhases();
} finally {
  clearInterval(sampler);
  clearInterval(ticker);
  await engine.close();
  if (!keep) rmSync(work, { recursive: true, force: true });
}

/**
 * The first duplicates search (a job) and a second one; with a cap, the first is cancelled after
 * `capSeconds` and its progress says how far it got (the second is then not run).
 */
/**
 * Imports photos new to the library: an edited copy (shrunk, saved as JPEG) of a shot of each
 * class, another shot each time it is asked. Returns how many.
 */
async function addPhotos(): Promise<number> {
  const added = path.join(work, `added-${Date.now()}`);
  const before = readdirSync(work).filter((f) => f.startsWith('added-')).length;
  mkdirSync(added);
  const classes = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const c of classes) {
    const shot = readdirSync(path.join(dir, c.name)).filter((f) => f.endsWith('.png'))[before];
    await sharp(path.join(dir, c.name, shot)).resize(112).jpeg({ quality: 80 }).toFile(path.join(added, `${c.name}-copy.jpg`));
  }
  const job = await finishJob(engine, await engine.call('importFolders', { paths: [added] }));
  if (job.state !== 'done') throw new Error(`adding photos: the import ended ${job.state}`);
  return classes.length;
}

async function duplicates(capSeconds: number): Promise<void> {
  if (process.env.SCALE_DUPLICATES_ADD === 'first') console.log(`${await addPhotos()} photos added before the first search`);
  const t0 = performance.now();
  let last: JobProgress | null = null;
  const off = engine.onEvent((name, payload) => {
    const p = payload as JobProgress;
    if (name === 'jobProgress' && p.kind === 'duplicates') last = p;
  });
  const timer = capSeconds > 0 ? setTimeout(() => last && void engine.call('cancelJob', { jobId: last.jobId }), capSeconds * 1000) : null;
  // How long the engine's thread is held through the search (see the training's figure below).
  const held = monitorEventLoopDelay({ resolution: 10 });
  held.enable();
  try {
    const groups = await engine.call('duplicates', {});
    console.log(`duplicates (first): ${groups.length} groups in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const t1 = performance.now();
    const again = await engine.call('duplicates', {});
    console.log(`duplicates (again): ${again.length} groups in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    if (process.env.SCALE_DUPLICATES_ADD) {
      const t2 = performance.now();
      const count = await addPhotos();
      const t3 = performance.now();
      const grown = await engine.call('duplicates', {});
      console.log(`duplicates (${count} photos added, imported in ${((t3 - t2) / 1000).toFixed(1)} s): ${grown.length} groups in ${((performance.now() - t3) / 1000).toFixed(1)} s`);
    }
  } catch (e) {
    const p = last as JobProgress | null;
    const s = (performance.now() - t0) / 1000;
    console.log(`duplicates (first): stopped after ${s.toFixed(0)} s (${(e as Error).message}); at phase "${p?.phase}" ${p?.done} of ${p?.total}, ${p?.rate?.toFixed(1)} /s, at that rate the whole search would take ${p?.rate && p.total != null ? ((s + (p.total - p.done) / p.rate) / 60).toFixed(0) : '?'} min`);
  } finally {
    held.disable();
    if (timer) clearTimeout(timer);
    off();
  }
  console.log(`engine thread held during the searches (a call from elsewhere waits this long): p99 ${ms(held.percentile(99) / 1e6)}, max ${ms(held.max / 1e6)}`);
  phases.print();
}
