// Export and import through the engine on a small real library (generated photos, real CNN
// features): labels round-trip through CSV and JSON, the .npy rows are the embeddings of the
// images its ids file names, image folders link or copy without touching originals, the
// trained head loads as a tfjs model, and the map has one stable point per embedded image.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossNames, type JobRef } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { parseCsv } from '../../../src-main/exchange/csv.js';
import { parseNpyHeader } from '../../../src-main/exchange/npy.js';
import { finishJob } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;

const finish = (ref: JobRef) => finishJob(engine, ref);

async function labelsById(): Promise<Map<number, string[]>> {
  const page = await engine.call('listImages', { limit: 1000 });
  return new Map(page.items.map((i) => [i.id, i.labels]));
}

async function clearLabels(): Promise<void> {
  for (const [id, labels] of await labelsById()) for (const label of labels) await engine.call('removeLabel', { label, ids: [id] });
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-exchange-'));
  await makeKindImages(path.join(work, 'photos'), 4, ['rings', 'checkers', 'stripes']);
  engine = await Engine.open(path.join(work, 'library'));
  const job = await finish(await engine.call('importFolders', { paths: [path.join(work, 'photos')], labelsFromFolders: true }));
  expect(job.state).toBe('done');
  // An image with two labels, one of them awkward in CSV.
  await engine.call('setLabel', { label: 'best, "really"', ids: [1] });
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('labels export and import', () => {
  for (const ext of ['csv', 'json']) {
    it(`round-trips every label through ${ext}`, async () => {
      const before = await labelsById();
      const out = path.join(work, `labels.${ext}`);
      const r = await engine.call('exportData', { kind: 'labels', out });
      expect(r.count).toBe(12);
      await clearLabels();
      expect([...(await labelsById()).values()].flat()).toEqual([]);
      const imported = await engine.call('importLabels', { path: out });
      expect(imported.unmatched).toEqual([]);
      expect(imported.labelled).toBe(13);
      expect(await labelsById()).toEqual(before);
    });
  }

  it('matches rows by content hash when the path is unknown, and reports rows that match nothing', async () => {
    const csv = parseCsv(readFileSync(path.join(work, 'labels.csv'), 'utf8'));
    const [, first] = csv;
    const text = ['path,content_hash,label', `/moved/elsewhere.jpg,${first.fields[1]},moved`, '/nowhere.jpg,deadbeef,lost', ',,empty'].join('\n');
    const r = await engine.call('importLabels', { text });
    expect(r.rows).toBe(3);
    expect(r.matched).toBe(1);
    expect(r.unmatched).toEqual([
      { line: 3, key: '/nowhere.jpg' },
      { line: 4, key: '' },
    ]);
    const image = engine.catalog.imageByPath(first.fields[0])!;
    expect(image.labels).toContain('moved');
  });
});

describe('embeddings export', () => {
  it('writes a float32 [n, d] .npy whose rows are the embeddings of the images in its ids file', async () => {
    const out = path.join(work, 'emb.npy');
    const r = await engine.call('exportData', { kind: 'embeddings', out });
    const buf = readFileSync(out);
    const header = parseNpyHeader(buf);
    expect(header.descr).toBe('<f4');
    expect(header.fortranOrder).toBe(false);
    expect(header.dataOffset % 64).toBe(0);
    const [n, d] = header.shape;
    expect(n).toBe(12);
    expect(d).toBe(1280);
    expect(buf.length).toBe(header.dataOffset + n * d * 4);
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset + header.dataOffset, buf.byteOffset + buf.length));
    const ids = parseCsv(readFileSync(r.written[1], 'utf8'));
    expect(ids[0].fields).toEqual(['row', 'id', 'path', 'content_hash', 'labels']);
    expect(ids.length - 1).toBe(n);
    const embeddings = (await engine.vectors()).allEmbeddings();
    ids.slice(1).forEach(({ fields }, row) => {
      expect(Number(fields[0])).toBe(row);
      const expected = embeddings.get(Number(fields[1]))!;
      expect(Array.from(data.subarray(row * d, (row + 1) * d))).toEqual(Array.from(expected));
      expect(engine.catalog.getImage(Number(fields[1]))!.paths).toContain(fields[2]);
    });
  });

  it('refuses a file name that is not .npy', async () => {
    await expect(engine.call('exportData', { kind: 'embeddings', out: path.join(work, 'emb.csv') })).rejects.toThrow(/\.npy/);
  });
});

