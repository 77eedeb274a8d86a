import { describe, expect, it } from 'vitest';
import { embeddingsIn, proposeHardPairs, type HardPair } from '../../../src-main/search/hard-pairs.js';
import { createIndex } from '../../../src-main/search/live-index.js';
import { gaussian, normalise, seededRandom } from './synthetic-vectors.js';

const dim = 48;
const normal = gaussian(seededRandom(17));
const randomUnit = (): Float32Array => normalise(Float32Array.from({ length: dim }, () => normal()));

/** A unit vector at cosine ≈ `similarity` from `centre`. */
function near(centre: Float32Array, similarity: number): Float32Array {
  const noise = randomUnit();
  const t = Math.sqrt(1 - similarity * similarity);
  return normalise(Float32Array.from(centre, (x, i) => similarity * x + t * noise[i]));
}

/**
 * Three well-separated kinds of 12 images each (ids 100.., 200.., 300..), labelled by kind,
 * except: 105 sits among the cats but is labelled "dog"; 210 and 211 are unlabelled dogs.
 */
function library(): { embeddings: Map<number, Float32Array>; labels: Map<number, string> } {
  const embeddings = new Map<number, Float32Array>();
  const labels = new Map<number, string>();
  (['cat', 'dog', 'car'] as const).forEach((kind, k) => {
    const centre = randomUnit();
    for (let i = 0; i < 12; i++) {
      const id = 100 * (k + 1) + i;
      embeddings.set(id, near(centre, 0.9));
      labels.set(id, kind);
    }
  });
  labels.set(105, 'dog');
  labels.delete(210);
  labels.delete(211);
  return { embeddings, labels };
}

const involving = (pairs: HardPair[], id: number): HardPair[] => pairs.filter((p) => p.a === id || p.b === id);

describe('proposeHardPairs', () => {
  const { embeddings, labels } = library();
  const pairs = proposeHardPairs(embeddings, labels, [], { neighbours: 5 });
  const byReason = (reason: HardPair['reason']): HardPair[] => pairs.filter((p) => p.reason === reason);

  it('flags a mislabelled image through its close neighbours of another label', () => {
    const confused = byReason('close-but-different-labels');
    expect(confused.length).toBeGreaterThan(0);
    // Every such pair involves the image labelled "dog" among the cats: the clusters are apart.
    for (const pair of confused) expect([pair.a, pair.b]).toContain(105);
    for (const pair of confused) expect(labels.get(pair.a === 105 ? pair.b : pair.a)).toBe('cat');
  });

  it('pairs an image far from its own label with its nearest same-label image', () => {
    const far = involving(byReason('same-label-far-apart'), 105);
    expect(far).toHaveLength(1);
    const other = far[0].a === 105 ? far[0].b : far[0].a;
    expect(labels.get(other)).toBe('dog');
    expect(far[0].score).toBeGreaterThan(0);
    // Correctly labelled images have their own kind among their neighbours.
    for (const pair of byReason('same-label-far-apart')) expect([pair.a, pair.b]).toContain(105);
  });

  it('asks about unlabelled images next to labelled ones, each once', () => {
    const unlabelled = byReason('unlabelled-close-neighbour');
    const asked = unlabelled.map((p) => (labels.has(p.a) ? p.b : p.a)).sort();
    expect(asked).toEqual([210, 211]);
    for (const pair of unlabelled) expect(labels.get(labels.has(pair.a) ? pair.a : pair.b)).toBe('dog');
  });

  it('orders by reason, then by score, with similarities that are true cosines', () => {
    const order = ['close-but-different-labels', 'same-label-far-apart', 'unlabelled-close-neighbour'];
    for (let i = 1; i < pairs.length; i++) {
      const [p, q] = [pairs[i - 1], pairs[i]];
      expect(order.indexOf(p.reason)).toBeLessThanOrEqual(order.indexOf(q.reason));
      if (p.reason === q.reason) expect(p.score).toBeGreaterThanOrEqual(q.score);
    }
    for (const p of pairs) {
      const [u, v] = [embeddings.get(p.a) as Float32Array, embeddings.get(p.b) as Float32Array];
      expect(p.similarity).toBeCloseTo(u.reduce((s, x, i) => s + x * v[i], 0), 4);
      expect(p.a).toBeLessThan(p.b);
    }
  });

  it('leaves out pairs the user already marked, in either order', () => {
    const [first, second] = pairs;
    const again = proposeHardPairs(embeddings, labels, [{ a: first.b, b: first.a }, second], { neighbours: 5 });
    const keys = new Set(again.map((p) => `${p.a}:${p.b}`));
    expect(keys.has(`${first.a}:${first.b}`)).toBe(false);
    expect(keys.has(`${second.a}:${second.b}`)).toBe(false);
    expect(again.length).toBe(pairs.length - 2);
  });

  it('is deterministic and respects the per-reason limit', () => {
    expect(proposeHardPairs(embeddings, labels, [], { neighbours: 5 })).toEqual(pairs);
    const limited = proposeHardPairs(embeddings, labels, [], { neighbours: 5, limitPerReason: 1 });
    expect(limited.length).toBeLessThanOrEqual(3);
    expect(limited[0]).toEqual(pairs[0]);
  });
});

