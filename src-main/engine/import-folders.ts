// The folders an import is asked for, checked before a job starts, so a typo gets its reason at
// once ("not a folder", "no such folder") instead of a finished job with "1 failed".
import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContractError } from '../../src-shared/contract.js';
import { expandHome } from '../common/home-path.js';
import { systemFolderOf, systemFolderRefusal } from '../common/system-folders.js';

export { expandHome };

/** Absolute, home-expanded paths of existing folders; throws with the first one that is not. */
export function checkImportFolders(paths: readonly string[], home = os.homedir()): string[] {
  return paths.map((given) => {
    const p = path.resolve(expandHome(given.trim(), home));
    let isDir: boolean;
    let real: string;
    try {
      isDir = statSync(p).isDirectory();
      real = realpathSync(p);
    } catch {
      throw new ContractError(`no such folder: ${p}`, 'not-found');
    }
    const system = systemFolderOf(p) ?? systemFolderOf(real);
    if (system !== null) throw new ContractError(systemFolderRefusal(p, system), 'bad-request');
    if (!isDir) throw new ContractError(`not a folder: ${p} is a file; give the folder that holds your photos`, 'bad-request');
    return p;
  });
}
