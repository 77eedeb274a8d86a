// A full disk is not a bug to show as a stack trace: whatever was being written (SQLite's
// SQLITE_FULL, a file's ENOSPC or EDQUOT, sharp's "No space left on device") stops the work,
// what was committed stays, and the user is told what to do.

/** Whether an error says the disk (or the user's quota) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return true;
  const message = err instanceof Error ? err.message : String(err);
  return /no space left on device|database or disk is full|disk quota exceeded/i.test(message);
}

/** What the user is told when work on a library stopped on a full disk. */
export function diskFullMessage(libraryDir: string, work = 'the import'): string {
  return `the disk holding ${libraryDir} is full: free space and run ${work} again; nothing was lost`;
}
