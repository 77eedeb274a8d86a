// Which SQLite errors mean a damaged file ("database disk image is malformed", "file is not a
// database"), as opposed to a busy, full or read-only one.
export function isSqliteDamage(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}
