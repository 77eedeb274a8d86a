// Import throughput: scan only, and hash + thumbnail, over generated JPEGs at 12 MP and 1 MP;
// peak memory; and the re-scan of an unchanged root of 10,000 files.
//
//   npx tsx bench/import.ts [--count 2000] [--rescan 10000] [--concurrency 3] [--runs 1]
//
// Inputs are cached under .bench-out/import/. To keep generation short, each size has 8
// distinct photo-like images (colour fields plus grain: ~3 MB at 12 MP, like a phone photo);
// every file is one of them with a unique JPEG comment segment, so every file has its own
// content hash and is fully decoded. Each measurement runs in a fresh child process, so its
// peak RSS is its own. Files were just written, so reads come from the page cache.
import { spawnSync } from 'node:child_process';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runImport } from '../src-main/ingest/import-job.js';
import { scanFolder } from '../src-main/ingest/scan.js';
import { Catalog } from '../src-main/library/catalog.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(repo, '.bench-out', 'import');
const BASES = 8;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A photo-like base image: smooth colour fields with film-grain noise. */
async function photoLike(width: number, height: number, seed: number): Promise<Buffer> {
  let s = seed * 7919;
  const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const fields = Buffer.alloc(24 * 18 * 3);
  for (let i = 0; i < fields.length; i++) fields[i] = Math.floor(random() * 255);
  const smooth = await sharp(fields, { raw: { width: 24, height: 18, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' }).png({ compressionLevel: 0 }).toBuffer();
  const grain = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 20 } } })
    .raw().toBuffer();
  return sharp(smooth).composite([{ input: grain, raw: { width, height, channels: 3 }, blend: 'soft-light' }]).jpeg({ quality: 90 }).toBuffer();
}