describe('proposeHardPairs near marks, without labels', () => {
  // Two kinds of 10 photos each; the user marked some pairs of photo 0 and nothing is labelled.
  const embeddings = new Map<number, Float32Array>();
  const a = randomUnit();
  const b = randomUnit();
  for (let i = 0; i < 10; i++) embeddings.set(i, near(a, 0.8));
  for (let i = 10; i < 20; i++) embeddings.set(i, near(b, 0.8));
  const marks = [
    { a: 0, b: 1, verdict: 'match' as const },
    { a: 0, b: 2, verdict: 'match' as const },
    { a: 0, b: 10, verdict: 'mismatch' as const },
  ];
  const pairs = proposeHardPairs(embeddings, new Map(), marks, { neighbours: 6 });
  const uncertain = pairs.filter((p) => p.reason === 'uncertain-near-marks');

  it('proposes neighbours of marked photos, never a marked pair nor one already joined by alike marks', () => {
    expect(uncertain.length).toBeGreaterThan(0);
    const marked = new Set([0, 1, 2, 10]);
    for (const p of uncertain) expect(marked.has(p.a) || marked.has(p.b)).toBe(true);
    const keys = new Set(uncertain.map((p) => `${p.a}:${p.b}`));
    for (const m of marks) expect(keys.has(`${Math.min(m.a, m.b)}:${Math.max(m.a, m.b)}`)).toBe(false);
    expect(keys.has('1:2')).toBe(false);
  });

  it('ranks by closeness to the boundary between the marks: the most uncertain first', () => {
    const sim = (x: number, y: number) => embeddings.get(x)!.reduce((s, v, i) => s + v * embeddings.get(y)![i], 0);
    const boundary = ((sim(0, 1) + sim(0, 2)) / 2 + sim(0, 10)) / 2;
    const gaps = uncertain.map((p) => Math.abs(p.similarity - boundary));
    expect(gaps).toEqual([...gaps].sort((x, y) => x - y));
  });

  it('proposes nothing near marks of one verdict only', () => {
    const onlyAlike = proposeHardPairs(embeddings, new Map(), marks.slice(0, 2), { neighbours: 6 });
    expect(onlyAlike.filter((p) => p.reason === 'uncertain-near-marks')).toEqual([]);
  });
});

describe('proposeHardPairs on a library larger than its anchors', () => {
  // A big library looks up the neighbours of at most `maxAnchors` photos: every marked photo and
  // an even spread of the others (at 77,000 photos, looking up all took 95 s).
  const embeddings = new Map<number, Float32Array>();
  const labels = new Map<number, string>();
  const centres = [randomUnit(), randomUnit(), randomUnit(), randomUnit()];
  for (let id = 0; id < 400; id++) {
    embeddings.set(id, near(centres[id % 4], 0.85));
    if (id % 3 !== 0) labels.set(id, `kind ${id % 4}`);
  }
  const marks = [
    { a: 7, b: 11, verdict: 'match' as const },
    { a: 7, b: 13, verdict: 'mismatch' as const },
  ];
  // The real index, counting whose neighbours are asked for.
  const index = createIndex(dim, embeddings.size);
  index.add([...embeddings.keys()], [...embeddings.values()]);
  const searched: number[] = [];
  const search = index.search.bind(index);
  index.search = (vector, k, opts) => {
    searched.push(opts?.exclude ?? -1);
    return search(vector, k, opts);
  };
  const pairs = proposeHardPairs(embeddings, labels, marks, { neighbours: 5, maxAnchors: 40, index });

  it('looks up at most maxAnchors photos, the marked ones among them, spread over the library', () => {
    expect(searched.length).toBeLessThanOrEqual(40);
    expect(new Set(searched).size).toBe(searched.length);
    for (const id of [7, 11, 13]) expect(searched).toContain(id);
    expect(Math.min(...searched)).toBeLessThan(20);
    expect(Math.max(...searched)).toBeGreaterThan(380);
  });

  it('still proposes pairs for each reason it can see, none of them a marked pair', () => {
    expect(pairs.some((p) => p.reason === 'uncertain-near-marks')).toBe(true);
    expect(pairs.some((p) => p.reason === 'unlabelled-close-neighbour')).toBe(true);
    for (const p of pairs) expect(`${p.a}:${p.b}`).not.toMatch(/^(7:11|7:13)$/);
  });

  it('gives the same proposals on every call', () => {
    expect(proposeHardPairs(embeddings, labels, marks, { neighbours: 5, maxAnchors: 40, index })).toEqual(pairs);
  });

  it('reads from the index only the vectors it needs, and proposes the same pairs as from every embedding', () => {
    // At 77,000 photos reading every embedding from the feature store took most of the call.
    let read = 0;
    const vector = index.vector.bind(index);
    index.vector = (id) => {
      read++;
      return vector(id);
    };
    const fromIndex = proposeHardPairs(embeddingsIn(index), labels, marks, { neighbours: 5, maxAnchors: 40, index });
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(embeddings.size / 2);
    expect(fromIndex.map((p) => [p.a, p.b, p.reason])).toEqual(pairs.map((p) => [p.a, p.b, p.reason]));
    fromIndex.forEach((p, i) => expect(p.similarity).toBeCloseTo(pairs[i].similarity, 5));
  });
});
