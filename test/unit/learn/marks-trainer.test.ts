// Training a head from marks alone: no labels, only "alike" / "not alike" marks on pairs of the
// synthetic set whose two kinds frozen features mix. Every loss of the vocabulary must learn
// from them, judged on held-back marks it never trained on.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { trainHead } from '../../../src-main/learn/trainer.js';
import { alikeGroups, holdBackMarks } from '../../../src-main/learn/marks.js';
import { lossNames } from '../../../src-main/learn/losses/index.js';
import type { MarkedPair } from '../../../src-main/learn/split.js';
import { seededRandom } from '../../../src-main/common/random.js';
import { mixedLabels } from './synthetic.js';

beforeAll(async () => {
  await initBackend();
});

const set = mixedLabels(60, 24, 3);
// 24 "queries", each with 5 marked photos of its own kind and 5 of the other, as a user marks
// look-alikes; the truth is the synthetic label the trainer never sees.
const random = seededRandom(11);
const marks: MarkedPair[] = [];
for (let q = 0; q < 24; q++) {
  const query = Math.floor(random() * set.features.length);
  for (let k = 0; k < 10; k++) {
    let other = Math.floor(random() * set.features.length);
    while (other === query || (set.labels[other] === set.labels[query]) !== k < 5) other = Math.floor(random() * set.features.length);
    marks.push({ a: query, b: other, match: k < 5 });
  }
}
const { train, heldBack } = holdBackMarks(marks, 0.2, 5);
const groups = alikeGroups(set.features.length, train);
const classes = [...groups].map((g) => (g >= 0 ? `group ${g}` : null));
const groupClasses = new Set(classes.filter((c): c is string => c !== null));

describe('trainHead from marks alone', () => {
  for (const loss of lossNames) {
    it(`${loss}: ranks held-back alike pairs above not-alike ones better than the frozen features`, async () => {
      const r = await trainHead({
        features: set.features, labels: classes, pairs: train, heldBack, groupClasses, loss,
        lossSettings: loss === 'proxy-nca' ? { scale: 3 } : undefined,
        epochs: 12, lr: 0.01, embeddingDim: 8, batchSize: 32, patience: 50, seed: 2,
      });
      expect(r.before).toBeNull(); // no label: nothing to measure retrieval by
      expect(r.marksBefore!.alike + r.marksBefore!.notAlike).toBe(heldBack.length);
      expect(r.marksBefore!.auc).toBeLessThan(0.75);
      expect(r.marksAfter!.auc).toBeGreaterThan(r.marksBefore!.auc + 0.15);
      expect(r.history.every((h) => h.validation.marks !== null && h.validation.retrieval === null)).toBe(true);
      r.head.dispose();
    });
  }
});
