// A file or folder the user cannot read. As root, chmod 000 stops nothing, so when the tests
// run as root the import runs in a child process with the uid of `nobody`, where the mode
// bits apply; as any other user it runs in-process.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type ImportResult } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { makeImage } from '../../fixtures/images.js';
import { startImportChild } from './child-process.js';
import { removeDir, tempDir } from './helpers.js';

const NOBODY = 65534;
const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function importAsUnprivileged(library: string, root: string): Promise<ImportResult> {
  if (!runningAsRoot) {
    const catalog = Catalog.open(library);
    try {
      return await runImport(catalog, [root]);
    } finally {
      catalog.close();
    }
  }
  let result: ImportResult | undefined;
  const { exited } = startImportChild(library, [root], (message) => {
    if ('result' in message) result = message.result;
  }, { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: path.dirname(library) } });
  const { code, stderr } = await exited;
  if (code !== 0 || !result) throw new Error(`child import failed (${code}): ${stderr}`);
  return result;
}

describe.skipIf(process.platform === 'win32')('files and folders without read permission', () => {
  let dir: string;
  let photos: string;

  beforeAll(async () => {
    dir = tempDir('unreadable');
    fs.chmodSync(dir, 0o777);
    photos = path.join(dir, 'photos');
    await makeImage(path.join(photos, 'ok.jpg'));
    fs.chmodSync(await makeImage(path.join(photos, 'locked.jpg'), { pattern: 'noise' }), 0o000);
    await makeImage(path.join(photos, 'private', 'inside.jpg'), { pattern: 'noise', seed: 3 });
    fs.chmodSync(path.join(photos, 'private'), 0o000);
  });
  afterAll(() => {
    fs.chmodSync(path.join(photos, 'private'), 0o755);
    removeDir(dir);
  });

  it('reports each with "permission denied" and imports the rest', async () => {
    const library = path.join(dir, 'library');
    fs.mkdirSync(library, { mode: 0o777 });
    fs.chmodSync(library, 0o777);
    const result = await importAsUnprivileged(library, photos);
    expect(result.added).toBe(1);
    expect(result.failed).toEqual([
      { path: path.join(photos, 'locked.jpg'), error: expect.stringMatching(/permission denied/) },
      { path: path.join(photos, 'private'), error: expect.stringMatching(/permission denied/) },
    ]);
  });
});
