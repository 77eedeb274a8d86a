// The exportData and importLabels calls: one entry point the engine registers, each kind of
// export in its own module.
import path from 'node:path';
import { ContractError, type ExportResult, type LabelImportResult, type ParsedRequest } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { exportEmbeddings } from './embeddings-export.js';
import { exportImageFolder } from './imagefolder-export.js';
import { exportLabels, importLabels } from './labels-io.js';
import { exportModel } from './model-export.js';
import type { EmbeddingSource } from './model-vectors.js';

export class Exchange {
  constructor(
    private readonly catalog: Catalog,
    private readonly space: EmbeddingSource,
  ) {}

  async export(req: ParsedRequest<'exportData'>): Promise<ExportResult> {
    const out = path.resolve(req.out);
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

  importLabels(req: ParsedRequest<'importLabels'>): LabelImportResult {
    return importLabels(this.catalog, { path: req.path === undefined ? undefined : path.resolve(req.path), text: req.text });
  }
}
