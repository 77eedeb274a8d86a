// A photo whose file name is not UTF-8 (bytes \xff\xfe) is named on the command line as it is
// named on disk: `lookalike similar $'bad\xff\xfe.jpg'` finds that photo in the library (and
// leaves it out of its own look-alikes), where Node's argv, decoded as UTF-8, names no file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactArgs, nameFromBytes } from '../../../src-main/common/byte-paths.js';
import { runLookalike } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';

const bin = path.resolve(import.meta.dirname, '../../../bin/lookalike.js');
let work: string;
let library: string;
let photos: string;
const badName = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-byte-args-'));
  library = path.join(work, 'library');
  photos = path.join(work, 'photos');
  const made = await makeKindImages(photos, 3, ['rings', 'discs']);
  // The photo lives only under the odd name.
  const original = made.get('rings')![0];
  writeFileSync(Buffer.concat([Buffer.from(`${photos}/`), badName]), readFileSync(original));
  rmSync(original);
  const r = await runLookalike(library, 'import', photos);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('arguments that are not UTF-8', () => {
  it('takes the bytes of /proc/self/cmdline when Node lost some, and only then', () => {
    const raw = Buffer.concat([Buffer.from('node\0/bin/lookalike.js\0similar\0'), badName, Buffer.from('\0')]);
    const lossy = ['similar', badName.toString('utf8')];
    expect(exactArgs(lossy, () => raw)).toEqual(['similar', nameFromBytes(badName)]);
    // A command line that does not end with these arguments is not trusted.
    expect(exactArgs(['other', lossy[1]], () => raw)).toEqual(['other', lossy[1]]);
    expect(exactArgs(lossy, () => null)).toEqual(lossy);
    expect(exactArgs(['plain.jpg'], () => raw)).toEqual(['plain.jpg']);
  });

  it.runIf(process.platform === 'linux')('similar on a photo named with invalid UTF-8 finds it in the library', () => {
    // The shell hands the name over as bytes, as a user's $'bad\xff\xfe.jpg' does.
    const r = spawnSync('sh', ['-c', `exec "$0" "$1" --library "$2" similar "$(printf '%s/bad\\377\\376.jpg' "$3")" -k 3 --json`, process.execPath, bin, library, photos], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [answer] = JSON.parse(r.stdout) as { query: string; hits: { path: string; score: number }[] }[];
    const stored = nameFromBytes(Buffer.concat([Buffer.from(`${photos}/`), badName]));
    expect(answer.query).toBe(stored);
    // Found as the library photo: left out of its own look-alikes (a file from outside with
    // these bytes would come first, as an exact copy of it).
    expect(answer.hits).toHaveLength(3);
    expect(answer.hits.map((h) => h.path)).not.toContain(stored);
  }, 60_000);
});
