// File names are bytes on Linux, not always UTF-8 (old Latin-1 archives: "caf\xe9.jpg"; broken
// copies: "\xff.jpg"). The app keeps paths as strings (catalog, contract, JSON), so a name that
// is not valid UTF-8 is stored with each byte that does not decode written as one character of
// U+EF80..U+EFFF, a private-use block no real name uses — the "UTF-8B" mapping MirOS's OPTU-8
// uses. A valid name that happens to contain those characters has their bytes escaped too, so
// the mapping is exact both ways. `fsPath` gives back the bytes for every file-system call;
// such a path shows with placeholder glyphs where the odd bytes were.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ESCAPE_BASE = 0xef00;
const isEscape = (cp: number) => cp >= 0xef80 && cp <= 0xefff;
const fatal = new TextDecoder('utf-8', { fatal: true });

/** Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** A file name's bytes as the string the app stores. */
export function nameFromBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = sequenceLength(bytes[i]);
    let text: string | null = null;
    if (n > 0 && i + n <= bytes.length) {
      try {
        text = fatal.decode(bytes.subarray(i, i + n));
      } catch {
        text = null;
      }
    }
    if (text !== null && !isEscape(text.codePointAt(0)!)) {
      out += text;
      i += n;
    } else if (text !== null) {
      for (let k = 0; k < n; k++) out += String.fromCharCode(ESCAPE_BASE + bytes[i + k]);
      i += n;
    } else {
      out += String.fromCharCode(ESCAPE_BASE + bytes[i]);
      i += 1;
    }
  }
  return out;
}

/** True when `p` holds bytes that are not UTF-8 (it must go to the file system as a Buffer). */
export function hasRawBytes(p: string): boolean {
  for (let i = 0; i < p.length; i++) if (isEscape(p.charCodeAt(i))) return true;
  return false;
}

/** What to hand node:fs for a stored path: the string itself, or its exact bytes. */
export function fsPath(p: string): string | Buffer {
  if (!hasRawBytes(p)) return p;
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of p) {
    const cp = ch.codePointAt(0)!;
    if (isEscape(cp)) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(cp - ESCAPE_BASE));
    } else run += ch;
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** `dir` joined with an entry name read as bytes. */
export function joinName(dir: string, name: Uint8Array): string {
  return path.join(dir, nameFromBytes(name));
}

/** The file:// URL of a stored path, with its exact bytes percent-encoded (Electron's net.fetch). */
export function fileUrlOf(p: string): string {
  if (!hasRawBytes(p)) return pathToFileURL(p).href;
  const bytes = fsPath(path.resolve(p)) as Buffer;
  let out = 'file://';
  for (const b of bytes) out += /[A-Za-z0-9\-._~/]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Reads this process's command line as bytes (Linux), or null where there is none to read. */
function procCmdline(): Buffer | null {
  try {
    return readFileSync('/proc/self/cmdline');
  } catch {
    return null;
  }
}

/**
 * The command's arguments as the app stores paths. Node decodes argv as UTF-8 and puts U+FFFD
 * where bytes do not decode, so `similar $'bad\xff\xfe.jpg'` named no file and matched no photo.
 * Linux keeps the exact bytes in /proc/self/cmdline: its last `args.length` entries are these
 * arguments (checked: each decodes to the string Node gave), mapped as `nameFromBytes` maps
 * names. Elsewhere, or when anything disagrees, the arguments stay as Node gave them.
 */
export function exactArgs(args: readonly string[], cmdline: () => Buffer | null = procCmdline): string[] {
  if (!args.some((a) => /[\uFFFD\uEF80-\uEFFF]/.test(a))) return [...args];
  const raw = cmdline();
  if (!raw) return [...args];
  const parts: Buffer[] = [];
  for (let start = 0; start < raw.length; ) {
    const end = raw.indexOf(0, start);
    parts.push(raw.subarray(start, end < 0 ? raw.length : end));
    start = end < 0 ? raw.length : end + 1;
  }
  const tail = parts.slice(parts.length - args.length);
  if (tail.length !== args.length || tail.some((b, i) => b.toString('utf8') !== args[i])) return [...args];
  return tail.map((b) => nameFromBytes(b));
}
