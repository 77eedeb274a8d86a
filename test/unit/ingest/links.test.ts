// The library stays inside the folders it is given: a link inside an imported folder that leads
// out of it (up to its parent, to another tree, into /proc, /sys or /dev) is reported and not
// followed; one that stays inside is followed once; /proc, /sys and /dev are never imported.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImportFolders } from '../../../src-main/engine/import-folders.js';
import { runImport } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { makeImage } from '../../fixtures/images.js';
import { removeDir, tempDir } from './helpers.js';

describe.skipIf(process.platform === 'win32')('symbolic links and system folders', () => {
  let dir: string;
  let photos: string;
  let catalog: Catalog;

  beforeAll(async () => {
    dir = fs.realpathSync(tempDir('links'));
    photos = path.join(dir, 'photos');
    await makeImage(path.join(photos, 'a.jpg'));
    await makeImage(path.join(photos, 'sub', 'b.jpg'), { pattern: 'noise', seed: 2 });
    await makeImage(path.join(dir, 'outside.jpg'), { pattern: 'noise', seed: 3 });
    await makeImage(path.join(dir, 'elsewhere', 'c.jpg'), { pattern: 'noise', seed: 4 });
    fs.symlinkSync('..', path.join(photos, 'up'));
    fs.symlinkSync('.', path.join(photos, 'self'));
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(photos, 'away'));
    fs.symlinkSync('sub', path.join(photos, 'inner'));
    fs.symlinkSync('/proc/self', path.join(photos, 'proc'));
    fs.symlinkSync('/dev/zero', path.join(photos, 'zero.jpg'));
    fs.symlinkSync('../outside.jpg', path.join(photos, 'out.jpg'));
    fs.symlinkSync('sub/b.jpg', path.join(photos, 'b-again.jpg'));
    catalog = Catalog.open(path.join(dir, 'library'));
  });

  afterAll(() => {
    catalog?.close();
    removeDir(dir);
  });

  it('imports what lies inside the folder once, and names each link that leads out of it', async () => {
    const result = await runImport(catalog, [photos]);
    const paths = catalog.listImages({ offset: 0, limit: 100 }).items.map((i) => i.path);
    // b.jpg is reached three ways (its folder, the `inner` link, a file link) and is one photo.
    expect(paths.sort()).toEqual([path.join(photos, 'a.jpg'), expect.stringMatching(/\/(sub|inner)\/b\.jpg$|b-again\.jpg$/)]);
    expect(paths.some((p) => p.includes('outside') || p.includes('c.jpg') || p.startsWith('/proc'))).toBe(false);
    const failed = new Map(result.failed.map((f) => [path.basename(f.path), f.error]));
    expect(failed.get('up')).toMatch(/symbolic link to .*, outside the imported folder: not followed/);
    expect(failed.get('away')).toMatch(/outside the imported folder/);
    expect(failed.get('out.jpg')).toMatch(/outside the imported folder/);
    expect(failed.get('proc')).toMatch(/symbolic link into \/proc/);
    expect(failed.get('zero.jpg')).toMatch(/symbolic link into \/dev/);
    // `self` and `inner` stay inside: followed, and nothing comes twice.
    expect(failed.has('self')).toBe(false);
    expect(failed.has('inner')).toBe(false);
    expect(result.cancelled).toBe(false);
  });

  it('refuses /proc, /sys and /dev as import folders, named or through a link, with a clear reason', async () => {
    for (const root of ['/proc/self', '/sys', '/dev', '/proc', path.join(photos, 'proc')]) {
      const result = await runImport(catalog, [root]);
      expect(result.failed).toEqual([{ path: root, error: expect.stringMatching(/is in \/(proc|sys|dev), the system's view of processes and devices, not a folder of photos/) }]);
      expect(result.added).toBe(0);
      expect(() => checkImportFolders([root])).toThrow(/not a folder of photos: it is never imported/);
    }
  });
});
