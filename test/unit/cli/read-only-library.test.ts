// A library in a folder that cannot be written (a read-only mount, a copy on a DVD, a folder
// of another user's): reading commands work and say that changes are refused; a change is
// refused in those words, and the library is left as it was. As root, permissions stop no
// write, so the folder is made read-only the way a mount does it: a read-only bind mount in a
// private mount namespace (unshare), which the test needs the privilege for.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runLookalike } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';

const bin = path.resolve(import.meta.dirname, '../../../bin/lookalike.js');
const asRoot = process.getuid?.() === 0;
/** Whether this process may make a read-only bind mount in a namespace of its own. */
const canMountReadOnly = asRoot && spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind -o ro /tmp /tmp'], { stdio: 'ignore' }).status === 0;
const supported = process.platform === 'linux' && (!asRoot || canMountReadOnly);

let work: string;
let library: string;

/** Everything under a folder, each file with its bytes' hash. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return out;
}

/** Sets write permission on a folder and everything in it (for a user other than root). */
function writable(dir: string, on: boolean): void {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => path.join(e.parentPath, e.name));
  for (const p of [dir, ...entries]) chmodSync(p, (statSync(p).mode & 0o7777 & ~0o222) | (on ? 0o200 : 0));
}

/** Runs the CLI on the library while its folder is read-only. */
function readOnly(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const cli = [process.execPath, bin, '--library', library, ...args];
  const r = asRoot
    ? spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind -o ro "$0" "$0" && exec "$@"`, library, ...cli], { encoding: 'utf8' })
    : spawnSync(cli[0], cli.slice(1), { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-read-only-'));
  library = path.join(work, 'library');
  await makeKindImages(path.join(work, 'photos'), 2, ['rings', 'discs']);
  expect((await runLookalike(library, 'import', path.join(work, 'photos'), '--labels-from-folders')).code).toBe(0);
  if (supported && !asRoot) writable(library, false);
}, 120_000);

afterAll(() => {
  if (supported && !asRoot) writable(library, true);
  rmSync(work, { recursive: true, force: true });
});

it.runIf(supported)('status reads a read-only library and says changes are refused; a change is refused and nothing moves', () => {
  const before = snapshot(library);
  const status = readOnly('status', '--json');
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ images: 4, embedded: 4 });
  const said = `the library folder ${library} is read-only: reading works, changes are refused`;
  expect(status.stderr).toContain(said);

  const label = readOnly('label', 'favourite', '#1');
  expect(label.code).toBe(1);
  expect(label.stderr).toContain(`lookalike label: ${said}`);
  expect(label.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(snapshot(library)).toEqual(before);
}, 120_000);

it.runIf(supported)('similar answers from a read-only library, from the features and index already there', () => {
  const before = snapshot(library);
  const similar = readOnly('similar', '--id', '1', '--json');
  expect(similar.code, similar.stderr).toBe(0);
  const hits = JSON.parse(similar.stdout) as { id: number }[];
  expect(hits.length).toBeGreaterThan(0);
  expect(hits.map((h) => h.id)).not.toContain(1);
  expect(snapshot(library)).toEqual(before);
}, 120_000);
