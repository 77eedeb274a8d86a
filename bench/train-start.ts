// Where the engine's thread is held when a training run starts (issue 19: a page's call must not
// wait more than 100 ms behind it). Opens a kept library (for example the one `KEEP_LIBRARY=DIR
// npx tsx bench/scale.ts` leaves, with its folder labels), warms the engine as a page would
// (a listing, a `similar`, the training readiness), then asks `train` (the head, one epoch) while
// a 5 ms timer watches the thread and V8's sampling profiler runs; cancels at the first training
// progress. Prints the longest holds, each with the project's functions that ran inside it and
// the functions the samples fell in (the garbage collector among them).
//
//   npx tsx bench/train-start.ts DIR/library
import { Session } from 'node:inspector/promises';
import type { JobProgress } from '../src-shared/contract.js';
import { Engine } from '../src-main/engine/engine.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/train-start.ts LIBRARY_DIR');
const engine = await Engine.open(dir);
try {
  const some = (await engine.call('listImages', { limit: 1 })).items[0]?.id;
  if (some === undefined) throw new Error(`${dir} holds no photos`);
  await engine.call('similar', { id: some, k: 50 });
  await engine.call('trainReadiness', {});

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const profiling = performance.now();

  let phase = 'the request';
  const offPhase = engine.onEvent((name, payload) => {
    const p = payload as JobProgress;
    if (name === 'jobProgress' && p.kind === 'train' && p.phase) phase = p.phase;
  });
  const holds: { at: number; ms: number; phase: string }[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 40) holds.push({ at: last, ms: now - last, phase });
    last = now;
  }, 5);

  const t0 = performance.now();
  const { jobId } = await engine.call('train', { epochs: 1 });
  console.log(`train answered in ${(performance.now() - t0).toFixed(0)} ms`);
  await new Promise<void>((resolve) => {
    const off = engine.onEvent((name, payload) => {
      if (name === 'jobProgress' && (payload as JobProgress).phase === 'training') {
        off();
        resolve();
      }
    });
  });
  console.log(`first training progress after ${(performance.now() - t0).toFixed(0)} ms`);
  await engine.call('cancelJob', { jobId });
  clearInterval(timer);
  offPhase();
  const { profile } = (await session.post('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };
  };
  session.disconnect();

  const node = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const { callFrame: f } = node.get(id)!;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  };
  let t = profile.startTime;
  const samples = profile.samples.map((id, i) => ({ id, at: profiling + ((t += profile.timeDeltas[i]) - profile.startTime) / 1000 }));
  for (const hold of holds.sort((a, b) => b.ms - a.ms).slice(0, 6)) {
    console.log(`\nheld ${hold.ms.toFixed(0)} ms, ${(hold.at - t0).toFixed(0)} ms after the request (${hold.phase}); the project's functions inside it (ms, with what they called):`);
    const inside = new Map<string, number>();
    // Where the samples themselves were (the function running, any code): the garbage collector, a native call.
    const leaves = new Map<string, number>();
    for (const s of samples) {
      if (s.at < hold.at || s.at > hold.at + hold.ms) continue;
      leaves.set(name(s.id), (leaves.get(name(s.id)) ?? 0) + 0.5);
      const seen = new Set<string>();
      for (let id: number | undefined = s.id; id !== undefined; id = parent.get(id)) {
        const n = name(id);
        if (!seen.has(n) && node.get(id)!.callFrame.url.includes('/src-main/')) inside.set(n, (inside.get(n) ?? 0) + 0.5);
        seen.add(n);
      }
    }
    for (const [n, ms] of [...inside].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${ms.toFixed(0).padStart(6)}  ${n}`);
    console.log(`  running: ${[...leaves].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, ms]) => `${n.trim()} ${ms.toFixed(0)} ms`).join(', ')}`);
  }
} finally {
  await engine.close();
}
