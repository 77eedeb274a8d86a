// What the app says when library.sqlite itself is damaged or gone. Everything else in a library
// folder is derived (thumbnails, features and indexes are made again by importing the same
// folders); labels, marks, duplicate reviews and the models' records live only in this file, so
// the one way back to them is a backup copy of the folder.
import fs from 'node:fs';
import path from 'node:path';
import { ContractError } from '../../src-shared/contract.js';
import type { LibraryPaths } from '../common/library-paths.js';

const ONLY_HERE = 'labels, marks, duplicate reviews and the records of trained models live only in library.sqlite';

/** The error for a damaged catalog: the file, the way back, and what can be rebuilt without it. */
export function catalogDamaged(paths: LibraryPaths, cause: string): ContractError {
  return new ContractError(
    `the library's catalog ${paths.db} is damaged (${cause}). ` +
      `To restore it, quit Lookalike and copy library.sqlite from a backup copy of the folder ${paths.root} over it. ` +
      `Without a backup, move library.sqlite aside and import your folders again: thumbnails, features and the index are rebuilt, but ${ONLY_HERE}.`,
    'failed',
  );
}

/**
 * Said when library.sqlite is missing from a folder that holds what a library leaves behind
 * (thumbnails, trained models, features): an empty catalog is started, and the user is told how
 * to get the old one back. Null for a new library.
 */
export function missingCatalogNotice(paths: LibraryPaths): string | null {
  const thumbnails = countFiles(paths.thumbs, 2);
  const models = entries(paths.models).filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).length;
  const features = entries(paths.features).some((e) => e.isFile() && e.name.startsWith('features.sqlite'));
  if (thumbnails === 0 && models === 0 && !features) return null;
  const held = `${thumbnails} thumbnail${thumbnails === 1 ? '' : 's'} and ${models} model${models === 1 ? '' : 's'}`;
  return (
    `library.sqlite is missing from ${paths.root}, which holds ${held}: started an empty catalog. ` +
    `To get labels and marks back, quit Lookalike and restore library.sqlite from a backup copy of the folder; ` +
    `importing your folders again reuses the thumbnails and features, but ${ONLY_HERE}.`
  );
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Files in `dir` down to `depth` levels (thumbs/<hash[0:2]>/<hash>.webp). */
function countFiles(dir: string, depth: number): number {
  return entries(dir).reduce((n, e) => n + (e.isFile() ? 1 : e.isDirectory() && depth > 1 ? countFiles(path.join(dir, e.name), depth - 1) : 0), 0);
}
