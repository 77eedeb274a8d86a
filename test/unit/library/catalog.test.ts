import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src-main/library/catalog.js';
import type { ImageFacts } from '../../../src-main/library/ingest-store.js';
import { jobEnded, jobStates } from '../../../src-shared/vocabulary.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../../src-main/library/migrations.js';

function facts(n: number): ImageFacts {
  return { contentHash: `hash${n}`, size: 100 + n, width: 40, height: 30, format: 'jpeg', takenAt: null };
}

describe('Catalog', () => {
  let dir: string;
  let catalog: Catalog;
  let rootId: number;

  /** Adds images 1..n at /photos/<n>.jpg and returns their ids. */
  function addImages(n: number): number[] {
    catalog.ingest.apply(
      Array.from({ length: n }, (_, i) => ({
        kind: 'live' as const, path: `/photos/${i + 1}.jpg`, rootId, size: 1, mtimeMs: 1, image: facts(i + 1),
      })),
    );
    return Array.from({ length: n }, (_, i) => catalog.imageByPath(`/photos/${i + 1}.jpg`)!.id);
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-catalog-'));
    catalog = Catalog.open(dir);
    rootId = catalog.ingest.upsertRoot('/photos');
  });
  afterEach(() => {
    catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the library folders, uses WAL and records the schema version', () => {
    for (const sub of ['thumbs', 'features', 'models', 'index']) expect(fs.statSync(path.join(dir, sub)).isDirectory()).toBe(true);
    expect(catalog.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(catalog.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('reopens an existing library without losing data', () => {
    addImages(3);
    catalog.close();
    catalog = Catalog.open(dir);
    expect(catalog.countImages()).toBe(3);
  });

  it('pages through images and filters them by label', () => {
    const ids = addImages(5);
    catalog.setLabels([ids[1], ids[3]], 'cats');
    catalog.setLabels([ids[3]], 'fluffy');
    const page = catalog.listImages({ offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.id)).toEqual([ids[1], ids[2]]);
    expect(page.items[0]).toEqual({ id: ids[1], path: '/photos/2.jpg', contentHash: 'hash2', width: 40, height: 30, labels: ['cats'] });
    const cats = catalog.listImages({ labelId: catalog.labelId('cats') });
    expect(cats.total).toBe(2);
    expect(cats.items.map((i) => i.labels)).toEqual([['cats'], ['cats', 'fluffy']]);
  });

  it('walks every listed image once, in order, across pages, leaving out removed ones', () => {
    const ids = addImages(7);
    catalog.setLabels([ids[5]], 'cats');
    catalog.ingest.reconcileRoot(rootId, new Set(['/photos/1.jpg', '/photos/2.jpg', '/photos/3.jpg', '/photos/5.jpg', '/photos/6.jpg', '/photos/7.jpg']), []);
    const walked = [...catalog.eachImage(2)];
    const listed = ids.filter((_, k) => k !== 3);
    expect(walked.map((i) => i.id)).toEqual(listed);
    expect(walked[4]).toMatchObject({ id: ids[5], path: '/photos/6.jpg', labels: ['cats'] });
    expect(catalog.listedImageRefs()).toEqual(walked.map((i) => ({ id: i.id, contentHash: i.contentHash, path: i.path })));
  });

  it('lists the labelled images, each with its labels sorted, as walking every image finds them', () => {
    const ids = addImages(6);
    catalog.setLabels([ids[1], ids[2], ids[4]], 'zebra');
    catalog.setLabels([ids[2], ids[3]], 'apple');
    // A removed photo keeps its labels in the database, but is not listed.
    catalog.ingest.reconcileRoot(rootId, new Set(['/photos/1.jpg', '/photos/2.jpg', '/photos/3.jpg', '/photos/4.jpg', '/photos/6.jpg']), []);
    const walked = [...catalog.eachImage()].filter((i) => i.labels.length > 0).map((i) => ({ id: i.id, contentHash: i.contentHash, labels: i.labels }));
    expect(catalog.labelledImages()).toEqual(walked);
    expect(catalog.labelledImages().map((i) => i.labels)).toEqual([['zebra'], ['apple', 'zebra'], ['apple']]);
  });

  it('counts photos per label among those with exactly one of the chosen labels, as the labelled list does', () => {
    const ids = addImages(7);
    catalog.setLabels([ids[1], ids[2], ids[4], ids[6]], 'zebra');
    catalog.setLabels([ids[2], ids[3]], 'apple');
    catalog.setLabels([ids[3], ids[4]], 'mango');
    catalog.setLabels([ids[5]], 'kiwi');
    catalog.ingest.reconcileRoot(rootId, new Set(['/photos/1.jpg', '/photos/2.jpg', '/photos/3.jpg', '/photos/4.jpg', '/photos/5.jpg', '/photos/6.jpg']), []);
    // Counted from the list: a photo counts when exactly one of its labels is chosen.
    const fromList = (chosen?: string[]) => {
      const perLabel = new Map<string, number>();
      let ambiguous = 0;
      for (const i of catalog.labelledImages()) {
        const mine = i.labels.filter((l) => !chosen || chosen.includes(l));
        if (mine.length === 1) perLabel.set(mine[0], (perLabel.get(mine[0]) ?? 0) + 1);
        else if (mine.length > 1) ambiguous++;
      }
      return { perLabel: new Map([...perLabel].sort((a, b) => (a[0] < b[0] ? -1 : 1))), ambiguous };
    };
    for (const chosen of [undefined, ['zebra', 'apple'], ['mango'], ['kiwi', 'zebra', 'nothing']]) {
      expect(catalog.singleLabelCounts(chosen)).toEqual(fromList(chosen));
    }
    expect(catalog.singleLabelCounts()).toEqual({ perLabel: new Map([['kiwi', 1], ['zebra', 1]]), ambiguous: 3 });
    expect(catalog.singleLabelCounts(['zebra', 'apple'])).toEqual({ perLabel: new Map([['apple', 1], ['zebra', 2]]), ambiguous: 1 });
  });

  it('returns pages as large as the contract allows (5000)', () => {
    addImages(1200);
    expect(catalog.listImages({ limit: 5000 }).items).toHaveLength(1200);
    expect(catalog.listImages({ offset: 1100, limit: 5000 }).items).toHaveLength(100);
  });

  it('counts labels over listed images only, and removes labels', () => {
    const ids = addImages(3);
    catalog.setLabels(ids, 'dogs');
    catalog.ingest.reconcileRoot(rootId, new Set(['/photos/1.jpg', '/photos/2.jpg']), []);
    expect(catalog.labelsWithCounts()).toEqual([{ id: catalog.labelId('dogs'), name: 'dogs', count: 2 }]);
    // A label on no listed photo is listed too, and counted as status counts labels.
    catalog.setLabels([ids[2]], 'cats');
    expect(catalog.labelsWithCounts().map((l) => [l.name, l.count])).toEqual([['cats', 0], ['dogs', 2]]);
    expect(catalog.labelCount()).toBe(2);
    expect(catalog.deleteLabel('cats')).toBe(true);
    expect(catalog.labelCount()).toBe(1);
    expect(catalog.removeLabel([ids[0]], 'dogs')).toBe(1);
    expect(catalog.getImage(ids[0])!.labels).toEqual([]);
    expect(catalog.deleteLabel('dogs')).toBe(true);
    expect(catalog.getImage(ids[1])!.labels).toEqual([]);
    expect(() => catalog.setLabels(ids, '  ')).toThrow(/name/);
  });

  it('stores a pair once whatever the order, and a second verdict replaces the first', () => {
    const [a, b] = addImages(2);
    catalog.markPair(b, a, 'match', 'user');
    catalog.markPair(a, b, 'mismatch', 'user');
    expect(catalog.listPairs()).toEqual([{ a, b, verdict: 'mismatch', source: 'user', createdAt: expect.any(Number) }]);
    expect(() => catalog.markPair(a, a, 'match', 'user')).toThrow();
    expect(catalog.unmarkPair(b, a)).toBe(true);
    expect(catalog.listPairs()).toEqual([]);
  });

  it('tracks jobs and finds the unfinished ones after a restart', () => {
    const done = catalog.createJob('import', { roots: ['/a'] });
    const running = catalog.createJob('import', { roots: ['/b'] });
    catalog.updateJob(done.id, { state: 'running' });
    const finished = catalog.updateJob(done.id, { state: 'done', result: { added: 3 } });
    expect(finished.startedAt).not.toBeNull();
    expect(finished.finishedAt).not.toBeNull();
    expect(finished.result).toEqual({ added: 3 });
    catalog.updateJob(running.id, { state: 'running', progress: { done: 1, found: 9 } });
    catalog.close();
    catalog = Catalog.open(dir);
    const unfinished = catalog.unfinishedJobs();
    expect(unfinished.map((j) => [j.id, j.state, j.params, j.progress])).toEqual([
      [running.id, 'running', { roots: ['/b'] }, { done: 1, found: 9 }],
    ]);
  });

  it('stamps a finish time on exactly the ended job states, and only live jobs count as unfinished', () => {
    const byState = new Map(jobStates.map((state) => [state, catalog.updateJob(catalog.createJob('embed', {}).id, { state })]));
    for (const [state, job] of byState) expect([state, job.finishedAt !== null]).toEqual([state, jobEnded(state)]);
    expect(jobStates.filter((s) => jobEnded(s))).toEqual(['done', 'failed', 'cancelled']);
    expect(catalog.unfinishedJobs().map((j) => j.state)).toEqual(['queued', 'running']);
  });

  it('keeps at most one active model', () => {
    const m1 = catalog.createModel({ name: 'first', loss: 'proxy-nca', settings: { epochs: 3 } });
    const m2 = catalog.createModel({ name: 'second', loss: 'proxy-anchor' });
    catalog.setActiveModel(m1.id);
    catalog.setActiveModel(m2.id);
    expect(catalog.activeModel()?.id).toBe(m2.id);
    expect(catalog.listModels().filter((m) => m.active)).toHaveLength(1);
    expect(catalog.getModel(m1.id)?.settings).toEqual({ epochs: 3 });
    catalog.setActiveModel(null);
    expect(catalog.activeModel()).toBeUndefined();
  });

  it('resolves relative paths when looking an image up by path', () => {
    catalog.ingest.apply([{ kind: 'live', path: path.resolve('rel.jpg'), rootId, size: 1, mtimeMs: 1, image: facts(9) }]);
    expect(catalog.imageByPath('rel.jpg')?.contentHash).toBe('hash9');
  });
});

describe('migrate', () => {
  it('runs pending migrations in one transaction: a failing one leaves the old schema', () => {
    const db = new Database(':memory:');
    const migrations: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, description: 'two', sql: 'CREATE TABLE b (y INTEGER); THIS IS NOT SQL;' },
    ];
    expect(() => migrate(db, migrations)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'`).pluck().get()).toBe(0);
    migrate(db, migrations.slice(0, 1));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('upgrades a version-1 library with images in it, keeping them listed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-upgrade-'));
    const db = new Database(path.join(dir, 'library.sqlite'));
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`
      INSERT INTO roots (id, path, added_at) VALUES (1, '/p', 0);
      INSERT INTO images (id, content_hash, size, width, height, format, added_at) VALUES
        (1, 'h1', 1, 1, 1, 'jpeg', 0), (2, 'h2', 1, 1, 1, 'jpeg', 0);
      INSERT INTO image_paths (path, root_id, image_id, size, mtime_ms, status, updated_at) VALUES
        ('/p/a.jpg', 1, 1, 1, 1, 'live', 0), ('/p/b.jpg', 1, 1, 1, 1, 'live', 0), ('/p/c.jpg', 1, 2, 1, 1, 'removed', 0);
    `);
    db.close();
    const catalog = Catalog.open(dir);
    try {
      expect(catalog.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(catalog.countImages()).toBe(1);
      expect(catalog.listImages().items.map((i) => i.path)).toEqual(['/p/a.jpg']);
    } finally {
      catalog.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a development version-1 library that already had the live path count', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`ALTER TABLE images ADD COLUMN live_paths INTEGER NOT NULL DEFAULT 0`);
    expect(() => migrate(db)).not.toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a library written by a newer app', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 999');
    expect(() => migrate(db)).toThrow(/newer/);
    db.close();
  });
});
