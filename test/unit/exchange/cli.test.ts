// export, import-labels and map as a user runs them: the real bin script on a real library.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLookalike } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let library: string;

const lookalike = (...args: string[]) => runLookalike(library, ...args);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cli-exchange-'));
  library = path.join(work, 'library');
  await makeKindImages(path.join(work, 'photos'), 3, ['rings', 'discs']);
  expect((await lookalike('import', path.join(work, 'photos'), '--labels-from-folders')).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('lookalike export / import-labels / map', () => {
  it('map --json lists one point per image with id, x, y and label', async () => {
    const r = await lookalike('map', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { points: { id: number; x: number; y: number; label: string | null }[] };
    expect(out.points).toHaveLength(6);
    expect(new Set(out.points.map((p) => p.id)).size).toBe(6);
    expect(out.points.filter((p) => p.label === 'rings')).toHaveLength(3);
    for (const p of out.points) expect(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1).toBe(true);
  }, 60_000);

  it('writes a relative --out where the command runs', async () => {
    const here = path.join(work, 'cwd');
    mkdirSync(here);
    const bin = path.resolve(import.meta.dirname, '../../../bin/lookalike.js');
    const code = await new Promise<number>((resolve) => {
      const child = execFile(process.execPath, [bin, 'export', 'labels', '--out', 'rel.csv', '--library', library], { cwd: here });
      child.on('exit', (c) => resolve(c ?? -1));
    });
    expect(code).toBe(0);
    expect(readFileSync(path.join(here, 'rel.csv'), 'utf8').split('\n')[0]).toBe('path,content_hash,label');
  }, 60_000);

  it('exports labels to CSV, and import-labels reports rows that match nothing', async () => {
    const csv = path.join(work, 'labels.csv');
    const r = await lookalike('export', 'labels', '--out', csv);
    expect(r.code).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('path,content_hash,label');
    // A second export over it needs --force.
    const again = await lookalike('export', 'labels', '--out', csv);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists; export with force \(CLI: --force\)/);
    expect((await lookalike('export', 'labels', '--out', csv, '--force')).code).toBe(0);
    const extra = path.join(work, 'extra.csv');
    writeFileSync(extra, `${readFileSync(csv, 'utf8')}/not/in/library.jpg,,ghost\n`);
    const imp = await lookalike('import-labels', extra, '--json');
    expect(imp.code).toBe(0);
    const result = JSON.parse(imp.stdout);
    expect(result).toMatchObject({ rows: 7, matched: 6, labelled: 0, unmatched: [{ line: 8, key: '/not/in/library.jpg' }] });
  }, 60_000);

  it('needs --out and a known kind', async () => {
    const r = await lookalike('export', 'photos', '--out', path.join(work, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/labels, embeddings, imagefolder, model/);
    expect(existsSync(path.join(work, 'x'))).toBe(false);
  }, 30_000);
});
