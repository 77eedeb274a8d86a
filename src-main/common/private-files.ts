// A library is private: its catalog, features, thumbnails, models and index say what a person's
// photos are, so every file in it is created 0600 and every folder 0700 (as the lock already
// is), whatever the umask. Modes given at creation can only lose bits to the umask, never gain
// them; the library's own folders are set exactly. A library made by an earlier version (0644
// files, 0755 folders) is made private when it is opened.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/** Options for fs.writeFile/mkdir calls that create library files and folders. */
export const privateFile = { mode: PRIVATE_FILE_MODE } as const;
export const privateFolder = { recursive: true, mode: PRIVATE_FOLDER_MODE } as const;

const supported = process.platform !== 'win32';

/**
 * Creates `file` (empty) with mode 0600 unless it exists, for files another library opens by
 * name: SQLite creates a database's -wal and -shm files with the database file's own mode.
 */
export function createPrivateFile(file: string): void {
  if (fs.existsSync(file)) return;
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Sets a folder's mode to exactly 0700 (a read-only library is left as it is). */
export function makeFolderPrivate(dir: string): void {
  if (!supported) return;
  try {
    if ((fs.statSync(dir).mode & 0o777) !== PRIVATE_FOLDER_MODE) fs.chmodSync(dir, PRIVATE_FOLDER_MODE);
  } catch {
    // not ours to change (read-only media, another owner): reading still works
  }
}

/**
 * Takes group and other access away from everything under `root` (links are not followed).
 * Walks the tree only when `root` itself was open to others: a library made private once stays
 * so (its files are created private), and a large one is not walked on every start. The root
 * goes first: where the file system keeps no modes (FAT, some network drives) nothing is walked,
 * and a walk cut short leaves its files inside a folder only the owner can enter.
 */
export function makeLibraryPrivate(root: string): void {
  if (!supported) return;
  const openToOthers = () => {
    try {
      return (fs.statSync(root).mode & 0o077) !== 0;
    } catch {
      return false;
    }
  };
  if (!openToOthers()) return;
  restrict(root, PRIVATE_FOLDER_MODE);
  if (openToOthers()) return;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    if (dir !== root) restrict(dir, PRIVATE_FOLDER_MODE);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) restrict(full, PRIVATE_FILE_MODE);
    }
  }
}

function restrict(p: string, mode: number): void {
  try {
    const st = fs.lstatSync(p);
    if ((st.mode & 0o077) !== 0) fs.chmodSync(p, (st.mode & 0o700) | (mode & 0o700));
  } catch {
    // vanished meanwhile, or not ours: leave it
  }
}
