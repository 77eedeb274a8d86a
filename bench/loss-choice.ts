// Which loss should the training panel offer first? Trains a head (trainHead, the app's defaults
// for head training) with each loss on two kinds of labelled library (bench/loss-choice-data.ts),
// over several seeds, and prints medians: validation MAP@R before → after, precision@1, MAP@R
// on labels held out of training, and wall time per run.
//   npx tsx bench/loss-choice.ts [--seeds 3] [--fashion-per-class 100] [--photos 40] [--fashion 300] [--only proxy-nca,triplet]
// About 10 minutes on 2 cores with the defaults (the first run also extracts features).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
import { lossNames, trainHead, type LossName, type TrainResult } from '../src-main/learn/index.js';
import { fashionLibrary, mixedLabelledLibrary, type LabelledLibrary } from './loss-choice-data.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    'fashion-per-class': { type: 'string', default: '100' },
    photos: { type: 'string', default: '40' },
    fashion: { type: 'string', default: '300' },
    only: { type: 'string' },
  },
});

interface Run {
  seed: number;
  before: number;
  after: number;
  p1: number;
  unseenBefore: number;
  unseenAfter: number;
  seconds: number;
  bestEpoch: number;
  epochs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (x: number) => (100 * x).toFixed(1).padStart(5);

const backend = await initBackend();
const libraries: LabelledLibrary[] = [
  await fashionLibrary(Number(args['fashion-per-class'])),
  await mixedLabelledLibrary(Number(args.photos), Number(args.fashion)),
];
const losses = args.only ? lossNames.filter((l) => args.only!.split(',').includes(l)) : [...lossNames];
const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => i + 1);
const started = new Date();
console.log(`${started.toISOString()}  backend ${backend.name} (${backend.detail}), ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const results: Record<string, Record<string, Run[]>> = {};
for (const lib of libraries) {
  const labelCount = new Set(lib.labels).size;
  console.log(`\n${lib.name}: ${lib.features.length} photos, ${labelCount} labels (${lib.holdout.length} held out of training)`);
  results[lib.name] = {};
  for (const loss of losses) {
    results[lib.name][loss] = [];
    for (const seed of seeds) {
      const t0 = Date.now();
      const r: TrainResult = await trainHead({ features: lib.features, labels: lib.labels, loss: loss as LossName, seed, holdoutLabels: lib.holdout });
      const run: Run = {
        seed, before: r.before?.mapAtR ?? NaN, after: r.after?.mapAtR ?? NaN, p1: r.after?.precisionAt1 ?? NaN, // null only for runs taught by marks alone
        unseenBefore: r.unseenBefore?.mapAtR ?? NaN, unseenAfter: r.unseenAfter?.mapAtR ?? NaN,
        seconds: (Date.now() - t0) / 1000, bestEpoch: r.bestEpoch, epochs: r.history.length,
      };
      r.head.dispose();
      results[lib.name][loss].push(run);
      console.log(`  ${loss.padEnd(13)} seed ${seed}: MAP@R ${pct(run.before)} → ${pct(run.after)}, P@1 ${pct(run.p1)}, unseen ${pct(run.unseenBefore)} → ${pct(run.unseenAfter)}, ${run.seconds.toFixed(1)} s (best epoch ${run.bestEpoch} of ${run.epochs}), tensors ${tf.memory().numTensors}`);
    }
  }
}

console.log(`\nmedians over seeds ${seeds.join(', ')}: validation photos of the trained labels, and all photos of the held-out labels (MAP@R, %)`);
console.log('library          loss          | MAP@R before → after | P@1 after | unseen before → after | time/run | best epoch');
for (const [lib, byLoss] of Object.entries(results)) {
  for (const [loss, runs] of Object.entries(byLoss)) {
    const m = (f: (r: Run) => number) => median(runs.map(f));
    console.log(
      `${lib.padEnd(16)} ${loss.padEnd(13)} | ${pct(m((r) => r.before))} → ${pct(m((r) => r.after))}       |   ${pct(m((r) => r.p1))}   | ${pct(m((r) => r.unseenBefore))} → ${pct(m((r) => r.unseenAfter))}        | ${m((r) => r.seconds).toFixed(1).padStart(6)} s | ${m((r) => r.bestEpoch)}`,
    );
  }
}
mkdirSync('.bench-out', { recursive: true });
const outFile = '.bench-out/loss-choice-results.json';
writeFileSync(outFile, JSON.stringify({ started, args, backend: backend.name, load: os.loadavg(), results }, null, 1));
console.log(`\nfinished in ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; runs in ${outFile}`);
