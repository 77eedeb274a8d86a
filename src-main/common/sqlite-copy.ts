// A SQLite library file in a folder that cannot be written (a read-only mount, another user's
// folder): SQLite cannot open a WAL database there when its -shm file is missing and cannot be
// made (a cleanly closed library), so the file is read into memory, marked as a rollback-journal
// database in the copy's header (bytes 18-19: WAL is 2, rollback 1), and opened from there.
import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * The database in `file`, opened from a copy in memory. With `readonly`, every write is refused
 * (SQLITE_READONLY); without it, writes change the copy only and vanish with it.
 */
export function openSqliteCopy(file: string, opts: { readonly: boolean }): Database.Database {
  const copy = fs.readFileSync(file);
  if (copy.length >= 20) copy[18] = copy[19] = 1;
  return new Database(copy, { readonly: opts.readonly });
}

/** Whether files can be created and written in `dir` (false on a read-only mount or without permission). */
export function canWriteIn(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
