// Imports photo folders into the catalog: scan, compare with what the catalog knows (only new,
// changed and failed files are read again), hash, decode a thumbnail, commit in small batches.
// Safe to kill at any point: every write is an idempotent upsert and a thumbnail appears only
// whole, so running again finishes the job with no duplicate and no lost file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Catalog } from '../library/catalog.js';
import { fsPath, hasRawBytes } from '../common/byte-paths.js';
import { isDiskFull } from '../common/disk-full.js';
import { systemFolderOf, systemFolderRefusal } from '../common/system-folders.js';
import { stageTimes } from '../common/stage-times.js';
import type { ImageFacts, PathState } from '../library/ingest-store.js';
import { BatchWriter } from './batch-writer.js';
import { CONTENT_CHANGED } from '../common/known-content.js';
import { hashBytes, hashFile, IN_MEMORY_LIMIT_BYTES } from '../common/content-hash.js';
import { ProgressReporter, type ImportProgress } from './progress.js';
import { describeFsError, scanFolder, type ScannedFile, type ScanResult } from './scan.js';
import { decodeAndThumbnail, DEFAULT_MAX_PIXELS, removeStaleThumbnailTemps, thumbnailPathFor } from './thumbnail.js';

export type { ImportProgress } from './progress.js';

export interface ImportOptions {
  signal?: AbortSignal;
  /** Throttled to about 10 calls a second, plus one at each phase change and at the end. */
  onProgress?: (p: ImportProgress) => void;
  /** Label each image with the name of the folder that holds it (ImageFolder layout). */
  labelsFromFolders?: boolean;
  /** Files in flight at once. sharp decodes on libuv's pool (4 threads), so a few suffice. */
  concurrency?: number;
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels?: number;
  /** Files larger than this are streamed through the hash and decoded from disk (default 64 MB). */
  inMemoryLimitBytes?: number;
  /**
   * Read and hash every file again, even those whose size and modification time are unchanged
   * (a plain re-scan trusts those two): catches content rewritten with its old time.
   */
  verify?: boolean;
}

export interface ImportResult {
  /** Files that became part of the library in this run (new or changed). */
  added: number;
  /** Files already imported and unchanged (same size and modification time). */
  unchanged: number;
  /** Files imported before and now gone from disk. */
  removed: number;
  /**
   * Hashes that files held before this run and no longer hold (their content changed). What is
   * cached under them may have been computed from the new content by a version that did not
   * check it, so the caller drops those caches (see common/known-content.ts).
   */
  replacedHashes: string[];
  /** Every file (or folder) under the roots that is not in the library, and why. */
  failed: { path: string; error: string }[];
  cancelled: boolean;
}


export const DEFAULT_IMPORT_CONCURRENCY = Math.max(2, Math.min(4, os.availableParallelism() + 1));

interface WorkItem extends ScannedFile {
  rootId: number;
  /** The image the path held before this run, if any. */
  before: number | null;
  /** Size and modification time as recorded (only re-read because of `verify`). */
  unchangedStat: boolean;
}

interface ScannedRoot {
  rootId: number;
  scan: ScanResult;
}

