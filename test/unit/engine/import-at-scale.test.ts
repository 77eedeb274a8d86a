// An import's cost must grow with the library, not with its square: the CNN pass indexes each
// chunk from the vectors it just computed and saves the index file once (not after every
// chunk); a killed pass still ends with every photo searchable; a long-lived engine loads the
// CNN once for all its imports.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobProgress } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { runImport } from '../../../src-main/ingest/import-job.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { importFolder } from '../../fixtures/engine-jobs.js';
import { makeImage } from '../../fixtures/images.js';

const PHOTOS = 36;
const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');

let work: string;
let photos: string;

async function makePhotos(folder: string, count: number, seed0: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await makeImage(path.join(folder, `p${i}.png`), { width: 40, height: 32, pattern: 'noise', seed: seed0 + i, color: { r: (i * 37) % 256, g: 90, b: 160 } });
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-scale-'));
  photos = path.join(work, 'photos');
  await makePhotos(photos, PHOTOS, 1);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every photo of the library is in the index and answers "similar". */
async function expectAllSearchable(engine: Engine): Promise<void> {
  const { items } = await engine.call('listImages', { limit: 1000 });
  expect(items).toHaveLength(PHOTOS);
  expect((await engine.call('status', {})).embedded).toBe(PHOTOS);
  for (const { id } of items) expect((await engine.call('similar', { id, k: 2 })).hits).toHaveLength(2);
}

describe('the CNN pass of an import', () => {
  it('indexes chunk by chunk and writes the index file once', async () => {
    const engine = await Engine.open(path.join(work, 'once'));
    try {
      await runImport(engine.catalog, [photos]);
      const vectors = await engine.vectors();
      const index = vectors.index;
      let saves = 0;
      let adds = 0;
      const save = index.save.bind(index);
      const add = index.add.bind(index);
      index.save = (file) => (saves++, save(file));
      index.add = (ids, vecs) => (adds++, add(ids, vecs));
      const { embedded, failed } = await vectors.embedPending({ chunkSize: 4 });
      expect(failed).toEqual([]);
      expect(embedded).toBe(PHOTOS);
      expect(adds).toBe(PHOTOS / 4);
      expect(saves).toBe(1);
      await expectAllSearchable(engine);
    } finally {
      await engine.close();
    }
  }, 180_000);

  it('killed part way, leaves every photo searchable once the import runs again', async () => {
    const library = path.join(work, 'killed');
    const child = spawn(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(here, 'embed-child.ts'), library, photos], {
      cwd: repo,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let killedAt = -1;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const { done } = JSON.parse(line) as { done: number };
      // Two chunks of 4 are stored by now; the pass is far from its end (and its one save).
      if (done >= 12 && killedAt < 0) {
        killedAt = done;
        process.kill(-child.pid!, 'SIGKILL');
      }
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
    expect(signal, stderr).toBe('SIGKILL');

    const engine = await Engine.open(library);
    try {
      const vectors = await engine.vectors();
      // Opening the library indexed the features the killed pass had cached, and no more.
      expect(vectors.embeddedCount()).toBeGreaterThanOrEqual(8);
      expect(vectors.embeddedCount()).toBeLessThan(PHOTOS);
      expect((await importFolder(engine, photos)).state).toBe('done');
      await expectAllSearchable(engine);
    } finally {
      await engine.close();
    }
    // A fresh engine finds the whole index saved.
    const again = await Engine.open(library);
    try {
      await expectAllSearchable(again);
    } finally {
      await again.close();
    }
  }, 240_000);
});

describe('a long-lived engine', () => {
  it('loads the CNN for its first import only', async () => {
    const more = path.join(work, 'more');
    await makePhotos(more, 4, 500);
    const create = vi.spyOn(FeatureExtractor, 'create');
    const engine = await Engine.open(path.join(work, 'long-lived'));
    try {
      const phasesOf = async (folder: string) => {
        const phases: string[] = [];
        const off = engine.onEvent((name, payload) => {
          if (name === 'jobProgress' && (payload as JobProgress).phase) phases.push((payload as JobProgress).phase!);
        });
        expect((await importFolder(engine, folder)).state).toBe('done');
        off();
        return phases;
      };
      expect(await phasesOf(photos)).toContain('loading the CNN');
      expect(create).toHaveBeenCalledTimes(1);
      const second = await phasesOf(more);
      expect(second).toContain('indexing');
      expect(second).not.toContain('loading the CNN');
      expect(create).toHaveBeenCalledTimes(1);
      expect((await engine.call('status', {})).embedded).toBe(PHOTOS + 4);
    } finally {
      await engine.close();
      create.mockRestore();
    }
  }, 180_000);
});
