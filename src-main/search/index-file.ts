// On disk an index is two files: the data (hnswlib's own format, or our packed matrix) and a
// small JSON sidecar that says which kind it is and holds what the data file does not (hnswlib
// forgets ef; it cannot tell deleted labels from live ones through its node API). A projected
// index packs its full vectors, projection and hnswlib graph into the one data file.
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import { PRIVATE_FILE_MODE, privateFile, privateFolder } from '../common/private-files.js';

const hnswSettings = z.object({
  M: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  ef: z.number().int().positive(),
  capacity: z.number().int().nonnegative(),
  /** Labels present in the hnswlib file but mark-deleted. */
  deleted: z.array(z.number().int().nonnegative()),
});

const projectedSettings = z.object({
  reducedDim: z.number().int().positive(),
  /** Graph candidates re-ranked exactly per query. */
  candidates: z.number().int().positive(),
  M: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  ef: z.number().int().positive(),
  /** Live vectors when the projection was fitted (0: not fitted yet, no graph). */
  fittedOn: z.number().int().nonnegative(),
  /** Byte lengths of the data file's parts, in order: full vectors, projection, graph. */
  vectorBytes: z.number().int().nonnegative(),
  projectionBytes: z.number().int().nonnegative(),
  graphBytes: z.number().int().nonnegative(),
});

const sidecarSchema = z.object({
  format: z.literal('lookalike-vector-index'),
  version: z.literal(1),
  kind: z.enum(['exact', 'hnsw', 'projected']),
  dim: z.number().int().positive(),
  /** Live vectors. */
  count: z.number().int().nonnegative(),
  /** Size of the data file, to catch a data file and sidecar from different saves. */
  dataBytes: z.number().int().nonnegative(),
  /**
   * CRC-32 of the data file: same-size garbage (a damaged disk, a stray write) otherwise loads
   * and answers with NaN scores. (CRC-32, not SHA-256: the index is saved after every chunk of
   * an import, and at ~700 MB/s against ~230 MB/s here it adds far less to a 500 MB save; it
   * guards against damage, not an attacker.) Absent in files saved before it was added.
   */
  crc32: z.number().int().nonnegative().optional(),
  hnsw: hnswSettings.optional(),
  projected: projectedSettings.optional(),
});

export type IndexSidecar = z.infer<typeof sidecarSchema>;
export type HnswSidecarSettings = z.infer<typeof hnswSettings>;
export type ProjectedSidecarSettings = z.infer<typeof projectedSettings>;

export function sidecarPath(file: string): string {
  return `${file}.json`;
}

export class IndexFileError extends Error {
  constructor(file: string, problem: string) {
    super(`cannot load vector index ${file}: ${problem}; rebuild it from the embeddings`);
    this.name = 'IndexFileError';
  }
}

function temporaryPath(file: string): string {
  const random = Math.random().toString(36).slice(2, 10);
  return join(dirname(file), `.${basename(file)}.${process.pid}.${random}.tmp`);
}

/** CRC-32 of a file, read in 4 MB slices (an index may be hundreds of MB). */
export function fileCrc32(path: string): number {
  let crc = 0;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) crc = zlib.crc32(buf.subarray(0, n), crc);
  } finally {
    closeSync(fd);
  }
  return crc;
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Saves data and sidecar so that a reader sees either the old pair or the new one: both are
 * written to temporary files beside the targets (same filesystem, so rename is atomic) and
 * renamed only once complete. A crash between the two renames leaves a mismatched pair, which
 * `readSidecar` detects through `dataBytes`.
 */
export function saveIndexFiles(
  file: string,
  writeData: (path: string) => void,
  sidecar: Omit<IndexSidecar, 'format' | 'version' | 'dataBytes' | 'crc32'>,
): void {
  mkdirSync(dirname(file), privateFolder);
  const dataTmp = temporaryPath(file);
  const sidecarTmp = temporaryPath(sidecarPath(file));
  try {
    writeData(dataTmp);
    if (process.platform !== 'win32') chmodSync(dataTmp, PRIVATE_FILE_MODE); // a native writer uses the umask
    fsyncFile(dataTmp);
    const full: IndexSidecar = { format: 'lookalike-vector-index', version: 1, ...sidecar, dataBytes: statSync(dataTmp).size, crc32: fileCrc32(dataTmp) };
    writeFileSync(sidecarTmp, JSON.stringify(full), privateFile);
    fsyncFile(sidecarTmp);
    renameSync(dataTmp, file);
    renameSync(sidecarTmp, sidecarPath(file));
  } catch (error) {
    for (const tmp of [dataTmp, sidecarTmp]) {
      try {
        unlinkSync(tmp);
      } catch {
        // already renamed or never written
      }
    }
    throw error;
  }
}

/** Writes byte arrays one after another into a new file at `path`, without joining them first. */
export function writeParts(path: string, parts: readonly Uint8Array[]): void {
  const fd = openSync(path, 'w', PRIVATE_FILE_MODE);
  try {
    for (const part of parts) {
      for (let written = 0; written < part.length;) written += writeSync(fd, part, written);
    }
  } finally {
    closeSync(fd);
  }
}

/** The sidecar of an index, checked against its data file (its checksum too when `verify`). */
export function readSidecar(file: string, verify = true): IndexSidecar {
  let text: string;
  try {
    text = readFileSync(sidecarPath(file), 'utf8');
  } catch (error) {
    throw new IndexFileError(file, `its sidecar ${sidecarPath(file)} cannot be read (${(error as Error).message})`);
  }
  let parsed: z.ZodSafeParseResult<IndexSidecar>;
  try {
    parsed = sidecarSchema.safeParse(JSON.parse(text));
  } catch {
    throw new IndexFileError(file, 'its sidecar is not valid JSON');
  }
  if (!parsed.success) throw new IndexFileError(file, `its sidecar is malformed (${parsed.error.message})`);
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    throw new IndexFileError(file, 'the data file is missing');
  }
  if (bytes !== parsed.data.dataBytes) {
    throw new IndexFileError(file, `the data file has ${bytes} bytes, its sidecar expects ${parsed.data.dataBytes} (interrupted save?)`);
  }
  if (verify && parsed.data.crc32 !== undefined && fileCrc32(file) !== parsed.data.crc32) {
    throw new IndexFileError(file, 'the data file does not match its checksum (damaged)');
  }
  return parsed.data;
}

/** Deletes an index's data file and sidecar (e.g. when its model version is dropped). */
export function deleteIndexFiles(file: string): void {
  for (const path of [file, sidecarPath(file)]) {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
