// A trained model whose files were damaged on disk (a truncated weights.bin, a head.json that no
// longer parses): the pretrained space answers meanwhile, and that is said — by a plain status
// (no tfjs), by every "similar" result, and by the CLI — with the model, the file and what to do.
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { runLookalike } from '../../fixtures/cli.js';
import { finishJob, labelledLibrary } from '../../fixtures/engine-jobs.js';

let work: string;
let library: string;
let modelDir: string;
let modelId: number;

beforeAll(async () => {
  const made = await labelledLibrary('lookalike-damaged-model-', 3, ['rings', 'checkers']);
  work = made.work;
  library = path.join(work, 'library');
  try {
    const job = await finishJob(made.engine, await made.engine.call('train', { epochs: 2, seed: 3 }));
    if (job.result?.kind !== 'train' || job.result.modelId === null) throw new Error(`training made no model: ${job.message ?? job.state}`);
    modelId = job.result.modelId;
    expect((await made.engine.call('status', {})).activeModel?.id).toBe(modelId);
  } finally {
    await made.engine.close();
  }
  modelDir = path.join(library, 'models', String(modelId));
}, 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Damages one of the model's files for the length of `fn`, then puts it back. */
async function withDamaged(file: string, damage: (file: string) => void, fn: () => Promise<void>): Promise<void> {
  const whole = readFileSync(path.join(modelDir, file));
  damage(path.join(modelDir, file));
  try {
    await fn();
  } finally {
    writeFileSync(path.join(modelDir, file), whole);
  }
}

async function expectSaid(reason: RegExp): Promise<void> {
  const said = new RegExp(`^model #${modelId} could not be loaded \\(${reason.source}, in ${modelDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): answering with the pretrained CNN until you train again or run \`lookalike use pretrained\`$`);
  const engine = await Engine.open(library);
  try {
    // A plain status loads no tfjs, and still names the damage.
    const plain = await engine.call('status', {});
    expect(engine.loaded()).toBeNull();
    expect(plain.activeModel?.id).toBe(modelId);
    expect(plain.modelProblem).toMatch(said);
    const r = await engine.call('similar', { id: 1, k: 3 });
    expect(r.hits).toHaveLength(3);
    expect(r.modelProblem).toMatch(said);
    expect((await engine.call('status', {})).modelProblem).toMatch(said);
  } finally {
    await engine.close();
  }
}

describe('a damaged model', () => {
  it('a truncated weights.bin is named by status and by similar, which answers from the pretrained space', async () => {
    await withDamaged('weights.bin', (f) => truncateSync(f, 100), () => expectSaid(/weights\.bin is truncated: 100 of the \d+ bytes head\.json describes/));
  }, 120_000);

  it('a head.json that does not parse is named the same way, and the CLI prints it with the hits', async () => {
    await withDamaged(
      'head.json',
      (f) => writeFileSync(f, readFileSync(f, 'utf8').slice(0, 40)),
      async () => {
        await expectSaid(/head\.json is damaged: it is not valid JSON/);
        const status = await runLookalike(library, 'status');
        expect(status.stdout).toMatch(new RegExp(`problem +model #${modelId} could not be loaded \\(head\\.json is damaged`));
        const similar = await runLookalike(library, 'similar', '--id', '1', '-k', '2');
        expect(similar.code).toBe(0);
        expect(similar.stdout).toMatch(new RegExp(`^warning: model #${modelId} could not be loaded \\(head\\.json is damaged.*lookalike use pretrained`));
        expect(similar.stdout).toMatch(/^#1:\n {2}\d\.\d{3} {2}#\d+/m);
      },
    );
  }, 180_000);

  it('whole files again: no problem is reported and the trained model answers', async () => {
    const engine = await Engine.open(library);
    try {
      expect((await engine.call('status', {})).modelProblem).toBeNull();
      const r = await engine.call('similar', { id: 1, k: 3 });
      expect(r.modelProblem).toBeUndefined();
      expect((await engine.call('status', {})).modelProblem).toBeNull();
    } finally {
      await engine.close();
    }
  }, 120_000);
});
