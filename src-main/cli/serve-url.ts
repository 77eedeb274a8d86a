// Where a running `lookalike serve` leaves its URL (with the token), so a user who lost the
// terminal line can get it again with `lookalike serve --print-url`. The file is readable by
// its owner only (the token is the only lock on the door) and is removed when serve stops.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = 'serve-url.json';

interface Record {
  url: string;
  pid: number;
}

export function writeServeUrl(library: string, url: string): void {
  writeFileSync(path.join(library, FILE), JSON.stringify({ url, pid: process.pid } satisfies Record), { mode: 0o600 });
}

export function removeServeUrl(library: string): void {
  rmSync(path.join(library, FILE), { force: true });
}

/** The URL of the serve running for this library, or null when none runs. */
export function readServeUrl(library: string): string | null {
  let record: Record;
  try {
    record = JSON.parse(readFileSync(path.join(library, FILE), 'utf8')) as Record;
  } catch {
    return null;
  }
  return typeof record.url === 'string' && alive(record.pid) ? record.url : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as { code?: string }).code === 'EPERM';
  }
}