describe('export targets', () => {
  it('refuses to overwrite a file unless forced, and never writes to a pipe', async () => {
    const out = path.join(work, 'existing.csv');
    writeFileSync(out, 'precious\n');
    await expect(engine.call('exportData', { kind: 'labels', out })).rejects.toThrow(/already exists; export with force/);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    const r = await engine.call('exportData', { kind: 'labels', out, force: true });
    expect(r.count).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^path,content_hash,label/);
    const fifo = path.join(work, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await expect(engine.call('exportData', { kind: 'labels', out: fifo, force: true })).rejects.toThrow(/not a regular file or folder/);
  });
});

describe('export paths', () => {
  it('refuses a relative path, creating nothing where the engine runs', async () => {
    const stray = path.resolve('relative-export.csv');
    await expect(engine.call('exportData', { kind: 'labels', out: 'relative-export.csv' })).rejects.toThrow(
      `"relative-export.csv" is a relative path: give the full path to export to, such as ${path.join(os.homedir(), 'relative-export.csv')} or ~/relative-export.csv`,
    );
    expect(existsSync(stray)).toBe(false);
  });

  it('writes ~/x into the home folder and says where', async () => {
    const home = mkdtempSync(path.join(work, 'home-'));
    const saved = process.env.HOME;
    process.env.HOME = home; // what os.homedir() reads on Linux and macOS
    try {
      const r = await engine.call('exportData', { kind: 'labels', out: '~/labels-home.csv' });
      expect(r.written).toEqual([path.join(home, 'labels-home.csv')]);
      expect(readFileSync(path.join(home, 'labels-home.csv'), 'utf8')).toMatch(/^path,content_hash,label/);
    } finally {
      process.env.HOME = saved;
    }
  });

  it('names a missing folder instead of ENOENT, and creates no folder above what was named', async () => {
    const missing = path.join(work, 'no-such-folder');
    await expect(engine.call('exportData', { kind: 'labels', out: path.join(missing, 'x.csv') })).rejects.toThrow(
      `the folder ${missing} does not exist: create it first, or export somewhere else`,
    );
    await expect(engine.call('exportData', { kind: 'imagefolder', out: path.join(missing, 'by-label') })).rejects.toThrow(`the folder ${missing} does not exist`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('image folder export', () => {
  it('links each labelled image into a folder per label, leaving originals untouched', async () => {
    const photo = path.join(work, 'photos', 'rings', 'rings-1.jpg');
    const before = { hash: sha(photo), mtime: statSync(photo).mtimeMs };
    const out = path.join(work, 'folders');
    const r = await engine.call('exportData', { kind: 'imagefolder', out });
    expect(r.failed).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(expect.arrayContaining(['checkers', 'rings', 'stripes']));
    expect(readdirSync(path.join(out, 'rings')).sort()).toEqual(['rings-1.jpg', 'rings-2.jpg', 'rings-3.jpg', 'rings-4.jpg']);
    const link = path.join(out, 'rings', 'rings-1.jpg');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(photo);
    // Exporting again into the (now not empty) folder is refused unless forced; forced, it
    // still leaves every existing file as it was and says why.
    await expect(engine.call('exportData', { kind: 'imagefolder', out })).rejects.toThrow(/is not empty; export with force/);
    const again = await engine.call('exportData', { kind: 'imagefolder', out, force: true });
    expect(again.count).toBe(0);
    expect(again.failed.length).toBe(r.count);
    expect({ hash: sha(photo), mtime: statSync(photo).mtimeMs }).toEqual(before);
  });

  it('copies instead when asked', async () => {
    const out = path.join(work, 'copies');
    await engine.call('exportData', { kind: 'imagefolder', out, copy: true });
    const copy = path.join(out, 'stripes', 'stripes-2.jpg');
    expect(lstatSync(copy).isSymbolicLink()).toBe(false);
    expect(sha(copy)).toBe(sha(path.join(work, 'photos', 'stripes', 'stripes-2.jpg')));
  });
});

describe('map and model export', () => {
  it('maps every embedded image once, the same way each time for a fixed seed', async () => {
    const first = await engine.call('map', { seed: 3 });
    if (first.ready) throw new Error('a fresh library has no cached map');
    // Asking again while it computes joins the same job rather than starting another.
    expect(await engine.call('map', { seed: 3 })).toEqual({ ready: false, jobId: first.jobId });
    expect((await finish({ jobId: first.jobId })).state).toBe('done');
    const ready = await engine.call('map', { seed: 3 });
    if (!ready.ready) throw new Error('map not ready after its job');
    const map = ready.map;
    expect([...map.ids].sort((a, b) => a - b)).toEqual([...(await engine.vectors()).allEmbeddings().keys()].sort((a, b) => a - b));
    expect(map.xy.length).toBe(2 * map.ids.length);
    // Computed again from scratch (cache removed), the same seed gives the same points.
    rmSync(path.join(engine.catalog.paths.root, 'maps'), { recursive: true });
    const again = await engine.call('map', { seed: 3 });
    if (again.ready) throw new Error('the cache was removed');
    await finish({ jobId: again.jobId });
    const recomputed = await engine.call('map', { seed: 3 });
    expect(recomputed.ready && recomputed.map.xy).toEqual(map.xy);
    // Labels are read fresh: labelling recolours without recomputing.
    await engine.call('setLabel', { label: 'aa-new', ids: [map.ids[0]] });
    const relabelled = await engine.call('map', { seed: 3 });
    if (!relabelled.ready) throw new Error('labelling invalidated the map');
    expect(relabelled.map.labelNames[relabelled.map.label[0]]).toBe('aa-new');
    expect(relabelled.map.xy).toEqual(map.xy);
  });

  it('keeps every known point in place when a few photos are added, and maps the new ones', async () => {
    const before = await engine.call('map', { seed: 3 });
    if (!before.ready) throw new Error('map not cached');
    const extra = path.join(work, 'extra');
    await makeKindImages(extra, 1, ['dots']);
    expect((await finish(await engine.call('importFolders', { paths: [extra] }))).state).toBe('done');
    const job = await engine.call('map', { seed: 3 });
    if (job.ready) throw new Error('a new photo must invalidate the cached map');
    await finish({ jobId: job.jobId });
    const after = await engine.call('map', { seed: 3 });
    if (!after.ready) throw new Error('map not ready after its job');
    expect(after.map.ids.length).toBe(before.map.ids.length + 1);
    const old = new Map(before.map.ids.map((id, i) => [id, [before.map.xy[2 * i], before.map.xy[2 * i + 1]]]));
    after.map.ids.forEach((id, i) => {
      if (old.has(id)) expect([after.map.xy[2 * i], after.map.xy[2 * i + 1]]).toEqual(old.get(id));
    });
    const added = after.map.ids.findIndex((id) => !old.has(id));
    expect(after.map.xy[2 * added]).toBeGreaterThanOrEqual(0);
    expect(after.map.xy[2 * added]).toBeLessThanOrEqual(1);
  });

  it('exports the trained head as a tfjs LayersModel that reproduces the embeddings', async () => {
    await expect(engine.call('exportData', { kind: 'model', out: path.join(work, 'none') })).rejects.toThrow(/train a model first/);
    const job = await finish(await engine.call('train', { epochs: 2, seed: 1 }));
    expect(job.state).toBe('done');
    const out = path.join(work, 'model');
    const r = await engine.call('exportData', { kind: 'model', out });
    expect(r.written.map((f) => path.basename(f))).toEqual(['model.json', 'weights.bin', 'lookalike-model.json']);
    const modelJson = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    const weights = readFileSync(path.join(out, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
    );
    const [feature] = (await engine.vectors()).featuresOf([1]);
    const y = tf.tidy(() => {
      const raw = model.predict(tf.tensor2d(feature!, [1, feature!.length])) as tf.Tensor;
      return tf.div(raw, tf.norm(raw));
    });
    const got = Array.from(await y.data());
    y.dispose();
    model.dispose();
    const expected = (await engine.vectors()).allEmbeddings().get(1)!;
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    const meta = JSON.parse(readFileSync(path.join(out, 'lookalike-model.json'), 'utf8'));
    expect(meta).toMatchObject({ inputDim: 1280, outputDim: expected.length, loss: lossNames[0] }); // the default loss
    expect(existsSync(path.join(out, 'head.json'))).toBe(false);
  }, 60_000);
});
