// Photos the CNN pass could not read (gone since their thumbnail was made, or unreadable by the
// decoder) become failed paths in the catalog, as the import's own failures are: they show in
// the failures list, the library stops counting them as "not embedded yet", and the next scan
// of their folder tries them again (or drops the record when the file is gone for good).
import { existsSync } from 'node:fs';
import type { Failure } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { fsPath } from '../common/byte-paths.js';
import type { IngestOp } from '../library/ingest-store.js';

/** Records the embedding pass's failures; returns them as the user should read them. */
export function recordEmbedFailures(catalog: Catalog, failed: readonly Failure[]): Failure[] {
  const ops: IngestOp[] = [];
  const out: Failure[] = [];
  for (const f of failed) {
    const error = existsSync(fsPath(f.path))
      ? `cannot be embedded: ${f.error}`
      : 'the file disappeared after its thumbnail was made, before it was embedded';
    out.push({ path: f.path, error });
    const state = catalog.ingest.pathState(f.path);
    if (state?.status !== 'live') continue;
    ops.push({ kind: 'failed', path: f.path, rootId: state.rootId, size: state.size, mtimeMs: state.mtimeMs, error });
  }
  catalog.ingest.apply(ops);
  return out;
}
