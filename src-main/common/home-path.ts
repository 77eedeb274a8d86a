// `~` in a path the user typed: shells expand it, and a path typed into the page or sent to
// the API must mean the same.
import os from 'node:os';
import path from 'node:path';

/** `~` and `~/x` name the home folder of the user the engine runs as; nothing else changes. */
export function expandHome(p: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}
