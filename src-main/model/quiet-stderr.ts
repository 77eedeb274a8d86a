// Native code that writes warnings straight to file descriptor 2, where no JavaScript can catch
// them: Dawn's OpenGL ES backend, asked for an adapter, prints "Warning: maxDynamic...
// artificially reduced from 90 to 16 to fit dynamic offset allocation limit" for limits no
// kernel here comes near. Such a call is made with descriptor 2 pointing at /dev/null for as long
// as it runs synchronously, then pointed back. LOOKALIKE_VERBOSE=1 keeps the warnings.
//
// Only on Linux, and only where stderr is a terminal or a pipe: Node cannot duplicate a
// descriptor, so the terminal or pipe is opened again through /proc/self/fd. A regular file (a
// log) is left alone: its reopened copy would write at its own offset, and a shell that shares
// the original would later write over those lines.
import fs from 'node:fs';

/** Whether the user asked to see everything native code prints. */
function verbose(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LOOKALIKE_VERBOSE === '1';
}

/** Runs `call` (its synchronous part) with native writes to stderr discarded; see above. */
export function withoutNativeStderr<T>(call: () => T, env: NodeJS.ProcessEnv = process.env): T {
  const saved = verbose(env) ? null : reopenStderr();
  if (saved === null) return call();
  // Descriptors are handed out lowest first: with 0 and 1 open, what is opened next takes 2.
  fs.closeSync(2);
  let blank: number | null = null;
  try {
    blank = fs.openSync('/dev/null', 'w');
    return call();
  } finally {
    if (blank !== null) fs.closeSync(blank);
    fs.openSync(`/proc/self/fd/${saved}`, 'a');
    fs.closeSync(saved);
  }
}

/** A second descriptor for stderr's terminal or pipe, or null where it cannot or must not be. */
function reopenStderr(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const kind = fs.fstatSync(2);
    if (!kind.isCharacterDevice() && !kind.isFIFO()) return null;
    fs.fstatSync(0);
    fs.fstatSync(1);
    return fs.openSync('/proc/self/fd/2', 'a');
  } catch {
    return null;
  }
}