export async function runImport(catalog: Catalog, roots: string[], options: ImportOptions = {}): Promise<ImportResult> {
  const result: ImportResult = { added: 0, unchanged: 0, removed: 0, replacedHashes: [], failed: [], cancelled: false };
  const progress = new ProgressReporter(options.onProgress);
  const store = catalog.ingest;
  const writer = new BatchWriter(store);
  const labelOf = options.labelsFromFolders ? (file: string) => path.basename(path.dirname(file)) : undefined;
  await removeStaleThumbnailTemps(catalog.paths.thumbs);
  const libraryDir = await fs.realpath(catalog.paths.root);

  // ---- scan every root before touching the catalog: a cancelled scan changes nothing.
  const scanned: ScannedRoot[] = [];
  const rootPaths = new Set<string>();
  let foundBefore = 0;
  for (const root of roots) {
    const rootPath = await resolveRoot(root, result.failed);
    if (rootPath === undefined || rootPaths.has(rootPath)) continue;
    rootPaths.add(rootPath);
    const scanStart = performance.now();
    const scan = await scanFolder(rootPath, {
      signal: options.signal,
      onFound: (n) => progress.found(foundBefore + n),
      excludeDirs: [libraryDir],
    });
    stageTimes.add('scan', scanStart);
    if (scan.cancelled) return finish(result, progress, true);
    foundBefore += scan.files.length;
    scanned.push({ rootId: store.upsertRoot(rootPath), scan });
  }

  // ---- compare with the catalog: settle unchanged and vanished files, queue the rest.
  const work: WorkItem[] = [];
  const unchangedLabels: { path: string; label: string }[] = [];
  const handled = new Set<string>(); // nested roots meet the same files twice
  for (const { rootId, scan } of scanned) {
    const known = store.pathsOfRoot(rootId);
    const seen = new Set<string>();
    for (const file of scan.files) {
      seen.add(file.path);
      if (handled.has(file.path)) continue;
      handled.add(file.path);
      const before: PathState | undefined = known.get(file.path) ?? store.pathState(file.path);
      const same = before?.status === 'live' && before.size === file.size && before.mtimeMs === file.mtimeMs;
      if (same && !options.verify) {
        result.unchanged += 1;
        if (labelOf) unchangedLabels.push({ path: file.path, label: labelOf(file.path) });
      } else {
        work.push({ ...file, rootId, before: before?.imageId ?? null, unchangedStat: same });
      }
    }
    for (const issue of [...scan.issues, ...scan.unreadableDirs]) {
      seen.add(issue.path);
      if (handled.has(issue.path)) continue;
      handled.add(issue.path);
      result.failed.push(issue);
      writer.push({ kind: 'failed', path: issue.path, rootId, size: 0, mtimeMs: 0, error: issue.error });
    }
    writer.flush();
    result.removed += store.reconcileRoot(rootId, seen, scan.unreadableDirs.map((d) => d.path));
  }
  if (unchangedLabels.length > 0) store.labelPaths(unchangedLabels);

  // ---- import what is new, changed or failed before.
  work.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = result.unchanged + result.failed.length + work.length;
  progress.startImport(total, result.unchanged + result.failed.length, result.failed.length);
  const importer = new FileImporter(catalog, options.maxPixels ?? DEFAULT_MAX_PIXELS, options.inMemoryLimitBytes ?? IN_MEMORY_LIMIT_BYTES);
  let next = 0;
  const concurrency = Math.max(1, Math.trunc(options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY));
  // Set when a worker stops on an error no photo is to blame for (a full disk): the others stop too.
  let stopped = false;
  const worker = async (): Promise<void> => {
    try {
      await importEach();
    } catch (err) {
      stopped = true;
      throw err;
    }
  };
  const importEach = async (): Promise<void> => {
    while (next < work.length && !options.signal?.aborted && !stopped) {
      const item = work[next++];
      const outcome = await importer.importFile(item);
      if ('error' in outcome) {
        result.failed.push({ path: item.path, error: outcome.error });
        writer.push({ kind: 'failed', path: item.path, rootId: item.rootId, size: item.size, mtimeMs: item.mtimeMs, error: outcome.error });
      } else {
        const oldHash = item.before === null ? undefined : catalog.getImage(item.before)?.contentHash;
        if (oldHash !== undefined && oldHash !== outcome.contentHash) result.replacedHashes.push(oldHash);
        if (item.unchangedStat && oldHash === outcome.contentHash) result.unchanged += 1;
        else result.added += 1;
        const label = labelOf?.(item.path);
        stageTimes.time('catalog writes', () =>
          writer.push({ kind: 'live', path: item.path, rootId: item.rootId, size: outcome.size, mtimeMs: item.mtimeMs, image: outcome, label }),
        );
      }
      progress.fileDone('error' in outcome);
    }
  };
  try {
    const ends = await Promise.allSettled(Array.from({ length: Math.min(concurrency, Math.max(1, work.length)) }, worker));
    const failure = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    stageTimes.time('catalog writes', () => writer.flush());
  }
  const cancelled = options.signal?.aborted === true && next < work.length;
  if (!cancelled) for (const { rootId } of scanned) store.markRootScanned(rootId);
  return finish(result, progress, cancelled);
}

