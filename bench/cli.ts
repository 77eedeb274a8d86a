// The `lookalike` command's wall time per command (median of runs), in its own process as a user
// runs it, and through a running `serve` that owns the library. Options: --photos N (default 60),
// --runs N (default 5).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeKindImages } from '../test/fixtures/kinds.js';

const { values } = parseArgs({ options: { photos: { type: 'string', default: '60' }, runs: { type: 'string', default: '5' } } });
const perKind = Math.max(1, Math.round(Number(values.photos) / 2));
const runs = Number(values.runs);
const bin = path.resolve(import.meta.dirname, '../bin/lookalike.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-bench-cli-'));
const library = path.join(work, 'library');

function lookalike(...args: string[]): { ms: number; code: number | null; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args, '--library', library], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lookalike ${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t, code: r.status, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label: string, args: string[]): void {
  lookalike(...args); // warm tsx's transpile cache
  const times = Array.from({ length: runs }, () => lookalike(...args).ms);
  console.log(`  ${label.padEnd(26)} ${(median(times) / 1000).toFixed(2)} s`);
}

function measureAll(): void {
  measure('status', ['status']);
  measure('label', ['label', 'bench', '#1']);
  measure('pair', ['pair', '1', '2', '--mismatch']);
  measure('models', ['models']);
  measure('use pretrained', ['use', 'pretrained']);
  measure('similar --id', ['similar', '--id', '3']);
}

try {
  await makeKindImages(path.join(work, 'photos'), perKind, ['rings', 'discs']);
  lookalike('import', path.join(work, 'photos'), '--labels-from-folders');
  console.log(`load average ${os.loadavg()[0].toFixed(1)}, ${perKind * 2} photos, median of ${runs} runs`);
  console.log('each command in its own process:');
  measureAll();
  const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--library', library], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => serve.stdout.on('data', (d) => String(d).includes('running at') && resolve()));
  console.log('through a running `lookalike serve`:');
  measureAll();
  serve.kill('SIGTERM');
  await new Promise((resolve) => serve.once('exit', resolve));
} finally {
  rmSync(work, { recursive: true, force: true });
}
