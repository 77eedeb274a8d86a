// What is cached under a content hash (thumbnail, features, near-duplicate descriptor) must come
// from bytes with that hash. A photo read twice — hashed by the import, decoded again later by
// the CNN pass — may have been replaced in between, so every later read checks the bytes it
// decodes: a small file is read once into memory, hashed, and that same buffer is decoded; a
// large one is hashed before and after it is decoded from disk.
import fs from 'node:fs/promises';
import { fsPath, hasRawBytes } from './byte-paths.js';
import { hashBytes, hashFile, IN_MEMORY_LIMIT_BYTES } from './content-hash.js';
import { limiter } from './limiter.js';

/** Why a photo whose bytes no longer match its recorded hash was not embedded (an import's next round reads it). */
export const CONTENT_CHANGED = 'the file changed after it was hashed (replaced or edited meanwhile); nothing was kept from it, and the next import reads its new version';

/** The file's bytes are not those its hash was taken from: nothing may be cached under that hash. */
export class ContentChangedError extends Error {
  override readonly name = 'ContentChangedError';

  constructor(readonly path: string) {
    super(CONTENT_CHANGED);
  }
}

/** A library photo as the catalog knows it: where it is and the hash of the bytes imported. */
export interface KnownFile {
  path: string;
  hash: string;
}

/**
 * Runs `decode` on the content of `file.path`, and only if that content hashes to `file.hash`;
 * throws ContentChangedError otherwise. `decode` gets the bytes themselves, or, above
 * `inMemoryLimit`, the path (then the hash is taken again after the decode).
 */
export function decodeKnownFile<T>(
  file: KnownFile,
  decode: (source: Buffer | string) => Promise<T>,
  inMemoryLimit = IN_MEMORY_LIMIT_BYTES,
): Promise<T> {
  return held(() => readAndDecode(file, decode, inMemoryLimit));
}

/**
 * Photos between their read and the end of their decode at once. sharp decodes four at a time
 * (libuv's pool), while the CNN pass may start hundreds of decodes ahead of a GPU: without a
 * bound, each would hold its whole file in memory while it waits.
 */
const held = limiter(8);

async function readAndDecode<T>(file: KnownFile, decode: (source: Buffer | string) => Promise<T>, inMemoryLimit: number): Promise<T> {
  const { size } = await fs.stat(fsPath(file.path));
  // (A name that is not UTF-8 is read into memory: sharp opens files by string name only.)
  if (size <= inMemoryLimit || hasRawBytes(file.path)) {
    const bytes = await fs.readFile(fsPath(file.path));
    if (hashBytes(bytes) !== file.hash) throw new ContentChangedError(file.path);
    return decode(bytes);
  }
  await requireHash(file);
  const out = await decode(file.path);
  await requireHash(file);
  return out;
}

async function requireHash(file: KnownFile): Promise<void> {
  if ((await hashFile(file.path)).hash !== file.hash) throw new ContentChangedError(file.path);
}

export function isKnownFile(input: unknown): input is KnownFile {
  return typeof input === 'object' && input !== null && !Buffer.isBuffer(input) && 'hash' in input && 'path' in input;
}
