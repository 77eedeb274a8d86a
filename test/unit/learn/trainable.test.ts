// What can train: at least two labels with two photos or more (outside the held-out labels).
import { describe, expect, it } from 'vitest';
import { whyNotTrainable } from '../../../src-main/learn/trainable.js';
import { evaluationRows, splitForTraining } from '../../../src-main/learn/split.js';

/** Photos per label, from one label per photo. */
const counted = (labels: string[]) => labels.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());

describe('whyNotTrainable', () => {
  it('refuses one photo per label, naming the labels', () => {
    expect(whyNotTrainable(counted(['a', 'b', 'c']))).toBe('give two or more photos each to at least two labels (0 labels have that; one photo only: "a", "b", "c")');
  });

  it('refuses when held-out labels leave fewer than two usable ones', () => {
    expect(whyNotTrainable(counted(['a', 'a', 'b', 'b']), { holdoutLabels: ['b'] })).toMatch(/\(1 label has that\)/);
  });

  it('accepts two labels of two photos, and those always leave retrieval queries', () => {
    const labels = ['a', 'a', 'b', 'b', 'c'];
    expect(whyNotTrainable(counted(labels))).toBeNull();
    for (let seed = 1; seed <= 20; seed++) {
      const { rows } = evaluationRows(splitForTraining(labels, [], { validationFraction: 0.2, holdoutLabels: [], seed }));
      const perLabel = new Map<string, number>();
      for (const r of rows) perLabel.set(labels[r], (perLabel.get(labels[r]) ?? 0) + 1);
      expect([...perLabel.values()].some((n) => n >= 2)).toBe(true);
    }
  });
});
