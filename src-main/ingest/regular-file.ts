// Reading a file a caller named (a query photo, a labels file): only a regular file, only up
// to a size cap, and never for long. A FIFO named here would otherwise block a read forever
// (and with it the engine's other calls); a device would stream without end.
import { constants, promises as fsp, type Stats } from 'node:fs';
import { ContractError } from '../../src-shared/contract.js';
import { fsPath } from '../common/byte-paths.js';

export interface ReadLimits {
  /** Largest file accepted, bytes. */
  maxBytes: number;
  /** Longest a read may take, ms (a hung network drive). */
  timeoutMs?: number;
  /** What the file is for, in messages ("labels file", "image"). */
  what?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** The largest photo read as a query (a 100-megapixel JPEG is ~50 MB). */
export const MAX_QUERY_IMAGE_BYTES = 200 * 1024 * 1024;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function codeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Throws a clear error unless `file` is a regular file within the size cap. */
export async function requireRegularFile(file: string, limits: ReadLimits): Promise<Stats> {
  const what = limits.what ?? 'file';
  let st: Stats;
  try {
    st = await fsp.stat(fsPath(file)); // stat never opens the file, so a FIFO cannot block it
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') throw new ContractError(`no such ${what}: ${file}`, 'not-found');
    if (code === 'EACCES' || code === 'EPERM') throw new ContractError(`permission denied: cannot read ${file}`, 'bad-request');
    throw new ContractError(`cannot read ${file} (${code ?? 'error'})`, 'bad-request');
  }
  if (!st.isFile()) throw new ContractError(`${file} is ${kindOf(st)}; only a regular file can be read as the ${what}`, 'bad-request');
  if (st.size > limits.maxBytes) {
    throw new ContractError(`${file} is ${st.size} bytes, over the ${limits.maxBytes}-byte limit for the ${what}`, 'bad-request');
  }
  return st;
}

/**
 * The bytes of a regular file. The file is opened non-blocking and checked again through the
 * open handle (it may have been swapped for a FIFO after the first check), read up to the cap
 * only, and the whole read gives up after `timeoutMs`.
 */
export async function readRegularFile(file: string, limits: ReadLimits): Promise<Buffer> {
  await requireRegularFile(file, limits);
  const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContractError(`reading ${file} took over ${timeoutMs / 1000} s; gave up`, 'failed')), timeoutMs);
  });
  try {
    return await Promise.race([readOpened(file, limits), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readOpened(file: string, limits: ReadLimits): Promise<Buffer> {
  const what = limits.what ?? 'file';
  const handle = await fsp.open(fsPath(file), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ContractError(`${file} is ${kindOf(st)}; only a regular file can be read as the ${what}`, 'bad-request');
    // Read to the end, not to the size stat gave: /proc files say 0 bytes and have more, and a
    // file may grow meanwhile. Past the cap the read stops.
    const parts: Buffer[] = [];
    let got = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size - got, 64 * 1024), 16 << 20));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > limits.maxBytes) throw new ContractError(`${file} grew over the ${limits.maxBytes}-byte limit for the ${what}`, 'bad-request');
      parts.push(chunk.subarray(0, bytesRead));
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  } finally {
    await handle.close();
  }
}

/** Throws a clear error unless `dir` is a folder (an import root). */
export async function requireFolder(dir: string): Promise<void> {
  let st: Stats;
  try {
    st = await fsp.stat(fsPath(dir));
  } catch (err) {
    if (codeOf(err) === 'ENOENT') throw new ContractError(`no such folder: ${dir}`, 'not-found');
    throw new ContractError(`cannot open ${dir} (${codeOf(err) ?? 'error'})`, 'bad-request');
  }
  if (!st.isDirectory()) throw new ContractError(`${dir} is ${st.isFile() ? 'a file' : kindOf(st)}, not a folder to import`, 'bad-request');
}
