// Marks teach: a simulated user on a 1,000-photo Fashion-MNIST library, through the engine's
// public calls only (importFolders, similar, markPair, setLabel, hardPairs, train, useModel).
// The user opens look-alikes of a photo and marks each of the top 10 "alike" or "not alike"
// (the truth: same Fashion-MNIST class). Measured on 300 photos nobody marked or labelled
// (held-out precision@10 of their look-alikes), per seed, for:
//   - pretrained, marks only (40 queries, ~400 marks), labels only (5 a class), both;
//   - refining each marked query with its marks: precision@10 of its next 10 results (the
//     marked ones left out), refined against plain;
//   - 100 more marks after a base of 20 queries: from 10 more random queries, or answered from
//     the review queue (hardPairs), as held-out gain per 100 marks;
//   - marks only with N of each verdict (the minimum to train: MIN_MARKS).
// Needs: apt-get install dataset-fashion-mnist. Run: npx tsx bench/marks.ts  (SEEDS=1,2,3,
// LOSS=<name> to train another loss; ~15 min on 2 cores).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import type { JobRef, LossName } from '../src-shared/contract.js';
import { Engine } from '../src-main/engine/engine.js';
import { seededRandom, shuffleInPlace } from '../src-main/common/random.js';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const PER_CLASS = 100;
const SEEDS = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const LOSS = process.env.LOSS as LossName | undefined;
const EPOCHS = process.env.EPOCHS ? Number(process.env.EPOCHS) : undefined;
/** Experiments to run (default all): pretrained,refine,marks,both,labels,queue,minimum. */
const ONLY = new Set((process.env.ONLY ?? 'pretrained,refine,marks,both,labels,queue,minimum').split(','));
/** A library folder kept between runs (imports once); default a new temporary one. */
const KEEP = process.env.KEEP_LIBRARY;

async function writeLibraryPhotos(dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'done'))) return;
  mkdirSync(dir, { recursive: true });
  const images = gunzipSync(readFileSync(`${FASHION_DIR}/train-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION_DIR}/train-labels-idx1-ubyte.gz`));
  const taken = new Array(10).fill(0);
  for (let i = 0; taken.some((n) => n < PER_CLASS); i++) {
    const c = labels[8 + i];
    if (taken[c] >= PER_CLASS) continue;
    const px = images.subarray(16 + i * 784, 16 + (i + 1) * 784);
    // A 28x28 product shot as a user would keep it: enlarged, saved as JPEG.
    const buf = await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112).jpeg({ quality: 92 }).toBuffer();
    await sharp(buf).toFile(path.join(dir, `c${c}-${String(taken[c]++).padStart(3, '0')}.jpg`));
  }
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toFile(path.join(dir, 'done'));
}

const classOfPath = (p: string) => Number(/c(\d)-\d+\.jpg$/.exec(p)![1]);

async function finish(engine: Engine, ref: JobRef) {
  await engine.whenIdle();
  const job = (await engine.call('listJobs', {})).find((j) => j.jobId === ref.jobId)!;
  if (job.state !== 'done') throw new Error(`job ${ref.jobId} ended ${job.state}: ${job.message ?? ''}`);
  return job;
}

interface Photo {
  id: number;
  cls: number;
}

