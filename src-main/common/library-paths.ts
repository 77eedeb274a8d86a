// Where a library lives on disk. One library is one folder; everything the app writes goes
// inside it, so copying the folder copies the library.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFolderPrivate, makeLibraryPrivate } from './private-files.js';

export interface LibraryPaths {
  /** The library folder itself (absolute). */
  root: string;
  /** The SQLite catalog. */
  db: string;
  /** WebP thumbnails, by content hash. */
  thumbs: string;
  /** Cached backbone features. */
  features: string;
  /** Trained heads, one folder per model id. */
  models: string;
  /** HNSW index files. */
  index: string;
}

const APP_FOLDER = 'Lookalike';

/**
 * The library folder to use when the user named none: `LOOKALIKE_LIBRARY` wins, else the
 * platform's per-user data folder (the same place Electron's `userData` points to).
 */
export function defaultLibraryDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const fromEnv = env.LOOKALIKE_LIBRARY;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  if (platform === 'win32') {
    const appData = env.APPDATA && env.APPDATA !== '' ? env.APPDATA : path.join(home, 'AppData', 'Roaming');
    return path.join(appData, APP_FOLDER);
  }
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, APP_FOLDER);
}

/** Absolute paths of everything inside a library folder, creating the folders unless `create` is false. */
export function libraryPaths(dir: string, create = true): LibraryPaths {
  const root = path.resolve(dir);
  const paths: LibraryPaths = {
    root,
    db: path.join(root, 'library.sqlite'),
    thumbs: path.join(root, 'thumbs'),
    features: path.join(root, 'features'),
    models: path.join(root, 'models'),
    index: path.join(root, 'index'),
  };
  if (!create) return paths;
  const folders = [paths.root, paths.thumbs, paths.features, paths.models, paths.index];
  const existed = fs.existsSync(root);
  for (const folder of folders) ensureFolder(folder);
  // Private, however old the library and whatever the umask (common/private-files.ts).
  if (existed) makeLibraryPrivate(root);
  for (const folder of folders) makeFolderPrivate(folder);
  return paths;
}

/** Whether an error says a file or folder cannot be written because the file system or its permissions say so. */
export function isReadOnlyError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_READONLY';
}

/** What the user is told about a library they can read but not change. */
export function readOnlyMessage(libraryDir: string): string {
  return `the library folder ${path.resolve(libraryDir)} is read-only: reading works, changes are refused`;
}

/**
 * Creates a folder and its missing parents, one at a time. Node's recursive mkdir can loop
 * forever where a folder cannot be made but its parent exists (inside /proc, for one): this fails.
 */
export function ensureFolder(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) {
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      fs.mkdirSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
