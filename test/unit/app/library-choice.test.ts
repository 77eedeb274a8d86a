// Which library the desktop app opens, and that "Open Library…" is remembered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseLibrary, libraryFromArgv, readRememberedLibrary, rememberLibrary } from '../../../src-main/app/library-choice.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-choice-'));

describe('library choice', () => {
  it('reads --library DIR and --library=DIR', () => {
    expect(libraryFromArgv(['electron', '.', '--library', '/a'])).toBe('/a');
    expect(libraryFromArgv(['Lookalike', '--library=/b'])).toBe('/b');
    expect(libraryFromArgv(['Lookalike', '--library'])).toBeNull();
    expect(libraryFromArgv(['Lookalike'])).toBeNull();
  });

  it('prefers the command line, then LOOKALIKE_LIBRARY, then the remembered one, then the default', () => {
    const file = path.join(tmp(), 'library.json');
    const dflt = () => '/default';
    expect(chooseLibrary([], {}, file, dflt)).toBe('/default');
    rememberLibrary(file, '/remembered');
    expect(readRememberedLibrary(file)).toBe('/remembered');
    expect(chooseLibrary([], {}, file, dflt)).toBe('/remembered');
    expect(chooseLibrary([], { LOOKALIKE_LIBRARY: '/env' }, file, dflt)).toBe(path.resolve('/env'));
    expect(chooseLibrary(['--library', '/cli'], { LOOKALIKE_LIBRARY: '/env' }, file, dflt)).toBe(path.resolve('/cli'));
  });

  it('ignores a remembered library that is malformed or relative', () => {
    const file = path.join(tmp(), 'library.json');
    for (const junk of ['{', '{"library":5}', '{"library":""}', '{"library":"relative/dir"}']) {
      fs.writeFileSync(file, junk);
      expect(chooseLibrary([], {}, file, () => '/default'), junk).toBe('/default');
    }
  });
});