async function main(): Promise<void> {
  const photosDir = path.resolve('.bench-out', 'marks-fashion-1000');
  await writeLibraryPhotos(photosDir);
  const libraryDir = KEEP ? path.resolve(KEEP) : path.join(os.tmpdir(), `lookalike-bench-marks-${process.pid}`);
  if (!KEEP) rmSync(libraryDir, { recursive: true, force: true });
  const engine = await Engine.open(libraryDir);
  const t0 = Date.now();
  await finish(engine, await engine.call('importFolders', { paths: [photosDir] }));
  // In path order: ids depend on the order the import happened to finish files in.
  const listed = (await engine.call('listImages', { limit: 5000 })).items.filter((i) => i.path.endsWith('.jpg')).sort((a, b) => a.path.localeCompare(b.path));
  const photos: Photo[] = listed.map((i) => ({ id: i.id, cls: classOfPath(i.path) }));
  const classOf = new Map(photos.map((p) => [p.id, p.cls]));
  console.log(`library: ${photos.length} photos imported in ${((Date.now() - t0) / 1000).toFixed(0)} s; load ${os.loadavg()[0].toFixed(2)}`);

  const rows: Record<string, number[]> = {};
  const add = (name: string, v: number) => (rows[name] ??= []).push(v);

  for (const seed of SEEDS) {
    const random = seededRandom(seed);
    const order = shuffleInPlace([...photos], random);
    const evalSet = order.slice(0, 300);
    const pool = order.slice(300);
    const queries = pool.slice(0, 40);
    const labelled = [...Array(10).keys()].flatMap((c) => pool.slice(40).filter((p) => p.cls === c).slice(0, 5));

    const precisionAt10 = async () => {
      let sum = 0;
      for (const q of evalSet) {
        const { hits } = await engine.call('similar', { id: q.id, k: 10 });
        sum += hits.filter((h) => classOf.get(h.id) === q.cls).length / 10;
      }
      return sum / evalSet.length;
    };
    const reset = async () => {
      await engine.call('useModel', { id: null });
      for (const p of await engine.call('pairs', {})) await engine.call('unmarkPair', { a: p.a, b: p.b });
      for (const l of await engine.call('labels', {})) {
        const ids = (await engine.call('listImages', { label: l.name, limit: 5000 })).items.map((i) => i.id);
        if (ids.length) await engine.call('removeLabel', { label: l.name, ids });
      }
    };
    /** The user marks the top 10 look-alikes of each query; returns how many marks. */
    const markQueries = async (qs: Photo[]) => {
      let n = 0;
      for (const q of qs) {
        const { hits } = await engine.call('similar', { id: q.id, k: 10 });
        for (const h of hits) {
          await engine.call('markPair', { a: q.id, b: h.id, verdict: classOf.get(h.id) === q.cls ? 'match' : 'mismatch' });
          n++;
        }
      }
      return n;
    };
    const label = async () => {
      for (const c of new Set(labelled.map((p) => p.cls))) {
        await engine.call('setLabel', { label: `class-${c}`, ids: labelled.filter((p) => p.cls === c).map((p) => p.id) });
      }
    };
    const train = async () => {
      const job = await finish(engine, await engine.call('train', { ...(LOSS ? { loss: LOSS } : {}), ...(EPOCHS ? { epochs: EPOCHS } : {}), seed }));
      if (job.result?.kind !== 'train') throw new Error('no training result');
      const r = job.result;
      add('trained models made active (share)', r.activated ? 1 : 0);
      return r;
    };

    await reset();
    const base = await precisionAt10();
    add('pretrained P@10', base);

    // Refining each marked query with its marks, in the pretrained space.
    const marks = await markQueries(queries);
    if (ONLY.has('refine')) {
    let plainSum = 0;
    let refinedSum = 0;
    for (const q of queries) {
      const marked = new Set((await engine.call('pairs', { ids: [q.id] })).map((p) => (p.a === q.id ? p.b : p.a)));
      const next10 = async (refine: boolean) => {
        const { hits } = await engine.call('similar', { id: q.id, k: 40, refine });
        return hits.filter((h) => !marked.has(h.id)).slice(0, 10);
      };
      plainSum += (await next10(false)).filter((h) => classOf.get(h.id) === q.cls).length / 10;
      refinedSum += (await next10(true)).filter((h) => classOf.get(h.id) === q.cls).length / 10;
    }
    add('refine: next 10 plain', plainSum / queries.length);
    add('refine: next 10 refined', refinedSum / queries.length);
    }

    if (ONLY.has('marks')) {
    const r = await train();
    add('marks only P@10', await precisionAt10());
    add('marks only: held-back AUC before', r.marksBefore?.auc ?? NaN);
    add('marks only: held-back AUC after', r.marksAfter?.auc ?? NaN);
    add('marks only: neighbour overlap', r.neighbourOverlap ?? NaN);
    add('marks (count)', marks);
    add('marks only: seconds', r.seconds);
    }

    if (ONLY.has('both')) {
    await engine.call('useModel', { id: null });
    await label();
    await train();
    add('labels + marks P@10', await precisionAt10());
    }

    if (ONLY.has('labels')) {
    await reset();
    await label();
    await train();
    add('labels only P@10', await precisionAt10());
    }

    if (ONLY.has('queue')) {
    // 100 more marks: from random queries, or from the review queue.
    await reset();
    await markQueries(queries.slice(0, 20));
    await train();
    const baseMarks = await precisionAt10();
    add('base 20 queries P@10', baseMarks);
    await engine.call('useModel', { id: null });
    await markQueries(pool.slice(40, 50));
    await train();
    add('+100 random marks: gain per 100', (await precisionAt10()) - baseMarks);
    await reset();
    await markQueries(queries.slice(0, 20));
    let answered = 0;
    while (answered < 100) {
      const proposals = await engine.call('hardPairs', { limit: 100 - answered });
      if (proposals.length === 0) break;
      for (const p of proposals) {
        await engine.call('markPair', { a: p.a.id, b: p.b.id, verdict: classOf.get(p.a.id) === classOf.get(p.b.id) ? 'match' : 'mismatch' });
        answered++;
      }
    }
    await train();
    add('+100 review-queue marks: gain per 100', ((await precisionAt10()) - baseMarks) * (100 / Math.max(1, answered)));
    }

    // The minimum: marks only, N of each verdict.
    for (const n of ONLY.has('minimum') ? [5, 10, 20, 50] : []) {
      await reset();
      let alike = 0;
      let notAlike = 0;
      for (const q of queries) {
        const { hits } = await engine.call('similar', { id: q.id, k: 10 });
        for (const h of hits) {
          const match = classOf.get(h.id) === q.cls;
          if ((match && alike >= n) || (!match && notAlike >= n)) continue;
          await engine.call('markPair', { a: q.id, b: h.id, verdict: match ? 'match' : 'mismatch' });
          if (match) alike++;
          else notAlike++;
        }
        if (alike >= n && notAlike >= n) break;
      }
      try {
        await train();
        add(`${n}+${n} marks only: gain`, (await precisionAt10()) - base);
      } catch (err) {
        console.log(`${n}+${n} marks: ${(err as Error).message}`);
        add(`${n}+${n} marks only: gain`, NaN);
      }
    }
    console.log(`seed ${seed} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\n${new Date().toISOString().slice(0, 16)} UTC, load ${os.loadavg()[0].toFixed(2)}, loss ${LOSS ?? 'default'}, seeds ${SEEDS.join(',')}`);
  for (const [name, vs] of Object.entries(rows)) {
    console.log(`${name.padEnd(42)} ${vs.map((v) => v.toFixed(3)).join('  ')}   median ${median(vs).toFixed(3)}`);
  }
  await engine.close();
  if (!KEEP) rmSync(libraryDir, { recursive: true, force: true });
}

await main();
