// What is decoded for a library photo must have the hash the catalog recorded: the bytes read
// are checked (small files: the very buffer decoded; large ones: hashed before and after the
// decode from disk), and a file that changed is refused, never decoded as if it had not.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ContentChangedError, decodeKnownFile } from '../../../src-main/common/known-content.js';

let dir: string;
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-known-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('hands over the very bytes it hashed when they match, and refuses a file whose bytes changed', async () => {
  const file = path.join(dir, 'small.jpg');
  fs.writeFileSync(file, 'first version');
  const seen = await decodeKnownFile({ path: file, hash: sha256('first version') }, async (source) => source);
  expect(Buffer.isBuffer(seen) && seen.toString()).toBe('first version');
  fs.writeFileSync(file, 'second version');
  let decoded = false;
  const refused = decodeKnownFile({ path: file, hash: sha256('first version') }, async () => (decoded = true));
  await expect(refused).rejects.toBeInstanceOf(ContentChangedError);
  await expect(refused).rejects.toThrow(/changed after it was hashed/);
  expect(decoded).toBe(false);
});

it('above the in-memory limit, refuses a file that changed while it was being decoded from disk', async () => {
  const file = path.join(dir, 'large.tif');
  fs.writeFileSync(file, 'large version one');
  const known = { path: file, hash: sha256('large version one') };
  expect(await decodeKnownFile(known, async (source) => source, 1)).toBe(file);
  // The decoder reads the path; the file is replaced meanwhile.
  const racing = decodeKnownFile(known, async (source) => {
    fs.writeFileSync(file, 'large version two');
    return source;
  }, 1);
  await expect(racing).rejects.toBeInstanceOf(ContentChangedError);
});
