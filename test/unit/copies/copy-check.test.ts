// The copy check's decision: a candidate counts as the query's copy only when it clearly leads.
import { describe, expect, it } from 'vitest';
import { COPY_FLOOR, COPY_LEAD, pickCopy } from '../../../src-main/copies/copy-check.js';

describe('pickCopy', () => {
  it('takes the candidate that leads every other by the margin', () => {
    const found = pickCopy([{ id: 1, score: 0.87 }, { id: 2, score: 0.87 + COPY_LEAD + 0.01 }, { id: 3, score: 0.85 }]);
    expect(found?.id).toBe(2);
  });

  it('takes none when the best two are about as alike (a copy of nothing)', () => {
    expect(pickCopy([{ id: 1, score: 0.9 }, { id: 2, score: 0.9 - COPY_LEAD / 2 }, { id: 3, score: 0.7 }])).toBeNull();
  });

  it('takes none below the floor, even alone', () => {
    expect(pickCopy([{ id: 1, score: COPY_FLOOR - 0.01 }])).toBeNull();
    expect(pickCopy([{ id: 1, score: COPY_FLOOR + 0.01 }])?.id).toBe(1);
    expect(pickCopy([])).toBeNull();
  });
});
