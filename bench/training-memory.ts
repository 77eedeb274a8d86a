// The engine's memory around a last-blocks training run: RSS (now, and the highest so far), V8
// heap, array buffers, this thread's wasm heap and tfjs's tensor count, after importing N
// Fashion-MNIST photos, after each phase of training, and after a query. The wasm heaps of the
// inference threads are in RSS only.
//
//   TRAIN_MEM_N=440 TRAIN_MEM_EPOCHS=2 npx tsx --expose-gc bench/training-memory.ts
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../src-main/engine/engine.js';
import { finishJob } from '../test/fixtures/engine-jobs.js';
import { fashionMnistFolder } from './fashion-mnist-files.js';

const N = Number(process.env.TRAIN_MEM_N ?? 440);
const EPOCHS = Number(process.env.TRAIN_MEM_EPOCHS ?? 2);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
function report(when: string): void {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const t = tf.memory();
  let wasm = 0;
  try {
    wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? 0;
  } catch {
    // no backend yet
  }
  console.log(
    `${when.padEnd(26)} rss ${mb(m.rss).padStart(8)}  peak ${mb(process.resourceUsage().maxRSS * 1024).padStart(8)}  heap ${mb(m.heapUsed).padStart(7)}  external ${mb(m.external).padStart(7)}  arrayBuffers ${mb(m.arrayBuffers).padStart(7)}  wasm heap ${mb(wasm).padStart(7)}  tensors ${t.numTensors} (${mb(t.numBytes)})`,
  );
}

const { dir } = await fashionMnistFolder(path.join(repo, '.bench-out', 'scale'), N);
const work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-train-mem-'));
const engine = await Engine.open(path.join(work, 'library'));
try {
  report('opened');
  const imported = await finishJob(engine, await engine.call('importFolders', { paths: [dir], labelsFromFolders: true }));
  if (imported.state !== 'done') throw new Error(`import ${imported.state}: ${imported.message ?? ''}`);
  report(`imported ${N} (+${Math.ceil(N / 10)} large)`);
  // The wasm heap never shrinks: its size after each phase of the run shows which one grew it.
  let phase = '';
  const off = engine.onEvent((name, payload) => {
    const p = (payload as { phase?: string }).phase;
    if (name === 'jobProgress' && p && p !== phase) {
      report(`  ${phase || 'start'} done`.slice(0, 26));
      phase = p;
    }
  });
  const trained = await finishJob(engine, await engine.call('train', { depth: 'blocks', epochs: EPOCHS, seed: 1 }));
  if (trained.state !== 'done') throw new Error(`training ${trained.state}: ${trained.message ?? ''}`);
  off();
  report('after last-blocks training');
  await engine.call('similar', { id: 1, k: 10 });
  report('after a query');
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await engine.close();
  rmSync(work, { recursive: true, force: true });
}
