import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

let cached: string | undefined;

/** The app's version, from the package manifest at the repository or app root. */
export function appVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lookalike' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here; look one folder up
    }
    dir = path.dirname(dir);
  }
  return (cached = '0.0.0');
}
