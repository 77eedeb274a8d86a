// The exportData and importLabels calls: one entry point the engine registers, each kind of
// export in its own module.
import path from 'node:path';
import { ContractError, type ExportResult, type LabelImportResult, type ParsedRequest } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { exportEmbeddings } from './embeddings-export.js';
import { exportImageFolder } from './imagefolder-export.js';
import { exportLabels, importLabels } from './labels-io.js';
import { exportModel } from './model-export.js';
import type { EmbeddingSource } from '../library/model-vectors.js';
import type { ModelFolders } from '../learn/model-folders.js';
import { readRegularFile } from '../ingest/regular-file.js';
import { checkExportTarget, exportPath } from './export-target.js';

/** A labels file larger than this is not one a person made (a million rows is ~100 MB). */
const MAX_LABELS_FILE_BYTES = 256 * 1024 * 1024;

/** The vectors the exports read, and the model folders a model export copies from. */
export interface ExportSource extends EmbeddingSource {
  readonly folders: ModelFolders;
}

export class Exchange {
  constructor(
    private readonly catalog: Catalog,
    private readonly space: ExportSource,
  ) {}

  async export(req: ParsedRequest<'exportData'>): Promise<ExportResult> {
    const out = exportPath(req.out);
    checkExportTarget(req.kind, out, req.force ?? false);
    const model = req.model === undefined ? this.space.activeModelId : req.model;
    if (model !== null && !this.catalog.getModel(model)) throw new ContractError(`no model #${model}`, 'not-found');
    switch (req.kind) {
      case 'labels':
        return { kind: 'labels', written: [out], count: exportLabels(this.catalog, out), failed: [] };
      case 'embeddings':
        return { kind: 'embeddings', ...(await exportEmbeddings(this.catalog, this.space, out, model)), failed: [] };
      case 'imagefolder':
        return { kind: 'imagefolder', ...exportImageFolder(this.catalog, out, req.copy ?? false) };
      case 'model': {
        if (model === null) throw new ContractError('the pretrained space has no trained head to export: train a model first', 'conflict');
        const written = await exportModel(this.space.folders.dir(model), model, out);
        return { kind: 'model', written, count: 1, failed: [] };
      }
    }
  }

  async importLabels(req: ParsedRequest<'importLabels'>): Promise<LabelImportResult> {
    if (req.text !== undefined) return importLabels(this.catalog, req.text);
    const file = path.resolve(req.path!);
    const bytes = await readRegularFile(file, { maxBytes: MAX_LABELS_FILE_BYTES, what: 'labels file' });
    return importLabels(this.catalog, bytes.toString('utf8'), path.extname(file).toLowerCase() === '.json');
  }
}
