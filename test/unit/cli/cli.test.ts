// The `lookalike` command as a user runs it: the real bin script, a real library folder.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine.js';
import { runLookalike, runLookalikeWith } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let library: string;

const lookalike = (...args: string[]) => runLookalike(library, ...args);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cli-'));
  library = path.join(work, 'library');
  await makeKindImages(path.join(work, 'photos'), 3, ['rings', 'discs']);
  writeFileSync(path.join(work, 'photos', 'notes.jpg'), 'text, not a photo');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('lookalike CLI', () => {
  it('prints help listing its commands', async () => {
    const r = await lookalike('--help');
    expect(r.code).toBe(0);
    for (const c of ['status', 'serve', 'import', 'similar', 'duplicates', 'train', 'eval']) expect(r.stdout).toContain(c);
  });

  it('keeps every line of its help and usage within 100 columns', async () => {
    const outputs = [
      (await lookalike('--help')).stdout,
      (await lookalike('train', '--help')).stdout,
      (await lookalike('export', '--help')).stdout,
      (await lookalike('train', '--bogus')).stderr,
      (await lookalike('frobnicate')).stderr,
    ];
    for (const text of outputs) {
      expect(text.length).toBeGreaterThan(0);
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });

  it('takes the options for every command before the command too, as git does', async () => {
    const elsewhere = path.join(work, 'elsewhere');
    const before = await runLookalikeWith({ LOOKALIKE_LIBRARY: elsewhere }, '--library', library, 'status', '--json');
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ library });
    const joined = await runLookalikeWith({ LOOKALIKE_LIBRARY: elsewhere }, `--library=${library}`, '--json', 'status');
    expect(JSON.parse(joined.stdout)).toMatchObject({ library });
    // The command's own errors still come from the command, not "unknown command".
    const missing = await runLookalikeWith({ LOOKALIKE_LIBRARY: elsewhere }, '--library', library, 'import', path.join(work, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lookalike import: no such folder/);
  });

  it('refuses unknown commands and options with usage and exit code 2', async () => {
    expect((await lookalike('frobnicate')).code).toBe(2);
    const r = await lookalike('status', '--colour');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/colour/);
  });

  it('status --json has version, library and image count without loading tfjs; --backend names the backend', async () => {
    const r = await lookalike('status', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ library, images: 0, backend: null });
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
    const loaded = JSON.parse((await lookalike('status', '--backend', '--json')).stdout);
    expect(loaded.backend.name).toBe('wasm');
  });

  it('status --backend keeps Dawn and tfjs chatter out of the terminal; the reason names the missing driver', async () => {
    const r = await lookalike('status', '--backend');
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).not.toMatch(/Couldn't load Vulkan|operator\(\)|node-webgpu|Hi, looks like/);
    expect(r.stderr).toBe('');
    // No GPU here: the ladder says why webgpu was skipped, in its own words.
    expect(r.stdout).toMatch(/webgpu: no WebGPU adapter/);
    // The cpu backend's banner too, when it is the one that runs.
    const cpu = await runLookalikeWith({ LOOKALIKE_LIBRARY: library, LOOKALIKE_BACKEND: 'cpu' }, 'similar', path.join(work, 'photos', 'rings', 'rings-1.jpg'));
    expect(cpu.stderr).not.toMatch(/Hi, looks like|Couldn't load Vulkan/);
  }, 60_000);

  it('train --depth whole is refused without a GPU backend, saying why', async () => {
    const r = await lookalike('train', '--depth', 'whole');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/training the whole CNN needs a GPU: this machine runs wasm/);
    expect((await lookalike('train', '--depth', 'deepest')).stderr).toMatch(/--depth is one of head, blocks, whole/);
  }, 60_000);

  it('import --json reports added, unchanged, removed and failed files; a second run changes nothing', async () => {
    const first = await lookalike('import', path.join(work, 'photos'), '--labels-from-folders', '--json');
    expect(first.code, first.stderr).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r).toMatchObject({ added: 6, unchanged: 0, removed: 0 });
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0].path).toBe(path.join(work, 'photos', 'notes.jpg'));
    expect(r.failed[0].error).toEqual(expect.any(String));
    const again = JSON.parse((await lookalike('import', path.join(work, 'photos'), '--json')).stdout);
    expect(again).toMatchObject({ added: 0, unchanged: 6, removed: 0 });
    // --verify reads every file again; none changed, so none counts as added.
    const verified = await lookalike('import', path.join(work, 'photos'), '--verify', '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ added: 0, unchanged: 6, removed: 0 });
  }, 120_000);

  it.skipIf(process.platform === 'win32')('refuses /proc as an import folder, saying why', async () => {
    const r = await lookalike('import', '/proc/self');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\/proc\/self is in \/proc, the system's view of processes and devices, not a folder of photos/);
  });

  it('labels say "1 image", not "1 images"', async () => {
    const one = path.join(work, 'photos', 'rings', 'rings-1.jpg');
    const set = await lookalike('label', 'keepers', one);
    expect(set.stdout.trim()).toBe('labelled 1 image "keepers"');
    const removed = await lookalike('label', 'keepers', '--remove', one);
    expect(removed.stdout.trim()).toBe('removed "keepers" from 1 image');
  });

  it('similar says plainly that a file is not a photo, and leaves a library photo out of its own look-alikes', async () => {
    const notes = path.join(work, 'notes.txt');
    writeFileSync(notes, 'hello');
    const r = await lookalike('similar', notes);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`lookalike similar: ${notes} is not a photo lookalike can read: the file is damaged, cut short, or not an image`);
    const own = path.join(work, 'photos', 'rings', 'rings-1.jpg');
    const hits = JSON.parse((await lookalike('similar', own, '-k', '5', '--json')).stdout)[0].hits as { path: string }[];
    expect(hits.length).toBe(5);
    expect(hits.map((h) => h.path)).not.toContain(own);
  }, 60_000);

  it('similar refuses a photo cut short (an incomplete download) in the words an import failure uses', async () => {
    const whole = readFileSync(path.join(work, 'photos', 'rings', 'rings-1.jpg'));
    const half = path.join(work, 'half.jpg');
    writeFileSync(half, whole.subarray(0, Math.floor(whole.length / 2)));
    const cut = await lookalike('similar', half);
    expect([cut.code, cut.stderr.trim()]).toEqual([1, `lookalike similar: ${half} is truncated (the file ends early)`]);
  }, 60_000);

  it('similar --json answers several query files in one call', async () => {
    const photos = path.join(work, 'photos');
    const q1 = path.join(photos, 'rings', 'rings-1.jpg');
    const q2 = path.join(photos, 'discs', 'discs-2.jpg');
    const r = await lookalike('similar', q1, q2, '-k', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { query: string; hits: { id: number; path: string; score: number }[] }[];
    expect(out.map((o) => o.query)).toEqual([q1, q2]);
    expect(out[0].hits).toHaveLength(2);
    expect(out[0].hits[0]).toEqual({ id: expect.any(Number), path: expect.stringContaining('rings'), score: expect.any(Number), labels: ['rings'] });
    expect(out[1].hits[0].path).toContain('discs');
  }, 60_000);

  it('eval --json prints the retrieval metrics by name', async () => {
    const r = await lookalike('eval', '--json');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    for (const k of ['precision_at_1', 'recall_at_1', 'recall_at_10', 'r_precision', 'map_at_r']) {
      expect(m[k]).toBeGreaterThanOrEqual(0);
      expect(m[k]).toBeLessThanOrEqual(1);
    }
    // For people, the row names the model measured (no model trained yet: the pretrained one).
    const human = await lookalike('eval');
    expect(human.stdout).toMatch(/^pretrained +\d\.\d{3}/m);
  }, 90_000);

  it('train --json makes a new active model; --deep tunes the last blocks too; models lists both', async () => {
    const head = await lookalike('train', '--epochs', '2', '--json');
    expect(head.code, head.stderr).toBe(0);
    expect(JSON.parse(head.stdout)).toMatchObject({ deep: false, images: 6, modelId: expect.any(Number) });
    const deep = await lookalike('train', '--deep', '--epochs', '1', '--json');
    expect(deep.code, deep.stderr).toBe(0);
    const r = JSON.parse(deep.stdout);
    expect(r).toMatchObject({ deep: true, images: 6, modelId: expect.any(Number) });
    const models = JSON.parse((await lookalike('models', '--json')).stdout) as { id: number | null; active: boolean; settings: { deep?: boolean } }[];
    expect(models.find((m) => m.active)).toMatchObject({ id: r.modelId, settings: expect.objectContaining({ deep: true }) });
    // For people, each triplet model names its miner (the default one when none was asked for).
    const listed = (await lookalike('models')).stdout;
    expect(listed).toMatch(new RegExp(`^\\* #${r.modelId} .*, semi-hard miner`, 'm'));
    const q = path.join(work, 'photos', 'rings', 'rings-1.jpg');
    const similar = JSON.parse((await lookalike('similar', q, '-k', '1', '--json')).stdout);
    expect(similar[0].hits[0].path).toContain(`${path.sep}rings${path.sep}`);
  }, 120_000);

  it('fails with a clear message for a folder that does not exist', async () => {
    const r = await lookalike('import', path.join(work, 'nope'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such folder/);
  });

  it('exits non-zero when nothing could be imported: a file typed as a folder, an empty folder', async () => {
    const file = path.join(work, 'photos', 'not-a-folder.jpg');
    writeFileSync(file, 'x');
    const asFolder = await lookalike('import', file);
    expect(asFolder.code).toBe(1);
    expect(asFolder.stderr).toContain(`not a folder: ${file} is a file`);
    rmSync(file);
    const empty = path.join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    const none = await lookalike('import', empty);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no photos found in ${empty}`);
  });

  it('says what is wrong with a pair in the words of the command, not the engine', async () => {
    const r = await lookalike('pair', '4', '4', '--match');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a pair needs two different images');
    expect(r.stderr).not.toMatch(/markPair|invalid request|\bb:/);
  });

  it('duplicates marks the member to keep that the window does: the reference first, then the one you kept', async () => {
    const own = path.join(work, 'dup-library');
    const dir = path.join(work, 'dup-photos');
    mkdirSync(dir);
    const bytes = readFileSync(path.join(work, 'photos', 'rings', 'rings-1.jpg'));
    const [a, b] = [path.join(dir, 'a.jpg'), path.join(dir, 'b.jpg')];
    writeFileSync(a, bytes);
    writeFileSync(b, bytes);
    expect((await runLookalike(own, 'import', dir)).code).toBe(0);
    const marks = async () => {
      const r = await runLookalike(own, 'duplicates');
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => [l.trim().split(/\s+/)[0], l.slice(l.indexOf(dir))]);
    };
    expect(await marks()).toEqual([['reference', a], ['1.000', b]]);
    // Kept in the window (the same engine call): the CLI now marks that one.
    const engine = await Engine.open(own);
    try {
      await engine.call('keepDuplicate', { keep: b, spare: [a] });
    } finally {
      await engine.close();
    }
    expect(await marks()).toEqual([['1.000', a], ['kept', b]]);
  }, 120_000);
});
