// How long the first duplicates search takes (no pair compared yet), per 1,000 photos, and where
// the time goes (the job's phases). A mixed library of about 1,000 photos (bench/duplicates-
// mixed-library.ts: wallpapers with their edits, Fashion-MNIST shots, icons, pages, patterns) is
// imported once into .bench-out/ and kept; each run copies it afresh, so every run is a first
// search. Prints each run, the median, and the load average (the machine may be shared), and the
// CPU seconds the process used (every thread: the engine's and the pixel workers'), which a
// shared machine's load changes far less than the wall time (niced under a busy machine, a run
// took 904 s of wall time).
//
// Needs: apt-get install -y --no-install-recommends mate-backgrounds ukui-wallpapers gnome-backgrounds lomiri-wallpapers dataset-fashion-mnist
// Run:   [VERBOSE=1] npx tsx bench/duplicates-speed.ts [--runs 3] [--photos 20] [--fashion 300] [--generated 60] [--edited-simple 10]
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobProgress } from '../src-shared/contract.js';
import { Engine } from '../src-main/engine/engine.js';
import { mixedLibrary } from './duplicates-mixed-library.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const opts = { photos: arg('photos', 20), fashion: arg('fashion', 300), generated: arg('generated', 60), editedSimple: arg('edited-simple', 10) };
const runs = arg('runs', 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The imported library, made once per set of options and kept. */
async function template(): Promise<{ dir: string; photos: number }> {
  const { dir: photos, files } = await mixedLibrary(opts);
  const dir = path.resolve('.bench-out', `dup-speed-lib-${opts.photos}-${opts.fashion}-${opts.generated}-${opts.editedSimple}`);
  if (!existsSync(path.join(dir, 'ready'))) {
    rmSync(dir, { recursive: true, force: true });
    const t0 = Date.now();
    const engine = await Engine.open(dir);
    await engine.call('importFolders', { paths: [photos] });
    await engine.whenIdle();
    await engine.close();
    mkdirSync(path.join(dir, 'ready'));
    console.log(`imported ${files.length} photos in ${((Date.now() - t0) / 1000).toFixed(0)} s (once)`);
  }
  return { dir, photos: files.length };
}

async function oneRun(from: string): Promise<{ seconds: number; cpu: number; phases: Map<string, number>; groups: number; pairs: number }> {
  const dir = path.join(os.tmpdir(), `lookalike-dupspeed-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(from, dir, { recursive: true, filter: (src) => path.basename(src) !== 'engine.lock' && path.basename(src) !== 'ready' });
  const engine = await Engine.open(dir);
  const phases = new Map<string, number>();
  let phase = 'queued';
  let since = performance.now();
  let pairs = 0;
  const off = engine.onEvent((name, payload) => {
    if (name !== 'jobProgress') return;
    const p = payload as JobProgress;
    if (p.kind !== 'duplicates') return;
    if (p.phase === 'comparing pixels' && p.total !== null) pairs = p.total;
    const now = performance.now();
    const next = p.state === 'running' ? p.phase : p.state;
    if (next !== phase) {
      if (process.env.VERBOSE) console.log(`  ${next} (${p.total ?? '?'})`);
      phases.set(phase, (phases.get(phase) ?? 0) + (now - since) / 1000);
      phase = next;
      since = now;
    }
  });
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const groups = await engine.call('duplicates', {});
    const seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    phases.set(phase, (phases.get(phase) ?? 0) + (performance.now() - since) / 1000);
    return { seconds, cpu: (used.user + used.system) / 1e6, phases, groups: groups.length, pairs };
  } finally {
    off();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const { dir, photos } = await template();
const times: number[] = [];
for (let r = 0; r < runs; r++) {
  const { seconds, cpu, phases, groups, pairs } = await oneRun(dir);
  times.push(seconds);
  const parts = [...phases].filter(([, s]) => s >= 0.05).map(([p, s]) => `${p} ${s.toFixed(1)} s`).join(', ');
  console.log(`run ${r + 1}: ${seconds.toFixed(1)} s for ${photos} photos (${((seconds / photos) * 1000).toFixed(1)} s per 1,000); ${pairs} pairs compared, ${groups} groups; CPU ${cpu.toFixed(1)} s; ${parts}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}
const m = median(times);
console.log(`median of ${runs}: ${m.toFixed(1)} s, ${((m / photos) * 1000).toFixed(1)} s per 1,000 photos on ${os.availableParallelism()} cores; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