function finish(result: ImportResult, progress: ProgressReporter, cancelled: boolean): ImportResult {
  result.cancelled = cancelled;
  result.failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  progress.finish();
  return result;
}

/** The root's real path, or undefined (with a failure entry) when it is not a readable folder. */
async function resolveRoot(root: string, failed: ImportResult['failed']): Promise<string | undefined> {
  const absolute = path.resolve(root);
  try {
    const real = await fs.realpath(absolute);
    const system = systemFolderOf(absolute) ?? systemFolderOf(real);
    if (system !== null) {
      failed.push({ path: absolute, error: systemFolderRefusal(absolute, system) });
      return undefined;
    }
    if (!(await fs.stat(real)).isDirectory()) {
      failed.push({ path: absolute, error: 'not a folder' });
      return undefined;
    }
    return real;
  } catch (err) {
    const missing = typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
    failed.push({ path: absolute, error: missing ? 'folder not found' : describeFsError(err, 'folder') });
    return undefined;
  }
}

type FileOutcome = ImageFacts | { error: string };

/** Reads, hashes and decodes one file; never throws (a failure is an outcome). */
class FileImporter {
  // Content seen in this run: the same bytes at two paths are decoded once.
  private readonly byHash = new Map<string, Promise<ImageFacts>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly maxPixels: number,
    private readonly inMemoryLimit: number,
  ) {}

  async importFile(item: WorkItem): Promise<FileOutcome> {
    if (item.size === 0) return { error: 'the file is empty (0 bytes)' };
    let source: Buffer | string;
    let contentHash: string;
    let size: number;
    const hashStart = performance.now();
    try {
      // (A name that is not UTF-8 is read into memory: sharp opens files by string name only.)
      if (item.size > this.inMemoryLimit && !hasRawBytes(item.path)) {
        ({ hash: contentHash, size } = await hashFile(item.path));
        source = item.path;
      } else {
        source = await fs.readFile(fsPath(item.path));
        size = source.length;
        contentHash = hashBytes(source);
      }
    } catch (err) {
      return { error: describeFsError(err, 'file') };
    } finally {
      stageTimes.add('hash', hashStart);
    }
    if (size === 0) return { error: 'the file is empty (0 bytes)' };
    let facts = this.byHash.get(contentHash);
    if (!facts) {
      facts = this.describe(contentHash, source, size);
      this.byHash.set(contentHash, facts);
    }
    try {
      const described = await facts;
      // A large file is decoded from disk after its hash was taken: the thumbnail is kept
      // under that hash only if the file still holds those bytes.
      if (typeof source === 'string' && (await hashFile(source)).hash !== contentHash) {
        this.byHash.delete(contentHash);
        await fs.rm(thumbnailPathFor(this.catalog.paths.thumbs, contentHash), { force: true });
        return { error: CONTENT_CHANGED };
      }
      return { ...described, size };
    } catch (err) {
      // A full disk is no fault of this photo: the import stops (the next one takes it up).
      if (isDiskFull(err)) throw err;
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async describe(contentHash: string, source: Buffer | string, size: number): Promise<ImageFacts> {
    const thumbPath = thumbnailPathFor(this.catalog.paths.thumbs, contentHash);
    const known = this.catalog.ingest.imageFactsByHash(contentHash);
    if (known && (await exists(thumbPath))) return known;
    const start = performance.now();
    const decoded = await decodeAndThumbnail(source, thumbPath, this.maxPixels);
    stageTimes.add('decode+thumbnail', start);
    return { contentHash, size, ...decoded };
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
