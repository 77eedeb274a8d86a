// The folders an import is asked for are checked before a job starts: a typo gets its reason
// at once, and `~` means the home folder as it does in a shell.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImportFolders, expandHome } from '../../../src-main/engine/import-folders.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'lookalike-home-'));
mkdirSync(path.join(home, 'Pictures'));
writeFileSync(path.join(home, 'Pictures', 'cat.jpg'), 'not really a photo');
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('import folders', () => {
  it('expands ~ and ~/ to the home folder, and nothing else', () => {
    expect(expandHome('~', home)).toBe(home);
    expect(expandHome('~/Pictures', home)).toBe(path.join(home, 'Pictures'));
    expect(expandHome('/srv/~/x', home)).toBe('/srv/~/x');
    expect(expandHome('~alice/x', home)).toBe('~alice/x');
  });

  it('accepts existing folders, ~ included, as absolute paths', () => {
    expect(checkImportFolders(['~/Pictures', ` ${home} `], home)).toEqual([path.join(home, 'Pictures'), home]);
  });

  it('refuses a file with the reason, and a missing folder by its path', () => {
    const file = path.join(home, 'Pictures', 'cat.jpg');
    expect(() => checkImportFolders([file], home)).toThrow(`not a folder: ${file} is a file`);
    expect(() => checkImportFolders([path.join(home, 'Pictres')], home)).toThrow(`no such folder: ${path.join(home, 'Pictres')}`);
  });
});
