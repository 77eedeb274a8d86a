import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLibraryDir, libraryPaths } from '../../../src-main/common/library-paths.js';

describe('defaultLibraryDir', () => {
  const home = '/home/ann';
  it('prefers LOOKALIKE_LIBRARY', () => {
    expect(defaultLibraryDir({ LOOKALIKE_LIBRARY: '/data/lib', XDG_CONFIG_HOME: '/x' }, 'linux', home)).toBe('/data/lib');
  });
  it('uses the platform user-data folder', () => {
    expect(defaultLibraryDir({}, 'linux', home)).toBe('/home/ann/.config/Lookalike');
    expect(defaultLibraryDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', home)).toBe('/cfg/Lookalike');
    expect(defaultLibraryDir({}, 'darwin', home)).toBe('/home/ann/Library/Application Support/Lookalike');
    expect(defaultLibraryDir({ APPDATA: '/appdata' }, 'win32', home)).toBe(path.join('/appdata', 'Lookalike'));
  });
});

describe('libraryPaths', () => {
  it('returns absolute paths and creates the folders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-paths-'));
    const paths = libraryPaths(path.relative(process.cwd(), path.join(dir, 'lib')));
    expect(paths.root).toBe(path.join(dir, 'lib'));
    expect(paths.db).toBe(path.join(dir, 'lib', 'library.sqlite'));
    for (const folder of [paths.thumbs, paths.features, paths.models, paths.index]) {
      expect(path.isAbsolute(folder)).toBe(true);
      expect(fs.statSync(folder).isDirectory()).toBe(true);
    }
    fs.rmSync(dir, { recursive: true });
  });
});
