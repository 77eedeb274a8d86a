// Which library the desktop app opens: `--library DIR` on the command line, else
// LOOKALIKE_LIBRARY, else the one last chosen with "Open Library…" (remembered in the
// user-data folder), else the platform default.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const remembered = z.object({ library: z.string().min(1) });

/** The value of `--library DIR` or `--library=DIR`, if given. */
export function libraryFromArgv(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--library' && argv[i + 1]) return argv[i + 1];
    if (a.startsWith('--library=') && a.length > '--library='.length) return a.slice('--library='.length);
  }
  return null;
}

export function readRememberedLibrary(file: string): string | null {
  try {
    const parsed = remembered.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    // Only absolute paths: a relative one would depend on wherever the app was started from.
    return parsed.success && path.isAbsolute(parsed.data.library) ? parsed.data.library : null;
  } catch {
    return null;
  }
}

export function rememberLibrary(file: string, library: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ library }));
  fs.renameSync(tmp, file);
}

export function chooseLibrary(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  rememberedFile: string,
  platformDefault: () => string,
): string {
  const fromArgv = libraryFromArgv(argv);
  if (fromArgv) return path.resolve(fromArgv);
  const fromEnv = env.LOOKALIKE_LIBRARY?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return readRememberedLibrary(rememberedFile) ?? platformDefault();
}
