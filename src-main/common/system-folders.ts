// Folders that hold no photos but the kernel's own views (processes, devices, drivers): walking
// them reads without end (/proc/self/root is the whole file system again; /dev/zero never ends),
// so an import never enters them, whether named, reached through a link, or met below `/`.
import path from 'node:path';

/** Where Linux mounts its virtual file systems. */
export const SYSTEM_FOLDERS: readonly string[] = ['/proc', '/sys', '/dev'];

/** The system folder `p` (an absolute path) is or lies under, or null. */
export function systemFolderOf(p: string): string | null {
  if (process.platform === 'win32') return null;
  return SYSTEM_FOLDERS.find((dir) => isInsideFolder(p, dir)) ?? null;
}

/** Whether absolute path `p` is `dir` or lies below it. */
export function isInsideFolder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** The sentence an import gives for a system folder. */
export function systemFolderRefusal(given: string, dir: string): string {
  return `${given} is in ${dir}, the system's view of processes and devices, not a folder of photos: it is never imported`;
}
