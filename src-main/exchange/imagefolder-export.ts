// An "ImageFolder" tree (torchvision's layout): one folder per label holding that label's
// images, as symbolic links (default) or copies. Originals are only ever read; an existing
// file in the way is left alone and reported.
import { constants, copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { Failure } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { fsPath } from '../common/byte-paths.js';
import { libraryRows } from '../library/library-rows.js';

/** A label as a folder name on every platform: no separators, reserved characters or dot names. */
export function folderNameFor(label: string): string {
  const safe = [...label].map((c) => (c.charCodeAt(0) < 32 || '/\\:*?"<>|'.includes(c) ? '_' : c)).join('');
  const cleaned = safe.replace(/^[\s.]+|[\s.]+$/g, '');
  return cleaned.length > 0 ? cleaned.slice(0, 120) : '_';
}

export function exportImageFolder(catalog: Catalog, out: string, copy: boolean): { written: string[]; count: number; failed: Failure[] } {
  const rows = libraryRows(catalog).filter((r) => r.labels.length > 0);
  const folders = new Map<string, string>(); // label → folder
  const usedFolders = new Set<string>();
  const usedNames = new Map<string, Set<string>>(); // folder → file names
  const failed: Failure[] = [];
  let count = 0;
  mkdirSync(out, { recursive: true });
  for (const row of rows) {
    for (const label of row.labels) {
      let folder = folders.get(label);
      if (folder === undefined) {
        // Two labels that clean to the same name still get folders of their own.
        const base = folderNameFor(label);
        folder = base;
        for (let n = 2; usedFolders.has(folder.toLowerCase()); n++) folder = `${base}_${n}`;
        usedFolders.add(folder.toLowerCase());
        folders.set(label, folder);
        mkdirSync(path.join(out, folder), { recursive: true });
        usedNames.set(folder, new Set());
      }
      const names = usedNames.get(folder)!;
      const ext = path.extname(row.path);
      let name = path.basename(row.path);
      if (names.has(name.toLowerCase())) name = `${path.basename(row.path, ext)}-${row.id}${ext}`;
      names.add(name.toLowerCase());
      const target = path.join(out, folder, name);
      try {
        if (existsSync(fsPath(target))) throw new Error('a file of that name is already there; left as it was');
        if (copy) copyFileSync(fsPath(row.path), fsPath(target), constants.COPYFILE_EXCL);
        else symlinkSync(fsPath(path.resolve(row.path)), fsPath(target));
        count++;
      } catch (err) {
        failed.push({ path: row.path, error: `${target}: ${(err as Error).message}` });
      }
    }
  }
  return { written: [...folders.values()].map((f) => path.join(out, f)), count, failed };
}
