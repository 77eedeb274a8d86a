// Finds the photo files under a folder. Skips hidden and system folders, follows symbolic
// links only while they stay inside the folder (a link leading outside it, /proc, /sys or /dev
// included, is an issue, not followed), never loops (each directory is entered once, by its
// real path, so a link back up the tree leads nowhere), and never stops on a file or folder
// that vanishes or cannot be read: those become issues in the result.
import type { Dirent, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_EXTENSIONS } from '../common/media-files.js';
import { fsPath, joinName, nameFromBytes } from '../common/byte-paths.js';
import { isInsideFolder, SYSTEM_FOLDERS, systemFolderOf } from '../common/system-folders.js';

/** Folders that hold no user photos: OS, NAS and tool bookkeeping (matched case-insensitively). */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  'node_modules', '$recycle.bin', 'system volume information', '@eadir', '#recycle', '#snapshot',
  'lost+found', '__macosx', '$windows.~bt', '$windows.~ws',
]);

export interface ScannedFile {
  /** Absolute path, below the root's real path. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ScanIssue {
  path: string;
  error: string;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Image-named entries that are not readable files (broken links, FIFOs, vanished files). */
  issues: ScanIssue[];
  /** Folders that could not be listed: their contents are unknown, not gone. */
  unreadableDirs: ScanIssue[];
  cancelled: boolean;
}

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called with the running count of image files found. */
  onFound?: (found: number) => void;
  /** Real paths of folders never to enter (the library itself, so thumbnails are not imported). */
  excludeDirs?: readonly string[];
}

export function isImageFileName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

export function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || SKIPPED_FOLDERS.has(name.toLowerCase());
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export function describeFsError(err: unknown, what: 'file' | 'folder'): string {
  switch (errorCode(err)) {
    case 'ENOENT': return `the ${what} disappeared while importing`;
    case 'EACCES':
    case 'EPERM': return `permission denied: cannot read this ${what}`;
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'EIO': return `input/output error reading this ${what} (failing disk or network drive?)`;
    default: return `cannot read this ${what}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

// Stat calls in flight per directory: enough to hide latency, few enough for slow drives.
const STAT_PARALLELISM = 32;

export async function scanFolder(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = { files: [], issues: [], unreadableDirs: [], cancelled: false };
  // Excluded folders count as already visited: the walk then never enters them.
  const visited = new Set<string>([...(options.excludeDirs ?? []), ...SYSTEM_FOLDERS]);
  const start = path.resolve(root);
  const realRoot = nameFromBytes(await fs.realpath(fsPath(start), { encoding: 'buffer' }).catch(() => Buffer.from(start)));
  const pending: string[] = [start];

  while (pending.length > 0) {
    if (options.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    const dir = pending.pop() as string;
    let entries: Dirent<Buffer>[];
    try {
      // Names are read as bytes: a name that is not UTF-8 would otherwise come back mangled
      // and never open again (common/byte-paths.ts says how it is kept).
      const real = nameFromBytes(await fs.realpath(fsPath(dir), { encoding: 'buffer' }));
      if (visited.has(real)) continue; // a link back up the tree, or a second link to a folder
      visited.add(real);
      entries = await fs.readdir(fsPath(dir), { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      result.unreadableDirs.push({ path: dir, error: describeFsError(err, 'folder') });
      continue;
    }
    for (let i = 0; i < entries.length; i += STAT_PARALLELISM) {
      const batch = entries.slice(i, i + STAT_PARALLELISM);
      await Promise.all(batch.map((entry) => visitEntry(realRoot, dir, entry, pending, result)));
      options.onFound?.(result.files.length);
    }
  }
  return result;
}

function hasKnownType(entry: Dirent<Buffer>): boolean {
  return entry.isFile() || entry.isDirectory() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() ||
    entry.isBlockDevice() || entry.isCharacterDevice();
}

async function visitEntry(root: string, dir: string, entry: Dirent<Buffer>, pending: string[], result: ScanResult): Promise<void> {
  const name = nameFromBytes(entry.name);
  const full = joinName(dir, entry.name);
  if (entry.isDirectory()) {
    if (!isSkippedFolder(name)) pending.push(full);
    return;
  }
  const looksLikeImage = isImageFileName(name);
  // Links, and entries whose type the file system did not report (some network and FUSE
  // file systems), must be stat'ed to know whether they are folders.
  const mustStat = entry.isSymbolicLink() || !hasKnownType(entry);
  if (!mustStat && !looksLikeImage) return;
  let stats: Stats;
  try {
    stats = await fs.stat(fsPath(full)); // follows links
  } catch (err) {
    if (!looksLikeImage) return;
    const error = entry.isSymbolicLink() && errorCode(err) === 'ENOENT'
      ? 'broken symbolic link: its target does not exist'
      : describeFsError(err, 'file');
    result.issues.push({ path: full, error });
    return;
  }
  if (entry.isSymbolicLink() && (stats.isDirectory() || looksLikeImage)) {
    const outside = await linkLeavesFolder(full, root);
    if (outside !== null) {
      if (!stats.isDirectory() || !isSkippedFolder(name)) result.issues.push({ path: full, error: outside });
      return;
    }
  }
  if (stats.isDirectory()) {
    if (!isSkippedFolder(name)) pending.push(full);
  } else if (!looksLikeImage) {
    return;
  } else if (!stats.isFile()) {
    // Reading a FIFO would block the import forever; devices and sockets are not photos.
    result.issues.push({ path: full, error: 'not a regular file (a pipe, socket or device)' });
  } else {
    result.files.push({ path: full, size: stats.size, mtimeMs: stats.mtimeMs });
  }
}

/**
 * Why the link `full` is not followed (it resolves outside the folder being imported, or into
 * /proc, /sys or /dev), or null when it stays inside.
 */
async function linkLeavesFolder(full: string, root: string): Promise<string | null> {
  let target: string;
  try {
    target = nameFromBytes(await fs.realpath(fsPath(full), { encoding: 'buffer' }));
  } catch (err) {
    return describeFsError(err, 'file');
  }
  const system = systemFolderOf(target);
  if (system !== null) return `a symbolic link into ${system} (${target}), which is never imported`;
  if (isInsideFolder(target, root)) return null;
  return `a symbolic link to ${target}, outside the imported folder: not followed (import that folder itself to add it)`;
}
