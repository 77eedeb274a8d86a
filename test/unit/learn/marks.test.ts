// Marks as training data: groups from "alike" marks, the held-back share, and the pairs' AUC.
import { describe, expect, it } from 'vitest';
import { alikeGroups, holdBackMarks, knownPairs, markAuc } from '../../../src-main/learn/marks.js';
import { allTriplets, semiHardTriplets } from '../../../src-main/learn/miners/index.js';
import { splitForTraining, type MarkedPair } from '../../../src-main/learn/split.js';

const alike = (a: number, b: number): MarkedPair => ({ a, b, match: true });
const notAlike = (a: number, b: number): MarkedPair => ({ a, b, match: false });

describe('alikeGroups', () => {
  it('joins photos through chains of alike marks and ignores not-alike marks', () => {
    const g = alikeGroups(7, [alike(0, 1), alike(1, 2), alike(4, 5), notAlike(2, 4), notAlike(3, 6)]);
    expect(g[0]).toBe(g[1]);
    expect(g[1]).toBe(g[2]);
    expect(g[4]).toBe(g[5]);
    expect(g[0]).not.toBe(g[4]);
    // Photos only in not-alike marks belong to no group.
    expect([g[3], g[6]]).toEqual([-1, -1]);
    expect(new Set([...g].filter((x) => x >= 0))).toEqual(new Set([0, 1]));
  });
});

describe('holdBackMarks', () => {
  // 10 queries, each with 3 alike and 3 not-alike marks on photos of its own.
  const marks: MarkedPair[] = [];
  for (let q = 0; q < 10; q++) {
    const base = 100 + q * 10;
    for (let k = 0; k < 6; k++) marks.push({ a: q, b: base + k, match: k < 3 });
  }

  it('holds back whole queries, about the share asked, of both verdicts, and trains on the rest', () => {
    const { train, heldBack } = holdBackMarks(marks, 0.2, 7);
    expect(heldBack.length).toBe(12);
    expect(train.length + heldBack.length).toBe(marks.length);
    const heldQueries = new Set(heldBack.map((p) => p.a));
    expect(heldQueries.size).toBe(2);
    expect(train.some((p) => heldQueries.has(p.a))).toBe(false);
    expect(heldBack.some((p) => p.match) && heldBack.some((p) => !p.match)).toBe(true);
  });

  it('is repeatable for a seed and differs across seeds', () => {
    const key = (s: number) => holdBackMarks(marks, 0.2, s).heldBack.map((p) => p.a).join();
    expect(key(3)).toBe(key(3));
    expect(new Set([1, 2, 3, 4, 5].map(key)).size).toBeGreaterThan(1);
  });

  it('holds nothing back when a side would lack a verdict', () => {
    const oneSided = [alike(0, 1), alike(0, 2), notAlike(3, 4)];
    const split = holdBackMarks(oneSided, 0.5, 1);
    expect(split.heldBack).toEqual([]);
    expect(split.train).toEqual(oneSided);
  });
});

describe('markAuc', () => {
  it('is 1 when every alike pair is more similar than every not-alike pair, 0 reversed, 0.5 for ties', () => {
    const pairs = [alike(0, 1), alike(2, 3), notAlike(4, 5), notAlike(6, 7)];
    const sims = new Map([[0, 0.9], [2, 0.8], [4, 0.3], [6, 0.1]]);
    expect(markAuc(pairs, (a) => sims.get(a)!)!.auc).toBe(1);
    expect(markAuc(pairs, (a) => -sims.get(a)!)!.auc).toBe(0);
    expect(markAuc(pairs, () => 0.5)!.auc).toBe(0.5);
  });

  it('counts the share of (alike, not-alike) pairs ranked right', () => {
    const pairs = [alike(0, 1), alike(2, 3), notAlike(4, 5)];
    const sims = new Map([[0, 0.9], [2, 0.2], [4, 0.5]]);
    expect(markAuc(pairs, (a) => sims.get(a)!)).toEqual({ auc: 0.5, alike: 2, notAlike: 1 });
  });

  it('is null without marks of both verdicts', () => {
    expect(markAuc([alike(0, 1)], () => 1)).toBeNull();
  });
});

describe('classes known to differ', () => {
  // Rows 0-1 label "cat", 2-3 label "dog", 4-5 group A, 6-7 group B, 8-9 group C; a not-alike
  // mark joins group A and group C.
  const labels = ['cat', 'cat', 'dog', 'dog', 'A', 'A', 'B', 'B', 'C', 'C'];
  const split = splitForTraining(labels, [alike(4, 5), alike(6, 7), alike(8, 9), notAlike(4, 8)], {
    validationFraction: 0, holdoutLabels: [], seed: 1, groupClasses: new Set(['A', 'B', 'C']),
  });
  const id = (name: string) => split.classNames.indexOf(name);

  it('two labels differ, two groups do not unless a not-alike mark joins them', () => {
    expect(split.apart(id('cat'), id('dog'))).toBe(true);
    expect(split.apart(id('A'), id('B'))).toBe(false);
    expect(split.apart(id('A'), id('cat'))).toBe(false);
    expect(split.apart(id('A'), id('C'))).toBe(true);
    expect(split.apart(id('C'), id('A'))).toBe(true);
    expect(split.apart(id('A'), id('A'))).toBe(false);
  });

  it('contrastive pairs and mined triplets never treat two unjoined groups as different', () => {
    const classes = Int32Array.from(labels, (l) => id(l));
    const pairs = knownPairs(classes, split.apart);
    for (let k = 0; k < pairs.a.length; k++) {
      const [ca, cb] = [classes[pairs.a[k]], classes[pairs.b[k]]];
      expect(pairs.match[k] ? ca === cb : split.apart(ca, cb)).toBe(true);
    }
    expect(pairs.match.filter((m) => !m).length).toBe(4 + 4); // cat×dog and A×C
    // Positives at 0.5, every other row at 1: any negative the class rule allows is semi-hard.
    const dist = Float32Array.from({ length: 100 }, (_, i) => (Math.floor(i / 10) === i % 10 ? 0 : classes[Math.floor(i / 10)] === classes[i % 10] ? 0.5 : 1));
    for (const t of [semiHardTriplets(dist, classes, split.apart), allTriplets(classes, split.apart)]) {
      expect(t.anchor.length).toBeGreaterThan(0);
      for (let k = 0; k < t.anchor.length; k++) expect(split.apart(classes[t.anchor[k]], classes[t.negative[k]])).toBe(true);
    }
  });
});