/** The same JPEG with a comment segment right after SOI: new bytes, same pixels. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const marker = Buffer.from([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), marker, body, jpeg.subarray(2)]);
}

async function makeCorpus(name: string, count: number, width: number, height: number): Promise<string> {
  const dir = path.join(out, `${name}-${count}`);
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  console.log(`generating ${count} JPEGs ${width}×${height} in ${dir} ...`);
  const bases: Buffer[] = [];
  for (let b = 0; b < BASES; b++) bases.push(await photoLike(width, height, b + 1 + width));
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `d${String(Math.floor(i / 100)).padStart(3, '0')}`, `img-${String(i).padStart(5, '0')}.jpg`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, withComment(bases[i % BASES], `lookalike bench ${name} ${i}`));
  }
  const mb = bases.reduce((sum, b) => sum + b.length, 0) / bases.length / 1e6;
  fs.writeFileSync(done, `${mb.toFixed(2)}\n`);
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// ---- child side: one measurement, printed as JSON on the last line ----------------------

async function child(mode: string, dir: string, library: string, concurrency: number): Promise<void> {
  if (mode === 'scan') {
    const t = performance.now();
    const scan = await scanFolder(dir);
    const seconds = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ seconds, files: scan.files.length }));
    return;
  }
  const catalog = Catalog.open(library);
  const cpuBefore = process.cpuUsage();
  let importStart = 0;
  const t = performance.now();
  const result = await runImport(catalog, [dir], {
    // 0 means "the app's default": runImport would read 0 as one file at a time.
    concurrency: concurrency > 0 ? concurrency : undefined,
    onProgress: (p) => { if (p.phase === 'import' && importStart === 0) importStart = performance.now(); },
  });
  const end = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  catalog.close();
  console.log(JSON.stringify({
    seconds: (end - t) / 1000,
    importSeconds: (end - (importStart || t)) / 1000,
    added: result.added, unchanged: result.unchanged, failed: result.failed.length,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }));
}

interface Measured { seconds: number; cpuSeconds?: number; importSeconds?: number; files?: number; added?: number; unchanged?: number; failed?: number; maxRssMB?: number }

function measure(mode: string, dir: string, library: string, concurrency: number): Measured {
  const tsx = path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const run = spawnSync(process.execPath, [tsx, path.join(repo, 'bench', 'import.ts'), '--child', mode, dir, library, String(concurrency)], {
    cwd: repo, encoding: 'utf8', maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`child ${mode} failed: ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Measured;
}

function load(): string {
  return execSync('uptime').toString().trim().replace(/.*load average:/, 'load');
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const [mode, dir, library, concurrency] = process.argv.slice(childAt + 1);
    await child(mode, dir, library, Number(concurrency));
    return;
  }
  const count = arg('count', 2000);
  const rescanCount = arg('rescan', 10_000);
  const concurrency = arg('concurrency', 0);
  const runs = arg('runs', 1);
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}; node ${process.version}; sharp ${sharp.versions.sharp}, vips ${sharp.versions.vips}; ${load()}`);

  for (const [name, width, height] of [['12mp', 4000, 3000], ['1mp', 1152, 864]] as const) {
    const dir = await makeCorpus(name, count, width, height);
    const meanMB = fs.readFileSync(path.join(dir, '.complete'), 'utf8').trim();
    const scans = Array.from({ length: 3 }, () => measure('scan', dir, '', 0));
    const scan = median(scans.map((s) => s.seconds));
    console.log(`${name}: ${count} files, ${meanMB} MB each; scan only: ${(count / scan).toFixed(0)} files/s (median of 3, ${(scan * 1000).toFixed(0)} ms)`);
    const imports: Measured[] = [];
    for (let r = 0; r < runs; r++) {
      const library = fs.mkdtempSync(path.join(out, 'lib-'));
      imports.push(measure('import', dir, library, concurrency));
      fs.rmSync(library, { recursive: true, force: true });
    }
    const m = imports[Math.floor(imports.length / 2)];
    const rate = median(imports.map((i) => (i.added ?? 0) / i.seconds));
    const importRate = median(imports.map((i) => (i.added ?? 0) / (i.importSeconds ?? i.seconds)));
    // CPU time per image does not depend on what else runs on the machine: with both cores
    // free, throughput would be about cores / cpu-seconds-per-image.
    const cpuMs = median(imports.map((i) => ((i.cpuSeconds ?? 0) * 1000) / Math.max(1, i.added ?? 0)));
    console.log(`${name}: hash + thumbnail: ${rate.toFixed(1)} images/s overall, ${importRate.toFixed(1)} images/s import phase ` +
      `(added ${m.added}, failed ${m.failed}, concurrency ${concurrency || 'default'}); ` +
      `CPU ${cpuMs.toFixed(1)} ms/image (≈ ${((os.cpus().length * 1000) / cpuMs).toFixed(0)} images/s on ${os.cpus().length} idle cores); ` +
      `peak RSS ${m.maxRssMB?.toFixed(0)} MB; ${load()}`);
  }

  const small = await makeSmallCorpus(rescanCount);
  const library = fs.mkdtempSync(path.join(out, 'lib-rescan-'));
  const first = measure('import', small, library, concurrency);
  const rescans = Array.from({ length: 3 }, () => measure('import', small, library, concurrency));
  fs.rmSync(library, { recursive: true, force: true });
  const unchanged = rescans.every((r) => r.unchanged === rescanCount && r.added === 0);
  console.log(`rescan: ${rescanCount} small files; first import ${first.seconds.toFixed(1)} s (${((first.added ?? 0) / first.seconds).toFixed(0)} images/s); ` +
    `unchanged re-scan ${median(rescans.map((r) => r.seconds)).toFixed(2)} s (median of 3, all unchanged: ${unchanged}); ` +
    `peak RSS ${median(rescans.map((r) => r.maxRssMB ?? 0)).toFixed(0)} MB; ${load()}`);
}

async function makeSmallCorpus(count: number): Promise<string> {
  const dir = path.join(out, `small-${count}`);
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  console.log(`generating ${count} small JPEGs in ${dir} ...`);
  const base = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } }).jpeg().toBuffer();
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `d${String(Math.floor(i / 100)).padStart(3, '0')}`, `s-${i}.jpg`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, withComment(base, `small ${i}`));
  }
  fs.writeFileSync(done, 'ok\n');
  return dir;
}

await main();
