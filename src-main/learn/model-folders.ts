// The one owner of trained models on disk: models/<id>/ holds a head (head.json, weights.bin)
// and, for a deeply fine-tuned model, its backbone tail (tail.json, tail.bin). A model's folder
// is written whole under a temporary name and renamed into place, so a killed process leaves
// either no folder or a complete one. The train job, the engine and the exports all go through
// here; nothing else builds a model's path.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BackboneTail, NamedWeight } from './backbone-tail.js';
import type { Head } from './head.js';
import type { WholeCnn } from './whole-cnn.js';
import { modelFilesProblem } from './model-check.js';
import { HEAD_META_FILE, hasTail, hasWholeCnn } from './model-files.js';
import { privateFolder } from '../common/private-files.js';

/** What a trained model is made of when loaded: its head, and its tail or whole CNN when it has one. */
export interface LoadedModel {
  head: Head;
  tail: BackboneTail | null;
  /** Its own whole CNN (trained from pixels) and the input side it was trained at. */
  cnn: { net: WholeCnn; inputSize: number } | null;
}

/** What training produced, to be written as a model version. */
export interface ModelToSave {
  head: Head;
  tail?: { weights: NamedWeight[]; backboneVersion: string } | null;
  cnn?: { weights: NamedWeight[]; backboneVersion: string; inputSize: number } | null;
}

export class ModelFolders {
  /** `root` is the library's models/ folder. */
  constructor(readonly root: string) {}

  dir(id: number): string {
    return path.join(this.root, String(id));
  }

  /** Whether model `id`'s files are in place (its head, at least). */
  exists(id: number): boolean {
    return existsSync(path.join(this.dir(id), HEAD_META_FILE));
  }

  /** What is wrong with model `id`'s files ("weights.bin is truncated: … in DIR"), or null; needs no tfjs. */
  problem(id: number): string | null {
    const problem = modelFilesProblem(this.dir(id));
    return problem && `${problem}, in ${this.dir(id)}`;
  }

  /** Whether model `id` has its own backbone tail or whole CNN (so its features differ from the pretrained ones). */
  hasOwnFeatures(id: number): boolean {
    return hasTail(this.dir(id)) || hasWholeCnn(this.dir(id));
  }

  /** Writes model `id` whole, then renames it into place. */
  async save(id: number, model: ModelToSave): Promise<void> {
    const dir = this.dir(id);
    const tmp = `${dir}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, privateFolder);
    await model.head.save(tmp);
    if (model.tail) {
      const { saveTail } = await import('./tail-file.js');
      await saveTail(tmp, model.tail.weights, model.tail.backboneVersion);
    }
    if (model.cnn) {
      const { saveWholeCnn } = await import('./whole-file.js');
      await saveWholeCnn(tmp, model.cnn.weights, model.cnn.backboneVersion, model.cnn.inputSize);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }

  /**
   * Loads model `id`. A missing or damaged folder throws an error that says which model and
   * what is wrong, for the caller to report (never to replace silently).
   */
  async load(id: number): Promise<LoadedModel> {
    if (!this.exists(id)) throw new Error(`model #${id}'s files are missing (${path.join(this.dir(id), HEAD_META_FILE)})`);
    const dir = this.dir(id);
    const problem = this.problem(id);
    if (problem) throw new Error(problem);
    // The tfjs parts load on first use, so listing or checking models costs no tfjs start-up.
    const [{ Head }, { loadTail }] = await Promise.all([import('./head.js'), import('./tail-file.js')]);
    const head = await Head.load(dir);
    try {
      if (hasWholeCnn(dir)) {
        const { loadWholeCnn } = await import('./whole-file.js');
        const { cnn, inputSize } = await loadWholeCnn(dir);
        return { head, tail: null, cnn: { net: cnn, inputSize } };
      }
      return { head, tail: hasTail(dir) ? await loadTail(dir) : null, cnn: null };
    } catch (err) {
      head.dispose();
      throw err;
    }
  }

  remove(id: number): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}
